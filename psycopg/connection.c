/* psycopg2.extensions.connection: session, transactions, encodings. */
#include "psycopg.h"
#include "module.h"
#include "connection.h"
#include "cursor.h"
#include "errors.h"
#include "pqpath.h"
#include "encodings.h"
#include "xid.h"

#include <ctype.h>
#include <string.h>
#include <unistd.h>

/* ---- encodings ---- */

char *
conn_normalize_encoding(const char *enc)
{
    size_t n = strlen(enc), i, j = 0;
    char *rv = PyMem_Malloc(n + 1);
    if (rv == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    for (i = 0; i < n; i++) {
        if (enc[i] == '-' || enc[i] == '_')
            continue;
        rv[j++] = (char)toupper((unsigned char)enc[i]);
    }
    rv[j] = '\0';
    return rv;
}

/* Whether two encoding names are equal once normalised (no '-' or '_',
 * case-insensitive), without allocating. */
static int
conn_encoding_equal(const char *a, const char *b)
{
    for (;;) {
        while (*a == '-' || *a == '_')
            a++;
        while (*b == '-' || *b == '_')
            b++;
        if (toupper((unsigned char)*a) != toupper((unsigned char)*b))
            return 0;
        if (*a == '\0')
            return 1;
        a++;
        b++;
    }
}

/* The table entry whose normalised name matches `enc`, or NULL. */
static const conn_encoding_entry *
conn_find_encoding(const char *enc)
{
    const conn_encoding_entry *e;
    for (e = conn_encoding_table; e->pgname; e++) {
        if (conn_encoding_equal(e->pgname, enc))
            return e;
    }
    return NULL;
}

PyObject *
conn_pyenc_for(module_state *st, const char *pgenc)
{
    const conn_encoding_entry *e = conn_find_encoding(pgenc);
    if (e == NULL) {
        PyErr_Format(st->InterfaceError,
                     "no Python codec for client encoding '%s'", pgenc);
        return NULL;
    }
    return PyUnicode_FromString(e->pycodec);
}

static int
conn_build_encodings(module_state *st)
{
    const conn_encoding_entry *e;
    if (!(st->encodings = PyDict_New()))
        return -1;
    for (e = conn_encoding_table; e->pgname; e++) {
        PyObject *v = PyUnicode_FromString(e->pycodec);
        char *norm;
        if (v == NULL)
            return -1;
        if (PyDict_SetItemString(st->encodings, e->pgname, v) < 0
            || !(norm = conn_normalize_encoding(e->pgname))) {
            Py_DECREF(v);
            return -1;
        }
        if (PyDict_SetItemString(st->encodings, norm, v) < 0) {
            PyMem_Free(norm);
            Py_DECREF(v);
            return -1;
        }
        PyMem_Free(norm);
        Py_DECREF(v);
    }
    return 0;
}

/* A codec written in Python may run anything, even set_client_encoding():
 * the encoding object is held for the call. */
PyObject *
conn_encode(connectionObject *self, PyObject *str)
{
    PyObject *enc, *rv;
    if (self->is_utf8 || self->enc_obj == NULL)
        return PyUnicode_AsUTF8String(str);
    enc = Py_NewRef(self->enc_obj);
    rv = PyUnicode_AsEncodedString(
        str, PyUnicode_AsUTF8(PyTuple_GET_ITEM(enc, 1)), "strict");
    Py_DECREF(enc);
    return rv;
}

PyObject *
conn_decode(connectionObject *self, const char *s, Py_ssize_t len)
{
    PyObject *enc, *rv;
    if (self->is_utf8 || self->enc_obj == NULL)
        return PyUnicode_DecodeUTF8(s, len, "strict");
    enc = Py_NewRef(self->enc_obj);
    rv = PyUnicode_Decode(s, len, PyUnicode_AsUTF8(PyTuple_GET_ITEM(enc, 1)),
                          "strict");
    Py_DECREF(enc);
    return rv;
}

/* For text the server made up (names, notifications, messages): bad bytes
 * become U+FFFD, as in the original, rather than losing the whole thing. */
PyObject *
conn_decode_replace(connectionObject *self, const char *s, Py_ssize_t len)
{
    PyObject *enc, *rv;
    if (self->is_utf8 || self->enc_obj == NULL)
        return PyUnicode_DecodeUTF8(s, len, "replace");
    enc = Py_NewRef(self->enc_obj);
    rv = PyUnicode_Decode(s, len, PyUnicode_AsUTF8(PyTuple_GET_ITEM(enc, 1)),
                          "replace");
    Py_DECREF(enc);
    return rv;
}

/* Refresh encoding, pyenc and is_utf8 from the server's client_encoding. */
static int
conn_read_encoding(connectionObject *self)
{
    const char *enc = PQparameterStatus(self->pgconn, "client_encoding");
    const conn_encoding_entry *e;
    PyObject *obj, *old;
    if (enc == NULL) {
        PyErr_SetString(self->st->OperationalError,
                        "server didn't return client encoding");
        return -1;
    }
    if (!(e = conn_find_encoding(enc))) {
        PyErr_Format(self->st->InterfaceError,
                     "no Python codec for client encoding '%s'", enc);
        return -1;
    }
    /* built whole, then swapped in one step: whoever holds the old one
     * keeps using it (PyUnicode_AsUTF8 caches the bytes in the str) */
    if (!(obj = Py_BuildValue("(ss)", enc, e->pycodec)))
        return -1;
    if (!PyUnicode_AsUTF8(PyTuple_GET_ITEM(obj, 0))
        || !PyUnicode_AsUTF8(PyTuple_GET_ITEM(obj, 1))) {
        Py_DECREF(obj);
        return -1;
    }
    old = self->enc_obj;
    self->enc_obj = obj;
    self->encoding = PyUnicode_AsUTF8(PyTuple_GET_ITEM(obj, 0));
    self->pyenc = PyUnicode_AsUTF8(PyTuple_GET_ITEM(obj, 1));
    self->is_utf8 = strcmp(self->pyenc, "utf_8") == 0;
    Py_XDECREF(old);
    return 0;
}

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
conn_flush_notices(connectionObject *self)
{
    conn_notice *n = self->notice_pending, *next;
    PyObject *exc_type, *exc_value, *exc_tb;
    Py_ssize_t skip = 0;

    if (n == NULL)
        return;
    self->notice_pending = self->notice_tail = NULL;
    /* a plain list would drop all but the last CONN_NOTICES_MAX at the end
     * of this flush: don't decode the ones it would drop */
    if (self->notice_list && PyList_CheckExact(self->notice_list)) {
        for (next = n; next; next = next->next)
            skip++;
        skip = skip > CONN_NOTICES_MAX ? skip - CONN_NOTICES_MAX : 0;
    }
    /* appending must not clobber an exception being raised */
    PyErr_Fetch(&exc_type, &exc_value, &exc_tb);
    for (; n; n = next) {
        next = n->next;
        if (skip > 0)
            skip--;
        else if (self->notice_list && self->notice_list != Py_None) {
            PyObject *msg = conn_decode_replace(self, n->message,
                                                strlen(n->message));
            PyObject *r = NULL;
            if (msg)
                r = PyObject_CallMethod(self->notice_list, "append", "O", msg);
            if (r == NULL)
                PyErr_Clear(); /* a broken notices object is not our error */
            Py_XDECREF(r);
            Py_XDECREF(msg);
        }
        free(n->message);
        free(n);
    }
    /* a real list keeps only the last messages */
    if (self->notice_list && PyList_CheckExact(self->notice_list)) {
        Py_ssize_t len = PyList_GET_SIZE(self->notice_list);
        if (len > CONN_NOTICES_MAX
            && PyList_SetSlice(self->notice_list, 0, len - CONN_NOTICES_MAX,
                               NULL) < 0)
            PyErr_Clear();
    }
    PyErr_Restore(exc_type, exc_value, exc_tb);
}

/* Move every notification libpq holds into conn.notifies. Undecodable
 * bytes become U+FFFD (as the original does) and a failing notifies object
 * does not stop the loop: whatever stayed inside libpq would never make
 * the socket readable again. The first error is raised at the end. */
int
conn_flush_notifies(connectionObject *self)
{
    PGnotify *n;
    PyObject *exc_type = NULL, *exc_value = NULL, *exc_tb = NULL;

    while ((n = PQnotifies(self->pgconn)) != NULL) {
        PyObject *channel, *payload = NULL, *notify = NULL, *r = NULL;
        channel = conn_decode_replace(self, n->relname, strlen(n->relname));
        if (channel)
            payload = conn_decode_replace(self, n->extra, strlen(n->extra));
        if (payload)
            notify = PyObject_CallFunction((PyObject *)self->st->notify_type,
                                           "iOO", n->be_pid, channel, payload);
        PQfreemem(n);
        if (notify && self->notifies) {
            PyObject *target = Py_NewRef(self->notifies);
            if (PyList_CheckExact(target))
                r = PyList_Append(target, notify) < 0 ? NULL : Py_None;
            else if ((r = PyObject_CallMethod(target, "append", "O", notify)))
                Py_DECREF(r);
            Py_DECREF(target);
        }
        else if (notify)
            r = Py_None;
        if (r == NULL && exc_type == NULL)
            PyErr_Fetch(&exc_type, &exc_value, &exc_tb);
        else if (r == NULL)
            PyErr_Clear(); /* only the first error is raised */
        Py_XDECREF(channel);
        Py_XDECREF(payload);
        Py_XDECREF(notify);
    }
    if (exc_type == NULL)
        return 0;
    PyErr_Restore(exc_type, exc_value, exc_tb);
    return -1;
}

void
conn_set_broken(connectionObject *self)
{
    if (self->closed == 0)
        self->closed = 2;
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
    if (self->protocol != 3) {
        PyErr_SetString(self->st->InterfaceError,
                        "only protocol 3 supported");
        return -1;
    }
    if (conn_read_encoding(self) < 0)
        return -1;
    scs = PQparameterStatus(self->pgconn, "standard_conforming_strings");
    self->equote = (scs && strcmp(scs, "off") == 0);
    if (self->cancel)
        PQfreeCancel(self->cancel);
    self->cancel = PQgetCancel(self->pgconn);
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

static const char *const conn_isolevel_names[] = {
    "default", "READ COMMITTED", "REPEATABLE READ", "SERIALIZABLE",
    "READ UNCOMMITTED", "default"};

int
conn_begin_text(connectionObject *self, char *buf, size_t size)
{
    if ((self->autocommit && !self->entered)
        || self->status != CONN_STATUS_READY)
        return 0;
    snprintf(buf, size, "BEGIN%s%s%s%s",
             self->isolevel == ISOLATION_LEVEL_DEFAULT
                 ? "" : " ISOLATION LEVEL ",
             self->isolevel == ISOLATION_LEVEL_DEFAULT
                 ? "" : conn_isolevel_names[self->isolevel],
             self->readonly == STATE_DEFAULT ? ""
             : self->readonly == STATE_ON    ? " READ ONLY"
                                             : " READ WRITE",
             self->deferrable == STATE_DEFAULT ? ""
             : self->deferrable == STATE_ON    ? " DEFERRABLE"
                                               : " NOT DEFERRABLE");
    return 1;
}

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
static int
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
    int wh;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|OOOO", kwlist, &name,
                                     &factory, &withhold, &scrollable))
        return NULL;
    if (!conn_check_usable(self))
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
    if ((wh = PyObject_IsTrue(withhold)) < 0)
        return NULL;
    if (factory == Py_None)
        factory = self->cursor_factory;
    if (factory == NULL || factory == Py_None)
        factory = (PyObject *)self->st->cursor_type;
    if (name == Py_None)
        obj = PyObject_CallOneArg(factory, (PyObject *)self);
    else
        obj = PyObject_CallFunctionObjArgs(factory, (PyObject *)self, name,
                                           NULL);
    if (obj == NULL)
        return NULL;
    if (!PyObject_TypeCheck(obj, self->st->cursor_type)) {
        PyErr_SetString(PyExc_TypeError,
                        "cursor factory must be subclass of "
                        "psycopg2.extensions.cursor");
        Py_DECREF(obj);
        return NULL;
    }
    ((cursorObject *)obj)->withhold = wh;
    if (scrollable == Py_None)
        ((cursorObject *)obj)->scrollable = -1;
    else {
        int s = PyObject_IsTrue(scrollable);
        if (s < 0) {
            Py_DECREF(obj);
            return NULL;
        }
        ((cursorObject *)obj)->scrollable = s;
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
    if (self->cancel) {
        PQfreeCancel(self->cancel);
        self->cancel = NULL;
    }
    if (self->pgconn) {
        PGconn *pgconn = self->pgconn;
        self->pgconn = NULL;
        if (self->pid == getpid()) {
            /* PQfinish sends a Terminate message: cheap, non-blocking */
            PQfinish(pgconn);
        }
        /* in a forked child, leave the parent's session alone */
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

/* Parse an isolation level; `none_ok` maps None to *out unchanged (-1). */
static int
conn_parse_isolevel(connectionObject *self, PyObject *v, int *out)
{
    if (v == Py_None) {
        *out = ISOLATION_LEVEL_DEFAULT;
        return 0;
    }
    if (PyLong_Check(v)) {
        long l = PyLong_AsLong(v);
        if (l == -1 && PyErr_Occurred())
            return -1;
        if (l < 1 || l > 4) {
            PyErr_SetString(PyExc_ValueError,
                            "isolation_level must be between 1 and 4");
            return -1;
        }
        *out = (int)l;
        return 0;
    }
    if (PyUnicode_Check(v)) {
        static const char *const names[] = {"READ COMMITTED",
                                            "REPEATABLE READ",
                                            "SERIALIZABLE",
                                            "READ UNCOMMITTED", NULL};
        const char *s = PyUnicode_AsUTF8(v);
        int i;
        if (s == NULL)
            return -1;
        for (i = 0; names[i]; i++) {
            if (strcasecmp(s, names[i]) == 0) {
                *out = i + 1;
                return 0;
            }
        }
        if (strcasecmp(s, "DEFAULT") == 0) {
            *out = ISOLATION_LEVEL_DEFAULT;
            return 0;
        }
        PyErr_Format(PyExc_ValueError, "bad value for isolation_level: '%s'",
                     s);
        return -1;
    }
    PyErr_Format(PyExc_TypeError,
                 "isolation_level must be an int or a string, not %s",
                 Py_TYPE(v)->tp_name);
    return -1;
}

/* readonly / deferrable: True, False, None or 'default'. */
static int
conn_parse_tristate(PyObject *v, const char *what, int *out)
{
    if (v == Py_None) {
        *out = STATE_DEFAULT;
        return 0;
    }
    if (PyUnicode_Check(v)) {
        const char *s = PyUnicode_AsUTF8(v);
        if (s == NULL)
            return -1;
        if (strcasecmp(s, "default") == 0) {
            *out = STATE_DEFAULT;
            return 0;
        }
        PyErr_Format(PyExc_ValueError, "the value '%s' is not valid for %s",
                     s, what);
        return -1;
    }
    switch (PyObject_IsTrue(v)) {
    case 0: *out = STATE_OFF; return 0;
    case 1: *out = STATE_ON; return 0;
    default: return -1;
    }
}

static const char *
conn_tristate_sql(int v)
{
    return v == STATE_DEFAULT ? "DEFAULT" : v == STATE_ON ? "on" : "off";
}

/* Apply new session characteristics (lock held, status READY).  In
 * autocommit they go to the default_transaction_* GUCs; leaving
 * autocommit resets the GUCs, as the next BEGIN carries them. */
static int
conn_apply_session(connectionObject *self, int autocommit, int isolevel,
                   int readonly, int deferrable)
{
    char q[128];
    int was_auto = self->autocommit;
    if (autocommit) {
        if (isolevel != self->isolevel || !was_auto) {
            if (isolevel == ISOLATION_LEVEL_DEFAULT)
                strcpy(q, "SET default_transaction_isolation TO DEFAULT");
            else
                snprintf(q, sizeof(q),
                         "SET default_transaction_isolation TO '%s'",
                         conn_isolevel_names[isolevel]);
            if ((isolevel != ISOLATION_LEVEL_DEFAULT
                 || self->isolevel != ISOLATION_LEVEL_DEFAULT)
                && pq_exec_command(self, NULL, q) < 0)
                return -1;
        }
        if ((readonly != self->readonly || !was_auto)
            && (readonly != STATE_DEFAULT || self->readonly != STATE_DEFAULT)) {
            snprintf(q, sizeof(q), "SET default_transaction_read_only TO %s",
                     conn_tristate_sql(readonly));
            if (pq_exec_command(self, NULL, q) < 0)
                return -1;
        }
        if ((deferrable != self->deferrable || !was_auto)
            && (deferrable != STATE_DEFAULT
                || self->deferrable != STATE_DEFAULT)) {
            snprintf(q, sizeof(q), "SET default_transaction_deferrable TO %s",
                     conn_tristate_sql(deferrable));
            if (pq_exec_command(self, NULL, q) < 0)
                return -1;
        }
    }
    else if (was_auto) {
        if (self->isolevel != ISOLATION_LEVEL_DEFAULT
            && pq_exec_command(self, NULL,
                               "SET default_transaction_isolation TO DEFAULT")
                   < 0)
            return -1;
        if (self->readonly != STATE_DEFAULT
            && pq_exec_command(self, NULL,
                               "SET default_transaction_read_only TO DEFAULT")
                   < 0)
            return -1;
        if (self->deferrable != STATE_DEFAULT
            && pq_exec_command(
                   self, NULL, "SET default_transaction_deferrable TO DEFAULT")
                   < 0)
            return -1;
    }
    self->autocommit = autocommit;
    self->isolevel = isolevel;
    self->readonly = readonly;
    self->deferrable = deferrable;
    return 0;
}

static int
conn_check_session_change(connectionObject *self, const char *what)
{
    if (conn_check_open(self) < 0 || conn_check_not_async(self, what) < 0)
        return -1;
    if (self->status != CONN_STATUS_READY) {
        PyErr_Format(self->st->ProgrammingError,
                     "%s cannot be used inside a transaction", what);
        return -1;
    }
    return 0;
}

static int
conn_set_session_locked(connectionObject *self, int autocommit, int isolevel,
                        int readonly, int deferrable)
{
    int r;
    if (conn_lock(self) < 0)
        return -1;
    r = conn_apply_session(self, autocommit, isolevel, readonly, deferrable);
    conn_unlock(self);
    return r;
}

PyDoc_STRVAR(conn_set_session_doc,
"set_session(isolation_level=None, readonly=None, deferrable=None, "
"autocommit=None)\n\nSet the characteristics of the next transactions.");

static PyObject *
conn_set_session(connectionObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"isolation_level", "readonly", "deferrable",
                             "autocommit", NULL};
    PyObject *iso = Py_None, *ro = Py_None, *de = Py_None, *ac = Py_None;
    int isolevel = self->isolevel, readonly = self->readonly;
    int deferrable = self->deferrable, autocommit = self->autocommit;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|OOOO", kwlist, &iso, &ro,
                                     &de, &ac))
        return NULL;
    if (conn_check_session_change(self, "set_session") < 0)
        return NULL;
    if (iso != Py_None && conn_parse_isolevel(self, iso, &isolevel) < 0)
        return NULL;
    if (ro != Py_None && conn_parse_tristate(ro, "readonly", &readonly) < 0)
        return NULL;
    if (de != Py_None
        && conn_parse_tristate(de, "deferrable", &deferrable) < 0)
        return NULL;
    if (ac != Py_None && (autocommit = PyObject_IsTrue(ac)) < 0)
        return NULL;
    if (conn_set_session_locked(self, autocommit, isolevel, readonly,
                                deferrable) < 0)
        return NULL;
    Py_RETURN_NONE;
}

