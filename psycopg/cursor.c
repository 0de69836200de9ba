/* psycopg2.extensions.cursor: the type, execute and its relatives.
 * Fetching is in cursor_fetch.c, named cursors' DECLARE and CLOSE in
 * cursor_named.c, COPY in cursor_copy.c, executemany's pipeline in
 * cursor_batch.c. */
#include "psycopg.h"
#include "module.h"
#include "connection.h"
#include "cursor.h"
#include "column.h"
#include "errors.h"
#include "pqpath.h"
#include "query.h"
#include "typecast.h"
#include "result.h"

#include <string.h>

/* ---- results ---- */

void
curs_clear_result(cursorObject *self)
{
    curs_result *r = self->result;
    /* detach first: what the result's casters' __del__ may do sees an
     * empty cursor */
    self->result = NULL;
    self->pgres = NULL;
    self->nfields = 0;
    self->ntuples = 0;
    self->result_gen++;
    self->row_kind = 0;
    Py_CLEAR(self->row_prep);
    result_decref(r);
}

/* description = None.  Detached first, as the result: what dropping the
 * last reference runs sees no description. */
void
curs_clear_description(cursorObject *self)
{
    curs_result *r = self->desc_res;
    self->desc_res = NULL;
    Py_CLEAR(self->description);
    result_decref(r);
}

/* cursor.description: built from the result the first time it is asked
 * for (most code never reads it: about a tenth of a small query's cost).
 * A new reference, or NULL with an exception set. */
PyObject *
curs_description(cursorObject *self)
{
    curs_result *r = self->desc_res;
    PyObject *desc;

    if (self->description != NULL || r == NULL)
        return Py_NewRef(self->description ? self->description : Py_None);
    /* decoding may run Python code (a codec) that re-executes or closes
     * the cursor: build from a reference of our own, keep it only if the
     * cursor still waits for this one */
    result_incref(r);
    desc = column_description(r->st ? r->st : self->conn->st, r->enc,
                              r->pgres);
    if (desc != NULL && self->desc_res == r && self->description == NULL) {
        self->description = Py_NewRef(desc);
        self->desc_res = NULL;
        result_decref(r);
    }
    result_decref(r);
    return desc;
}

/* Keep `res`, decoded with the encoding object `enc` (borrowed). */
static int
curs_set_result_enc(cursorObject *self, PGresult *res, PyObject *enc)
{
    curs_result *r;
    connectionObject *conn = (connectionObject *)Py_NewRef(self->conn);
    int rv = -1, tuples;

    curs_clear_result(self);
    curs_clear_description(self);
    if (!(r = result_new(res, enc)))
        goto exit;
    /* resolved before the cursor shows the result: the casters lookup may
     * run Python code.  `res` is gone: r->pgres has its columns */
    tuples = PQresultStatus(r->pgres) == PGRES_TUPLES_OK;
    if (tuples && result_resolve_casts(r, self, conn) < 0) {
        result_decref(r);
        goto exit;
    }
    curs_clear_result(self);
    curs_clear_description(self);
    self->result = r;
    self->pgres = r->pgres;
    self->nfields = r->nfields;
    self->ntuples = r->ntuples;
    /* the description is made when asked for (curs_description) */
    if (tuples)
        self->desc_res = result_incref(r);
    rv = 0;
exit:
    Py_DECREF(conn);
    return rv;
}

/* ---- running queries ---- */

/* query (str, bytes or Composable) -> bytes in the connection encoding */
PyObject *
curs_query_bytes(cursorObject *self, PyObject *query)
{
    PyObject *s, *rv;
    if (PyBytes_Check(query))
        return Py_NewRef(query);
    if (PyUnicode_Check(query))
        return conn_encode(self->conn, query);
    /* sql.Composable: anything with as_string(context) */
    if (PyObject_HasAttrString(query, "as_string")) {
        if (!(s = PyObject_CallMethod(query, "as_string", "O",
                                      (PyObject *)self)))
            return NULL;
        if (PyUnicode_Check(s))
            rv = conn_encode(self->conn, s);
        else if (PyBytes_Check(s))
            rv = Py_NewRef(s);
        else {
            PyErr_SetString(PyExc_TypeError,
                            "as_string() must return a string");
            rv = NULL;
        }
        Py_DECREF(s);
        return rv;
    }
    PyErr_Format(PyExc_TypeError,
                 "argument 1 must be a string or unicode object: got %s "
                 "instead",
                 Py_TYPE(query)->tp_name);
    return NULL;
}

/* A str (encoded) or bytes argument, with psycopg2's TypeError texts for
 * anything else. */
PyObject *
curs_bytes_arg(cursorObject *self, PyObject *obj)
{
    if (PyUnicode_Check(obj))
        return conn_encode(self->conn, obj);
    if (PyBytes_Check(obj))
        return Py_NewRef(obj);
    if (PyObject_CheckBuffer(obj))
        PyErr_Format(PyExc_TypeError,
                     "argument 1 must be read-only bytes-like object, not %s",
                     Py_TYPE(obj)->tp_name);
    else
        PyErr_Format(PyExc_TypeError,
                     "a bytes-like object is required, not '%s'",
                     Py_TYPE(obj)->tp_name);
    return NULL;
}

/* The query bytes with vars merged.  As psycopg2, a failed merge for
 * execute() (forget) forgets the previous cursor.query. */
static PyObject *
curs_mogrify_bytes(cursorObject *self, PyObject *query, PyObject *vars,
                   int forget)
{
    PyObject *q, *rv;
    if (query == Py_None) {
        /* as psycopg2: no query is an empty one */
        PyErr_SetString(self->conn->st->ProgrammingError,
                        "can't execute an empty query");
        query_error_set_cursor(self->conn, (PyObject *)self);
        return NULL;
    }
    q = curs_query_bytes(self, query);
    if (q == NULL || vars == NULL || vars == Py_None)
        return q;
    rv = query_merge(self->conn, q, vars);
    if (rv == NULL) {
        query_error_set_cursor(self->conn, (PyObject *)self);
        if (forget)
            Py_CLEAR(self->query);
    }
    Py_DECREF(q);
    return rv;
}

int
curs_check_prepared(cursorObject *self)
{
    if (self->conn->status == CONN_STATUS_PREPARED) {
        PyErr_SetString(self->conn->st->ProgrammingError,
                        "this operation cannot be used with a prepared "
                        "two-phase transaction");
        return -1;
    }
    return 0;
}

