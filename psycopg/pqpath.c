/* The only code that talks to libpq for I/O.  libpq runs non-blocking;
 * every wait goes through wait.c with the GIL released, and no Python
 * object is touched until wait_end() has taken the GIL back. */
#include "psycopg.h"
#include "pqpath.h"
#include "wait.h"
#include "connection.h"
#include "errors.h"

#include <errno.h>
#include <string.h>

int
pq_raise_conn_error(connectionObject *conn)
{
    module_state *st = conn->st;
    const char *msg = conn->pgconn ? PQerrorMessage(conn->pgconn) : "";

    if (conn->pgconn && PQstatus(conn->pgconn) == CONNECTION_BAD)
        conn_set_broken(conn);
    if (msg[0] == '\0')
        msg = "connection error (no details from libpq)";
    return err_raise_trimmed(st->OperationalError, "", msg);
}

/* Bookkeeping after reading from the server, with the GIL held. */
static void
pq_after_io(connectionObject *conn)
{
    const char *scs;
    conn_flush_notices(conn);
    if (conn->pgconn == NULL)
        return;
    if (conn_flush_notifies(conn) < 0)
        PyErr_Clear(); /* never lose a query result for a notify */
    scs = PQparameterStatus(conn->pgconn, "standard_conforming_strings");
    conn->equote = (scs && strcmp(scs, "off") == 0);
}