PyDoc_STRVAR(conn_set_isolation_level_doc,
"set_isolation_level(level) -- legacy: roll back, then set the level "
"(0 = autocommit).");

static PyObject *
conn_set_isolation_level(connectionObject *self, PyObject *arg)
{
    int level = ISOLATION_LEVEL_DEFAULT, autocommit = 0, r;
    if (conn_check_open(self) < 0
        || conn_check_not_async(self, "set_isolation_level") < 0
        || conn_check_not_tpc(self, "set_isolation_level") < 0)
        return NULL;
    if (arg != Py_None) {
        long l;
        /* psycopg2 takes any non-int (e.g. 'x', 1.5) as READ COMMITTED. */
        if (!PyLong_Check(arg))
            l = ISOLATION_LEVEL_READ_COMMITTED;
        else if ((l = PyLong_AsLong(arg)) == -1 && PyErr_Occurred())
            return NULL;
        if (l < 0 || l > 4) {
            PyErr_SetString(PyExc_ValueError,
                            "isolation level must be between 0 and 4");
            return NULL;
        }
        if (l == 0)
            autocommit = 1;
        else
            level = (int)l;
    }
    if (conn_lock(self) < 0)
        return NULL;
    r = conn_end_transaction(self, "ROLLBACK");
    if (r == 0)
        r = conn_apply_session(self, autocommit, level, self->readonly,
                               self->deferrable);
    conn_unlock(self);
    if (r < 0)
        return NULL;
    Py_RETURN_NONE;
}