/* After a command: psycopg2's status.  A transaction ended behind our
 * back (COMMIT or ROLLBACK sent through execute) leaves the status at
 * BEGIN, as in psycopg2: no new BEGIN is sent (what follows runs in
 * autocommit on the server) until commit() or rollback() is called. */
void
curs_update_conn_status(connectionObject *conn)
{
    PGTransactionStatusType tx;
    if (conn->pgconn == NULL || conn->status == CONN_STATUS_PREPARED)
        return;
    tx = PQtransactionStatus(conn->pgconn);
    if (tx == PQTRANS_INTRANS || tx == PQTRANS_INERROR) {
        if (!conn->autocommit || conn->entered)
            conn->status = CONN_STATUS_BEGIN;
    }
}

/* Take the command tag, rowcount and oid from the result. */
static int
curs_read_status(cursorObject *self, PGresult *res)
{
    const char *tag = PQcmdStatus(res), *tuples = PQcmdTuples(res);
    PyObject *old = self->statusmessage;
    size_t len = tag ? strlen(tag) : 0;
    /* a loop repeats the same command tag (ASCII): the str of the last
     * one is reused instead of decoding it again */
    if (!(len > 0 && old != NULL && PyUnicode_IS_COMPACT_ASCII(old)
          && (size_t)PyUnicode_GET_LENGTH(old) == len
          && memcmp(PyUnicode_1BYTE_DATA(old), tag, len) == 0)) {
        Py_CLEAR(self->statusmessage);
        if (len > 0
            && !(self->statusmessage = conn_decode_replace(self->conn, tag,
                                                           (Py_ssize_t)len)))
            return -1;
    }
    if (PQresultStatus(res) == PGRES_TUPLES_OK)
        self->rowcount = PQntuples(res);
    else if (tuples && tuples[0])
        self->rowcount = strtol(tuples, NULL, 10);
    else
        self->rowcount = -1;
    self->lastoid = PQoidValue(res);
    return 0;
}

int
curs_set_result(cursorObject *self, PGresult *res)
{
    return curs_set_result_enc(self, res, self->conn->enc_obj);
}

/* curs_take_result with the encoding the server used for `res`. */
static int
curs_take_result_enc(cursorObject *self, PGresult *res, PyObject *enc)
{
    connectionObject *conn = self->conn;
    switch (PQresultStatus(res)) {
    case PGRES_TUPLES_OK:
    case PGRES_COMMAND_OK:
    case PGRES_SINGLE_TUPLE:
    case PGRES_COPY_BOTH: /* replication: the stream is served later */
        if (curs_read_status(self, res) < 0) {
            PQclear(res);
            return -1;
        }
        /* owned by the cursor now */
        return curs_set_result_enc(self, res, enc);
    case PGRES_EMPTY_QUERY:
        /* as psycopg2: the statusmessage of an empty query is '' */
        Py_XSETREF(self->statusmessage, PyUnicode_New(0, 0));
        PQclear(res);
        if (self->statusmessage == NULL)
            return -1;
        PyErr_SetString(conn->st->ProgrammingError,
                        "can't execute an empty query");
        return -1;
    default:
        /* as psycopg2: the failed result's (empty) status */
        if (res != NULL) {
            const char *tag = PQcmdStatus(res);
            Py_XSETREF(self->statusmessage,
                       conn_decode(conn, tag ? tag : "", tag ? strlen(tag) : 0));
            if (self->statusmessage == NULL) {
                PQclear(res);
                return -1;
            }
        }
        return conn_fail_result(conn, self, res);
    }
}

int
curs_take_result(cursorObject *self, PGresult *res)
{
    return curs_take_result_enc(self, res, self->conn->enc_obj);
}

/* Async connections: send the query and return; connection.poll()
 * collects the results and hands them to this cursor. */
static int
curs_send_async(cursorObject *self, PyObject *q)
{
    connectionObject *conn = self->conn;
    PyObject *wr;
    int r = -1;

    if (!(wr = PyWeakref_NewRef((PyObject *)self, NULL)))
        return -1;
    if (conn_lock(conn) < 0) {
        Py_DECREF(wr);
        return -1;
    }
    if (conn_check_open_locked(conn) < 0
        || conn_check_async_idle_ex(conn, "execute", 1) < 0)
        goto exit;
    if (pq_send_query(conn, PyBytes_AS_STRING(q)) < 0)
        goto exit;
    Py_XSETREF(conn->async_cursor, wr);
    wr = NULL;
    r = 0;
exit:
    conn_unlock(conn);
    Py_XDECREF(wr);
    return r;
}

/* Run `q`, opening the transaction first if one is needed.  When the
 * query is one statement (not COPY), BEGIN and the query travel as two
 * extended-protocol messages of one pipeline with one sync: one round trip,
 * and the server sees (and reports errors against) the query alone, as
 * after psycopg2's separate BEGIN.  Otherwise (several statements, COPY,
 * green mode, libpq < 14, standard_conforming_strings off where our lexer
 * can't follow backslashes) BEGIN takes its own round trip.  Lock held. */
static PGresult *
curs_exec_in_transaction(cursorObject *self, PyObject *q, int flags)
{
    connectionObject *conn = self->conn;
    char begin[CONN_BEGIN_MAX];
    pq_pipe_item items[2];
    PGresult *last = NULL, *error = NULL;
    Py_ssize_t rowcount, error_at;

    if ((flags & CURS_EXEC_NO_BEGIN)
        || !conn_begin_text(conn, begin, sizeof(begin)))
        return pq_exec(conn, PyBytes_AS_STRING(q));
    if (conn_is_green(conn) || conn->equote || !pq_has_pipeline()
        || !curs_single_statement(PyBytes_AS_STRING(q),
                                  PyBytes_GET_SIZE(q))) {
        if (conn_begin_if_needed(conn) < 0)
            return NULL;
        return pq_exec(conn, PyBytes_AS_STRING(q));
    }
    memset(items, 0, sizeof(items));
    items[0].kind = items[1].kind = PQ_PIPE_QUERY;
    items[0].sql = begin;
    items[1].sql = PyBytes_AS_STRING(q);
    items[1].counted = 1;
    if (pq_exec_pipeline(conn, items, 2, &rowcount, &last, &error,
                         &error_at) < 0)
        return NULL;
    if (error_at != 0)
        conn->status = CONN_STATUS_BEGIN; /* our BEGIN ran */
    if (error) {
        if (last)
            PQclear(last);
        return error;
    }
    if (last == NULL) {
        conn_fail_text(conn, conn->st->InterfaceError,
                       "the server returned no result");
        return NULL;
    }
    return last;
}

