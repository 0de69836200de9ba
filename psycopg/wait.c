/* The only code that waits on the socket.  The GIL is released while
 * waiting; every slice (or EINTR) we take it back to run signal handlers.
 *
 * Signal handlers only ever run in the main thread.  A poll() with a
 * timeout arms a kernel timer on every call, which costs about 0.6 us per
 * query on these VMs (a tenth of what the driver adds to SELECT 1), so
 * only waits that need one use it: those with a deadline (connect,
 * wait_readable) and those cancelling after an interrupt.  Elsewhere the
 * main thread polls the socket and the "ticker", a one-shot timerfd armed
 * at most once per slice: it wakes a long wait every slice, and a signal
 * that came just before poll() was entered is still noticed within one
 * slice.  Other threads, which can't run handlers, poll without timeout.
 *
 * A KeyboardInterrupt (or any exception from a signal handler) while a
 * query runs cancels it on the server, and the caller goes on draining
 * the results until the server ends the query; then the exception is
 * raised.  A cancel request that reaches the server before the query
 * starts is ignored, so it is sent again every WAIT_CANCEL_RESEND seconds
 * until the query ends.  If the server stops answering (nothing read or
 * written for WAIT_CANCEL_GIVEUP seconds after the interrupt), or a second
 * interrupt comes, the connection is abandoned: the wait ends, the
 * connection is marked broken (closed == 2) and the first exception is
 * raised.
 *
 * PQcancel blocks (it opens a connection to the server and waits for it to
 * close), so each request runs on a short-lived detached thread that owns
 * its own PGcancel: a dead network can't block the wait, nor Ctrl-C.
 *
 * In green mode the wait is the user's callback instead (wait_green). */
#include "psycopg.h"
#include "wait.h"
#include "connection.h"
#include "module.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <sys/timerfd.h>
#include <unistd.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* How long to sleep before checking signals again (EINTR wakes us sooner
 * in the main thread). */
#define WAIT_SLICE_MS 200
/* Seconds between two cancel requests for the same interrupt. */
#define WAIT_CANCEL_RESEND 1.0
/* Seconds of silence from the server after an interrupt before the
 * connection is abandoned (documented in doc/migration.rst). */
#define WAIT_CANCEL_GIVEUP 5.0

/* One cancel request in flight.  Shared by the waiter and the thread that
 * sends it; the last one to let go frees it. */
struct wait_cancel {
    PGcancel *pgcancel;
    pthread_mutex_t mu;
    pthread_cond_t cv;          /* signalled when done */
    int done;
    int refs;
};

static double
wait_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- the main thread's ticker ----
 * Process-wide, and only touched by the main thread (the one thread that
 * runs signal handlers), with or without the GIL: no lock needed. */
static unsigned long wait_main_ident;   /* 0: unknown, every thread slices */
static int wait_ticker_fd = -1;         /* -1: none (slices instead) */
static double wait_ticker_due;          /* when the armed tick fires; 0: not
                                         * armed (or fired) */

/* In the child of fork(): the forking thread is the main one there, and
 * the timerfd is shared with the parent, who may re-arm it. */
static void
wait_after_fork(void)
{
    wait_main_ident = PyThread_get_thread_ident();
    if (wait_ticker_fd >= 0)
        close(wait_ticker_fd);
    wait_ticker_fd = -1;
    wait_ticker_due = 0.0;
}

int
wait_setup(void)
{
    static int registered;
    PyObject *threading, *main, *ident;
    unsigned long id;

    /* only the main interpreter's main_thread() is the process's */
    if (registered || PyInterpreterState_Get() != PyInterpreterState_Main())
        return 0;
    if (!(threading = PyImport_ImportModule("threading")))
        return -1;
    main = PyObject_CallMethod(threading, "main_thread", NULL);
    Py_DECREF(threading);
    if (main == NULL)
        return -1;
    ident = PyObject_GetAttrString(main, "ident");
    Py_DECREF(main);
    if (ident == NULL)
        return -1;
    id = PyLong_AsUnsignedLong(ident);
    Py_DECREF(ident);
    if (id == (unsigned long)-1 && PyErr_Occurred())
        return -1;
    /* without the fork handler a child would share the parent's timerfd:
     * then every thread keeps slicing */
    if (pthread_atfork(NULL, NULL, wait_after_fork) != 0)
        return 0;
    wait_main_ident = id;
    registered = 1;
    return 0;
}