PyDoc_STRVAR(conn_set_client_encoding_doc,
"set_client_encoding(encoding) -- set the client encoding.");

static PyObject *
conn_set_client_encoding(connectionObject *self, PyObject *args)
{
    const char *enc;
    const conn_encoding_entry *e;
    char *norm = NULL, *cur = NULL, q[128];
    PyObject *rv = NULL;
    int r;

    /* As psycopg2: a closed connection is reported before bad arguments. */
    if (conn_check_open(self) < 0)
        return NULL;
    if (!PyArg_ParseTuple(args, "s", &enc))
        return NULL;
    if (conn_check_not_async(self, "set_client_encoding") < 0)
        return NULL;
    e = conn_find_encoding(enc);
    if (!(norm = conn_normalize_encoding(e ? e->pgname : enc)))
        goto exit;
    if (!(cur = conn_normalize_encoding(self->encoding)))
        goto exit;
    if (strcmp(norm, cur) == 0) {
        rv = Py_NewRef(Py_None);
        goto exit;
    }
    if (strlen(enc) > 60) {
        PyErr_Format(self->st->OperationalError, "invalid encoding name: %s",
                     enc);
        goto exit;
    }
    if (e == NULL) {
        /* As psycopg2: an unknown name goes to the server cleaned, only its
         * letters and digits, uppercased ('ba-d' -> 'BAD'). */
        char clean[64];
        size_t i, j = 0;
        for (i = 0; enc[i] && j < sizeof(clean) - 1; i++)
            if (isalnum((unsigned char)enc[i]))
                clean[j++] = (char)toupper((unsigned char)enc[i]);
        clean[j] = '\0';
        snprintf(q, sizeof(q), "SET client_encoding = '%s'", clean);
    }
    else
        snprintf(q, sizeof(q), "SET client_encoding = '%s'", e->pgname);
    if (conn_lock(self) < 0)
        goto exit;
    r = conn_end_transaction(self, "ROLLBACK");
    if (r == 0)
        r = pq_exec_command(self, NULL, q);
    if (r == 0)
        r = conn_read_encoding(self);
    conn_unlock(self);
    if (r < 0)
        goto exit;
    rv = Py_NewRef(Py_None);
exit:
    PyMem_Free(norm);
    PyMem_Free(cur);
    return rv;
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
    if (val == NULL)
        Py_RETURN_NONE;
    return conn_decode(self, val, strlen(val));
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
        Py_CLEAR(self->tpc_xid);
        r = conn_setup_session(self);
    }
    conn_unlock(self);
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
    PGcancel *cancel;
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
    /* no connection lock: the thread running the query holds it */
    Py_BEGIN_ALLOW_THREADS
    ok = PQcancel(cancel, errbuf, sizeof(errbuf));
    Py_END_ALLOW_THREADS
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