/* ASCII reads the same in every client encoding. */
static int
curs_is_ascii(const char *s, Py_ssize_t n)
{
    Py_ssize_t i;
    for (i = 0; i < n; i++) {
        if ((unsigned char)s[i] & 0x80)
            return 0;
    }
    return 1;
}

/* Run `q` and keep its result.  The lock is held for the libpq I/O only
 * (COPY releases it around each call to the file object); the result
 * becomes Python objects once it is released.  flags: CURS_EXEC_*.
 * `qenc` (may be NULL: no check) is the connection's encoding object the
 * query was encoded with: if another thread or a callback changed the
 * client encoding since and the query is not plain ASCII, the server
 * would read it in the new one, so nothing is sent and CURS_ENC_CHANGED
 * returned, without an exception set. */
int
curs_exec_enc(cursorObject *self, PyObject *q, int flags, PyObject *qenc)
{
    connectionObject *conn = self->conn;
    PGresult *res = NULL;
    PyObject *enc = NULL;
    ExecStatusType status;
    int rv = -1, copy = 0, enc_changed = 0, began = 0;

    if (PyBytes_GET_SIZE(q) == 0) {
        PyErr_SetString(conn->st->ProgrammingError,
                        "can't execute an empty query");
        query_error_set_cursor(conn, (PyObject *)self); /* as psycopg2 */
        return -1;
    }
    if (memchr(PyBytes_AS_STRING(q), '\0', PyBytes_GET_SIZE(q))) {
        PyErr_SetString(PyExc_ValueError,
                        "the query contains NUL (0x00) characters");
        return -1;
    }
    Py_XSETREF(self->query, Py_NewRef(q));
    curs_clear_result(self);
    curs_clear_description(self);
    self->rowcount = -1;
    self->rownumber = 0;

    if (conn->async_)
        return curs_send_async(self, q);

    Py_INCREF(conn);
    if (conn_lock(conn) < 0)
        goto exit;
    if (conn_check_open_locked(conn) < 0)
        goto unlock;
    if (qenc && conn->enc_obj != qenc
        && !curs_is_ascii(PyBytes_AS_STRING(q), PyBytes_GET_SIZE(q))) {
        enc_changed = 1;
        goto unlock;
    }
    /* psycopg2 sends BEGIN apart: a lost connection fails it, and its
     * error carries no cursor */
    began = !(flags & CURS_EXEC_NO_BEGIN)
            && (!conn->autocommit || conn->entered)
            && conn->status == CONN_STATUS_READY;
    res = curs_exec_in_transaction(self, q, flags);
    if (res == NULL)
        goto unlock;
    status = PQresultStatus(res);
    if (status == PGRES_FATAL_ERROR)
        Py_XSETREF(self->statusmessage, PyUnicode_New(0, 0)); /* psycopg2 */
    /* as psycopg2: a COPY leaves no command tag */
    copy = status == PGRES_COPY_IN || status == PGRES_COPY_OUT;
    if (copy)
        Py_XSETREF(self->statusmessage, PyUnicode_New(0, 0));
    if (copy || status == PGRES_COPY_BOTH)
        res = curs_copy_serve(self, res, flags & CURS_EXEC_COPY);
unlock:
    curs_update_conn_status(conn);
    /* the encoding of the result, read with the lock that serialises
     * set_client_encoding() */
    enc = Py_XNewRef(conn->enc_obj);
    conn_unlock(conn);
    if (res)
        rv = curs_take_result_enc(self, res, enc);
    else if (enc_changed)
        rv = CURS_ENC_CHANGED;
    else if (conn->closed == 2 && !began && !conn_is_green(conn))
        query_error_set_cursor(conn, (PyObject *)self); /* as psycopg2 */
    if (rv == 0 && copy)
        Py_XSETREF(self->statusmessage, PyUnicode_New(0, 0));
exit:
    Py_XDECREF(enc);
    Py_DECREF(conn);
    return rv;
}

int
curs_exec_bytes(cursorObject *self, PyObject *q, int want_copy)
{
    return curs_exec_enc(self, q, want_copy ? CURS_EXEC_COPY : 0, NULL);
}

int
curs_exec_flags(cursorObject *self, PyObject *q, int flags)
{
    return curs_exec_enc(self, q, flags, NULL);
}

/* The encoding object to build a query with (new reference). */
PyObject *
curs_query_enc(cursorObject *self)
{
    return Py_XNewRef(self->conn->enc_obj);
}

/* A query built again after an encoding change met the same fate. */
int
curs_raise_enc_changed(cursorObject *self)
{
    PyErr_SetString(self->conn->st->InterfaceError,
                    "the client encoding changed while the query was being "
                    "built; it was not sent");
    return -1;
}

int
curs_exec_copy(cursorObject *self, PyObject *sql)
{
    PyObject *q, *qenc;
    int r = CURS_ENC_CHANGED, attempt;
    /* encoded with one encoding, sent if it is still the client's: once
     * more if it changed meanwhile */
    for (attempt = 0; attempt < 2 && r == CURS_ENC_CHANGED; attempt++) {
        qenc = curs_query_enc(self);
        if (!(q = curs_query_bytes(self, sql))) {
            Py_XDECREF(qenc);
            return -1;
        }
        r = curs_exec_enc(self, q, CURS_EXEC_COPY, qenc);
        Py_DECREF(q);
        Py_XDECREF(qenc);
    }
    return r == CURS_ENC_CHANGED ? curs_raise_enc_changed(self) : r;
}

int
curs_check_executable(cursorObject *self)
{
    if (curs_check_open(self) < 0 || curs_check_prepared(self) < 0
        || conn_check_send_idle(self->conn, "execute") < 0)
        return -1;
    return 0;
}

PyDoc_STRVAR(curs_execute_doc,
"execute(query, vars=None) -- run a query with parameters merged in.");

