/* List (ARRAY[...]) and SQL_IN ((a, b)) adapters.
 *
 * Both quote their items through mp_getquoted() with the connection given
 * to their own prepare(), so the items are prepared too. */

#include "psycopg.h"
#include "module.h"
#include "connection.h"
#include "microprotocols.h"
#include "adapter_list.h"

/* b"".join(parts) with a separator */
static PyObject *
list_join(const char *sep, PyObject *parts)
{
    PyObject *bsep = NULL;
    PyObject *rv = NULL;

    if (!(bsep = PyBytes_FromString(sep))) {
        goto exit;
    }
    rv = PyObject_CallMethod(bsep, "join", "O", parts);

exit:
    Py_XDECREF(bsep);
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

/* The body of an all-NULL array literal: {NULL,{NULL,NULL}} */
static PyObject *
list_nulls_body(PyObject *lst)
{
    PyObject *parts = NULL;
    PyObject *joined = NULL;
    PyObject *rv = NULL;
    Py_ssize_t i;

    if (Py_EnterRecursiveCall(" while adapting a list")) {
        return NULL;
    }
    if (!(parts = PyList_New(0))) {
        goto exit;
    }
    for (i = 0; i < PyList_GET_SIZE(lst); i++) {
        PyObject *item = PyList_GET_ITEM(lst, i);
        PyObject *q;
        int r;
        if (PyList_Check(item)) {
            Py_INCREF(item);
            q = list_nulls_body(item);
            Py_DECREF(item);
        }
        else {
            q = PyBytes_FromString("NULL");
        }
        if (q == NULL) {
            goto exit;
        }
        r = PyList_Append(parts, q);
        Py_DECREF(q);
        if (r < 0) {
            goto exit;
        }
    }
    if (!(joined = list_join(",", parts))) {
        goto exit;
    }
    rv = mp_bytes_concat3("{", 1, PyBytes_AS_STRING(joined),
                          PyBytes_GET_SIZE(joined), "}", 1);

exit:
    Py_LeaveRecursiveCall();
    Py_XDECREF(joined);
    Py_XDECREF(parts);
    return rv;
}

static PyObject *
list_quote(module_state *st, connectionObject *conn, PyObject *obj,
           int depth)
{
    PyObject *seq = NULL;
    PyObject *parts = NULL;
    PyObject *joined = NULL;
    PyObject *body = NULL;
    PyObject *rv = NULL;
    Py_ssize_t i, n;
    int r;

    if (Py_EnterRecursiveCall(" while adapting a list")) {
        return NULL;
    }
    if (!(seq = PySequence_Fast(obj, "List adapter needs a sequence"))) {
        goto exit;
    }
    n = PySequence_Fast_GET_SIZE(seq);
    if (n == 0) {
        rv = depth ? PyBytes_FromString("ARRAY[]")
                   : PyBytes_FromString("'{}'");
        goto exit;
    }
    if (depth == 0 && PyList_Check(seq)) {
        if ((r = list_all_null(seq)) < 0) {
            goto exit;
        }
        if (r) {
            if (!(body = list_nulls_body(seq))) {
                goto exit;
            }
            rv = mp_bytes_concat3("'", 1, PyBytes_AS_STRING(body),
                                  PyBytes_GET_SIZE(body), "'", 1);
            goto exit;
        }
    }
    if (!(parts = PyList_New(0))) {
        goto exit;
    }
    for (i = 0; i < PySequence_Fast_GET_SIZE(seq); i++) {
        PyObject *item = PySequence_Fast_GET_ITEM(seq, i);
        PyObject *q;
        Py_INCREF(item);
        if (PyList_Check(item)) {
            q = list_quote(st, conn, item, depth + 1);
        }
        else {
            q = mp_getquoted(st, item, conn);
        }
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
    if (!(joined = list_join(",", parts))) {
        goto exit;
    }
    rv = mp_bytes_concat3("ARRAY[", 6, PyBytes_AS_STRING(joined),
                          PyBytes_GET_SIZE(joined), "]", 1);

exit:
    Py_LeaveRecursiveCall();
    Py_XDECREF(body);
    Py_XDECREF(joined);
    Py_XDECREF(parts);
    Py_XDECREF(seq);
    return rv;
}

PyDoc_STRVAR(list_getquoted_doc,
"getquoted() -> bytes: ARRAY[...] of the quoted items, '{}' when empty,\n"
"'{NULL,...}' when every item is None.");

static PyObject *
list_getquoted(PyObject *self, PyObject *args)
{
    adapterObject *a = (adapterObject *)self;
    module_state *st = mod_state_from_type(Py_TYPE(self));

    if (st == NULL) {
        return NULL;
    }
    return list_quote(st, mp_adapter_conn(a), mp_adapter_wrapped(a), 0);
}

static PyMethodDef list_methods[] = {
    {"getquoted", list_getquoted, METH_NOARGS, list_getquoted_doc},
    MP_ADAPTER_PREPARE_METHOD,
    MP_ADAPTER_CONFORM_METHOD,
    {NULL}
};

PyDoc_STRVAR(list_doc, "List(list) -> adapter quoting a list as an array.");

static PyType_Slot list_slots[] = {
    {Py_tp_doc, (void *)list_doc},
    {Py_tp_new, PyType_GenericNew},
    {Py_tp_init, mp_adapter_init},
    {Py_tp_dealloc, mp_adapter_dealloc},
    {Py_tp_traverse, mp_adapter_traverse},
    {Py_tp_clear, mp_adapter_clear},
    {Py_tp_str, mp_adapter_str},
    {Py_tp_methods, list_methods},
    {Py_tp_members, mp_adapter_members},
    {0, NULL}
};

static PyType_Spec list_spec = {
    .name = "psycopg2._psycopg.List",
    .basicsize = sizeof(adapterObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .slots = list_slots,
};

/* ---- SQL_IN -------------------------------------------------------------- */

PyDoc_STRVAR(sql_in_getquoted_doc,
"getquoted() -> bytes: (a, b, c) with every item quoted.");

static PyObject *
sql_in_getquoted(PyObject *self, PyObject *args)
{
    adapterObject *a = (adapterObject *)self;
    module_state *st = mod_state_from_type(Py_TYPE(self));
    PyObject *seq = NULL;
    PyObject *parts = NULL;
    PyObject *joined = NULL;
    PyObject *rv = NULL;
    Py_ssize_t i;

    if (st == NULL) {
        goto exit;
    }
    if (!(seq = PySequence_Fast(mp_adapter_wrapped(a),
                                "SQL_IN adapter needs a sequence"))) {
        goto exit;
    }
    if (!(parts = PyList_New(0))) {
        goto exit;
    }
    for (i = 0; i < PySequence_Fast_GET_SIZE(seq); i++) {
        PyObject *item = PySequence_Fast_GET_ITEM(seq, i);
        PyObject *q;
        int r;
        Py_INCREF(item);
        q = mp_getquoted(st, item, mp_adapter_conn(a));
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
    if (!(joined = list_join(", ", parts))) {
        goto exit;
    }
    rv = mp_bytes_concat3("(", 1, PyBytes_AS_STRING(joined),
                          PyBytes_GET_SIZE(joined), ")", 1);

exit:
    Py_XDECREF(joined);
    Py_XDECREF(parts);
    Py_XDECREF(seq);
    return rv;
}

static PyMethodDef sql_in_methods[] = {
    {"getquoted", sql_in_getquoted, METH_NOARGS, sql_in_getquoted_doc},
    MP_ADAPTER_PREPARE_METHOD,
    MP_ADAPTER_CONFORM_METHOD,
    {NULL}
};

PyDoc_STRVAR(sql_in_doc,
"SQL_IN(seq) -> adapter quoting a sequence as (a, b, c).");

/* psycopg2's str(SQL_IN(...)) is str() of the quoted bytes: "b'(1, 2)'" */
static PyObject *
sql_in_str(PyObject *self)
{
    PyObject *q = PyObject_CallMethod(self, "getquoted", NULL), *rv;
    if (q == NULL)
        return NULL;
    rv = PyObject_Str(q);
    Py_DECREF(q);
    return rv;
}

static PyType_Slot sql_in_slots[] = {
    {Py_tp_doc, (void *)sql_in_doc},
    {Py_tp_new, PyType_GenericNew},
    {Py_tp_init, mp_adapter_init},
    {Py_tp_dealloc, mp_adapter_dealloc},
    {Py_tp_traverse, mp_adapter_traverse},
    {Py_tp_clear, mp_adapter_clear},
    {Py_tp_str, sql_in_str},
    {Py_tp_methods, sql_in_methods},
    {Py_tp_members, mp_adapter_members},
    {0, NULL}
};

static PyType_Spec sql_in_spec = {
    .name = "psycopg2.extensions.SQL_IN",
    .basicsize = sizeof(adapterObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .slots = sql_in_slots,
};

int
adapter_list_setup(PyObject *module, module_state *st)
{
    if (mod_add_type(module, &list_spec, NULL, &st->list_type) < 0
        || mod_add_type(module, &sql_in_spec, NULL, &st->sql_in_type) < 0) {
        return -1;
    }
    return 0;
}