/* Async: hand the results collected by poll() to the cursor that sent
 * the query (errors are raised here, with the cursor attached). */
static int
conn_deliver_async_result(connectionObject *self)
{
    PGresult *res = self->async_res;
    PyObject *curs = NULL;
    int r, had_cursor = 0;

    self->async_res = NULL;
    if (self->async_cursor) {
        had_cursor = 1;
        if (PyWeakref_GetRef(self->async_cursor, &curs) < 0)
            PyErr_Clear();
        Py_CLEAR(self->async_cursor);
    }
    if (res == NULL) {
        Py_XDECREF(curs);
        if (self->pgconn && PQstatus(self->pgconn) == CONNECTION_BAD)
            return pq_raise_conn_error(self);
        PyErr_SetString(self->st->InterfaceError,
                        "the server returned no result");
        return -1;
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
        /* the cursor was garbage-collected while its query ran */
        PQclear(res);
        if (!had_cursor)
            return POLL_OK;
        PyErr_SetString(self->st->InterfaceError,
                        "the asynchronous cursor has disappeared");
        return -1;
    }
    r = curs_take_result((cursorObject *)curs, res);
    Py_DECREF(curs);
    return r < 0 ? -1 : POLL_OK;
}

/* One step of the operation in flight (lock held): POLL_* or -1. */
static int
conn_poll_locked(connectionObject *self)
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
            return err_raise_from_result(self, NULL, res);
        PQclear(res);
        self->status = CONN_STATUS_READY;
        return POLL_OK;

    case ASYNC_OP_QUERY:
        r = pq_poll_query(self);
        if (r != POLL_OK || !self->async_)
            return r; /* green: the blocked caller takes the results */
        return conn_deliver_async_result(self);

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
    int r;
    if (conn_check_open(self) < 0)
        return NULL;
    if (conn_lock(self) < 0)
        return NULL;
    r = conn_poll_locked(self);
    conn_unlock(self);
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
    Py_RETURN_FALSE; /* never swallow the exception */
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

