/* Waiting on the connection socket with the GIL released. */
#ifndef PSYCOPG_WAIT_H
#define PSYCOPG_WAIT_H

#include "psycopg.h"

#define WAIT_READ 1
#define WAIT_WRITE 2

/* wait_socket: the connection was given up after an interrupt */
#define WAIT_ABANDONED (-3)

typedef struct wait_cancel wait_cancel;

/* How wait_socket polls (see wait.c) */
#define WAIT_MODE_SLICE 0       /* with a timeout: wakes every slice */
#define WAIT_MODE_TICKER 1      /* main thread: the ticker wakes it */
#define WAIT_MODE_BLOCK 2       /* other threads: no handler to run */

/* One blocking operation: the GIL is released between wait_begin and
 * wait_end; wait_socket takes it back briefly to run signal handlers. */
typedef struct {
    connectionObject *conn;
    PyThreadState *ts;          /* non-NULL while the GIL is released */
    PyObject *exc;              /* interrupt caught while waiting */
    int abort_on_signal;        /* connect: give up instead of cancelling */
    int interrupted;            /* cancelling the query */
    int abandoned;              /* the connection is given up */
    int mode;                   /* WAIT_MODE_* */
    int cancels_sent;
    wait_cancel *cancel;        /* the last cancel request sent */
    double cancel_last;         /* when it was sent (monotonic seconds) */
    double heard;               /* last sign of life from the server */
} wait_state;

/* At module initialisation: learn the main thread.  0, or -1 with an
 * exception set. */
int wait_setup(void);

void wait_begin(wait_state *ws, connectionObject *conn, int abort_on_signal);

/* Wait until the socket is ready for `events`.  Returns the ready events,
 * 0 when woken to check signals (call again), -1 on an OS error (errno
 * set), -2 when a signal handler raised and abort_on_signal is set,
 * WAIT_ABANDONED when the connection is given up after an interrupt (a
 * second one, or a silent server): stop using the socket and call
 * wait_end, which marks the connection broken and raises. */
int wait_socket(wait_state *ws, int fd, int events);

/* Take the GIL back (first waiting for a cancel request still on its
 * way).  Returns -1 with the caught exception set if a signal handler
 * raised while waiting, else 0. */
int wait_end(wait_state *ws);

/* Green mode: call the wait callback, `callback(conn)`, which loops on
 * conn.poll() until the operation in flight (conn->async_op) is over.
 * Called with the connection lock held; the lock is released around the
 * callback so that poll() can take it.  If the callback raises, or
 * returns with the operation unfinished, the connection is closed and -1
 * returned with the exception set. */
int wait_green(connectionObject *conn);

#endif /* PSYCOPG_WAIT_H */
