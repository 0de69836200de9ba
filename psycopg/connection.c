/* psycopg2.extensions.connection: connecting, transactions, notices, the
 * lock, poll().  The client encoding, the session characteristics and
 * two-phase commit live in connection_encoding.c, connection_session.c and
 * connection_tpc.c. */
#include "psycopg.h"
#include "module.h"
#include "connection.h"
#include "cursor.h"
#include "errors.h"
#include "pqpath.h"

#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- notices and notifies ---- */

/* Called by libpq, possibly without the GIL: only C here. */
static void
conn_notice_processor(void *arg, const char *message)
{
    connectionObject *self = (connectionObject *)arg;
    conn_notice *n = malloc(sizeof(conn_notice));
    if (n == NULL)
        return;
    n->next = NULL;
    if (!(n->message = strdup(message))) {
        free(n);
        return;
    }
    /* append at the tail: a flood of notices stays linear */
    if (self->notice_pending == NULL)
        self->notice_pending = n;
    else
        self->notice_tail->next = n;
    self->notice_tail = n;
}

static void
conn_free_pending_notices(connectionObject *self)
{
    conn_notice *n = self->notice_pending, *next;
    self->notice_pending = self->notice_tail = NULL;
    for (; n; n = next) {
        next = n->next;
        free(n->message);
        free(n);
    }
}

#define CONN_NOTICES_MAX 50

void
conn_collect(connectionObject *self, conn_bundle *b, PGnotify *first)
{
    PGnotify *n = first;
    b->notices = self->notice_pending;
    self->notice_pending = self->notice_tail = NULL;
    b->notifies = b->notifies_tail = NULL;
    for (; n != NULL; n = self->pgconn ? PQnotifies(self->pgconn) : NULL) {
        conn_notify *node = malloc(sizeof(conn_notify));
        if (node == NULL) {
            PQfreemem(n); /* out of memory: one notification is lost */
            break;
        }
        node->next = NULL;
        node->pgnotify = n;
        if (b->notifies == NULL)
            b->notifies = node;
        else
            b->notifies_tail->next = node;
        b->notifies_tail = node;
    }
}

/* Append the notices to conn.notices (errors ignored: a broken notices
 * object is not the query's error). */
static void
conn_deliver_notices(connectionObject *self, conn_notice *n)
{
    conn_notice *next;
    PyObject *target = Py_XNewRef(self->notice_list);
    Py_ssize_t skip = 0;

    /* a plain list would drop all but the last CONN_NOTICES_MAX at the end
     * of this flush: don't decode the ones it would drop */
    if (target && PyList_CheckExact(target)) {
        for (next = n; next; next = next->next)
            skip++;
        skip = skip > CONN_NOTICES_MAX ? skip - CONN_NOTICES_MAX : 0;
    }
    for (; n; n = next) {
        next = n->next;
        if (skip > 0)
            skip--;
        else if (target && target != Py_None) {
            PyObject *msg = conn_decode_replace(self, n->message,
                                                strlen(n->message));
            PyObject *r = NULL;
            if (msg)
                r = PyObject_CallMethod(target, "append", "O", msg);
            if (r == NULL)
                PyErr_Clear();
            Py_XDECREF(r);
            Py_XDECREF(msg);
        }
        free(n->message);
        free(n);
    }
    /* a real list keeps only the last messages */
    if (target && PyList_CheckExact(target)) {
        Py_ssize_t len = PyList_GET_SIZE(target);
        if (len > CONN_NOTICES_MAX
            && PyList_SetSlice(target, 0, len - CONN_NOTICES_MAX, NULL) < 0)
            PyErr_Clear();
    }
    Py_XDECREF(target);
}

/* Append Notify objects to conn.notifies.  Undecodable bytes become
 * U+FFFD (as the original does); a failing notifies object is ignored,
 * as psycopg2 does, and does not stop the loop. */
static void
conn_deliver_notifies(connectionObject *self, conn_notify *node)
{
    conn_notify *next;
    for (; node; node = next) {
        PGnotify *n = node->pgnotify;
        PyObject *channel, *payload = NULL, *notify = NULL, *target, *r;
        next = node->next;
        channel = conn_decode_replace(self, n->relname, strlen(n->relname));
        if (channel)
            payload = conn_decode_replace(self, n->extra, strlen(n->extra));
        if (payload)
            notify = PyObject_CallFunction((PyObject *)self->st->notify_type,
                                           "iOO", n->be_pid, channel, payload);
        PQfreemem(n);
        free(node);
        target = notify ? Py_XNewRef(self->notifies) : NULL;
        if (target && PyList_CheckExact(target)) {
            if (PyList_Append(target, notify) < 0)
                PyErr_Clear();
        }
        else if (target) {
            if ((r = PyObject_CallMethod(target, "append", "O", notify)))
                Py_DECREF(r);
            else
                PyErr_Clear();
        }
        else if (notify == NULL)
            PyErr_Clear();
        Py_XDECREF(target);
        Py_XDECREF(channel);
        Py_XDECREF(payload);
        Py_XDECREF(notify);
    }
}

void
conn_deliver(connectionObject *self, conn_bundle *b)
{
    PyObject *exc_type, *exc_value, *exc_tb;
    /* the caller may be raising: the handlers run with no exception set,
     * and theirs are not the caller's */
    PyErr_Fetch(&exc_type, &exc_value, &exc_tb);
    Py_INCREF(self); /* a handler may drop the last other reference */
    conn_deliver_notices(self, b->notices);
    b->notices = NULL;
    conn_deliver_notifies(self, b->notifies);
    b->notifies = b->notifies_tail = NULL;
    Py_DECREF(self);
    PyErr_Restore(exc_type, exc_value, exc_tb);
}

void
conn_set_broken(connectionObject *self)
{
    if (self->closed == 0)
        self->closed = 2;
}

/* ---- the cancel key ---- */