/* ---- two-phase commit ---- */

PyDoc_STRVAR(conn_xid_doc,
"xid(format_id, gtrid, bqual) -> Xid -- a transaction id for tpc_*().");

static PyObject *
conn_xid(connectionObject *self, PyObject *args, PyObject *kwargs)
{
    if (conn_check_open(self) < 0) /* as psycopg2, checked first */
        return NULL;
    return PyObject_Call((PyObject *)self->st->xid_type, args, kwargs);
}

/* Run a TPC command with the xid's id quoted as a literal (lock held). */
static int
conn_tpc_command(connectionObject *self, const char *cmd, PyObject *xid)
{
    PyObject *tid = NULL, *b = NULL, *q = NULL;
    char *lit = NULL;
    int rv = -1;

    if (!(tid = xid_get_tid((xidObject *)xid)) || !(b = conn_encode(self, tid)))
        goto exit;
    lit = PQescapeLiteral(self->pgconn, PyBytes_AS_STRING(b),
                          PyBytes_GET_SIZE(b));
    if (lit == NULL) {
        pq_raise_conn_error(self);
        goto exit;
    }
    if (!(q = PyBytes_FromFormat("%s %s", cmd, lit)))
        goto exit;
    rv = pq_exec_command(self, NULL, PyBytes_AS_STRING(q));
exit:
    if (lit)
        PQfreemem(lit);
    Py_XDECREF(tid);
    Py_XDECREF(b);
    Py_XDECREF(q);
    return rv;
}

