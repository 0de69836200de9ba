/* Waiting on the connection socket with the GIL released. */
#ifndef PSYCOPG_WAIT_H
#define PSYCOPG_WAIT_H

#include "psycopg.h"

#define WAIT_READ 1
#define WAIT_WRITE 2

/* One blocking operation: the GIL is released between wait_begin and
 * wait_end; wait_socket takes it back briefly to run signal handlers. */
typedef struct {
    connectionObject *conn;
    PyThreadState *ts;          /* non-NULL while the GIL is released */
    PyObject *exc;              /* interrupt caught while waiting */
    int abort_on_signal;        /* connect: give up instead of cancelling */
    int cancel_sent;
} wait_state;

void wait_begin(wait_state *ws, connectionObject *conn, int abort_on_signal);

/* Wait until the socket is ready for `events`.  Returns the ready events,
 * 0 when woken to check signals (call again), -1 on an OS error (errno
 * set), -2 when a signal handler raised and abort_on_signal is set. */
int wait_socket(wait_state *ws, int fd, int events);

/* Take the GIL back.  Returns -1 with the caught exception set if a
 * signal handler raised while waiting, else 0. */
int wait_end(wait_state *ws);

/* Green mode: call the wait callback, `callback(conn)`, which loops on
 * conn.poll() until the operation in flight (conn->async_op) is over.
 * Called with the connection lock held; the lock is released around the
 * callback so that poll() can take it.  If the callback raises, or
 * returns with the operation unfinished, the connection is closed and -1
 * returned with the exception set. */
int wait_green(connectionObject *conn);

#endif /* PSYCOPG_WAIT_H */
