/* cursor.callproc(): the SELECT * FROM name(...) query built from the
 * procedure name and its parameters (by position or by name), sent as
 * execute() sends a query: only in the encoding it was built with. */
#include "psycopg.h"
#include "module.h"
#include "connection.h"
#include "cursor.h"
#include "query.h"

#include <string.h>

PyDoc_STRVAR(curs_callproc_doc,
"callproc(procname, parameters=None) -- call a database function.");

/* Append a C string (as bytes) to a list of query parts. */
static int
curs_part(PyObject *parts, const char *s)
{
    PyObject *b = PyBytes_FromString(s);
    int r;
    if (b == NULL)
        return -1;
    r = PyList_Append(parts, b);
    Py_DECREF(b);
    return r;
}

/* The parts "key":=%s,... of a call with named arguments, and the list of
 * their values, as psycopg2 builds them (the quoted names are not escaped
 * for '%': psycopg2 doesn't either). */
static int
curs_callproc_named(cursorObject *self, PyObject *parts, PyObject *params,
                    PyObject **values)
{
    PyObject *items, *key, *kb = NULL;
    Py_ssize_t i, n;
    char *qname;
    int r = -1;

    if (!(items = PyDict_Items(params)))
        return -1;
    n = PyList_GET_SIZE(items);
    if (!(*values = PyList_New(n)))
        goto exit;
    for (i = 0; i < n; i++) {
        PyObject *item = PyList_GET_ITEM(items, i);
        key = PyTuple_GET_ITEM(item, 0);
        PyList_SET_ITEM(*values, i, Py_NewRef(PyTuple_GET_ITEM(item, 1)));
        if (PyUnicode_Check(key)) {
            if (!(kb = conn_encode(self->conn, key)))
                goto exit;
        }
        else if (PyBytes_Check(key)) {
            kb = Py_NewRef(key);
        }
        else {
            PyErr_Format(PyExc_TypeError,
                         "Expected bytes or unicode string, got %s instead",
                         Py_TYPE(key)->tp_name);
            goto exit;
        }
        qname = PQescapeIdentifier(self->conn->pgconn, PyBytes_AS_STRING(kb),
                                   strlen(PyBytes_AS_STRING(kb)));
        Py_CLEAR(kb);
        if (qname == NULL) {
            PyErr_SetString(self->conn->st->ProgrammingError,
                            "bad parameter name");
            goto exit;
        }
        r = (i ? curs_part(parts, ",") : 0);
        if (r == 0)
            r = curs_part(parts, qname);
        if (r == 0)
            r = curs_part(parts, ":=%s");
        PQfreemem(qname);
        if (r < 0)
            goto exit;
    }
    r = 0;
exit:
    Py_XDECREF(kb);
    Py_DECREF(items);
    return r;
}

/* SELECT * FROM name(%s,%s) or name("k":=%s,...), the parameters merged
 * in (new bytes, or NULL with an exception set). */
static PyObject *
curs_callproc_query(cursorObject *self, PyObject *name_b, PyObject *params,
                    int named)
{
    PyObject *parts = NULL, *empty = NULL, *q = NULL, *values = NULL;
    Py_ssize_t n, i;

    if (!(parts = PyList_New(0))
        || curs_part(parts, "SELECT * FROM ") < 0
        || PyList_Append(parts, name_b) < 0 || curs_part(parts, "(") < 0)
        goto exit;
    if (named) {
        if (curs_callproc_named(self, parts, params, &values) < 0)
            goto exit;
    }
    else if (params != Py_None) {
        if ((n = PyObject_Length(params)) < 0)
            goto exit;
        for (i = 0; i < n; i++)
            if (curs_part(parts, i ? ",%s" : "%s") < 0)
                goto exit;
    }
    if (curs_part(parts, ")") < 0 || !(empty = PyBytes_FromString(""))
        || !(q = PyObject_CallMethod(empty, "join", "O", parts)))
        goto exit;
    if (params != Py_None) {
        PyObject *merged = query_merge(self->conn, q,
                                       values ? values : params);
        Py_SETREF(q, merged);
        if (q == NULL) {
            query_error_set_cursor(self->conn, (PyObject *)self);
            Py_CLEAR(self->query); /* as psycopg2 */
        }
    }
exit:
    Py_XDECREF(values);
    Py_XDECREF(parts);
    Py_XDECREF(empty);
    return q;
}

static PyObject *
curs_callproc_impl(cursorObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"procname", "parameters", NULL};
    PyObject *procname, *params = Py_None, *name_b = NULL, *qenc = NULL;
    PyObject *q = NULL, *rv = NULL;
    int named, r = -1, attempt;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|O", kwlist, &procname,
                                     &params))
        return NULL;
    /* as psycopg2, the name is checked first: a str or bytes only (a
     * sql.Composable is refused with TypeError) */
    qenc = curs_query_enc(self);
    if (!(name_b = curs_bytes_arg(self, procname)))
        goto exit;
    if (curs_check_executable(self) < 0)
        goto exit;
    if (self->name) {
        PyErr_SetString(self->conn->st->ProgrammingError,
                        "can't call .callproc() on named cursors");
        query_error_set_cursor(self->conn, (PyObject *)self);
        goto exit;
    }
    /* as psycopg2: an empty dict is a call without arguments, returned */
    named = params != Py_None && PyDict_Check(params)
            && PyDict_GET_SIZE(params) > 0;
    /* as execute(): the query is sent only in the encoding it was built
     * with; if an adapter or another thread changed it meanwhile, it is
     * built once more (the name too) */
    for (attempt = 0; attempt < 2; attempt++) {
        if (attempt > 0) {
            Py_XSETREF(qenc, curs_query_enc(self));
            Py_SETREF(name_b, curs_bytes_arg(self, procname));
            if (name_b == NULL)
                goto exit;
        }
        if (!(q = curs_callproc_query(self, name_b, params, named)))
            goto exit;
        r = curs_exec_enc(self, q, 0, qenc);
        Py_CLEAR(q);
        if (r != CURS_ENC_CHANGED)
            break;
    }
    if (r == CURS_ENC_CHANGED)
        curs_raise_enc_changed(self);
    if (r < 0)
        goto exit;
    /* psycopg2 returns the parameters (None for a dict) */
    rv = Py_NewRef(named ? Py_None : params);
exit:
    Py_XDECREF(qenc);
    Py_XDECREF(name_b);
    return rv;
}

static PyObject *
curs_callproc(cursorObject *self, PyObject *args, PyObject *kwargs)
{
    connectionObject *conn;
    PyObject *rv;
    if (curs_check_init(self) < 0)
        return NULL;
    conn = curs_op_begin(self);
    rv = curs_callproc_impl(self, args, kwargs);
    curs_op_end(self, conn);
    return rv;
}

PyMethodDef curs_callproc_methods[] = {
    {"callproc", (PyCFunction)(void (*)(void))curs_callproc,
     METH_VARARGS | METH_KEYWORDS, curs_callproc_doc},
    {NULL}};
