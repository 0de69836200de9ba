/* The connection object (connection.c and connection_*.c): session,
 * transactions, encodings, the lock. */
#ifndef PSYCOPG_CONNECTION_H
#define PSYCOPG_CONNECTION_H

#include "psycopg.h"
#include "module.h"
#include "procid.h"
#include <pythread.h>
#include <sys/types.h>
#include <unistd.h>

/* A notice received by libpq while the GIL was released; moved into the
 * Python list once the lock is released (conn_unlock). */
typedef struct conn_notice {
    struct conn_notice *next;
    char *message;
} conn_notice;

/* The PGcancel of a connection, shared with the cancel() calls in flight:
 * cancel() runs PQcancel without the GIL and without the lock (the thread
 * running the query holds it), while close() or reset() may drop the
 * connection's reference.  The last reference frees it.  The count only
 * changes with the GIL held. */
typedef struct conn_cancel_ref {
    PGcancel *pgcancel;
    Py_ssize_t refcnt;
} conn_cancel_ref;

/* A notification taken from libpq under the lock. */
typedef struct conn_notify {
    struct conn_notify *next;
    PGnotify *pgnotify;
} conn_notify;

/* What the libpq path collected for Python while holding the lock: plain
 * C, filled by conn_collect under the lock and handed to conn.notices and
 * conn.notifies by conn_deliver after it is released (conn_unlock does
 * both), so that a handler can use the connection. */
typedef struct {
    conn_notice *notices;
    conn_notify *notifies, *notifies_tail;
} conn_bundle;

/* An error met while this thread holds the connection lock, kept in plain C
 * (conn_fail_*) and raised by conn_unlock once the lock is released:
 * building an exception allocates, so the garbage collector may run a
 * __del__ that uses the connection.  Without the lock it is raised at once. */
#define CONN_FAIL_NONE 0
#define CONN_FAIL_TEXT 1       /* type(text), text decoded as UTF-8 */
#define CONN_FAIL_ERRNO 2      /* type(errno, strerror(errno)) */
#define CONN_FAIL_RESULT 3     /* the server's error in res (or text) */
#define CONN_FAIL_LOST 4       /* OperationalError(text), pgerror text */
#define CONN_FAIL_NOMEM 5      /* MemoryError */

typedef struct conn_failure {
    int kind;                  /* CONN_FAIL_* */
    int err;                   /* ERRNO: errno */
    int broken;                /* RESULT: the connection was bad */
    PyObject *type;            /* TEXT, ERRNO: the class; strong ref */
    char *text;                /* malloc'd; RESULT: libpq's message when
                                * res has none */
    PGresult *res;             /* RESULT: owned, may be NULL */
    PyObject *cursor;          /* RESULT: exc.cursor; strong ref or NULL */
    PyObject *enc;             /* RESULT, LOST: the encoding tuple of the
                                * text; strong ref or NULL (UTF-8) */
} conn_failure;

struct connectionObject {
    PyObject_HEAD
    module_state *st;
    PyObject *module;          /* strong ref: keeps st alive */

    PGconn *pgconn;
    PGconn *pgconn_closing;    /* closed during a green wait: its socket is
                                * shut down, freed when the wait ends */
    conn_cancel_ref *cancel;   /* for cancel() from other threads */
    PyThread_type_lock lock;   /* serialises use of pgconn between threads */