static void
conn_cancel_decref(conn_cancel_ref *ref)
{
    if (ref != NULL && --ref->refcnt == 0) {
        PQfreeCancel(ref->pgcancel);
        PyMem_RawFree(ref);
    }
}

/* Replace the connection's PGcancel with `pgcancel` (taken; NULL: none).
 * A cancel() in flight keeps using the old one until it returns. */
static void
conn_cancel_reset(connectionObject *self, PGcancel *pgcancel)
{
    conn_cancel_ref *old = self->cancel;
    self->cancel = NULL;
    if (pgcancel != NULL) {
        conn_cancel_ref *ref = PyMem_RawMalloc(sizeof(*ref));
        if (ref == NULL)
            PQfreeCancel(pgcancel); /* cancel() says "no cancel object" */
        else {
            ref->pgcancel = pgcancel;
            ref->refcnt = 1;
            self->cancel = ref;
        }
    }
    conn_cancel_decref(old);
}

/* ---- session setup ---- */

int
conn_setup_params(connectionObject *self)
{
    const char *scs;
    if (PQsetnonblocking(self->pgconn, 1) != 0)
        return pq_raise_conn_error(self);
    PQsetNoticeProcessor(self->pgconn, conn_notice_processor, self);
    self->server_version = PQserverVersion(self->pgconn);
    self->protocol = PQprotocolVersion(self->pgconn);
    if (self->protocol != 3)
        return conn_fail_text(self, self->st->InterfaceError,
                              "only protocol 3 supported");
    if (conn_read_encoding(self) < 0)
        return -1;
    scs = PQparameterStatus(self->pgconn, "standard_conforming_strings");
    self->equote = (scs && strcmp(scs, "off") == 0);
    conn_cancel_reset(self, PQgetCancel(self->pgconn));
    return 0;
}

int
conn_needs_datestyle(connectionObject *self)
{
    const char *ds;
    if (self->replication)
        return 0; /* physical replication connections only take commands */
    ds = PQparameterStatus(self->pgconn, "DateStyle");
    return ds == NULL || strncmp(ds, "ISO", 3) != 0;
}

int
conn_setup_session(connectionObject *self)
{
    if (conn_setup_params(self) < 0)
        return -1;
    if (conn_needs_datestyle(self)
        && pq_exec_command(self, NULL, "SET DATESTYLE TO 'ISO'") < 0)
        return -1;
    self->status = CONN_STATUS_READY;
    return 0;
}

/* ---- transactions ---- */

int
conn_begin_if_needed(connectionObject *self)
{
    char query[CONN_BEGIN_MAX];
    if (!conn_begin_text(self, query, sizeof(query)))
        return 0;
    if (pq_exec_command(self, NULL, query) < 0)
        return -1;
    self->status = CONN_STATUS_BEGIN;
    return 0;
}

/* End the transaction with COMMIT or ROLLBACK (lock held). */
int
conn_end_transaction(connectionObject *self, const char *cmd)
{
    int rv;
    if (self->status != CONN_STATUS_BEGIN)
        return 0;
    rv = pq_exec_command(self, NULL, cmd);
    self->mark++;
    if (self->closed == 0)
        self->status = CONN_STATUS_READY;
    return rv;
}

/* ---- Python methods ---- */

static connectionObject *
conn_check_usable(connectionObject *self)
{
    if (conn_check_open(self) < 0)
        return NULL;
    return self;
}

PyDoc_STRVAR(conn_cursor_doc,
"cursor(name=None, cursor_factory=None, withhold=False, "
"scrollable=None) -> new cursor\n"
"\n"
"Without *name* the cursor is client-side: each execute() brings the\n"
"whole result to the client. With a *name* it is a server-side (named)\n"
"cursor: execute() declares it on the server and the rows travel in\n"
"batches of itersize as they are fetched; it must run inside a\n"
"transaction unless *withhold* is true (WITH HOLD: it survives commit).\n"
"*scrollable* True or False adds SCROLL or NO SCROLL to the declaration\n"
"(None: the server's default). *cursor_factory* is the class to make,\n"
"a subclass of cursor (default: the connection's cursor_factory\n"
"attribute, else cursor).");

static PyObject *
conn_cursor(connectionObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"name", "cursor_factory", "withhold",
                             "scrollable", NULL};
    PyObject *name = Py_None, *factory = Py_None, *withhold = Py_False;
    PyObject *scrollable = Py_None, *obj;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|OOOO", kwlist, &name,
                                     &factory, &withhold, &scrollable))
        return NULL;
    /* psycopg2 says "attempt underway" for a connection whose __init__
     * never ran too */
    if (self->closed != CONN_CLOSED_UNINIT && !conn_check_usable(self))
        return NULL;
    if (self->status == CONN_STATUS_SETUP) {
        PyErr_SetString(self->st->OperationalError,
                        "asynchronous connection attempt underway");
        return NULL;
    }
    if (name != Py_None && self->async_) {
        PyErr_SetString(self->st->ProgrammingError,
                        "asynchronous connections cannot produce named "
                        "cursors");
        return NULL;
    }
    if (factory == Py_None)
        factory = self->cursor_factory;
    if (factory == NULL || factory == Py_None)
        factory = (PyObject *)self->st->cursor_type;
    /* as psycopg2: factory(conn, name), name None for a client cursor */
    obj = PyObject_CallFunctionObjArgs(factory, (PyObject *)self, name, NULL);
    if (obj == NULL)
        return NULL;
    if (!PyObject_TypeCheck(obj, self->st->cursor_type)) {
        PyErr_SetString(PyExc_TypeError,
                        "cursor factory must be subclass of "
                        "psycopg2.extensions.cursor");
        Py_DECREF(obj);
        return NULL;
    }
    /* through the cursor's setters, as psycopg2: an unnamed cursor
     * refuses any withhold but False and any scrollable but None */
    if ((withhold != Py_False
         && PyObject_SetAttrString(obj, "withhold", withhold) < 0)
        || (scrollable != Py_None
            && PyObject_SetAttrString(obj, "scrollable", scrollable) < 0)) {
        Py_DECREF(obj);
        return NULL;
    }
    return obj;
}

