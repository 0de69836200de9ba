/* The only code that waits on the socket.  The GIL is released while
 * waiting; every slice (or EINTR) we take it back to run signal handlers.
 * A KeyboardInterrupt while a query runs cancels it on the server: the
 * caller drains the results and then the exception is raised.  In green
 * mode the wait is the user's callback instead (wait_green). */
#include "psycopg.h"
#include "wait.h"
#include "connection.h"
#include "module.h"

#include <errno.h>
#include <poll.h>

/* How long to sleep before checking signals again (EINTR wakes us sooner
 * in the main thread). */
#define WAIT_SLICE_MS 200

void
wait_begin(wait_state *ws, connectionObject *conn, int abort_on_signal)
{
    ws->conn = conn;
    ws->exc = NULL;
    ws->abort_on_signal = abort_on_signal;
    ws->cancel_sent = 0;
    ws->ts = PyEval_SaveThread();
}

/* With the GIL held: run signal handlers, remember what they raised. */
static int
wait_check_signals(wait_state *ws)
{
    if (PyErr_CheckSignals() == 0)
        return 0;
    if (ws->exc == NULL) {
#if PY_VERSION_HEX >= 0x030c0000
        ws->exc = PyErr_GetRaisedException();
#else
        PyObject *t, *v, *tb;
        PyErr_Fetch(&t, &v, &tb);
        PyErr_NormalizeException(&t, &v, &tb);
        if (v && tb)
            PyException_SetTraceback(v, tb);
        ws->exc = v ? v : Py_NewRef(Py_None);
        Py_XDECREF(t);
        Py_XDECREF(tb);
#endif
    }
    else {
        PyErr_Clear(); /* a second Ctrl-C: the first one wins */
    }
    return -1;
}

static void
wait_send_cancel(wait_state *ws)
{
    char errbuf[256];
    PGcancel *cancel = ws->conn->cancel;
    if (cancel == NULL || ws->cancel_sent)
        return;
    ws->cancel_sent = 1;
    /* PQcancel opens a new connection: never with the GIL */
    if (!PQcancel(cancel, errbuf, sizeof(errbuf)))
        Dprintf("cancel failed: %s", errbuf);
}

int
wait_socket(wait_state *ws, int fd, int events)
{
    struct pollfd pfd;
    int r, got = 0;

    pfd.fd = fd;
    pfd.events = ((events & WAIT_READ) ? POLLIN : 0)
                 | ((events & WAIT_WRITE) ? POLLOUT : 0);
    pfd.revents = 0;
    r = poll(&pfd, 1, WAIT_SLICE_MS);
    if (r < 0 && errno != EINTR)
        return -1;
    if (r > 0) {
        if (pfd.revents & (POLLIN | POLLERR | POLLHUP | POLLNVAL))
            got |= WAIT_READ;
        if (pfd.revents & POLLOUT)
            got |= WAIT_WRITE;
        /* an error condition means "go read it": libpq reports it */
        if (got == 0)
            got = events;
        return got;
    }
    /* timeout or signal: take the GIL to run the handlers */
    PyEval_RestoreThread(ws->ts);
    r = wait_check_signals(ws);
    ws->ts = PyEval_SaveThread();
    if (r < 0) {
        if (ws->abort_on_signal)
            return -2;
        wait_send_cancel(ws);
    }
    return 0;
}

int
wait_end(wait_state *ws)
{
    PyEval_RestoreThread(ws->ts);
    ws->ts = NULL;
    if (ws->exc) {
#if PY_VERSION_HEX >= 0x030c0000
        PyErr_SetRaisedException(ws->exc);
#else
        if (ws->exc == Py_None)
            PyErr_SetNone(PyExc_KeyboardInterrupt);
        else
            PyErr_SetObject((PyObject *)Py_TYPE(ws->exc), ws->exc);
        Py_DECREF(ws->exc);
#endif
        ws->exc = NULL;
        return -1;
    }
    return 0;
}

int
wait_green(connectionObject *conn)
{
    PyObject *cb = conn->st->wait_callback, *r;
    if (cb == NULL) {
        PyErr_SetString(conn->st->OperationalError,
                        "the wait callback was removed during an operation");
        goto fail;
    }
    Py_INCREF(cb);
    conn_unlock(conn);
    r = PyObject_CallOneArg(cb, (PyObject *)conn);
    conn_lock(conn);
    Py_DECREF(cb);
    if (r == NULL)
        goto fail;
    Py_DECREF(r);
    if (conn->async_op != ASYNC_OP_NONE) {
        PyErr_SetString(conn->st->OperationalError,
                        "the wait callback returned before the operation "
                        "was complete");
        goto fail;
    }
    return 0;

fail:
    /* the connection is in an unknown state: it can't be used anymore */
    Dprintf("conn %p: wait callback failed, closing", (void *)conn);
    conn->async_op = ASYNC_OP_NONE;
    conn->async_status = ASYNC_DONE;
    if (conn->async_res) {
        PQclear(conn->async_res);
        conn->async_res = NULL;
    }
    conn_close_locked(conn);
    return -1;
}