    char *dsn;                 /* as given, used to (re)connect */
    PyObject *dsn_masked;      /* str shown to users, password hidden */
    long closed;               /* 0 open, 1 closed by close(), 2 broken,
                                * CONN_CLOSED_UNINIT before __init__ */
    int status;                /* CONN_STATUS_* */
    int autocommit;
    int isolevel;              /* ISOLATION_LEVEL_*; DEFAULT = server's */
    int readonly;              /* STATE_* */
    int deferrable;            /* STATE_* */
    int async_;                /* 1 for asynchronous connections */
    int async_status;          /* ASYNC_DONE/READ/WRITE: what poll() waits */
    int async_op;              /* ASYNC_OP_*: what poll() is advancing */
    PGresult *async_res;       /* result collected by poll(), owned */
    int replication;           /* replication connection: no DateStyle SET */
    int entered;               /* inside a `with conn:` block */
    int server_version;
    int protocol;
    int equote;                /* standard_conforming_strings is off */
    long mark;                 /* bumped at each transaction end */
    pid_t pid;                 /* process that opened the connection */
    pid_t lock_pid;            /* process that allocated `lock` */
    unsigned long lock_owner;  /* thread holding `lock`, or 0 (GIL held
                                * to read or write it) */
    conn_failure fail;         /* pending error of the lock owner */
    /* The thread running a green command (pq_green), from sending it to
     * taking its result, or 0.  The wait callback runs without the lock,
     * and the command may be over (async_op back to NONE) before the
     * callback returns: other threads are refused until then, as while
     * it is in flight (GIL held to read or write it). */
    unsigned long green_owner;
    /* A COPY releases `lock` around each call to its file object.  The
     * thread serving it is copy_thread (0: no COPY) and holds copy_gate
     * for the whole COPY: other threads wait on the gate, except close(),
     * which ends the COPY. */
    unsigned long copy_thread;
    PyThread_type_lock copy_gate;

    /* The client encoding: one immutable tuple (PostgreSQL name, Python
     * codec), replaced in one step.  `encoding` and `pyenc` point into it;
     * code that may call Python while using them holds a reference to
     * enc_obj (conn_encode/decode and typecast_ctx do). */
    PyObject *enc_obj;
    const char *encoding;      /* PostgreSQL name, e.g. "UTF8" */
    const char *pyenc;         /* Python codec name, e.g. "utf_8" */
    int is_utf8;
    /* bumped each time the codec really changes: an encoding changed and
     * changed back in the middle of building a statement gives back the
     * same enc_obj (one per encoding), but not the same enc_gen */
    unsigned long enc_gen;

    conn_notice *notice_pending;  /* filled by libpq without the GIL */
    conn_notice *notice_tail;     /* last of notice_pending: O(1) append */
    PyObject *notice_list;     /* conn.notices */
    PyObject *notifies;        /* conn.notifies */
    PyObject *string_types;    /* per-connection casters */
    PyObject *binary_types;
    PyObject *cursor_factory;
    PyObject *tpc_xid;         /* current two-phase xid or NULL */
    PyObject *async_cursor;    /* weakref to cursor running an async query */
    PyObject *weakreflist;
};

/* `closed` of a connection whose __init__ never ran (a subclass skipped
 * it): refused as closed by every check, while .closed shows 0 as in
 * psycopg2 (conn_closed_shown). close() makes it 1. */
#define CONN_CLOSED_UNINIT 3

/* The value of connection.closed (and what cursor.closed looks at). */
static inline long
conn_closed_shown(connectionObject *self)
{
    return self->closed == CONN_CLOSED_UNINIT ? 0 : self->closed;
}

/* async_status: what the operation in flight waits for */
#define ASYNC_DONE 0
#define ASYNC_READ 1
#define ASYNC_WRITE 2

/* async_op: the operation poll() advances (async and green connections) */
#define ASYNC_OP_NONE 0
#define ASYNC_OP_CONNECT 1     /* PQconnectPoll until connected */
#define ASYNC_OP_SETUP 2       /* async: the DateStyle SET after connecting */
#define ASYNC_OP_QUERY 3       /* a query sent, results being collected */

/* True in a process forked after the connection was opened: the socket is
 * shared with the parent's session, nothing may be sent on it. */
static inline int
conn_in_other_process(connectionObject *self)
{
    return self->pid != procid_get();
}

/* Record an error (lock held by this thread: raised by conn_unlock after
 * releasing it; otherwise raised now).  All return -1.  While the lock is
 * held, the first error wins: a new one is dropped if one is pending or a
 * Python exception is set (an interrupt, MemoryError).  conn_fail_text:
 * type(msg); conn_fail_format: the same with a printf format (C values
 * only); conn_fail_prefixed: type(prefix + msg); conn_fail_errno:
 * type(errno, strerror); conn_fail_libpq: the connection's libpq error as
 * OperationalError (marks it broken if libpq says so); conn_fail_result:
 * the server's error in res (taken; NULL: the connection's message), its
 * class from the SQLSTATE, pgerror, pgcode, diag and exc.cursor = curs
 * (may be NULL); conn_fail_lost: OperationalError(msg) with pgerror, the
 * connection broken. */