PyDoc_STRVAR(conn_tpc_begin_doc,
"tpc_begin(xid) -- begin a two-phase transaction with the given id.");

static PyObject *
conn_tpc_begin(connectionObject *self, PyObject *arg)
{
    PyObject *xid;
    int r;
    if (conn_check_open(self) < 0
        || conn_check_not_async(self, "tpc_begin") < 0)
        return NULL;
    if (!(xid = xid_ensure(self->st, arg)))
        return NULL;
    if (self->status != CONN_STATUS_READY) {
        PyErr_SetString(self->st->ProgrammingError,
                        "tpc_begin cannot be used inside a transaction");
        goto fail;
    }
    if (self->autocommit) {
        PyErr_SetString(self->st->ProgrammingError,
                        "tpc_begin can't be called in autocommit mode");
        goto fail;
    }
    if (conn_lock(self) < 0)
        goto fail;
    r = conn_begin_if_needed(self);
    conn_unlock(self);
    if (r < 0)
        goto fail;
    Py_XSETREF(self->tpc_xid, xid);
    Py_RETURN_NONE;
fail:
    Py_DECREF(xid);
    return NULL;
}

PyDoc_STRVAR(conn_tpc_prepare_doc,
"tpc_prepare() -- first phase: PREPARE TRANSACTION.");

static PyObject *
conn_tpc_prepare(connectionObject *self, PyObject *unused)
{
    int r;
    if (conn_check_open(self) < 0
        || conn_check_not_async(self, "tpc_prepare") < 0)
        return NULL;
    if (self->tpc_xid == NULL) {
        PyErr_SetString(self->st->ProgrammingError,
                        "prepare must be called inside a two-phase "
                        "transaction");
        return NULL;
    }
    if (self->status == CONN_STATUS_PREPARED) {
        PyErr_SetString(self->st->ProgrammingError,
                        "tpc_prepare cannot be used with a prepared "
                        "two-phase transaction");
        return NULL;
    }
    if (conn_lock(self) < 0)
        return NULL;
    r = conn_tpc_command(self, "PREPARE TRANSACTION", self->tpc_xid);
    if (r == 0) {
        /* the transaction is over for this session */
        self->mark++;
        self->status = CONN_STATUS_PREPARED;
    }
    conn_unlock(self);
    if (r < 0)
        return NULL;
    Py_RETURN_NONE;
}

/* tpc_commit / tpc_rollback: `one_phase` is COMMIT or ROLLBACK, `prepared`
 * COMMIT PREPARED or ROLLBACK PREPARED. */
static PyObject *
conn_tpc_finish(connectionObject *self, PyObject *args, const char *what,
                const char *one_phase, const char *prepared)
{
    PyObject *arg = Py_None, *xid = NULL;
    int r;

    if (!PyArg_UnpackTuple(args, what, 0, 1, &arg))
        return NULL;
    if (conn_check_open(self) < 0 || conn_check_not_async(self, what) < 0)
        return NULL;
    if (arg == Py_None) {
        /* end the current two-phase transaction */
        if (self->tpc_xid == NULL) {
            PyErr_SetString(self->st->ProgrammingError,
                            "tpc_commit/tpc_rollback with no parameter must "
                            "be called in a two-phase transaction");
            return NULL;
        }
        if (conn_lock(self) < 0)
            return NULL;
        if (self->status == CONN_STATUS_PREPARED)
            r = conn_tpc_command(self, prepared, self->tpc_xid);
        else if (self->status == CONN_STATUS_BEGIN)
            r = pq_exec_command(self, NULL, one_phase);
        else
            r = 0;
        if (r == 0 || (self->status == CONN_STATUS_BEGIN && self->pgconn
                       && PQtransactionStatus(self->pgconn) == PQTRANS_IDLE)) {
            Py_CLEAR(self->tpc_xid);
            if (self->status == CONN_STATUS_BEGIN)
                self->mark++;
            if (!self->closed)
                self->status = CONN_STATUS_READY;
        }
        conn_unlock(self);
    }
    else {
        /* recovery: finish a transaction prepared elsewhere */
        if (self->status != CONN_STATUS_READY) {
            PyErr_Format(self->st->ProgrammingError,
                         "%s with a xid must be called outside a "
                         "transaction", what);
            return NULL;
        }
        if (!(xid = xid_ensure(self->st, arg)))
            return NULL;
        if (conn_lock(self) < 0) {
            Py_DECREF(xid);
            return NULL;
        }
        r = conn_tpc_command(self, prepared, xid);
        conn_unlock(self);
        Py_DECREF(xid);
    }
    if (r < 0)
        return NULL;
    Py_RETURN_NONE;
}