/* Arm the tick unless it is armed already: one system call per slice,
 * not per query.  0, or -1 if there is no ticker (slice instead). */
static int
wait_ticker_arm(void)
{
    struct itimerspec it;
    double now;

    if (wait_ticker_fd < 0) {
        wait_ticker_fd = timerfd_create(CLOCK_MONOTONIC,
                                        TFD_NONBLOCK | TFD_CLOEXEC);
        if (wait_ticker_fd < 0)
            return -1;
        wait_ticker_due = 0.0;
    }
    now = wait_now();
    if (wait_ticker_due > now)
        return 0;
    /* arming again also clears a tick nobody read */
    memset(&it, 0, sizeof(it));
    it.it_value.tv_nsec = WAIT_SLICE_MS * 1000000L;
    if (timerfd_settime(wait_ticker_fd, 0, &it, NULL) != 0)
        return -1;
    wait_ticker_due = now + WAIT_SLICE_MS / 1000.0;
    return 0;
}

static void
wait_ticker_drain(void)
{
    uint64_t n;
    if (read(wait_ticker_fd, &n, sizeof(n)) < 0)
        Dprintf("ticker read: errno %d", errno);
    wait_ticker_due = 0.0;
}

/* poll() the socket as this wait needs: with a timeout (slice), the
 * ticker beside it (main thread), or neither.  As poll(); a tick is a
 * timeout (0). */
static int
wait_poll(wait_state *ws, struct pollfd *pfd)
{
    int r;
    if (ws->mode == WAIT_MODE_BLOCK)
        return poll(pfd, 1, -1);
    if (ws->mode == WAIT_MODE_TICKER && !ws->interrupted
        && wait_ticker_arm() == 0) {
        pfd[1].fd = wait_ticker_fd;
        pfd[1].events = POLLIN;
        pfd[1].revents = 0;
        r = poll(pfd, 2, -1);
        if (r > 0 && (pfd[1].revents & POLLIN)) {
            wait_ticker_drain();
            r = (pfd[0].revents != 0);
        }
        return r;
    }
    return poll(pfd, 1, WAIT_SLICE_MS);
}

static void
wait_cancel_release(wait_cancel *c)
{
    int last;
    pthread_mutex_lock(&c->mu);
    last = (--c->refs == 0);
    pthread_mutex_unlock(&c->mu);
    if (!last)
        return;
    PQfreeCancel(c->pgcancel);
    pthread_cond_destroy(&c->cv);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

static void *
wait_cancel_run(void *arg)
{
    wait_cancel *c = arg;
    char errbuf[256];
    if (!PQcancel(c->pgcancel, errbuf, sizeof(errbuf)))
        Dprintf("cancel failed: %s", errbuf);
    pthread_mutex_lock(&c->mu);
    c->done = 1;
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
    wait_cancel_release(c);
    return NULL;
}

/* Send a cancel request for the query running on `pgconn` from a new
 * thread (GIL released, connection lock held).  NULL if it could not even
 * be prepared; the caller tries again later. */
static wait_cancel *
wait_cancel_start(PGconn *pgconn)
{
    wait_cancel *c;
    pthread_condattr_t ca;
    pthread_attr_t attr;
    pthread_t tid;
    sigset_t all, old;
    int rc;

    if (pgconn == NULL || (c = calloc(1, sizeof(*c))) == NULL)
        return NULL;
    if ((c->pgcancel = PQgetCancel(pgconn)) == NULL) {
        free(c);
        return NULL;
    }
    pthread_mutex_init(&c->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&c->cv, &ca);
    pthread_condattr_destroy(&ca);
    c->refs = 2;

    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    /* the thread inherits our mask: keep every signal for Python's
     * threads, whose handlers must see Ctrl-C */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    rc = pthread_create(&tid, &attr, wait_cancel_run, c);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        Dprintf("no thread for the cancel (%d): sending it inline", rc);
        wait_cancel_run(c); /* drops the thread's reference */
    }
    return c;
}

