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

#endif /* PSYCOPG_PQPATH_H */