static int
conn_check_tx_methods(connectionObject *self, const char *what)
{
    if (conn_check_open(self) < 0 || conn_check_not_async(self, what) < 0)
        return -1;
    if (self->tpc_xid) {
        PyErr_Format(self->st->ProgrammingError,
                     "%s cannot be used during a two-phase transaction", what);
        return -1;
    }
    return 0;
}

PyDoc_STRVAR(conn_commit_doc, "commit() -- commit the current transaction.");

static PyObject *
conn_commit(connectionObject *self, PyObject *unused)
{
    int r;
    if (self->closed == CONN_CLOSED_UNINIT) {
        /* as psycopg2: no transaction to end, the status becomes READY */
        self->status = CONN_STATUS_READY;
        Py_RETURN_NONE;
    }
    if (conn_check_tx_methods(self, "commit") < 0)
        return NULL;
    if (conn_lock(self) < 0)
        return NULL;
    r = conn_end_transaction(self, "COMMIT");
    conn_unlock(self);
    if (r < 0)
        return NULL;
    Py_RETURN_NONE;
}

PyDoc_STRVAR(conn_rollback_doc,
"rollback() -- roll back the current transaction.");

static PyObject *
conn_rollback(connectionObject *self, PyObject *unused)
{
    int r;
    if (self->closed == CONN_CLOSED_UNINIT)
        Py_RETURN_NONE; /* as psycopg2: no transaction to end */
    if (conn_check_tx_methods(self, "rollback") < 0)
        return NULL;
    if (conn_lock(self) < 0)
        return NULL;
    r = conn_end_transaction(self, "ROLLBACK");
    conn_unlock(self);
    if (r < 0)
        return NULL;
    Py_RETURN_NONE;
}

/* Close the libpq connection (lock held or object unreachable). */
static void
conn_close_pgconn(connectionObject *self)
{
    conn_cancel_reset(self, NULL);
    if (self->pgconn) {
        PGconn *pgconn = self->pgconn;
        self->pgconn = NULL;
        if (self->pid != getpid()) {
            /* in a forked child, leave the parent's session alone */
        }
        else if (self->async_op != ASYNC_OP_NONE && !self->async_
                 && self->pgconn_closing == NULL) {
            /* a green command is in flight: its wait callback may be
             * waiting on the socket (from another thread).  Freeing it
             * would let a new socket take its number and the wait never
             * end; shutting it down wakes the wait, and wait_green frees
             * it when the callback returns. */
            if (shutdown(PQsocket(pgconn), SHUT_RDWR) != 0)
                Dprintf("conn %p: shutdown failed", (void *)self);
            self->pgconn_closing = pgconn;
        }
        else {
            /* PQfinish sends a Terminate message: cheap, non-blocking */
            PQfinish(pgconn);
        }
    }
    if (self->async_res) {
        PQclear(self->async_res);
        self->async_res = NULL;
    }
    self->async_op = ASYNC_OP_NONE;
    self->async_status = ASYNC_DONE;
    Py_CLEAR(self->async_cursor);
    conn_free_pending_notices(self);
}

void
conn_finish_closing(connectionObject *self)
{
    if (self->pgconn_closing) {
        PQfinish(self->pgconn_closing);
        self->pgconn_closing = NULL;
    }
}

void
conn_close_locked(connectionObject *self)
{
    conn_close_pgconn(self);
    self->closed = 1;
}

PyDoc_STRVAR(conn_close_doc, "close() -- close the connection.");

static PyObject *
conn_close(connectionObject *self, PyObject *unused)
{
    if (conn_in_other_process(self)) {
        /* after fork(): the lock may have been held by a thread that does
         * not exist here; conn_close_pgconn sends nothing */
        conn_close_pgconn(self);
        self->closed = 1;
        Py_RETURN_NONE;
    }
    if (conn_lock_ex(self, 1) < 0)
        return NULL;
    conn_close_pgconn(self);
    self->closed = 1;
    conn_unlock(self);
    Py_RETURN_NONE;
}

PyDoc_STRVAR(conn_get_transaction_status_doc,
"get_transaction_status() -> int -- libpq transaction status.");

static PyObject *
conn_get_transaction_status(connectionObject *self, PyObject *unused)
{
    if (self->pgconn == NULL)
        return PyLong_FromLong(PQTRANS_UNKNOWN);
    return PyLong_FromLong(PQtransactionStatus(self->pgconn));
}

PyDoc_STRVAR(conn_get_backend_pid_doc,
"get_backend_pid() -> int -- process id of the server backend.");

static PyObject *
conn_get_backend_pid(connectionObject *self, PyObject *unused)
{
    if (conn_check_open(self) < 0)
        return NULL;
    return PyLong_FromLong(PQbackendPID(self->pgconn));
}

PyDoc_STRVAR(conn_get_parameter_status_doc,
"get_parameter_status(parameter) -> str or None\n"
"\n"
"The current value of a server parameter, as the server last reported "
"it\n"
"(no query is sent), e.g. 'server_version', 'TimeZone', 'DateStyle',\n"
"'standard_conforming_strings'. None if the server did not report it.\n"
"Same as connection.info.parameter_status().");

static PyObject *
conn_get_parameter_status(connectionObject *self, PyObject *args)
{
    const char *param, *val;
    if (conn_check_open(self) < 0)
        return NULL;
    if (!PyArg_ParseTuple(args, "s", &param))
        return NULL;
    val = PQparameterStatus(self->pgconn, param);
    return conn_decode_pgconn(self, val);
}