static int
wait_cancel_done(wait_cancel *c)
{
    int done;
    pthread_mutex_lock(&c->mu);
    done = c->done;
    pthread_mutex_unlock(&c->mu);
    return done;
}

/* (Re)send the cancel request unless one is still on its way. */
static void
wait_send_cancel(wait_state *ws, double now)
{
    if (ws->cancel) {
        if (!wait_cancel_done(ws->cancel))
            return;
        wait_cancel_release(ws->cancel);
        ws->cancel = NULL;
    }
    Dprintf("conn %p: sending cancel #%d", (void *)ws->conn,
            ws->cancels_sent + 1);
    ws->cancel = wait_cancel_start(ws->conn->pgconn);
    ws->cancel_last = now;
    if (ws->cancel)
        ws->cancels_sent++;
}

void
wait_begin(wait_state *ws, connectionObject *conn, int abort_on_signal)
{
    ws->conn = conn;
    ws->exc = NULL;
    ws->abort_on_signal = abort_on_signal;
    ws->abandoned = 0;
    ws->cancel = NULL;
    ws->cancels_sent = 0;
    ws->interrupted = 0;
    ws->cancel_last = ws->heard = 0.0;
    /* waits with a deadline (they abort on a signal) need the slices */
    if (abort_on_signal || wait_main_ident == 0)
        ws->mode = WAIT_MODE_SLICE;
    else if (PyThread_get_thread_ident() == wait_main_ident)
        ws->mode = WAIT_MODE_TICKER;
    else
        ws->mode = WAIT_MODE_BLOCK;
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
        PyErr_Clear(); /* a second Ctrl-C: the first exception is raised */
    }
    return -1;
}

static int
wait_abandon(wait_state *ws, const char *why)
{
    Dprintf("conn %p: abandoning the connection: %s", (void *)ws->conn, why);
    (void)why;
    ws->abandoned = 1;
    return WAIT_ABANDONED;
}

/* After an interrupt: resend the cancel, or give up on a silent server. */
static int
wait_cancel_tick(wait_state *ws, double now)
{
    if (now - ws->heard >= WAIT_CANCEL_GIVEUP)
        return wait_abandon(ws, "the server did not answer the cancel");
    if (now - ws->cancel_last >= WAIT_CANCEL_RESEND)
        wait_send_cancel(ws, now);
    return 0;
}

int
wait_socket(wait_state *ws, int fd, int events)
{
    struct pollfd pfd[2];
    int r, got = 0;

    if (ws->abandoned)
        return WAIT_ABANDONED;
    pfd[0].fd = fd;
    pfd[0].events = ((events & WAIT_READ) ? POLLIN : 0)
                    | ((events & WAIT_WRITE) ? POLLOUT : 0);
    pfd[0].revents = 0;
    r = wait_poll(ws, pfd);
    if (r < 0 && errno != EINTR)
        return -1;
    if (r > 0) {
        if (pfd[0].revents & (POLLIN | POLLERR | POLLHUP | POLLNVAL))
            got |= WAIT_READ;
        if (pfd[0].revents & POLLOUT)
            got |= WAIT_WRITE;
        /* an error condition means "go read it": libpq reports it */
        if (got == 0)
            got = events;
        if (!ws->interrupted)
            return got;
        ws->heard = wait_now();
        return wait_cancel_tick(ws, ws->heard) < 0 ? WAIT_ABANDONED : got;
    }
    /* timeout or signal: take the GIL to run the handlers */
    PyEval_RestoreThread(ws->ts);
    r = wait_check_signals(ws);
    ws->ts = PyEval_SaveThread();
    if (r < 0) {
        if (ws->abort_on_signal)
            return -2;
        if (ws->interrupted)
            return wait_abandon(ws, "interrupted again");
        ws->interrupted = 1;
        ws->heard = wait_now();
        wait_send_cancel(ws, ws->heard);
        return 0;
    }
    if (ws->interrupted)
        return wait_cancel_tick(ws, wait_now());
    return 0;
}