PyDoc_STRVAR(conn_tpc_commit_doc,
"tpc_commit([xid]) -- commit the two-phase transaction (prepared or not), "
"or the prepared transaction `xid`.");

static PyObject *
conn_tpc_commit(connectionObject *self, PyObject *args)
{
    return conn_tpc_finish(self, args, "tpc_commit", "COMMIT",
                           "COMMIT PREPARED");
}

PyDoc_STRVAR(conn_tpc_rollback_doc,
"tpc_rollback([xid]) -- roll back the two-phase transaction (prepared or "
"not), or the prepared transaction `xid`.");

static PyObject *
conn_tpc_rollback(connectionObject *self, PyObject *args)
{
    return conn_tpc_finish(self, args, "tpc_rollback", "ROLLBACK",
                           "ROLLBACK PREPARED");
}

PyDoc_STRVAR(conn_tpc_recover_doc,
"tpc_recover() -> list of Xid -- the transactions prepared on the server.");

static PyObject *
conn_tpc_recover(connectionObject *self, PyObject *unused)
{
    int was_ready;
    PyObject *rv;
    if (conn_check_open(self) < 0
        || conn_check_not_async(self, "tpc_recover") < 0)
        return NULL;
    was_ready = self->status == CONN_STATUS_READY;
    rv = xid_recover(self);
    /* leave the connection as it was found */
    if (was_ready && self->status == CONN_STATUS_BEGIN && !self->closed) {
        int r;
        if (conn_lock(self) < 0) {
            Py_XDECREF(rv);
            return NULL;
        }
        r = conn_end_transaction(self, "ROLLBACK");
        conn_unlock(self);
        if (r < 0)
            Py_CLEAR(rv);
    }
    return rv;
}