PyObject *
conn_dsn_parameters(connectionObject *self)
{
    PQconninfoOption *opts, *o;
    PyObject *rv = NULL, *v;
    if (!(opts = PQconninfo(self->pgconn)))
        return PyErr_NoMemory();
    if (!(rv = PyDict_New()))
        goto exit;
    for (o = opts; o->keyword; o++) {
        if (o->val == NULL || strcmp(o->keyword, "password") == 0)
            continue;
        if (!(v = PyUnicode_DecodeUTF8(o->val, strlen(o->val), "replace"))
            || PyDict_SetItemString(rv, o->keyword, v) < 0) {
            Py_XDECREF(v);
            Py_CLEAR(rv);
            goto exit;
        }
        Py_DECREF(v);
    }
exit:
    PQconninfoFree(opts);
    return rv;
}

PyDoc_STRVAR(conn_get_dsn_parameters_doc,
"get_dsn_parameters() -> dict -- effective connection parameters.");

static PyObject *
conn_get_dsn_parameters(connectionObject *self, PyObject *unused)
{
    if (conn_check_open(self) < 0)
        return NULL;
    return conn_dsn_parameters(self);
}

PyDoc_STRVAR(conn_reset_doc,
"reset() -- abort the transaction and reset the session to defaults.");

static PyObject *
conn_reset(connectionObject *self, PyObject *unused)
{
    PyObject *xid = NULL;
    int r;
    if (conn_check_open(self) < 0 || conn_check_not_async(self, "reset") < 0)
        return NULL;
    if (conn_lock(self) < 0)
        return NULL;
    r = 0;
    if (PQtransactionStatus(self->pgconn) != PQTRANS_IDLE)
        r = pq_exec_command(self, NULL, "ROLLBACK");
    if (r == 0)
        r = pq_exec_command(self, NULL, "DISCARD ALL");
    self->mark++;
    if (r == 0) {
        self->status = CONN_STATUS_READY;
        self->autocommit = 0;
        self->isolevel = ISOLATION_LEVEL_DEFAULT;
        self->readonly = STATE_DEFAULT;
        self->deferrable = STATE_DEFAULT;
        /* released after unlocking: an Xid subclass may have __del__ */
        xid = self->tpc_xid;
        self->tpc_xid = NULL;
        r = conn_setup_session(self);
    }
    conn_unlock(self);
    Py_XDECREF(xid);
    if (r < 0)
        return NULL;
    Py_RETURN_NONE;
}

PyDoc_STRVAR(conn_cancel_doc,
"cancel() -- cancel the running statement (from any thread).");

static PyObject *
conn_cancel(connectionObject *self, PyObject *unused)
{
    char errbuf[256];
    conn_cancel_ref *cancel;
    int ok;
    if (conn_check_open(self) < 0)
        return NULL;
    if (self->status == CONN_STATUS_SETUP) {
        PyErr_SetString(self->st->OperationalError,
                        "asynchronous connection attempt underway");
        return NULL;
    }
    cancel = self->cancel;
    if (cancel == NULL) {
        PyErr_SetString(self->st->OperationalError, "no cancel object");
        return NULL;
    }
    /* no connection lock: the thread running the query holds it.  Our
     * own reference: a close() or reset() from another thread meanwhile
     * drops the connection's, not this one. */
    cancel->refcnt++;
    Py_BEGIN_ALLOW_THREADS
    ok = PQcancel(cancel->pgcancel, errbuf, sizeof(errbuf));
    Py_END_ALLOW_THREADS
    conn_cancel_decref(cancel);
    if (!ok) {
        PyErr_Format(self->st->OperationalError, "%s", errbuf);
        return NULL;
    }
    Py_RETURN_NONE;
}

PyDoc_STRVAR(conn_fileno_doc, "fileno() -> int -- the connection socket.");

static PyObject *
conn_fileno(connectionObject *self, PyObject *unused)
{
    if (conn_check_open(self) < 0)
        return NULL;
    return PyLong_FromLong(PQsocket(self->pgconn));
}

/* Async: the results collected by poll(), taken under the lock and handed
 * to the cursor that sent the query after it is released (building the
 * description and raising run Python code). */
typedef struct {
    PGresult *res;             /* owned */
    PyObject *cursor;          /* weakref, owned; NULL if none */
} conn_async_result;

/* Hand `ar` to its cursor (lock released; errors are raised here, with the
 * cursor attached).  POLL_OK or -1. */
static int
conn_deliver_async_result(connectionObject *self, conn_async_result *ar)
{
    PGresult *res = ar->res;
    PyObject *curs = NULL;
    int r;

    if (ar->cursor) {
        if (PyWeakref_GetRef(ar->cursor, &curs) < 0)
            PyErr_Clear();
        Py_CLEAR(ar->cursor);
        if (curs == NULL) {
            /* the cursor was garbage-collected while its query ran */
            PQclear(res);
            PyErr_SetString(self->st->InterfaceError,
                            "the asynchronous cursor has disappeared");
            return -1;
        }
    }
    if (PQresultStatus(res) == PGRES_COPY_IN
        || PQresultStatus(res) == PGRES_COPY_OUT) {
        /* pq_poll_query ended it: say why, as psycopg2 */
        int in = PQresultStatus(res) == PGRES_COPY_IN;
        PQclear(res);
        Py_XDECREF(curs);
        PyErr_SetString(self->st->ProgrammingError,
                        in ? "can't execute COPY FROM: use the copy_from() "
                             "method instead"
                           : "can't execute COPY TO: use the copy_to() "
                             "method instead");
        return -1;
    }
    if (curs == NULL) {
        PQclear(res);
        return POLL_OK;
    }
    r = curs_take_result((cursorObject *)curs, res);
    Py_DECREF(curs);
    return r < 0 ? -1 : POLL_OK;
}

/* One step of the operation in flight (lock held): POLL_* or -1.  When an
 * async query is over, its result moves into `ar` for the caller to
 * deliver once the lock is released. */
