/* Adaptation: the adapter registry, adapt() and the ISQLQuote protocol.
 * The builtin adapter types are in adapter_builtins.c.
 *
 * mp_getquoted() is the hot path of query merging: for the exact builtin
 * types whose row is ADAPTER_FAST (bool, int, float, str, bytes, bytearray,
 * memoryview, Decimal, date, time, datetime, timedelta) and whose
 * registration is still the default adapter it calls the row's quote
 * function directly, without creating an adapter object. */

#include "psycopg.h"
#include "module.h"
#include "connection.h"
#include "microprotocols.h"
#include "adapter_base.h"
#include "adapter_builtins.h"
#include "adapter_datetime.h"

/* Look up an attribute that may be missing: 1 found (*out new ref),
 * 0 missing, -1 error. */
static int
mp_optional_attr(PyObject *obj, const char *name, PyObject **out)
{
#if PY_VERSION_HEX >= 0x030d0000
    return PyObject_GetOptionalAttrString(obj, name, out);
#else
    *out = PyObject_GetAttrString(obj, name);
    if (*out != NULL) {
        return 1;
    }
    if (PyErr_ExceptionMatches(PyExc_AttributeError)) {
        PyErr_Clear();
        return 0;
    }
    return -1;
#endif
}

/* ---- adapt() ------------------------------------------------------------- */

/* The default registration of an exact type, or NULL. */
static inline const adapter_default *
mp_default_of(module_state *st, PyTypeObject *t)
{
    const adapter_default *e = st->adapter_defaults;
    const adapter_default *end = e + st->adapter_ndefaults;

    for (; e < end; e++) {
        if (e->pytype == t) {
            return e;
        }
    }
    return NULL;
}

/* Call the registered adapter for (type, proto): 1 found (*out set, may be
 * NULL on error with -1), 0 not registered. */
static int
mp_lookup_call(module_state *st, PyObject *type, PyObject *proto,
               PyObject *obj, PyObject **out)
{
    const adapter_default *e;
    PyObject *key = NULL;
    PyObject *adapter;
    int rv = -1;

    *out = NULL;
    /* a builtin type's key exists already: no tuple to make */
    if (proto == (PyObject *)st->isqlquote_type
        && (e = mp_default_of(st, (PyTypeObject *)type)) != NULL) {
        key = Py_NewRef(e->key);
    }
    else if (!(key = PyTuple_Pack(2, type, proto))) {
        goto exit;
    }
    if (!(adapter = PyDict_GetItemWithError(st->adapters, key))) {
        rv = PyErr_Occurred() ? -1 : 0;
        goto exit;
    }
    Py_INCREF(adapter);
    *out = PyObject_CallOneArg(adapter, obj);
    Py_DECREF(adapter);
    rv = *out ? 1 : -1;

exit:
    Py_XDECREF(key);
    return rv;
}

PyObject *
mp_adapt(module_state *st, PyObject *obj, PyObject *proto)
{
    PyObject *rv = NULL;
    PyObject *meth = NULL;
    PyObject *mro;
    Py_ssize_t i;
    int r;

    if (proto == NULL) {
        proto = (PyObject *)st->isqlquote_type;
    }

    /* 1. the exact type */
    r = mp_lookup_call(st, (PyObject *)Py_TYPE(obj), proto, obj, &rv);
    if (r != 0) {
        goto exit;
    }

    /* 2. proto.__adapt__(obj) */
    if ((r = mp_optional_attr(proto, "__adapt__", &meth)) < 0) {
        goto exit;
    }
    if (r) {
        if (!(rv = PyObject_CallOneArg(meth, obj))) {
            goto exit;
        }
        if (rv != Py_None) {
            goto exit;
        }
        Py_CLEAR(rv);
        Py_CLEAR(meth);
    }

    /* 3. obj.__conform__(proto) */
    if ((r = mp_optional_attr(obj, "__conform__", &meth)) < 0) {
        goto exit;
    }
    if (r) {
        if (!(rv = PyObject_CallOneArg(meth, proto))) {
            goto exit;
        }
        if (rv != Py_None) {
            goto exit;
        }
        Py_CLEAR(rv);
        Py_CLEAR(meth);
    }

    /* 4. the superclasses, in MRO order */
    mro = Py_TYPE(obj)->tp_mro;
    if (mro != NULL && PyTuple_Check(mro)) {
        Py_INCREF(mro);
        for (i = 1; i < PyTuple_GET_SIZE(mro); i++) {
            r = mp_lookup_call(st, PyTuple_GET_ITEM(mro, i), proto, obj, &rv);
            if (r != 0) {
                break;
            }
        }
        Py_DECREF(mro);
        if (r != 0) {
            goto exit;
        }
    }

    /* 5. the error */
    PyErr_Format(st->ProgrammingError, "can't adapt type '%.200s'",
                 Py_TYPE(obj)->tp_name);

exit:
    Py_XDECREF(meth);
    return rv;
}