int
pq_connect(connectionObject *conn)
{
    wait_state ws;
    PostgresPollingStatusType poll_st = PGRES_POLLING_WRITING;
    int rv = -1, r = 0;
    PGconn *pgconn;

    Py_BEGIN_ALLOW_THREADS
    pgconn = PQconnectStart(conn->dsn);
    Py_END_ALLOW_THREADS
    if (pgconn == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    conn->pgconn = pgconn;
    if (PQstatus(pgconn) == CONNECTION_BAD)
        return pq_raise_conn_error(conn);

    wait_begin(&ws, conn, 1);
    for (;;) {
        if (poll_st == PGRES_POLLING_OK || poll_st == PGRES_POLLING_FAILED)
            break;
        r = wait_socket(&ws, PQsocket(pgconn),
                        poll_st == PGRES_POLLING_READING ? WAIT_READ
                                                         : WAIT_WRITE);
        if (r < 0)
            break;
        if (r == 0)
            continue;
        poll_st = PQconnectPoll(pgconn);
    }
    if (wait_end(&ws) < 0)
        goto exit;
    if (r == -1) {
        PyErr_SetFromErrno(conn->st->OperationalError);
        goto exit;
    }
    if (poll_st != PGRES_POLLING_OK) {
        pq_raise_conn_error(conn);
        goto exit;
    }
    rv = 0;
exit:
    if (rv < 0 && conn->closed == 2)
        conn->closed = 1; /* never opened: not "broken" */
    return rv;
}

/* Flush the output and read every result, all without the GIL. */
static PGresult *
pq_finish(connectionObject *conn, int flushing)
{
    PGconn *pgconn = conn->pgconn;
    int fd = PQsocket(pgconn);
    PGresult *keep = NULL, *res;
    int io_error = 0, r;
    wait_state ws;

    wait_begin(&ws, conn, 0);
    for (;;) {
        if (flushing) {
            r = PQflush(pgconn);
            if (r < 0) {
                io_error = 1;
                break;
            }
            if (r == 1) {
                r = wait_socket(&ws, fd, WAIT_READ | WAIT_WRITE);
                if (r < 0) {
                    io_error = 1;
                    break;
                }
                if ((r & WAIT_READ) && !PQconsumeInput(pgconn)) {
                    io_error = 1;
                    break;
                }
                continue;
            }
            flushing = 0;
        }
        if (PQisBusy(pgconn)) {
            r = wait_socket(&ws, fd, WAIT_READ);
            if (r < 0) {
                io_error = 1;
                break;
            }
            if (r > 0 && !PQconsumeInput(pgconn)) {
                io_error = 1;
                break;
            }
            continue;
        }
        res = PQgetResult(pgconn);
        if (res == NULL)
            break;
        switch (PQresultStatus(res)) {
        case PGRES_COPY_IN:
        case PGRES_COPY_OUT:
        case PGRES_COPY_BOTH:
            /* the caller serves the copy; results come after it */
            if (keep)
                PQclear(keep);
            keep = res;
            goto done;
        default:
            break;
        }
        /* the first error wins; otherwise the last result wins */
        if (keep && PQresultStatus(keep) == PGRES_FATAL_ERROR) {
            PQclear(res);
        }
        else {
            if (keep)
                PQclear(keep);
            keep = res;
        }
        if (PQstatus(pgconn) == CONNECTION_BAD)
            break;
    }
done:
    if (wait_end(&ws) < 0) {
        /* interrupted: the query was cancelled and drained */
        pq_after_io(conn);
        if (keep)
            PQclear(keep);
        if (PQstatus(pgconn) == CONNECTION_BAD)
            conn_set_broken(conn);
        return NULL;
    }
    pq_after_io(conn);
    if (io_error || (keep == NULL && PQstatus(pgconn) == CONNECTION_BAD)) {
        if (keep && PQresultStatus(keep) == PGRES_FATAL_ERROR
            && PQstatus(pgconn) == CONNECTION_BAD) {
            /* the server told us why it went away: report that */
            err_raise_from_result(conn, NULL, keep);
            return NULL;
        }
        if (keep)
            PQclear(keep);
        pq_raise_conn_error(conn);
        return NULL;
    }
    if (keep == NULL) {
        PyErr_SetString(conn->st->InterfaceError,
                        "the server returned no result");
        return NULL;
    }
    return keep;
}

PGresult *
pq_exec(connectionObject *conn, const char *query)
{
    int r;
    Dprintf("conn %p: %s", (void *)conn, query);
    if (conn_check_open(conn) < 0)
        return NULL;
    /* PQsendQuery only queues the message in non-blocking mode */
    r = PQsendQuery(conn->pgconn, query);
    if (!r) {
        pq_raise_conn_error(conn);
        return NULL;
    }
    return pq_finish(conn, 1);
}

PGresult *
pq_get_result(connectionObject *conn)
{
    return pq_finish(conn, 1);
}

int
pq_exec_command(connectionObject *conn, cursorObject *curs, const char *query)
{
    PGresult *res = pq_exec(conn, query);
    if (res == NULL)
        return -1;
    if (PQresultStatus(res) != PGRES_COMMAND_OK
        && PQresultStatus(res) != PGRES_TUPLES_OK)
        return err_raise_from_result(conn, curs, res);
    PQclear(res);
    return 0;
}

int
pq_put_copy_data(connectionObject *conn, const char *buf, Py_ssize_t len)
{
    PGconn *pgconn = conn->pgconn;
    int r, io_error = 0;
    wait_state ws;

    wait_begin(&ws, conn, 0);
    while ((r = PQputCopyData(pgconn, buf, (int)len)) == 0) {
        /* buffer full: wait until the socket drains */
        if (wait_socket(&ws, PQsocket(pgconn), WAIT_WRITE) < 0) {
            io_error = 1;
            break;
        }
        if (PQflush(pgconn) < 0) {
            io_error = 1;
            break;
        }
    }
    if (wait_end(&ws) < 0)
        return -1;
    if (io_error || r < 0)
        return pq_raise_conn_error(conn);
    return 0;
}

int
pq_put_copy_end(connectionObject *conn, const char *errmsg)
{
    PGconn *pgconn = conn->pgconn;
    int r, io_error = 0;
    wait_state ws;

    wait_begin(&ws, conn, 0);
    while ((r = PQputCopyEnd(pgconn, errmsg)) == 0) {
        if (wait_socket(&ws, PQsocket(pgconn), WAIT_WRITE) < 0) {
            io_error = 1;
            break;
        }
    }
    if (wait_end(&ws) < 0)
        return -1;
    if (io_error || r < 0)
        return pq_raise_conn_error(conn);
    return 0;
}

Py_ssize_t
pq_get_copy_data(connectionObject *conn, char **buf)
{
    PGconn *pgconn = conn->pgconn;
    int r, io_error = 0;
    wait_state ws;

    *buf = NULL;
    /* fast path: data already buffered */
    r = PQgetCopyData(pgconn, buf, 1);
    if (r == 0) {
        wait_begin(&ws, conn, 0);
        for (;;) {
            int w = wait_socket(&ws, PQsocket(pgconn), WAIT_READ);
            if (w < 0) {
                io_error = 1;
                break;
            }
            if (w == 0)
                continue;
            if (!PQconsumeInput(pgconn)) {
                io_error = 1;
                break;
            }
            r = PQgetCopyData(pgconn, buf, 1);
            if (r != 0)
                break;
        }
        if (wait_end(&ws) < 0) {
            if (*buf) {
                PQfreemem(*buf);
                *buf = NULL;
            }
            return -1;
        }
    }
    if (io_error || r == -2)
        return pq_raise_conn_error(conn);
    if (r == -1)
        return 0;
    return r;
}

int
pq_consume_input(connectionObject *conn)
{
    int ok;
    Py_BEGIN_ALLOW_THREADS
    ok = PQconsumeInput(conn->pgconn);
    Py_END_ALLOW_THREADS
    pq_after_io(conn);
    if (!ok)
        return pq_raise_conn_error(conn);
    return 0;
}