static int
conn_poll_locked(connectionObject *self, conn_async_result *ar)
{
    PGresult *res;
    int r;

    switch (self->async_op) {
    case ASYNC_OP_CONNECT:
        r = pq_poll_connect(self);
        if (r != POLL_OK || !self->async_)
            return r; /* green: connection.__init__ finishes the setup */
        if (conn_setup_params(self) < 0)
            return -1;
        if (conn_needs_datestyle(self)) {
            if (pq_send_query(self, "SET DATESTYLE TO 'ISO'") < 0)
                return -1;
            self->async_op = ASYNC_OP_SETUP;
            return self->async_status == ASYNC_WRITE ? POLL_WRITE
                                                     : POLL_READ;
        }
        self->status = CONN_STATUS_READY;
        return POLL_OK;

    case ASYNC_OP_SETUP:
        self->async_op = ASYNC_OP_QUERY;
        r = pq_poll_query(self);
        if (r != POLL_OK) {
            if (r > 0)
                self->async_op = ASYNC_OP_SETUP;
            return r;
        }
        res = self->async_res;
        self->async_res = NULL;
        if (res == NULL)
            return pq_raise_conn_error(self);
        if (PQresultStatus(res) != PGRES_COMMAND_OK)
            return conn_fail_result(self, NULL, res);
        PQclear(res);
        self->status = CONN_STATUS_READY;
        return POLL_OK;

    case ASYNC_OP_QUERY:
        r = pq_poll_query(self);
        if (r != POLL_OK || !self->async_)
            return r; /* green: the blocked caller takes the results */
        /* C pointers only: the weakref moves, no reference changes */
        ar->cursor = self->async_cursor;
        self->async_cursor = NULL;
        if ((ar->res = self->async_res) == NULL) {
            if (self->pgconn && PQstatus(self->pgconn) == CONNECTION_BAD)
                return pq_raise_conn_error(self);
            return conn_fail_text(self, self->st->InterfaceError,
                                  "the server returned no result");
        }
        self->async_res = NULL;
        return POLL_OK;

    default:
        /* nothing in flight: read notifications */
        return pq_consume_input(self) < 0 ? -1 : POLL_OK;
    }
}

PyDoc_STRVAR(conn_poll_doc,
"poll() -> int -- advance the operation in progress.\n\n"
"POLL_OK when it is complete, POLL_READ/POLL_WRITE when the socket must "
"be waited for; errors are raised.  With nothing in progress it reads "
"pending notifications.");

static PyObject *
conn_poll(connectionObject *self, PyObject *unused)
{
    conn_async_result ar = {NULL, NULL};
    int r;
    if (conn_check_open(self) < 0)
        return NULL;
    if (conn_lock(self) < 0)
        return NULL;
    r = conn_poll_locked(self, &ar);
    conn_unlock(self);
    if (ar.res)
        r = conn_deliver_async_result(self, &ar);
    else if (ar.cursor) {
        /* an error raised above: drop the weakref without losing it */
        PyObject *t, *v, *tb;
        PyErr_Fetch(&t, &v, &tb);
        Py_CLEAR(ar.cursor);
        PyErr_Restore(t, v, tb);
    }
    if (r < 0)
        return NULL;
    return PyLong_FromLong(r);
}

PyDoc_STRVAR(conn_isexecuting_doc,
"isexecuting() -> bool -- an asynchronous operation is in progress.");

static PyObject *
conn_isexecuting(connectionObject *self, PyObject *unused)
{
    if (!self->async_ || self->closed)
        Py_RETURN_FALSE;
    return PyBool_FromLong(self->async_op != ASYNC_OP_NONE
                           || self->status == CONN_STATUS_SETUP);
}

PyDoc_STRVAR(conn_enter_doc, "__enter__ -> self");

static PyObject *
conn_enter(connectionObject *self, PyObject *unused)
{
    if (conn_check_open(self) < 0
        || conn_check_not_async(self, "__enter__") < 0)
        return NULL;
    if (self->entered) {
        PyErr_SetString(self->st->ProgrammingError,
                        "the connection cannot be re-entered recursively");
        return NULL;
    }
    self->entered = 1;
    return Py_NewRef(self);
}

PyDoc_STRVAR(conn_exit_doc,
"__exit__ -- commit on success, roll back on exception.");

static PyObject *
conn_exit(connectionObject *self, PyObject *args)
{
    PyObject *type, *value, *tb, *r;
    if (!PyArg_ParseTuple(args, "OOO", &type, &value, &tb))
        return NULL;
    /* keep `entered` until the transaction is over: the BEGIN of an
     * autocommit connection belongs to the block */
    /* through the attributes: a subclass may override them */
    r = PyObject_CallMethod((PyObject *)self,
                            type == Py_None ? "commit" : "rollback", NULL);
    self->entered = 0;
    if (r == NULL)
        return NULL;
    Py_DECREF(r);
    Py_RETURN_NONE; /* as psycopg2; false: the exception goes on */
}

PyDoc_STRVAR(conn_get_native_connection_doc,
"get_native_connection() -> capsule holding the PGconn pointer.");

static PyObject *
conn_get_native_connection(connectionObject *self, PyObject *unused)
{
    if (conn_check_open(self) < 0)
        return NULL;
    return PyCapsule_New(self->pgconn,
                         "psycopg2.connection.native_connection", NULL);
}

PyDoc_STRVAR(conn_lobject_doc,
"lobject(oid=0, mode='', new_oid=0, new_file=None, lobject_factory=None) "
"-> new lobject\n\nOpen a large object (oid 0 creates one, at new_oid if "
"given, or imports new_file).");

static PyObject *
conn_lobject(connectionObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"oid", "mode", "new_oid", "new_file",
                             "lobject_factory", NULL};
    unsigned int oid = 0, new_oid = 0;
    const char *mode = NULL;
    PyObject *new_file = Py_None, *factory = Py_None, *obj;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|IzIOO", kwlist, &oid,
                                     &mode, &new_oid, &new_file, &factory))
        return NULL;
    if (conn_check_open(self) < 0
        || conn_check_not_async(self, "lobject") < 0)
        return NULL;
    if (factory == Py_None)
        factory = (PyObject *)self->st->lobject_type;
    obj = PyObject_CallFunction(factory, "OIsIO", (PyObject *)self, oid,
                                mode ? mode : "", new_oid, new_file);
    if (obj == NULL)
        return NULL;
    if (!PyObject_TypeCheck(obj, self->st->lobject_type)) {
        PyErr_SetString(PyExc_TypeError,
                        "lobject factory must be subclass of "
                        "psycopg2.extensions.lobject");
        Py_DECREF(obj);
        return NULL;
    }
    return obj;
}