int conn_fail_text(connectionObject *self, PyObject *type, const char *msg);
/* Free what `f` holds that is plain C (text, result); its references are
 * the caller's business. */
void conn_failure_free_c(conn_failure *f);
int conn_fail_format(connectionObject *self, PyObject *type, const char *fmt,
                     ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
int conn_fail_prefixed(connectionObject *self, PyObject *type,
                       const char *prefix, const char *msg);
int conn_fail_errno(connectionObject *self, PyObject *type);
int conn_fail_libpq(connectionObject *self);
int conn_fail_result(connectionObject *self, cursorObject *curs,
                     PGresult *res);
int conn_fail_lost(connectionObject *self, const char *msg);
/* Forget the pending error (lock held), as PyErr_Clear would. */
void conn_fail_drop(connectionObject *self);

/* This thread holds the connection lock. */
static inline int
conn_holds_lock(connectionObject *self)
{
    return self->lock_owner == PyThread_get_thread_ident()
           && self->lock_pid == procid_get();
}

/* An error is pending: recorded under the lock, or a Python exception. */
static inline int
conn_failed(connectionObject *self)
{
    return self->fail.kind != CONN_FAIL_NONE || PyErr_Occurred() != NULL;
}

/* The checks below raise at once: they run first thing in a method,
 * where this thread may hold the lock only if a signal handler called
 * in.  Under the lock use conn_check_open_locked. */
static inline int
conn_check_open(connectionObject *self)
{
    if (self->closed || self->pgconn == NULL) {
        PyErr_SetString(self->st->InterfaceError, "connection already closed");
        return -1;
    }
    if (conn_in_other_process(self)) {
        PyErr_Format(self->st->InterfaceError,
                     "connection created in another process (pid %ld): it "
                     "cannot be used after fork(); open a new connection",
                     (long)self->pid);
        return -1;
    }
    return 0;
}

/* conn_check_open under the lock: the error waits for conn_unlock. */
static inline int
conn_check_open_locked(connectionObject *self)
{
    if (self->closed || self->pgconn == NULL)
        return conn_fail_text(self, self->st->InterfaceError,
                              "connection already closed");
    if (conn_in_other_process(self))
        return conn_fail_format(
            self, self->st->InterfaceError,
            "connection created in another process (pid %ld): it cannot be "
            "used after fork(); open a new connection", (long)self->pid);
    return 0;
}

static inline int
conn_check_not_async(connectionObject *self, const char *what)
{
    if (self->async_) {
        PyErr_Format(self->st->ProgrammingError,
                     "%s cannot be used in asynchronous mode", what);
        return -1;
    }
    return 0;
}

static inline int
conn_check_not_tpc(connectionObject *self, const char *what)
{
    if (self->tpc_xid) {
        PyErr_Format(self->st->ProgrammingError,
                     "%s cannot be used during a two-phase transaction", what);
        return -1;
    }
    return 0;
}

/* Another thread's green command is not over (see green_owner). */
static inline int
conn_green_other(connectionObject *self)
{
    return self->green_owner != 0
           && self->green_owner != PyThread_get_thread_ident();
}

/* Async connections: refuse while a query is in flight.  `locked`: the
 * caller holds the lock (the error waits for conn_unlock). */
static inline int
conn_check_async_idle_ex(connectionObject *self, const char *what,
                         int locked)
{
    static const char fmt[] = "%s cannot be used while an asynchronous "
                              "query is underway";
    if (!self->async_ || self->async_op == ASYNC_OP_NONE)
        return 0;
    if (locked)
        return conn_fail_format(self, self->st->ProgrammingError, fmt, what);
    PyErr_Format(self->st->ProgrammingError, fmt, what);
    return -1;
}

static inline int
conn_check_async_idle(connectionObject *self, const char *what)
{
    return conn_check_async_idle_ex(self, what, 0);
}

/* What may send a query: refused also during another thread's green
 * command, with psycopg2's message (the lock is free while its wait
 * callback runs; pq_check_idle refuses under the lock too). */
static inline int
conn_check_send_idle(connectionObject *self, const char *what)
{
    if (conn_check_async_idle_ex(self, what, 0) < 0)
        return -1;
    if (conn_green_other(self)) {
        PyErr_Format(self->st->ProgrammingError,
                     "%s cannot be used while an asynchronous query is "
                     "underway", what);
        return -1;
    }
    return 0;
}

/* Green mode: a wait callback is installed and this is a sync connection. */
static inline int
conn_is_green(connectionObject *self)
{
    return self->st->wait_callback != NULL && !self->async_;
}

/* Encode a Python str with the connection encoding; bytes returned new. */
PyObject *conn_encode(connectionObject *self, PyObject *str);
/* Decode bytes from the server with the connection encoding. */
PyObject *conn_decode(connectionObject *self, const char *s, Py_ssize_t len);
PyObject *conn_decode_replace(connectionObject *self, const char *s,
                              Py_ssize_t len);
/* Decode a string that belongs to the PGconn (PQparameterStatus, PQdb...),
 * None for NULL.  It is copied first: a codec, or a __del__ run by the
 * garbage collector, could close the connection and free it meanwhile. */
PyObject *conn_decode_pgconn(connectionObject *self, const char *s);

/* Read the session parameters after (re)connecting (may run a query). */
int conn_setup_session(connectionObject *self);
/* The part of the setup that needs no query. */
int conn_setup_params(connectionObject *self);
/* The DateStyle must be set to ISO (never on replication connections). */
int conn_needs_datestyle(connectionObject *self);
/* Close the libpq connection (lock held); closed becomes 1. */
void conn_close_locked(connectionObject *self);
/* Free a connection closed during a green wait (lock held). */
void conn_finish_closing(connectionObject *self);
/* Take the notices and notifications received so far into `b`, the
 * notification `first` (from PQnotifies, or NULL) included (lock held; C
 * only, no Python object touched). */
void conn_collect(connectionObject *self, conn_bundle *b, PGnotify *first);
/* Hand `b` to conn.notices and conn.notifies (lock released: runs Python
 * code; errors of those objects are ignored, a pending exception is
 * kept). */
void conn_deliver(connectionObject *self, conn_bundle *b);
/* Mark the connection as broken by the server (closed = 2). */
void conn_set_broken(connectionObject *self);
/* Send BEGIN if needed before a command (not autocommit, status READY). */
int conn_begin_if_needed(connectionObject *self);
/* The BEGIN statement the next command needs, written into buf; returns 1,
 * or 0 when no BEGIN is needed (autocommit, or a transaction is open). */
#define CONN_BEGIN_MAX 160
int conn_begin_text(connectionObject *self, char *buf, size_t size);
/* Normalise an encoding name: drop '-' and '_', upper-case. */
char *conn_normalize_encoding(const char *enc);
/* Look up the Python codec for a PostgreSQL encoding (new ref) */
PyObject *conn_pyenc_for(module_state *st, const char *pgenc);

/* End the transaction with COMMIT or ROLLBACK (lock held); nothing to do
 * outside a transaction. */
int conn_end_transaction(connectionObject *self, const char *cmd);

/* connection_encoding.c: refresh the client encoding from the server's
 * client_encoding (after connecting or SET client_encoding); build the
 * module's `encodings` dict. */
int conn_read_encoding(connectionObject *self);
int conn_build_encodings(module_state *st);
extern PyMethodDef conn_encoding_methods[];
extern PyGetSetDef conn_encoding_getset[];

/* connection_session.c: set_session(), set_isolation_level(), autocommit,
 * isolation_level, readonly, deferrable. */
extern PyMethodDef conn_session_methods[];
extern PyGetSetDef conn_session_getset[];

/* connection_tpc.c: xid() and the tpc_*() methods. */
extern PyMethodDef conn_tpc_methods[];

/* Setter of the read-only attributes: AttributeError "readonly attribute"
 * as psycopg2 says. */
int conn_set_readonly_attr(connectionObject *self, PyObject *v, void *c);

/* Effective libpq parameters without the password (new dict). */
PyObject *conn_dsn_parameters(connectionObject *self);

/* The per-connection lock guards libpq I/O only; it is never held while
 * Python code can run.  conn_lock takes it, releasing the GIL if another
 * thread holds it, and returns 0.  When this thread already holds it (a
 * callback, a __del__ run by the garbage collector) or is serving a COPY
 * whose file object calls back, waiting would never end: it raises
 * ProgrammingError and returns -1.  While another thread serves a COPY,
 * it waits for the end of the COPY, unless `closing` (close() ends it). */
static inline int
conn_lock_ex(connectionObject *self, int closing)
{
    unsigned long me = PyThread_get_thread_ident();
    /* In a forked child the lock may be held by a thread that no longer
     * exists: take a fresh one (the old one is left alone, never freed),
     * so the call goes on to raise "created in another process". */
    if (self->lock_pid != procid_get()) {
        PyThread_type_lock fresh = PyThread_allocate_lock();
        if (fresh != NULL) {
            self->lock = fresh;
            self->lock_pid = procid_get();
            self->lock_owner = 0;
            self->copy_thread = 0;
            self->copy_gate = NULL;
        }
    }
    for (;;) {
        /* close() from a COPY file object is fine: the COPY stops */
        if (self->lock_owner == me
            || (self->copy_thread == me && !closing)) {
            PyErr_SetString(self->st->ProgrammingError,
                            "the connection is busy with an operation of "
                            "this same thread (a callback, a COPY file "
                            "object or a __del__ cannot use it meanwhile)");
            return -1;
        }
        if (!PyThread_acquire_lock(self->lock, NOWAIT_LOCK)) {
            Py_BEGIN_ALLOW_THREADS
            PyThread_acquire_lock(self->lock, WAIT_LOCK);
            Py_END_ALLOW_THREADS
        }
        if (self->copy_thread == 0 || self->copy_gate == NULL || closing)
            break;
        /* the COPY thread is in its file object: wait for the COPY end */
        PyThread_release_lock(self->lock);
        Py_BEGIN_ALLOW_THREADS
        PyThread_acquire_lock(self->copy_gate, WAIT_LOCK);
        PyThread_release_lock(self->copy_gate);
        Py_END_ALLOW_THREADS
    }
    self->lock_owner = me;
    return 0;
}

static inline int
conn_lock(connectionObject *self)
{
    return conn_lock_ex(self, 0);
}

/* Raise a failure taken from the connection by conn_unlock (errors.c;
 * lock released).  Frees what `f` holds.  Always -1. */
int err_raise_failure(module_state *st, conn_failure *f);

/* Release the lock, then raise the error recorded under it, if any, and
 * deliver the notices and notifications that the I/O made under it
 * brought (Python code runs here, lock released). */
static inline void
conn_unlock(connectionObject *self)
{
    conn_bundle b = {NULL, NULL, NULL};
    conn_failure f;
    PGnotify *n = NULL;
    /* green: the wait callback's poll() unlocks in the middle of a
     * command; what came waits for its end, as in blocking mode.  The
     * common case (nothing came) inline, the rest in conn_collect. */
    if (self->async_op == ASYNC_OP_NONE || self->async_) {
        if (self->pgconn)
            n = PQnotifies(self->pgconn);
        if (self->notice_pending || n)
            conn_collect(self, &b, n);
    }
    /* taken out before releasing: once another thread can run (a __del__
     * while raising may let it), it may record its own */
    f.kind = self->fail.kind;
    if (f.kind != CONN_FAIL_NONE) {
        f = self->fail;
        memset(&self->fail, 0, sizeof(self->fail));
    }
    self->lock_owner = 0;
    PyThread_release_lock(self->lock);
    if (f.kind != CONN_FAIL_NONE)
        err_raise_failure(self->st, &f);
    if (b.notices || b.notifies)
        conn_deliver(self, &b);
}

#endif /* PSYCOPG_CONNECTION_H */