static PyObject *
curs_execute_impl(cursorObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"query", "vars", NULL};
    PyObject *query, *vars = Py_None, *q;
    Py_ssize_t nargs = PyTuple_GET_SIZE(args);
    int r = -1, attempt;
    /* execute(query[, vars]) by position, the usual call, skips the
     * keyword parser (about 250 instructions per query) */
    if ((kwargs == NULL || PyDict_GET_SIZE(kwargs) == 0) && nargs >= 1 &&
        nargs <= 2) {
        query = PyTuple_GET_ITEM(args, 0);
        if (nargs == 2)
            vars = PyTuple_GET_ITEM(args, 1);
    }
    else if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|O", kwlist, &query,
                                          &vars))
        return NULL;
    /* as psycopg2, this one comes first, even on a closed cursor */
    if (self->name && curs_named_executed(self)) {
        PyErr_SetString(self->conn->st->ProgrammingError,
                        "can't call .execute() on named cursors more than "
                        "once");
        query_error_set_cursor(self->conn, (PyObject *)self);
        return NULL;
    }
    if (curs_check_executable(self) < 0 || curs_check_named_valid(self) < 0)
        return NULL;
    /* the query is encoded with one encoding and sent only if it is
     * still the client's; if another thread or a callback changed it
     * meanwhile, the query is built once more */
    for (attempt = 0; attempt < 2; attempt++) {
        PyObject *qenc = curs_query_enc(self);
        if (!(q = curs_mogrify_bytes(self, query, vars, 1))) {
            Py_XDECREF(qenc);
            Py_CLEAR(self->query); /* as psycopg2 */
            return NULL;
        }
        if (self->name)
            r = curs_execute_named(self, q, qenc);
        else
            r = curs_exec_enc(self, q, 0, qenc);
        Py_DECREF(q);
        Py_XDECREF(qenc);
        if (r != CURS_ENC_CHANGED)
            break;
    }
    if (r == CURS_ENC_CHANGED)
        curs_raise_enc_changed(self);
    if (r < 0)
        return NULL;
    Py_RETURN_NONE;
}

PyDoc_STRVAR(curs_executemany_doc,
"executemany(query, vars_list) -- run a query once per parameter set.");

static PyObject *
curs_executemany_impl(cursorObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"query", "vars_list", NULL};
    PyObject *query, *vars_list, *it = NULL, *vars, *base = NULL, *q;
    PyObject *qenc = NULL;
    unsigned long qgen;
    Py_ssize_t total = 0;
    int unknown = 0, failed = 0, r, attempt;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OO", kwlist, &query,
                                     &vars_list))
        return NULL;
    if (curs_check_executable(self) < 0
        || conn_check_not_async(self->conn, "executemany") < 0)
        return NULL;
    if (self->name) {
        PyErr_SetString(self->conn->st->ProgrammingError,
                        "can't call .executemany() on named cursors");
        query_error_set_cursor(self->conn, (PyObject *)self);
        return NULL;
    }
    /* each statement is sent only in the encoding it was built in, as
     * by execute() (see curs_exec_enc) */
    qenc = curs_query_enc(self);
    qgen = self->conn->enc_gen;
    if (!(base = curs_query_bytes(self, query)))
        goto exit;
    if (!(it = PyObject_GetIter(vars_list)))
        goto exit;
    if (curs_batch_usable(self, base)) {
        /* all statements in one round trip (cursor_batch.c) */
        failed = curs_batch_execute(self, base, it, qenc, qgen) < 0;
        goto exit;
    }
    while ((vars = PyIter_Next(it))) {
        for (attempt = 0; attempt < 2; attempt++) {
            q = (vars == Py_None) ? Py_NewRef(base)
                                  : query_merge(self->conn, base, vars);
            if (q == NULL) {
                query_error_set_cursor(self->conn, (PyObject *)self);
                Py_CLEAR(self->query); /* as a failed execute() */
                r = -1;
                break;
            }
            r = curs_exec_enc(self, q, 0, qenc);
            Py_DECREF(q);
            if (r != CURS_ENC_CHANGED)
                break;
            /* the encoding changed while the row was built: this row and
             * the next ones are built again in the new one */
            Py_XSETREF(qenc, curs_query_enc(self));
            Py_SETREF(base, curs_query_bytes(self, query));
            if (base == NULL) {
                r = -1;
                break;
            }
        }
        Py_DECREF(vars);
        if (r == CURS_ENC_CHANGED)
            r = curs_raise_enc_changed(self);
        if (r < 0) {
            failed = 1;
            break;
        }
        if (self->rowcount < 0)
            unknown = 1;
        else
            total += self->rowcount;
    }
    if (!failed && PyErr_Occurred()) {
        /* the iterator raised: the total of what ran, as psycopg2 */
        self->rowcount = unknown ? -1 : total;
        failed = 1;
    }
    if (!failed) {
        curs_clear_result(self);
        curs_clear_description(self);
        self->rowcount = unknown ? -1 : total;
    }
exit:
    Py_XDECREF(it);
    Py_XDECREF(base);
    Py_XDECREF(qenc);
    if (failed || PyErr_Occurred())
        return NULL;
    Py_RETURN_NONE;
}

/* mogrify() on a cursor whose __init__ never ran works in psycopg2: the
 * query as UTF-8, the parameters adapted without a connection. */
static PyObject *
curs_mogrify_unbound(cursorObject *self, PyObject *query, PyObject *vars)
{
    module_state *st = mod_state_from_type(Py_TYPE(self));
    PyObject *q, *rv;
    if (st == NULL)
        return NULL;
    if (PyBytes_Check(query))
        q = Py_NewRef(query);
    else if (PyUnicode_Check(query))
        q = PyUnicode_AsUTF8String(query);
    else {
        /* a Composable needs a connection for as_string() */
        PyErr_SetString(st->InterfaceError, "the cursor has no connection");
        return NULL;
    }
    if (q == NULL || vars == Py_None)
        return q;
    rv = query_merge_st(st, NULL, q, vars);
    Py_DECREF(q);
    return rv;
}

PyDoc_STRVAR(curs_mogrify_doc,
"mogrify(query, vars=None) -> bytes -- the query execute() would send.");

static PyObject *
curs_mogrify_impl(cursorObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"query", "vars", NULL};
    PyObject *query, *vars = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|O", kwlist, &query,
                                     &vars))
        return NULL;
    /* as psycopg2, also on a closed cursor: nothing is sent */
    if (self->conn == NULL)
        return curs_mogrify_unbound(self, query, vars);
    return curs_mogrify_bytes(self, query, vars, 0);
}

/* ---- misc methods ---- */

PyDoc_STRVAR(curs_close_doc, "close() -- close the cursor.");