static PyMethodDef conn_methods[] = {
    {"cursor", (PyCFunction)(void (*)(void))conn_cursor,
     METH_VARARGS | METH_KEYWORDS, conn_cursor_doc},
    {"close", (PyCFunction)conn_close, METH_NOARGS, conn_close_doc},
    {"commit", (PyCFunction)conn_commit, METH_NOARGS, conn_commit_doc},
    {"rollback", (PyCFunction)conn_rollback, METH_NOARGS, conn_rollback_doc},
    {"get_transaction_status", (PyCFunction)conn_get_transaction_status,
     METH_NOARGS, conn_get_transaction_status_doc},
    {"get_backend_pid", (PyCFunction)conn_get_backend_pid, METH_NOARGS,
     conn_get_backend_pid_doc},
    {"get_parameter_status", (PyCFunction)conn_get_parameter_status,
     METH_VARARGS, conn_get_parameter_status_doc},
    {"get_dsn_parameters", (PyCFunction)conn_get_dsn_parameters, METH_NOARGS,
     conn_get_dsn_parameters_doc},
    {"reset", (PyCFunction)conn_reset, METH_NOARGS, conn_reset_doc},
    {"cancel", (PyCFunction)conn_cancel, METH_NOARGS, conn_cancel_doc},
    {"fileno", (PyCFunction)conn_fileno, METH_NOARGS, conn_fileno_doc},
    {"poll", (PyCFunction)conn_poll, METH_NOARGS, conn_poll_doc},
    {"isexecuting", (PyCFunction)conn_isexecuting, METH_NOARGS,
     conn_isexecuting_doc},
    {"__enter__", (PyCFunction)conn_enter, METH_NOARGS, conn_enter_doc},
    {"__exit__", (PyCFunction)conn_exit, METH_VARARGS, conn_exit_doc},
    {"get_native_connection", (PyCFunction)conn_get_native_connection,
     METH_NOARGS, conn_get_native_connection_doc},
    {"lobject", (PyCFunction)(void (*)(void))conn_lobject,
     METH_VARARGS | METH_KEYWORDS, conn_lobject_doc},
    {NULL}};

/* ---- attributes ---- */

int
conn_set_readonly_attr(connectionObject *self, PyObject *v, void *c)
{
    /* psycopg2's text for its read-only attributes (members there) */
    PyErr_SetString(PyExc_AttributeError, "readonly attribute");
    return -1;
}

static PyObject *
conn_get_closed(connectionObject *self, void *c)
{
    return PyLong_FromLong(conn_closed_shown(self));
}

static PyObject *
conn_get_status(connectionObject *self, void *c)
{
    return PyLong_FromLong(self->status);
}

static PyObject *
conn_get_server_version(connectionObject *self, void *c)
{
    return PyLong_FromLong(self->server_version);
}

static PyObject *
conn_get_protocol_version(connectionObject *self, void *c)
{
    return PyLong_FromLong(self->protocol);
}

static PyObject *
conn_get_dsn(connectionObject *self, void *c)
{
    return Py_NewRef(self->dsn_masked ? self->dsn_masked : Py_None);
}

static PyObject *
conn_get_info(connectionObject *self, void *c)
{
    return PyObject_CallOneArg((PyObject *)self->st->conninfo_type,
                               (PyObject *)self);
}

static PyObject *
conn_get_async(connectionObject *self, void *c)
{
    return PyLong_FromLong(self->async_);
}

static PyObject *
conn_get_pgconn_ptr(connectionObject *self, void *c)
{
    if (self->pgconn == NULL)
        Py_RETURN_NONE;
    return PyLong_FromVoidPtr(self->pgconn);
}

/* NULL until __init__ ran (connection.__new__(connection)): None then. */
static PyObject *
conn_get_string_types(connectionObject *self, void *c)
{
    return Py_NewRef(self->string_types ? self->string_types : Py_None);
}

static PyObject *
conn_get_binary_types(connectionObject *self, void *c)
{
    return Py_NewRef(self->binary_types ? self->binary_types : Py_None);
}

/* conn.Error, conn.ProgrammingError, ...: the module's classes */
static PyObject *
conn_get_exception(connectionObject *self, void *closure)
{
    size_t off = (size_t)closure;
    PyObject *exc = *(PyObject **)((char *)self->st + off);
    return Py_NewRef(exc);
}

#define CONN_EXC_GETSET(name) \
    {#name, (getter)conn_get_exception, NULL, \
     "psycopg2." #name ", reachable from the connection (DB-API extension)", \
     (void *)offsetof(module_state, name)}