static PyMethodDef conn_methods[] = {
    {"xid", (PyCFunction)(void (*)(void))conn_xid,
     METH_VARARGS | METH_KEYWORDS, conn_xid_doc},
    {"tpc_begin", (PyCFunction)conn_tpc_begin, METH_O, conn_tpc_begin_doc},
    {"tpc_prepare", (PyCFunction)conn_tpc_prepare, METH_NOARGS,
     conn_tpc_prepare_doc},
    {"tpc_commit", (PyCFunction)conn_tpc_commit, METH_VARARGS,
     conn_tpc_commit_doc},
    {"tpc_rollback", (PyCFunction)conn_tpc_rollback, METH_VARARGS,
     conn_tpc_rollback_doc},
    {"tpc_recover", (PyCFunction)conn_tpc_recover, METH_NOARGS,
     conn_tpc_recover_doc},
    {"cursor", (PyCFunction)(void (*)(void))conn_cursor,
     METH_VARARGS | METH_KEYWORDS, conn_cursor_doc},
    {"close", (PyCFunction)conn_close, METH_NOARGS, conn_close_doc},
    {"commit", (PyCFunction)conn_commit, METH_NOARGS, conn_commit_doc},
    {"rollback", (PyCFunction)conn_rollback, METH_NOARGS, conn_rollback_doc},
    {"set_session", (PyCFunction)(void (*)(void))conn_set_session,
     METH_VARARGS | METH_KEYWORDS, conn_set_session_doc},
    {"set_isolation_level", (PyCFunction)conn_set_isolation_level, METH_O,
     conn_set_isolation_level_doc},
    {"set_client_encoding", (PyCFunction)conn_set_client_encoding,
     METH_VARARGS, conn_set_client_encoding_doc},
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

static PyObject *
conn_get_closed(connectionObject *self, void *c)
{
    return PyLong_FromLong(self->closed);
}

static PyObject *
conn_get_status(connectionObject *self, void *c)
{
    return PyLong_FromLong(self->status);
}

static PyObject *
conn_get_autocommit(connectionObject *self, void *c)
{
    return PyBool_FromLong(self->autocommit);
}

static int
conn_set_autocommit(connectionObject *self, PyObject *v, void *c)
{
    int ac;
    if (v == NULL) {
        PyErr_SetString(PyExc_AttributeError, "cannot delete autocommit");
        return -1;
    }
    if (conn_check_session_change(self, "set_session") < 0)
        return -1;
    if ((ac = PyObject_IsTrue(v)) < 0)
        return -1;
    return conn_set_session_locked(self, ac, self->isolevel, self->readonly,
                                   self->deferrable);
}

static PyObject *
conn_get_isolation_level(connectionObject *self, void *c)
{
    if (self->isolevel == ISOLATION_LEVEL_DEFAULT)
        Py_RETURN_NONE;
    return PyLong_FromLong(self->isolevel);
}

static int
conn_set_isolation_level_attr(connectionObject *self, PyObject *v, void *c)
{
    int level;
    if (v == NULL) {
        PyErr_SetString(PyExc_AttributeError,
                        "cannot delete isolation_level");
        return -1;
    }
    if (conn_check_session_change(self, "isolation_level") < 0)
        return -1;
    if (conn_parse_isolevel(self, v, &level) < 0)
        return -1;
    return conn_set_session_locked(self, self->autocommit, level,
                                   self->readonly, self->deferrable);
}

static PyObject *
conn_tristate_obj(int v)
{
    if (v == STATE_DEFAULT)
        Py_RETURN_NONE;
    return PyBool_FromLong(v == STATE_ON);
}

static PyObject *
conn_get_readonly(connectionObject *self, void *c)
{
    return conn_tristate_obj(self->readonly);
}

static int
conn_set_readonly(connectionObject *self, PyObject *v, void *c)
{
    int ro;
    if (v == NULL) {
        PyErr_SetString(PyExc_AttributeError, "cannot delete readonly");
        return -1;
    }
    if (conn_check_session_change(self, "readonly") < 0
        || conn_parse_tristate(v, "readonly", &ro) < 0)
        return -1;
    return conn_set_session_locked(self, self->autocommit, self->isolevel, ro,
                                   self->deferrable);
}

static PyObject *
conn_get_deferrable(connectionObject *self, void *c)
{
    return conn_tristate_obj(self->deferrable);
}

static int
conn_set_deferrable(connectionObject *self, PyObject *v, void *c)
{
    int de;
    if (v == NULL) {
        PyErr_SetString(PyExc_AttributeError, "cannot delete deferrable");
        return -1;
    }
    if (conn_check_session_change(self, "deferrable") < 0
        || conn_parse_tristate(v, "deferrable", &de) < 0)
        return -1;
    return conn_set_session_locked(self, self->autocommit, self->isolevel,
                                   self->readonly, de);
}

static PyObject *
conn_get_encoding(connectionObject *self, void *c)
{
    if (self->encoding == NULL)
        Py_RETURN_NONE;
    return PyUnicode_FromString(self->encoding);
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
    {"closed", (getter)conn_get_closed, NULL,
     "0 if the connection is open, 1 if close() closed it, 2 if it broke "
     "(server gone, network error)", NULL},
    {"status", (getter)conn_get_status, NULL, "The connection status: extensions.STATUS_READY, STATUS_BEGIN "
     "(in a transaction) or STATUS_PREPARED (two-phase)", NULL},
    {"autocommit", (getter)conn_get_autocommit,
     (setter)conn_set_autocommit, "True: each statement commits at once; False (default): the "
     "first statement opens a transaction that commit() ends", NULL},
    {"isolation_level", (getter)conn_get_isolation_level,
     (setter)conn_set_isolation_level_attr, "Isolation level of the next transactions "
     "(an extensions.ISOLATION_LEVEL_ constant), or None for the server "
     "default", NULL},
    {"readonly", (getter)conn_get_readonly, (setter)conn_set_readonly,
     "read only transactions (None = server default)", NULL},
    {"deferrable", (getter)conn_get_deferrable, (setter)conn_set_deferrable,
     "deferrable transactions (None = server default)", NULL},
    {"encoding", (getter)conn_get_encoding, NULL, "The client encoding, by PostgreSQL's name (e.g. 'UTF8')", NULL},
    {"server_version", (getter)conn_get_server_version, NULL,
     "Server version as an int, e.g. 150004 for 15.4", NULL},
    {"protocol_version", (getter)conn_get_protocol_version, NULL,
     "Frontend/backend protocol version: always 3", NULL},
    {"dsn", (getter)conn_get_dsn, NULL, "The connection string, with any password shown as xxx",
     NULL},
    {"info", (getter)conn_get_info, NULL, "A ConnectionInfo object: libpq's view of the connection (host, "
     "port, backend_pid, parameters...)", NULL},
    {"async", (getter)conn_get_async, NULL, "True if the connection was made with async_=True", NULL},
    {"async_", (getter)conn_get_async, NULL,
     "True if the connection was made with async_=True", NULL},
    {"pgconn_ptr", (getter)conn_get_pgconn_ptr, NULL, "Address of the libpq PGconn, as an int (for ctypes)",
     NULL},
    {"string_types", (getter)conn_get_string_types, NULL,
     "Typecasters registered on this connection only, by OID (dict)",
     NULL},
    {"binary_types", (getter)conn_get_binary_types, NULL,
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
    {"__dict__", PyObject_GenericGetDict, PyObject_GenericSetDict, NULL,
     NULL},
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
    {"__dictoffset__", T_PYSSIZET, offsetof(connectionObject, dict),
     READONLY},
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
    self->closed = 1; /* until __init__ connects */
    self->status = CONN_STATUS_SETUP;
    self->isolevel = ISOLATION_LEVEL_DEFAULT;
    self->readonly = STATE_DEFAULT;
    self->deferrable = STATE_DEFAULT;
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
    if (!(self->dsn_masked = conn_mask_dsn(dsn)))
        return -1;
    if (!(self->notice_list = PyList_New(0))
        || !(self->notifies = PyList_New(0))
        || !(self->string_types = PyDict_New())
        || !(self->binary_types = PyDict_New()))
        return -1;
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
    /* %V: dsn_masked is NULL before __init__ (it was given None to %U) */
    return PyUnicode_FromFormat("<connection object at %p; dsn: '%V', "
                                "closed: %ld>",
                                (void *)self, self->dsn_masked, "",
                                self->closed);
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
    Py_VISIT(self->dict);
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
    Py_CLEAR(self->dict);
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
    conn_clear(self);
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

int
conn_setup(PyObject *module, module_state *st)
{
    if (conn_build_encodings(st) < 0
        || PyModule_AddObjectRef(module, "encodings", st->encodings) < 0)
        return -1;
    return mod_add_type(module, &conn_spec, NULL, &st->connection_type);
}