static PyObject *
curs_close_impl(cursorObject *self, PyObject *unused)
{
    connectionObject *conn = self->conn;
    if (self->closed)
        Py_RETURN_NONE;
    if (conn && !conn->closed && conn->async_cursor
        && conn->async_op != ASYNC_OP_NONE) {
        /* the cursor waiting for its results can't go away */
        PyObject *c = NULL;
        if (PyWeakref_GetRef(conn->async_cursor, &c) < 0)
            PyErr_Clear();
        Py_XDECREF(c);
        if (c == (PyObject *)self)
            return conn_check_async_idle(conn, "close"), NULL;
    }
    if (self->name && conn && !conn->closed && conn->pgconn
        && !conn_in_other_process(conn)
        && conn->status != CONN_STATUS_PREPARED
        && PQtransactionStatus(conn->pgconn) != PQTRANS_INERROR
        && curs_close_named(self) < 0)
        return NULL; /* still open, as in psycopg2 */
    /* as psycopg2, the description outlives close(): made now, so that
     * the closed cursor does not keep the whole result for it */
    if (self->desc_res != NULL) {
        PyObject *desc = curs_description(self);
        if (desc == NULL)
            return NULL;
        Py_DECREF(desc);
    }
    self->closed = 1;
    curs_clear_result(self);
    Py_RETURN_NONE;
}

PyDoc_STRVAR(curs_enter_doc, "__enter__ -> self");

static PyObject *
curs_enter(cursorObject *self, PyObject *unused)
{
    return Py_NewRef(self);
}

PyDoc_STRVAR(curs_exit_doc, "__exit__ -- close the cursor.");

static PyObject *
curs_exit(cursorObject *self, PyObject *args)
{
    /* through the attribute: a subclass may override close() */
    PyObject *r = PyObject_CallMethod((PyObject *)self, "close", NULL);
    if (r == NULL)
        return NULL;
    Py_DECREF(r);
    Py_RETURN_NONE;
}

PyDoc_STRVAR(curs_setinputsizes_doc,
"setinputsizes(sizes) -- accepted for DB-API compliance; does nothing.\n\n"
"The parameter types are inferred from the Python values.");

PyDoc_STRVAR(curs_setoutputsize_doc,
"setoutputsize(size, column=None) -- accepted for DB-API compliance; does "
"nothing.\n\n"
"Values of any size are read whole.");

static PyObject *
curs_setinputsizes(cursorObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"sizes", NULL};
    PyObject *sizes;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O", kwlist, &sizes))
        return NULL;
    if (curs_check_open(self) < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyObject *
curs_setoutputsize(cursorObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"size", "column", NULL};
    long size, column = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "l|l", kwlist, &size,
                                     &column))
        return NULL;
    if (curs_check_open(self) < 0)
        return NULL;
    Py_RETURN_NONE;
}

PyDoc_STRVAR(curs_nextset_doc,
"nextset() -- not supported: PostgreSQL returns one result set per "
"statement.\n"
"\n"
"Raises NotSupportedError.");

static PyObject *
curs_nextset(cursorObject *self, PyObject *unused)
{
    if (curs_check_open(self) < 0)
        return NULL;
    PyErr_SetString(self->conn->st->NotSupportedError,
                    "not supported by PostgreSQL");
    return NULL;
}

PyDoc_STRVAR(curs_cast_doc,
"cast(oid, s) -> the value s converted as a column of type oid would "
"be.\n"
"\n"
"*s* is the text representation (or None for NULL) of a value of the\n"
"PostgreSQL type *oid*. The typecaster is looked up as for a result:\n"
"the cursor's, then the connection's, then the global ones; unknown "
"types\n"
"give back the string. Useful in typecasters of composite or array "
"types\n"
"that must convert their elements.");

/* The caster for cast(oid, ...).  As psycopg2, `key` is looked up as it
 * is in the cursor's, the connection's and the global casters (23.0 finds
 * the caster of 23, 'x' none), and what is not hashable gets the default
 * caster.  New reference. */
static PyObject *
curs_cast_lookup(cursorObject *self, PyObject *key)
{
    module_state *st = self->conn->st;
    PyObject *d, *rv;
    int i;
    if (PyObject_Hash(key) == -1) {
        if (!PyErr_ExceptionMatches(PyExc_TypeError))
            return NULL;
        PyErr_Clear();
        return Py_NewRef(st->default_cast);
    }
    for (i = 0; i < 3; i++) {
        /* read each time: the key's __eq__ may replace the registries */
        d = i == 0 ? self->string_types
            : i == 1 ? self->conn->string_types : st->string_types;
        if (d == NULL || !PyDict_Check(d))
            continue;
        Py_INCREF(d);
        rv = Py_XNewRef(PyDict_GetItemWithError(d, key));
        Py_DECREF(d);
        if (rv != NULL || PyErr_Occurred())
            return rv;
    }
    return Py_NewRef(st->default_cast);
}

static PyObject *
curs_cast_impl(cursorObject *self, PyObject *args)
{
    PyObject *oid, *s, *b = NULL, *caster = NULL, *rv = NULL;
    typecast_ctx ctx = {0};
    if (!PyArg_ParseTuple(args, "OO", &oid, &s))
        return NULL;
    if (curs_check_init(self) < 0)
        return NULL;
    typecast_ctx_init(&ctx, self->conn->st, self, self->conn);
    if (!(caster = curs_cast_lookup(self, oid)))
        goto exit;
    if (s == Py_None) {
        rv = typecast_cast(caster, NULL, 0, &ctx);
        goto exit;
    }
    if (!(b = curs_bytes_arg(self, s)))
        goto exit;
    rv = typecast_cast(caster, PyBytes_AS_STRING(b), PyBytes_GET_SIZE(b),
                       &ctx);
exit:
    typecast_ctx_fini(&ctx);
    Py_XDECREF(caster);
    Py_XDECREF(b);
    return rv;
}

/* ---- the methods as operations ----
 *
 * Each public method runs between curs_op_begin and curs_op_end: the
 * connection is held and __init__() refused for its duration. */

static PyObject *
curs_execute(cursorObject *self, PyObject *args, PyObject *kwargs)
{
    connectionObject *conn;
    PyObject *rv;
    if (curs_check_init(self) < 0)
        return NULL;
    conn = curs_op_begin(self);
    rv = curs_execute_impl(self, args, kwargs);
    curs_op_end(self, conn);
    return rv;
}

static PyObject *
curs_executemany(cursorObject *self, PyObject *args, PyObject *kwargs)
{
    connectionObject *conn;
    PyObject *rv;
    if (curs_check_init(self) < 0)
        return NULL;
    conn = curs_op_begin(self);
    rv = curs_executemany_impl(self, args, kwargs);
    curs_op_end(self, conn);
    return rv;
}