static PyGetSetDef conn_getset[] = {
    {"closed", (getter)conn_get_closed, (setter)conn_set_readonly_attr,
     "0 if the connection is open, 1 if close() closed it, 2 if it broke "
     "(server gone, network error)", NULL},
    {"status", (getter)conn_get_status, (setter)conn_set_readonly_attr, "The connection status: extensions.STATUS_READY, STATUS_BEGIN "
     "(in a transaction) or STATUS_PREPARED (two-phase)", NULL},
    {"server_version", (getter)conn_get_server_version, (setter)conn_set_readonly_attr,
     "Server version as an int, e.g. 150004 for 15.4", NULL},
    {"protocol_version", (getter)conn_get_protocol_version, (setter)conn_set_readonly_attr,
     "Frontend/backend protocol version: always 3", NULL},
    {"dsn", (getter)conn_get_dsn, (setter)conn_set_readonly_attr, "The connection string, with any password shown as xxx",
     NULL},
    {"info", (getter)conn_get_info, NULL, "A ConnectionInfo object: libpq's view of the connection (host, "
     "port, backend_pid, parameters...)", NULL},
    {"async", (getter)conn_get_async, (setter)conn_set_readonly_attr, "True if the connection was made with async_=True", NULL},
    {"async_", (getter)conn_get_async, (setter)conn_set_readonly_attr,
     "True if the connection was made with async_=True", NULL},
    {"pgconn_ptr", (getter)conn_get_pgconn_ptr, NULL, "Address of the libpq PGconn, as an int (for ctypes)",
     NULL},
    {"string_types", (getter)conn_get_string_types, (setter)conn_set_readonly_attr,
     "Typecasters registered on this connection only, by OID (dict)",
     NULL},
    {"binary_types", (getter)conn_get_binary_types, (setter)conn_set_readonly_attr,
     "Binary typecasters registered on this connection only, by OID "
     "(dict)", NULL},
    CONN_EXC_GETSET(Error),
    CONN_EXC_GETSET(Warning),
    CONN_EXC_GETSET(InterfaceError),
    CONN_EXC_GETSET(DatabaseError),
    CONN_EXC_GETSET(InternalError),
    CONN_EXC_GETSET(OperationalError),
    CONN_EXC_GETSET(ProgrammingError),
    CONN_EXC_GETSET(IntegrityError),
    CONN_EXC_GETSET(DataError),
    CONN_EXC_GETSET(NotSupportedError),
    {NULL}};

static PyMemberDef conn_members[] = {
    {"notices", T_OBJECT, offsetof(connectionObject, notice_list), 0,
     "Notices and warnings sent by the server, as str; a list keeps the "
     "last 50 (any object with append() can replace it)"},
    {"notifies", T_OBJECT, offsetof(connectionObject, notifies), 0,
     "Notify objects received from LISTEN channels, oldest first (any "
     "object with append() can replace the list)"},
    {"cursor_factory", T_OBJECT, offsetof(connectionObject, cursor_factory),
     0, "Default cursor_factory for cursor(), or None for the plain cursor"},
    {"__weaklistoffset__", T_PYSSIZET,
     offsetof(connectionObject, weakreflist), READONLY},
    {NULL}};

/* ---- lifecycle ---- */

/* conn.dsn: the DSN as given when it holds no password; else, as psycopg2
 * shows it, rebuilt from libpq's parse as key=value pairs (in libpq's
 * order, also for a URI) with the password replaced by xxx. */
static int
conn_dsn_append(PyObject *parts, const char *kw, const char *val)
{
    PyObject *s;
    int rv;
    if (val[0] == '\0')
        s = PyUnicode_FromFormat("%s=''", kw);
    else {
        /* backslash-escape \ and '; quote when there is white space */
        size_t n = strlen(val), i, o = 0;
        int ws = 0;
        char *buf = PyMem_Malloc(2 * n + 3);
        if (buf == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        for (i = 0; i < n; i++)
            if (val[i] == ' ' || val[i] == '\t' || val[i] == '\n'
                || val[i] == '\r' || val[i] == '\v' || val[i] == '\f')
                ws = 1;
        if (ws)
            buf[o++] = '\'';
        for (i = 0; i < n; i++) {
            if (val[i] == '\\' || val[i] == '\'')
                buf[o++] = '\\';
            buf[o++] = val[i];
        }
        if (ws)
            buf[o++] = '\'';
        buf[o] = '\0';
        s = PyUnicode_FromFormat("%s=%s", kw, buf);
        PyMem_Free(buf);
    }
    if (s == NULL)
        return -1;
    rv = PyList_Append(parts, s);
    Py_DECREF(s);
    return rv;
}

static PyObject *
conn_mask_dsn(const char *dsn)
{
    PQconninfoOption *opts = PQconninfoParse(dsn, NULL), *o;
    PyObject *parts = NULL, *sep = NULL, *rv = NULL;
    int has_password = 0;

    if (opts == NULL) /* invalid (or no memory): connecting will say */
        return PyUnicode_DecodeUTF8(dsn, strlen(dsn), "replace");
    for (o = opts; o->keyword; o++)
        if (o->val && strcmp(o->keyword, "password") == 0)
            has_password = 1;
    if (!has_password) {
        rv = PyUnicode_DecodeUTF8(dsn, strlen(dsn), "replace");
        goto exit;
    }
    if (!(parts = PyList_New(0)))
        goto exit;
    for (o = opts; o->keyword; o++) {
        if (o->val == NULL)
            continue;
        if (conn_dsn_append(parts, o->keyword,
                            strcmp(o->keyword, "password") == 0 ? "xxx"
                                                                : o->val) < 0)
            goto exit;
    }
    if (!(sep = PyUnicode_FromString(" ")))
        goto exit;
    rv = PyUnicode_Join(sep, parts);
exit:
    PQconninfoFree(opts);
    Py_XDECREF(parts);
    Py_XDECREF(sep);
    return rv;
}

static PyObject *
conn_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    module_state *st = mod_state_from_type(type);
    connectionObject *self;
    if (st == NULL)
        return NULL;
    if (!(self = (connectionObject *)type->tp_alloc(type, 0)))
        return NULL;
    self->st = st;
    self->module = Py_NewRef(st->module);
    /* until __init__ connects; isolevel, readonly and deferrable stay 0
     * (0, False, False) until then, as psycopg2 shows them */
    self->closed = CONN_CLOSED_UNINIT;
    self->status = CONN_STATUS_SETUP;
    self->pid = self->lock_pid = getpid();
    if (!(self->lock = PyThread_allocate_lock())) {
        Py_DECREF(self);
        PyErr_NoMemory();
        return NULL;
    }
    return (PyObject *)self;
}