/* The operation is over but a cancel request may still be on its way: wait
 * for it (GIL released), so that it can't hit the next query.  A second
 * interrupt, or a server that does not take it within the bound, abandons
 * the connection. */
static void
wait_cancel_finish(wait_state *ws)
{
    wait_cancel *c = ws->cancel;
    struct timespec until;
    int done = 0, r;

    if (c == NULL)
        return;
    while (!ws->abandoned) {
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_nsec += WAIT_SLICE_MS * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_mutex_lock(&c->mu);
        while (!c->done) {
            if (pthread_cond_timedwait(&c->cv, &c->mu, &until) != 0)
                break;
        }
        done = c->done;
        pthread_mutex_unlock(&c->mu);
        if (done)
            break;
        PyEval_RestoreThread(ws->ts);
        r = wait_check_signals(ws);
        ws->ts = PyEval_SaveThread();
        if (r < 0)
            wait_abandon(ws, "interrupted again");
        else if (wait_now() - ws->cancel_last >= WAIT_CANCEL_GIVEUP)
            wait_abandon(ws, "the cancel request got no answer");
    }
    ws->cancel = NULL;
    wait_cancel_release(c);
}

int
wait_end(wait_state *ws)
{
    wait_cancel_finish(ws);
    PyEval_RestoreThread(ws->ts);
    ws->ts = NULL;
    if (ws->abandoned)
        conn_set_broken(ws->conn);
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
    if (ws->abandoned) {
        /* not reached: only an interrupt abandons */
        return conn_fail_text(ws->conn, ws->conn->st->OperationalError,
                              "the connection was abandoned");
    }
    return 0;
}

int
wait_green(connectionObject *conn)
{
    PyObject *cb = conn->st->wait_callback, *r;
    int ok;
    if (conn_failed(conn))
        return -1; /* not reached: unlocking would raise it */
    if (cb == NULL) {
        conn_fail_text(conn, conn->st->OperationalError,
                       "the wait callback was removed during an operation");
        goto error;
    }
    Py_INCREF(cb);
    conn_unlock(conn);
    r = PyObject_CallOneArg(cb, (PyObject *)conn);
    /* released before locking: the last reference may run a __del__ */
    Py_DECREF(cb);
    ok = r != NULL;
    Py_XDECREF(r);
    /* our command is still in flight: take the lock back whatever another
     * thread's COPY is doing (closing = 1).  It cannot be refused: this
     * thread released it above and holds it nowhere else */
    (void)conn_lock_ex(conn, 1);
    /* closed meanwhile (by another thread): the socket was only shut down
     * while the callback could wait on it */
    conn_finish_closing(conn);
    if (!ok)
        goto error;
    if (conn->async_op != ASYNC_OP_NONE) {
        conn_fail_text(conn, conn->st->OperationalError,
                       "the wait callback returned before the operation was "
                       "complete");
        goto error;
    }
    return 0;

error:
    /* the connection is in an unknown state: it can't be used anymore */
    Dprintf("conn %p: wait callback failed, closing", (void *)conn);
    conn->async_op = ASYNC_OP_NONE;
    conn->async_status = ASYNC_DONE;
    if (conn->async_res) {
        PQclear(conn->async_res);
        conn->async_res = NULL;
    }
    {
        /* as psycopg2: broken (2), unless the user closed it */
        int by_user = conn->closed == 1;
        conn_close_locked(conn);
        conn->closed = by_user ? 1 : 2;
    }
    return -1;
}