static PyObject *
curs_mogrify(cursorObject *self, PyObject *args, PyObject *kwargs)
{
    connectionObject *conn;
    PyObject *rv;
    if (self->conn == NULL) /* as psycopg2: works without a connection */
        return curs_mogrify_impl(self, args, kwargs);
    if (curs_check_init(self) < 0)
        return NULL;
    conn = curs_op_begin(self);
    rv = curs_mogrify_impl(self, args, kwargs);
    curs_op_end(self, conn);
    return rv;
}

static PyObject *
curs_close(cursorObject *self, PyObject *arg)
{
    connectionObject *conn;
    PyObject *rv;
    if (self->conn == NULL)
        return curs_close_impl(self, arg);
    conn = curs_op_begin(self);
    rv = curs_close_impl(self, arg);
    curs_op_end(self, conn);
    return rv;
}

static PyObject *
curs_cast(cursorObject *self, PyObject *arg)
{
    connectionObject *conn;
    PyObject *rv;
    if (self->conn == NULL)
        return curs_cast_impl(self, arg);
    conn = curs_op_begin(self);
    rv = curs_cast_impl(self, arg);
    curs_op_end(self, conn);
    return rv;
}

static PyMethodDef curs_methods[] = {
    {"execute", (PyCFunction)(void (*)(void))curs_execute,
     METH_VARARGS | METH_KEYWORDS, curs_execute_doc},
    {"executemany", (PyCFunction)(void (*)(void))curs_executemany,
     METH_VARARGS | METH_KEYWORDS, curs_executemany_doc},
    {"mogrify", (PyCFunction)(void (*)(void))curs_mogrify,
     METH_VARARGS | METH_KEYWORDS, curs_mogrify_doc},
    {"close", (PyCFunction)curs_close, METH_NOARGS, curs_close_doc},
    {"__enter__", (PyCFunction)curs_enter, METH_NOARGS, curs_enter_doc},
    {"__exit__", (PyCFunction)curs_exit, METH_VARARGS, curs_exit_doc},
    {"setinputsizes", (PyCFunction)(void (*)(void))curs_setinputsizes,
     METH_VARARGS | METH_KEYWORDS, curs_setinputsizes_doc},
    {"setoutputsize", (PyCFunction)(void (*)(void))curs_setoutputsize,
     METH_VARARGS | METH_KEYWORDS, curs_setoutputsize_doc},
    {"nextset", (PyCFunction)curs_nextset, METH_NOARGS, curs_nextset_doc},
    {"cast", (PyCFunction)curs_cast, METH_VARARGS, curs_cast_doc},
    {NULL}};

/* ---- attributes ---- */

static PyObject *
curs_get_description(cursorObject *self, void *c)
{
    return curs_description(self);
}

static PyObject *
curs_get_closed(cursorObject *self, void *c)
{
    /* as psycopg2, False for a cursor whose __init__ never ran */
    return PyBool_FromLong(self->closed
                           || (self->conn && conn_closed_shown(self->conn)));
}

static PyObject *
curs_get_rowcount(cursorObject *self, void *c)
{
    return PyLong_FromSsize_t(self->rowcount);
}

static PyObject *
curs_get_rownumber(cursorObject *self, void *c)
{
    return PyLong_FromSsize_t(self->rownumber);
}

static PyObject *
curs_get_lastrowid(cursorObject *self, void *c)
{
    return PyLong_FromUnsignedLong(self->lastoid == InvalidOid
                                       ? 0 : self->lastoid);
}

static PyObject *
curs_get_query(cursorObject *self, void *c)
{
    return Py_NewRef(self->query ? self->query : Py_None);
}

static PyObject *
curs_get_statusmessage(cursorObject *self, void *c)
{
    return Py_NewRef(self->statusmessage ? self->statusmessage : Py_None);
}

static PyObject *
curs_get_name(cursorObject *self, void *c)
{
    return Py_NewRef(self->name ? self->name : Py_None);
}

static PyObject *
curs_get_connection(cursorObject *self, void *c)
{
    return Py_NewRef(self->conn ? (PyObject *)self->conn : Py_None);
}

static PyObject *
curs_get_withhold(cursorObject *self, void *c)
{
    return PyBool_FromLong(self->withhold);
}

static int
curs_set_withhold(cursorObject *self, PyObject *v, void *c)
{
    int wh;
    if (v == NULL || (wh = PyObject_IsTrue(v)) < 0) {
        if (v == NULL)
            PyErr_SetString(PyExc_AttributeError, "cannot delete withhold");
        return -1;
    }
    /* as psycopg2: anything but False, even 0 or None */
    if (v != Py_False && !self->name) {
        module_state *st = mod_state_from_type(Py_TYPE(self));
        if (st == NULL)
            return -1;
        PyErr_SetString(st->ProgrammingError,
                        "trying to set .withhold on unnamed cursor");
        return -1;
    }
    self->withhold = wh;
    return 0;
}

static PyObject *
curs_get_scrollable(cursorObject *self, void *c)
{
    if (self->scrollable < 0)
        Py_RETURN_NONE;
    return PyBool_FromLong(self->scrollable);
}

static int
curs_set_scrollable(cursorObject *self, PyObject *v, void *c)
{
    int s;
    if (v == NULL) {
        PyErr_SetString(PyExc_AttributeError, "cannot delete scrollable");
        return -1;
    }
    if (v == Py_None)
        s = -1;
    else if ((s = PyObject_IsTrue(v)) < 0)
        return -1;
    if (s >= 0 && !self->name) {
        module_state *st = mod_state_from_type(Py_TYPE(self));
        if (st == NULL)
            return -1;
        PyErr_SetString(st->ProgrammingError,
                        "trying to set .scrollable on unnamed cursor");
        return -1;
    }
    self->scrollable = s;
    return 0;
}

static PyObject *
curs_get_pgresult_ptr(cursorObject *self, void *c)
{
    PGresult *res;
    if (self->result == NULL)
        Py_RETURN_NONE;
    /* the rows are put back into it on the first call (result.c) */
    if (!(res = result_pgresult(self->result)))
        return NULL;
    return PyLong_FromVoidPtr(res);
}

/* per-cursor registries are created on first use */
static PyObject *
curs_get_types(cursorObject *self, void *c)
{
    PyObject **slot = c ? &self->binary_types : &self->string_types;
    if (*slot == NULL && !(*slot = PyDict_New()))
        return NULL;
    return Py_NewRef(*slot);
}

/* assignable as in psycopg2, to anything; a deleted one reads None. Only
 * a dict is looked into when casting. */
static int
curs_set_types(cursorObject *self, PyObject *v, void *c)
{
    PyObject **slot = c ? &self->binary_types : &self->string_types;
    Py_XSETREF(*slot, Py_NewRef(v != NULL ? v : Py_None));
    return 0;
}

