/* The only code that sends queries to libpq and reads its results. */
#ifndef PSYCOPG_PQPATH_H
#define PSYCOPG_PQPATH_H

#include "psycopg.h"

/* Open conn->pgconn from conn->dsn, waiting with the GIL released.
 * Returns 0, or -1 with OperationalError set. */
int pq_connect(connectionObject *conn);

/* Send `query` and collect its results (the caller holds the connection
 * lock).  Returns the result to keep: the last one, or the first error, or
 * a COPY result the caller must serve.  NULL with an exception set on
 * network failure or interrupt. */
PGresult *pq_exec(connectionObject *conn, const char *query);

/* Collect the results of a query already sent (used after COPY). */
PGresult *pq_get_result(connectionObject *conn);

/* Run a command and raise its error, if any (lock held by the caller).
 * `curs` (may be NULL) is attached to the exception.  0 or -1. */
int pq_exec_command(connectionObject *conn, cursorObject *curs,
                    const char *query);

/* Raise the connection's current libpq error as OperationalError (or the
 * class of its SQLSTATE).  Always -1. */
int pq_raise_conn_error(connectionObject *conn);

/* COPY: send a chunk / end the copy; read a chunk.  Lock held. */
int pq_put_copy_data(connectionObject *conn, const char *buf, Py_ssize_t len);
int pq_put_copy_end(connectionObject *conn, const char *errmsg);
/* Returns the length (>0) with *buf to free with PQfreemem, 0 when the
 * copy is over, -1 with an exception set. */
Py_ssize_t pq_get_copy_data(connectionObject *conn, char **buf);

/* Read whatever the server sent without a query (notifies). */
int pq_consume_input(connectionObject *conn);

/* Non-blocking steps, driven by connection.poll() (async and green).
 * pq_start_connect: PQconnectStart only (op CONNECT).  pq_send_query:
 * queue the query and try to flush (op QUERY).  pq_poll_connect and
 * pq_poll_query: advance without blocking; POLL_OK when done (the query
 * results are in conn->async_res), POLL_READ/POLL_WRITE to wait, -1 with
 * an exception set. */
int pq_start_connect(connectionObject *conn);
int pq_send_query(connectionObject *conn, const char *query);
int pq_poll_connect(connectionObject *conn);
int pq_poll_query(connectionObject *conn);

/* Replication (COPY BOTH): read one message without blocking: length > 0
 * with *buf to PQfreemem, 0 if nothing is available, -1 with an exception
 * set; when the server ends the stream *buf stays NULL and *final gets
 * the result of the command (to check and clear).  */
Py_ssize_t pq_read_copy_nb(connectionObject *conn, char **buf,
                           PGresult **final);
/* Send a COPY BOTH message and flush it, waiting if needed. */
int pq_send_copy_msg(connectionObject *conn, const char *buf, int len);
/* Wait until the socket is readable or `timeout` seconds passed (GIL
 * released; a signal handler raising ends the wait).  0 or -1. */
int pq_wait_readable(connectionObject *conn, double timeout);

#endif /* PSYCOPG_PQPATH_H */

/* One statement of a pipeline. */
enum { PQ_PIPE_QUERY, PQ_PIPE_PREPARE, PQ_PIPE_EXEC };
typedef struct {
    int kind;                  /* PQ_PIPE_* */
    const char *sql;           /* QUERY, PREPARE: the text (one statement) */
    int nparams;               /* PREPARE, EXEC */
    const Oid *types;          /* PREPARE: parameter types (0 = unknown) */
    const char *const *values; /* EXEC: text values, NULL for SQL NULL */
    int counted;               /* add its rows to the total */
} pq_pipe_item;

/* Pipeline mode (libpq >= 14): send items[0..n) with the extended protocol
 * (PREPARE and EXEC use the unnamed statement) and one sync; read results
 * while sending.  *rowcount gets the sum of the rows of the counted items
 * (-1 if one is unknown), *last their last result and *error the first
 * error result (the server skipped the rest); both owned by the caller,
 * NULL if none; *error_at (if not NULL) the index of the item that
 * failed, -1 if none.  Returns 0, or -1 with an exception set (network
 * failure, interrupt). */
int pq_exec_pipeline(connectionObject *conn, const pq_pipe_item *items,
                     Py_ssize_t n, Py_ssize_t *rowcount, PGresult **last,
                     PGresult **error, Py_ssize_t *error_at);

/* Whether this libpq has pipeline mode. */
int pq_has_pipeline(void);