static int
conn_init(connectionObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"dsn", "async", "async_", NULL};
    const char *dsn;
    int async = 0, async_ = 0;
    char *copy;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "s|ii", kwlist, &dsn,
                                     &async, &async_))
        return -1;
    if (self->pgconn) {
        PyErr_SetString(self->st->InterfaceError,
                        "the connection is already initialised");
        return -1;
    }
    if (!(copy = PyMem_Malloc(strlen(dsn) + 1))) {
        PyErr_NoMemory();
        return -1;
    }
    strcpy(copy, dsn);
    PyMem_Free(self->dsn);
    self->dsn = copy;
    /* a second __init__ (after close()) starts afresh */
    Py_XSETREF(self->dsn_masked, conn_mask_dsn(dsn));
    if (self->dsn_masked == NULL)
        return -1;
    Py_XSETREF(self->notice_list, PyList_New(0));
    Py_XSETREF(self->notifies, PyList_New(0));
    Py_XSETREF(self->string_types, PyDict_New());
    Py_XSETREF(self->binary_types, PyDict_New());
    if (!self->notice_list || !self->notifies || !self->string_types
        || !self->binary_types)
        return -1;
    if (self->closed == CONN_CLOSED_UNINIT) {
        self->isolevel = ISOLATION_LEVEL_DEFAULT;
        self->readonly = STATE_DEFAULT;
        self->deferrable = STATE_DEFAULT;
    }
    self->closed = 0;
    if (async || async_) {
        /* connection.poll() goes on from here */
        self->async_ = 1;
        self->autocommit = 1;
        if (pq_start_connect(self) < 0) {
            conn_close_pgconn(self);
            self->closed = 1;
            return -1;
        }
        Dprintf("connecting asynchronously: %p", (void *)self);
        return 0;
    }
    /* the lock is held as around any I/O: green mode releases it while
     * the wait callback runs */
    if (conn_lock(self) < 0)
        return -1;
    if (pq_connect(self) < 0 || conn_setup_session(self) < 0) {
        conn_close_pgconn(self);
        self->closed = 2; /* as psycopg2: a failed connection is broken */
        conn_unlock(self);
        return -1;
    }
    conn_unlock(self);
    Dprintf("connected: %p", (void *)self);
    return 0;
}

static PyObject *
conn_repr(connectionObject *self)
{
    /* %V: dsn_masked is NULL before __init__, shown as psycopg2 spells
     * it (sic) */
    return PyUnicode_FromFormat("<connection object at %p; dsn: '%V', "
                                "closed: %ld>",
                                (void *)self, self->dsn_masked,
                                "<unintialized>", conn_closed_shown(self));
}

static int
conn_traverse(connectionObject *self, visitproc visit, void *arg)
{
    Py_VISIT(Py_TYPE(self));
    Py_VISIT(self->module);
    Py_VISIT(self->dsn_masked);
    Py_VISIT(self->notice_list);
    Py_VISIT(self->notifies);
    Py_VISIT(self->string_types);
    Py_VISIT(self->binary_types);
    Py_VISIT(self->cursor_factory);
    Py_VISIT(self->tpc_xid);
    Py_VISIT(self->async_cursor);
    return 0;
}

static int
conn_clear(connectionObject *self)
{
    Py_CLEAR(self->dsn_masked);
    Py_CLEAR(self->notice_list);
    Py_CLEAR(self->notifies);
    Py_CLEAR(self->string_types);
    Py_CLEAR(self->binary_types);
    Py_CLEAR(self->cursor_factory);
    Py_CLEAR(self->tpc_xid);
    Py_CLEAR(self->async_cursor);
    return 0;
}

static void
conn_dealloc(connectionObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    if (self->weakreflist)
        PyObject_ClearWeakRefs((PyObject *)self);
    conn_close_pgconn(self); /* also frees async_res */
    conn_finish_closing(self);
    conn_clear(self);
    if (self->fail.kind != CONN_FAIL_NONE)
        conn_fail_drop(self); /* not reached: conn_unlock takes it */
    PyMem_Free(self->dsn);
    self->encoding = self->pyenc = NULL;
    Py_CLEAR(self->enc_obj);
    if (self->lock)
        PyThread_free_lock(self->lock);
    if (self->copy_gate && self->lock_pid == getpid())
        PyThread_free_lock(self->copy_gate);
    Py_CLEAR(self->module);
    tp->tp_free((PyObject *)self);
    Py_DECREF(tp);
}

static PyType_Slot conn_slots[] = {
    {Py_tp_new, conn_new},
    {Py_tp_init, conn_init},
    {Py_tp_dealloc, conn_dealloc},
    {Py_tp_traverse, conn_traverse},
    {Py_tp_clear, conn_clear},
    {Py_tp_repr, conn_repr},
    {Py_tp_methods, conn_methods},
    {Py_tp_members, conn_members},
    {Py_tp_getset, conn_getset},
    {Py_tp_doc,
     "connection(dsn, async=False) -- a session with a PostgreSQL server.\n"
     "\n"
     "Made by psycopg2.connect(). A transaction begins with the first "
     "statement\n"
     "and lasts until commit() or rollback(), unless autocommit is set.\n"
     "cursor() makes cursors to run queries. As a context manager,\n"
     "\"with conn:\" wraps a transaction: commit at the end, rollback on an\n"
     "exception; it does not close the connection. close() ends the session.\n"
     "The DB-API exception classes are attributes too (conn.Error, ...)."},
    {0, NULL}};

static PyType_Spec conn_spec = {
    .name = "psycopg2.extensions.connection",
    .basicsize = sizeof(connectionObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .slots = conn_slots,
};

/* The type is made whole with the tables of the other connection_*.c
 * files (it is immutable). */
static PyMethodDef *const conn_all_methods[] = {
    conn_methods, conn_encoding_methods, conn_session_methods,
    conn_tpc_methods, NULL};
static PyGetSetDef *const conn_all_getset[] = {
    conn_getset, conn_encoding_getset, conn_session_getset, NULL};

int
conn_setup(PyObject *module, module_state *st)
{
    if (conn_build_encodings(st) < 0
        || PyModule_AddObjectRef(module, "encodings", st->encodings) < 0)
        return -1;
    return mod_add_type_parts(module, &conn_spec, NULL, &st->connection_type,
                              conn_all_methods, conn_all_getset);
}