/* ---- getquoted ----------------------------------------------------------- */

/* 1 if obj's exact type is quoted directly by its row (its default adapter
 * is still the registered one), with *out set; 0 if not; -1 on error. */
static inline int
mp_direct(module_state *st, PyObject *obj, const adapter_default **out)
{
    const adapter_default *e = mp_default_of(st, Py_TYPE(obj));
    PyObject *reg;

    if (e == NULL || !e->direct) {
        return 0;
    }
    /* the key object is the one in the dict: found by identity */
    if (!(reg = PyDict_GetItemWithError(st->adapters, e->key))) {
        return PyErr_Occurred() ? -1 : 0;
    }
    *out = e;
    return reg == e->adapter;
}

int
mp_is_default_adapted(module_state *st, PyObject *obj)
{
    const adapter_default *e;

    if (obj == Py_None) {
        return 1;
    }
    return mp_direct(st, obj, &e);
}

int
mp_is_default_adapted_memo(module_state *st, PyObject *obj,
                           mp_default_memo *memo)
{
    PyTypeObject *t = Py_TYPE(obj);
    const adapter_default *e;
    int i, r;

    if (obj == Py_None) {
        return 1;
    }
    for (i = 0; i < memo->n; i++) {
        if (memo->types[i] == t) {
            return memo->direct[i];
        }
    }
    if ((r = mp_direct(st, obj, &e)) < 0) {
        return -1;
    }
    /* only the table's types: they outlive the call */
    if (memo->n < MP_DEFAULT_MEMO_SIZE && mp_default_of(st, t) != NULL) {
        memo->types[memo->n] = t;
        memo->direct[memo->n] = (signed char)r;
        memo->n++;
    }
    return r;
}

PyObject *
mp_getquoted(module_state *st, PyObject *obj, connectionObject *conn)
{
    PyObject *rv = NULL;
    PyObject *adapter = NULL;
    PyObject *meth = NULL;
    PyObject *tmp = NULL;
    PyObject *q = NULL;
    const adapter_default *e;
    int r;

    if (obj == Py_None) {
        return PyBytes_FromStringAndSize("NULL", 4);
    }
    if ((r = mp_direct(st, obj, &e)) != 0) {
        return r < 0 ? NULL : e->def->quote(st, conn, obj, NULL);
    }

    if (!(adapter = mp_adapt(st, obj, NULL))) {
        goto exit;
    }
    /* a builtin adapter without prepare() (AsIs, Int...: what user
     * adapters often return) need not raise and clear AttributeError */
    if (conn != NULL && !adapter_lacks(adapter, ADAPTER_PREPARE)) {
        if ((r = mp_optional_attr(adapter, "prepare", &meth)) < 0) {
            goto exit;
        }
        if (r) {
            if (!(tmp = PyObject_CallOneArg(meth, (PyObject *)conn))) {
                goto exit;
            }
        }
    }
    if (!(q = PyObject_CallMethod(adapter, "getquoted", NULL))) {
        goto exit;
    }
    if (PyBytes_Check(q)) {
        rv = Py_NewRef(q);
    }
    else if (PyUnicode_Check(q)) {
        if (conn != NULL) {
            rv = conn_encode(conn, q);
        }
        else {
            rv = PyUnicode_AsUTF8String(q);
        }
    }
    else {
        PyErr_Format(PyExc_TypeError,
                     "getquoted() of %.200s must return bytes or str, "
                     "not %.200s", Py_TYPE(adapter)->tp_name,
                     Py_TYPE(q)->tp_name);
    }

exit:
    Py_XDECREF(q);
    Py_XDECREF(tmp);
    Py_XDECREF(meth);
    Py_XDECREF(adapter);
    return rv;
}