static PyObject *
curs_get_typecaster(cursorObject *self, void *c)
{
    Py_RETURN_NONE;
}

/* psycopg2's text for its read-only attributes (members there) */
static int
curs_set_readonly(cursorObject *self, PyObject *v, void *c)
{
    PyErr_SetString(PyExc_AttributeError, "readonly attribute");
    return -1;
}

static PyGetSetDef curs_getset[] = {
    {"description", (getter)curs_get_description, (setter)curs_set_readonly,
     "One Column per column of the last result (name, type_code, ...), "
     "or None when the last command returned no rows.", NULL},
    {"closed", (getter)curs_get_closed, NULL,
     "True once close() was called, or the connection was closed.", NULL},
    {"rowcount", (getter)curs_get_rowcount, (setter)curs_set_readonly,
     "Rows returned or affected by the last execute or executemany; -1 "
     "before any "
     "command or when the server did not say.", NULL},
    {"rownumber", (getter)curs_get_rownumber, (setter)curs_set_readonly,
     "Index (from 0) of the next row a fetch will return.", NULL},
    {"lastrowid", (getter)curs_get_lastrowid, (setter)curs_set_readonly,
     "OID of the row inserted by the last single-row INSERT into a table "
     "WITH OIDS, else 0 or None.", NULL},
    {"query", (getter)curs_get_query, (setter)curs_set_readonly,
     "The last query sent to the server, after merging the parameters "
     "(bytes), or None.", NULL},
    {"statusmessage", (getter)curs_get_statusmessage, (setter)curs_set_readonly,
     "The command tag the server returned for the last command, e.g. "
     "'INSERT 0 1'.", NULL},
    {"name", (getter)curs_get_name, (setter)curs_set_readonly,
     "Name of a server-side (named) cursor, None for a client-side one.",
     NULL},
    {"connection", (getter)curs_get_connection, (setter)curs_set_readonly,
     "The connection the cursor was created on.", NULL},
    {"withhold", (getter)curs_get_withhold, (setter)curs_set_withhold,
     "Named cursors only: declare it WITH HOLD, so that it outlives the "
     "transaction's commit.", NULL},
    {"scrollable", (getter)curs_get_scrollable, (setter)curs_set_scrollable,
     "Named cursors only: True declares it SCROLL, False NO SCROLL, None "
     "leaves the choice to the server.", NULL},
    {"pgresult_ptr", (getter)curs_get_pgresult_ptr, NULL,
     "Address of the libpq PGresult of the last command, as an int (for "
     "ctypes), or None.", NULL},
    {"string_types", (getter)curs_get_types, (setter)curs_set_types,
     "Typecasters registered on this cursor only, by OID (dict).", NULL},
    {"binary_types", (getter)curs_get_types, (setter)curs_set_types,
     "Binary typecasters registered on this cursor only, by OID (dict).",
     (void *)1},
    {"typecaster", (getter)curs_get_typecaster, (setter)curs_set_readonly,
     "The typecaster running now, while a value is being converted; "
     "else None.", NULL},
    {NULL}};

static PyMemberDef curs_members[] = {
    {"arraysize", T_LONG, offsetof(cursorObject, arraysize), 0,
     "Rows fetchmany() returns when called without a size (default 1)."},
    {"itersize", T_LONG, offsetof(cursorObject, itersize), 0,
     "Rows a named cursor fetches per round trip when iterated "
     "(default 2000)."},
    {"tzinfo_factory", T_OBJECT, offsetof(cursorObject, tzinfo_factory), 0,
     "Called with an offset (timedelta) to make the tzinfo of timestamptz "
     "and timetz values; default datetime.timezone."},
    {"row_factory", T_OBJECT, offsetof(cursorObject, row_factory), 0,
     "Called with the cursor to build each fetched row; None gives tuples."},
    {"__weaklistoffset__", T_PYSSIZET, offsetof(cursorObject, weakreflist),
     READONLY},
    {NULL}};

/* ---- lifecycle ---- */

/* Everything is validated before the cursor changes: a failed __init__ on
 * a live cursor leaves it as it was.  A successful one gives it the new
 * connection and name and the options of a new cursor; the current result,
 * if any, stays (a fetch may be running on it) and is replaced by the next
 * execute(). */
static int
curs_init(cursorObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"conn", "name", NULL};
    module_state *st = mod_state_from_type(Py_TYPE(self));
    PyObject *conn, *name = Py_None, *old_conn, *old_name;
    char *qname = NULL;
    if (st == NULL)
        return -1;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|O", kwlist, &conn,
                                     &name))
        return -1;
    if (!PyObject_TypeCheck(conn, st->connection_type)) {
        PyErr_SetString(PyExc_TypeError,
                        "argument 1 must be a psycopg2 connection");
        return -1;
    }
    if (self->busy) {
        /* a callback of one of this cursor's operations: the operation
         * still uses the connection and the result */
        PyErr_SetString(st->ProgrammingError,
                        "cursor.__init__() cannot be called while the cursor "
                        "is running an operation");
        return -1;
    }
    if (name != Py_None) {
        /* as psycopg2: a bytes name is read as UTF-8, .name is a str */
        if (PyBytes_Check(name))
            name = PyUnicode_DecodeUTF8(PyBytes_AS_STRING(name),
                                        PyBytes_GET_SIZE(name), NULL);
        else if (PyUnicode_Check(name))
            name = PyUnicode_FromObject(name);
        else
            name = Py_NewRef(name); /* curs_quote_name raises */
        if (name == NULL)
            return -1;
        if (!(qname = curs_quote_name((connectionObject *)conn, name))) {
            Py_DECREF(name);
            return -1;
        }
    }

    /* swap in one step; the old references go last, since dropping them
     * can run Python code that sees the cursor */
    old_conn = (PyObject *)self->conn;
    old_name = self->name;
    self->conn = (connectionObject *)Py_NewRef(conn);
    self->name = name != Py_None ? name : NULL; /* owned, made above */
    PyMem_Free(self->qname);
    self->qname = qname;
    self->mark = ((connectionObject *)conn)->mark;
    self->withhold = 0;
    self->scrollable = -1;
    self->arraysize = 1;
    self->itersize = 2000;
    if (self->pgres == NULL)
        self->rowcount = -1;
    Py_XSETREF(self->tzinfo_factory, Py_NewRef(st->timezone));
    Py_XDECREF(old_name);
    Py_XDECREF(old_conn);
    return 0;
}

