/* The quote functions of the List (ARRAY[...]) and SQL_IN ((a, b))
 * adapters.
 *
 * Both quote their items through mp_getquoted() with the connection given
 * to their own prepare(), so the items are prepared too. */

#include "psycopg.h"
#include "module.h"
#include "connection.h"
#include "microprotocols.h"
#include "adapter_base.h"
#include "adapter_list.h"

#include <string.h>

/* One item of a literal as new bytes, or NULL. */
typedef PyObject *(*list_item_fn)(module_state *st, connectionObject *conn,
                                  PyObject *item, int depth);

/* open + the items of seq (a list or tuple) quoted by fn and joined by
 * sep + close.  The length is read again after each item: fn may run code
 * that changes a list. */
static PyObject *
list_join_items(module_state *st, connectionObject *conn, PyObject *seq,
                int depth, list_item_fn fn, const char *open,
                const char *sep, const char *close)
{
    PyObject *parts = NULL;
    PyObject *bsep = NULL;
    PyObject *joined = NULL;
    PyObject *rv = NULL;
    Py_ssize_t i;

    if (!(parts = PyList_New(0))) {
        goto exit;
    }
    for (i = 0; i < PySequence_Fast_GET_SIZE(seq); i++) {
        PyObject *item = Py_NewRef(PySequence_Fast_GET_ITEM(seq, i));
        PyObject *q = fn(st, conn, item, depth);
        int r;

        Py_DECREF(item);
        if (q == NULL) {
            goto exit;
        }
        r = PyList_Append(parts, q);
        Py_DECREF(q);
        if (r < 0) {
            goto exit;
        }
    }
    if (!(bsep = PyBytes_FromString(sep))
        || !(joined = PyObject_CallMethod(bsep, "join", "O", parts))) {
        goto exit;
    }
    rv = adapter_concat3(open, (Py_ssize_t)strlen(open),
                         PyBytes_AS_STRING(joined), PyBytes_GET_SIZE(joined),
                         close, (Py_ssize_t)strlen(close));

exit:
    Py_XDECREF(joined);
    Py_XDECREF(bsep);
    Py_XDECREF(parts);
    return rv;
}

/* 1 if lst is non-empty and holds only None and lists like that, 0 if not,
 * -1 on error (recursion too deep). */
static int
list_all_null(PyObject *lst)
{
    Py_ssize_t i, n = PyList_GET_SIZE(lst);
    int rv = 1;

    if (n == 0) {
        return 0;
    }
    if (Py_EnterRecursiveCall(" while adapting a list")) {
        return -1;
    }
    for (i = 0; i < PyList_GET_SIZE(lst) && rv == 1; i++) {
        PyObject *item = PyList_GET_ITEM(lst, i);
        if (item == Py_None) {
            continue;
        }
        if (PyList_Check(item)) {
            Py_INCREF(item);
            rv = list_all_null(item);
            Py_DECREF(item);
            continue;
        }
        rv = 0;
    }
    Py_LeaveRecursiveCall();
    return rv;
}

static PyObject *list_item_null(module_state *st, connectionObject *conn,
                                PyObject *item, int depth);
static PyObject *list_item_quoted(module_state *st, connectionObject *conn,
                                  PyObject *item, int depth);

/* An all-NULL array literal: '{NULL,{NULL,NULL}}' (quotes at the top). */
static PyObject *
list_nulls(PyObject *lst, int depth)
{
    PyObject *rv;

    if (Py_EnterRecursiveCall(" while adapting a list")) {
        return NULL;
    }
    rv = list_join_items(NULL, NULL, lst, depth, list_item_null,
                         depth ? "{" : "'{", ",", depth ? "}" : "}'");
    Py_LeaveRecursiveCall();
    return rv;
}

static PyObject *
list_item_null(module_state *st, connectionObject *conn, PyObject *item,
               int depth)
{
    if (PyList_Check(item)) {
        return list_nulls(item, depth + 1);
    }
    return PyBytes_FromStringAndSize("NULL", 4);
}

static PyObject *
list_quote(module_state *st, connectionObject *conn, PyObject *obj,
           int depth)
{
    PyObject *seq = NULL;
    PyObject *rv = NULL;
    int r;

    if (Py_EnterRecursiveCall(" while adapting a list")) {
        return NULL;
    }
    if (!(seq = PySequence_Fast(obj, "List adapter needs a sequence"))) {
        goto exit;
    }
    if (PySequence_Fast_GET_SIZE(seq) == 0) {
        rv = depth ? PyBytes_FromString("ARRAY[]")
                   : PyBytes_FromString("'{}'");
        goto exit;
    }
    if (depth == 0 && PyList_Check(seq)) {
        if ((r = list_all_null(seq)) < 0) {
            goto exit;
        }
        if (r) {
            rv = list_nulls(seq, 0);
            goto exit;
        }
    }
    rv = list_join_items(st, conn, seq, depth, list_item_quoted, "ARRAY[",
                         ",", "]");

exit:
    Py_LeaveRecursiveCall();
    Py_XDECREF(seq);
    return rv;
}

/* a nested list is an ARRAY[] of its own, anything else a value */
static PyObject *
list_item_quoted(module_state *st, connectionObject *conn, PyObject *item,
                 int depth)
{
    if (PyList_Check(item)) {
        return list_quote(st, conn, item, depth + 1);
    }
    return mp_getquoted(st, item, conn);
}

PyObject *
adapter_list_quote(module_state *st, connectionObject *conn, PyObject *obj,
                   adapterObject *a)
{
    return list_quote(st, conn, obj, 0);
}

/* ---- SQL_IN -------------------------------------------------------------- */

static PyObject *
list_item_value(module_state *st, connectionObject *conn, PyObject *item,
                int depth)
{
    return mp_getquoted(st, item, conn);
}

PyObject *
adapter_sql_in_quote(module_state *st, connectionObject *conn, PyObject *obj,
                     adapterObject *a)
{
    PyObject *seq;
    PyObject *rv;

    if (!(seq = PySequence_Fast(obj, "SQL_IN adapter needs a sequence"))) {
        return NULL;
    }
    rv = list_join_items(st, conn, seq, 0, list_item_value, "(", ", ", ")");
    Py_DECREF(seq);
    return rv;
}

/* psycopg2's str(SQL_IN(...)) is str() of the quoted bytes: "b'(1, 2)'" */
PyObject *
adapter_sql_in_str(PyObject *self)
{
    PyObject *q = PyObject_CallMethod(self, "getquoted", NULL);
    PyObject *rv;

    if (q == NULL) {
        return NULL;
    }
    rv = PyObject_Str(q);
    Py_DECREF(q);
    return rv;
}