PyObject *
mp_getquoted_memo(module_state *st, PyObject *obj, connectionObject *conn,
                  mp_default_memo *memo)
{
    const adapter_default *e;
    PyObject *rv;
    int r;

    if (memo == NULL || obj == Py_None) {
        return mp_getquoted(st, obj, conn);
    }
    if ((r = mp_is_default_adapted_memo(st, obj, memo)) < 0) {
        return NULL;
    }
    if (r > 0 && (e = mp_default_of(st, Py_TYPE(obj))) != NULL) {
        rv = e->def->quote(st, conn, obj, NULL);
        /* a str encoded by a codec other than UTF-8's: maybe Python */
        if (PyUnicode_Check(obj) && (conn == NULL || !conn->is_utf8)) {
            mp_default_memo_clear(memo);
        }
        return rv;
    }
    rv = mp_getquoted(st, obj, conn); /* adapters: Python code */
    mp_default_memo_clear(memo);
    return rv;
}

/* ---- module functions ---------------------------------------------------- */

PyDoc_STRVAR(mp_adapt_doc,
"adapt(obj, protocol=ISQLQuote, alternate=None) -> adapter\n\n"
"Return the object adapting obj to protocol: the adapter registered for\n"
"type(obj), protocol.__adapt__(obj), obj.__conform__(protocol), or the\n"
"adapter of a superclass.  ProgrammingError if none: alternate is\n"
"accepted and ignored, as psycopg2 does.");

static PyObject *
mp_adapt_func(PyObject *module, PyObject *args)
{
    module_state *st = mod_state(module);
    PyObject *obj;
    PyObject *proto = NULL;
    PyObject *alt = NULL;

    /* psycopg2's argument errors: positional only */
    if (!PyArg_ParseTuple(args, "O|OO", &obj, &proto, &alt)) {
        return NULL;
    }
    return mp_adapt(st, obj, proto);
}

PyDoc_STRVAR(mp_register_adapter_doc,
"register_adapter(type, adapter) -> None\n\n"
"Use adapter(obj) to adapt the objects of type (and, unless a closer\n"
"registration exists, of its subclasses).  Replaces any previous one.");

static PyObject *
mp_register_adapter_func(PyObject *module, PyObject *args)
{
    module_state *st = mod_state(module);
    PyObject *type;
    PyObject *adapter;
    PyObject *key = NULL;
    PyObject *rv = NULL;

    if (!PyArg_ParseTuple(args, "OO:register_adapter", &type, &adapter)) {
        goto exit;
    }
    if (!(key = PyTuple_Pack(2, type, (PyObject *)st->isqlquote_type))) {
        goto exit;
    }
    if (PyDict_SetItem(st->adapters, key, adapter) < 0) {
        goto exit;
    }
    rv = Py_NewRef(Py_None);

exit:
    Py_XDECREF(key);
    return rv;
}

PyMethodDef mp_module_methods[] = {
    {"adapt", mp_adapt_func, METH_VARARGS, mp_adapt_doc},
    {"register_adapter", (PyCFunction)mp_register_adapter_func, METH_VARARGS,
     mp_register_adapter_doc},
    {NULL}
};

/* ---- setup --------------------------------------------------------------- */

/* Add a method table unless module.c already did (probe one name). */
static int
mp_add_functions_once(PyObject *module, PyMethodDef *defs)
{
    PyObject *d = PyModule_GetDict(module);
    PyObject *found;

    if (d == NULL) {
        return -1;
    }
    found = PyDict_GetItemString(d, defs[0].ml_name);
    if (found != NULL) {
        return 0;
    }
    return PyModule_AddFunctions(module, defs);
}

int
mp_setup(PyObject *module, module_state *st)
{
    if (!(st->adapters = PyDict_New())) {
        return -1;
    }
    if (PyModule_AddObjectRef(module, "adapters", st->adapters) < 0) {
        return -1;
    }
    /* the registrations of the date/time types are module functions */
    if (mp_add_functions_once(module, mp_module_methods) < 0
        || mp_add_functions_once(module, adapter_datetime_methods) < 0) {
        return -1;
    }
    return adapter_builtins_setup(module, st);
}