static PyObject *
curs_repr(cursorObject *self)
{
    return PyUnicode_FromFormat("<cursor object at %p; closed: %d>",
                                (void *)self,
                                self->closed);
}

static int
curs_traverse(cursorObject *self, visitproc visit, void *arg)
{
    Py_VISIT(Py_TYPE(self));
    Py_VISIT(self->conn);
    Py_VISIT(self->name);
    Py_VISIT(self->description);
    Py_VISIT(self->query);
    Py_VISIT(self->statusmessage);
    Py_VISIT(self->tzinfo_factory);
    Py_VISIT(self->row_factory);
    Py_VISIT(self->row_kind_for);
    Py_VISIT(self->row_prep);
    Py_VISIT(self->string_types);
    Py_VISIT(self->binary_types);
    Py_VISIT(self->copyfile);
    if (self->desc_res != NULL && self->desc_res != self->result) {
        int r = result_traverse(self->desc_res, visit, arg);
        if (r != 0)
            return r;
    }
    return result_traverse(self->result, visit, arg);
}

static int
curs_clear(cursorObject *self)
{
    curs_clear_result(self);
    curs_clear_description(self);
    Py_CLEAR(self->name);
    Py_CLEAR(self->query);
    Py_CLEAR(self->statusmessage);
    Py_CLEAR(self->tzinfo_factory);
    Py_CLEAR(self->row_factory);
    Py_CLEAR(self->row_kind_for);
    Py_CLEAR(self->string_types);
    Py_CLEAR(self->binary_types);
    Py_CLEAR(self->copyfile);
    Py_CLEAR(self->conn);
    return 0;
}

static void
curs_dealloc(cursorObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    if (self->weakreflist)
        PyObject_ClearWeakRefs((PyObject *)self);
    curs_clear(self);
    PyMem_Free(self->qname);
    tp->tp_free((PyObject *)self);
    Py_DECREF(tp);
}

static PyType_Slot curs_slots[] = {
    {Py_tp_init, curs_init},
    {Py_tp_new, PyType_GenericNew},
    {Py_tp_dealloc, curs_dealloc},
    {Py_tp_traverse, curs_traverse},
    {Py_tp_clear, curs_clear},
    {Py_tp_repr, curs_repr},
    {Py_tp_iter, curs_iter},
    {Py_tp_iternext, curs_next},
    {Py_tp_methods, curs_methods},
    {Py_tp_members, curs_members},
    {Py_tp_getset, curs_getset},
    {Py_tp_doc,
     "cursor(conn, name=None) -- runs queries on a connection and fetches "
     "the rows.\n"
     "\n"
     "Made by connection.cursor(). execute() sends a query with its\n"
     "parameters, and fetchone(), fetchmany(), fetchall() or iteration read\n"
     "the rows of the result. description tells the columns of the result,\n"
     "rowcount the number of rows produced or affected. A cursor is a\n"
     "context manager: \"with conn.cursor() as cur:\" closes it at the end.\n"
     "Cursors are not isolated: the changes made by one are visible to the\n"
     "other cursors of the same connection at once."},
    {0, NULL}};

static PyType_Spec curs_spec = {
    .name = "psycopg2.extensions.cursor",
    .basicsize = sizeof(cursorObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .slots = curs_slots,
};

PyDoc_STRVAR(curs_set_row_builder_doc,
"_set_row_builder(kind, cls, prep) -- build the rows of `cls` in C.\n\n"
"For psycopg2.extras: kind 'dictrow' (cls a list subclass with an _index\n"
"attribute) and 'realdictrow' (a dict or OrderedDict subclass) are matched\n"
"with cursor.row_factory; 'namedtuple' (cls a cursor class) with cursors\n"
"of that class without row_factory.  prep(cursor) is called once per\n"
"result and returns what its rows share: the name -> position index, the\n"
"column names, the namedtuple class.");

static PyObject *
curs_set_row_builder(PyObject *module, PyObject *args)
{
    module_state *st = mod_state(module);
    const char *kind;
    PyObject *cls, *prep;
    PyTypeObject *base;
    PyObject **slot, **prep_slot;

    if (!PyArg_ParseTuple(args, "sO!O:_set_row_builder", &kind, &PyType_Type,
                          &cls, &prep))
        return NULL;
    if (strcmp(kind, "dictrow") == 0) {
        base = &PyList_Type;
        slot = &st->row_dictrow;
        prep_slot = &st->row_dictrow_prep;
        if (!st->row_dictrow_attr
            && !(st->row_dictrow_attr = PyUnicode_InternFromString("_index")))
            return NULL;
    }
    else if (strcmp(kind, "realdictrow") == 0) {
        base = &PyDict_Type;
        slot = &st->row_realdictrow;
        prep_slot = &st->row_realdictrow_prep;
    }
    else if (strcmp(kind, "namedtuple") == 0) {
        base = st->cursor_type;
        slot = &st->row_ntcursor;
        prep_slot = &st->row_ntcursor_prep;
    }
    else {
        PyErr_Format(PyExc_ValueError, "unknown row builder kind: '%s'",
                     kind);
        return NULL;
    }
    if (!PyType_IsSubtype((PyTypeObject *)cls, base)) {
        PyErr_Format(PyExc_TypeError, "a %s row class must subclass %s",
                     kind, base->tp_name);
        return NULL;
    }
    if (!PyCallable_Check(prep)) {
        PyErr_SetString(PyExc_TypeError, "prep must be callable");
        return NULL;
    }
    Py_XSETREF(*slot, Py_NewRef(cls));
    Py_XSETREF(*prep_slot, Py_NewRef(prep));
    Py_RETURN_NONE;
}

static PyMethodDef curs_module_methods[] = {
    {"_set_row_builder", (PyCFunction)curs_set_row_builder, METH_VARARGS,
     curs_set_row_builder_doc},
    {NULL, NULL, 0, NULL}};

/* The type is made whole with the tables of cursor_fetch.c and
 * cursor_copy.c (it is immutable). */
static PyMethodDef *const curs_all_methods[] = {
    curs_methods, curs_fetch_methods, curs_copy_methods,
    curs_callproc_methods, NULL};
static PyGetSetDef *const curs_all_getset[] = {curs_getset, NULL};

int
curs_setup(PyObject *module, module_state *st)
{
    if (mod_add_type_parts(module, &curs_spec, NULL, &st->cursor_type,
                           curs_all_methods, curs_all_getset) < 0)
        return -1;
    return PyModule_AddFunctions(module, curs_module_methods);
}
