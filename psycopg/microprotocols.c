/* Adaptation: the adapter registry, adapt(), the ISQLQuote protocol and the
 * slots shared by every builtin adapter type.
 *
 * mp_getquoted() is the hot path of query merging: for the exact builtin
 * types (None, bool, int, float, str, bytes, bytearray, memoryview,
 * Decimal) whose registration is still the default adapter it writes the
 * literal directly, without creating an adapter object. */

#include "psycopg.h"
#include "module.h"
#include "connection.h"
#include "microprotocols.h"
#include "escape.h"
#include "adapter_builtins.h"
#include "adapter_string.h"
#include "adapter_numeric.h"
#include "adapter_binary.h"
#include "adapter_list.h"
#include "adapter_datetime.h"

#include <string.h>

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

PyObject *
mp_bytes_concat3(const char *a, Py_ssize_t alen, const char *b,
                 Py_ssize_t blen, const char *c, Py_ssize_t clen)
{
    PyObject *rv = NULL;
    char *p;

    if (blen > PY_SSIZE_T_MAX - alen - clen) {
        PyErr_NoMemory();
        return NULL;
    }
    if (!(rv = PyBytes_FromStringAndSize(NULL, alen + blen + clen))) {
        return NULL;
    }
    p = PyBytes_AS_STRING(rv);
    if (alen) {
        memcpy(p, a, (size_t)alen);
    }
    if (blen) {
        memcpy(p + alen, b, (size_t)blen);
    }
    if (clen) {
        memcpy(p + alen + blen, c, (size_t)clen);
    }
    return rv;
}

/* ---- slots shared by the adapter types ---------------------------------- */

int
mp_adapter_init(PyObject *self, PyObject *args, PyObject *kwargs)
{
    adapterObject *a = (adapterObject *)self;
    PyObject *wrapped;

    if (kwargs != NULL && PyDict_GET_SIZE(kwargs) != 0) {
        PyErr_Format(PyExc_TypeError, "%.200s() takes no keyword arguments",
                     Py_TYPE(self)->tp_name);
        return -1;
    }
    if (!PyArg_UnpackTuple(args, Py_TYPE(self)->tp_name, 1, 1, &wrapped)) {
        return -1;
    }
    Py_XSETREF(a->wrapped, Py_NewRef(wrapped));
    Py_CLEAR(a->buffer);
    return 0;
}

int
mp_adapter_traverse(PyObject *self, visitproc visit, void *arg)
{
    adapterObject *a = (adapterObject *)self;

    Py_VISIT(Py_TYPE(self));
    Py_VISIT(a->wrapped);
    Py_VISIT(a->conn);
    Py_VISIT(a->buffer);
    Py_VISIT(a->encoding);
    return 0;
}

int
mp_adapter_clear(PyObject *self)
{
    adapterObject *a = (adapterObject *)self;

    Py_CLEAR(a->wrapped);
    Py_CLEAR(a->conn);
    Py_CLEAR(a->buffer);
    Py_CLEAR(a->encoding);
    return 0;
}

void
mp_adapter_dealloc(PyObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);

    PyObject_GC_UnTrack(self);
    (void)mp_adapter_clear(self);
    tp->tp_free(self);
    Py_DECREF(tp);
}

PyObject *
mp_adapter_str(PyObject *self)
{
    adapterObject *a = (adapterObject *)self;
    PyObject *rv = NULL;
    PyObject *q = NULL;
    const char *enc = "utf-8";

    if (!(q = PyObject_CallMethod(self, "getquoted", NULL))) {
        goto exit;
    }
    if (PyUnicode_Check(q)) {
        rv = Py_NewRef(q);
        goto exit;
    }
    if (!PyBytes_Check(q)) {
        rv = PyObject_Str(q);
        goto exit;
    }
    if (a->encoding != NULL && PyUnicode_Check(a->encoding)) {
        if (!(enc = PyUnicode_AsUTF8(a->encoding))) {
            goto exit;
        }
    }
    rv = PyUnicode_Decode(PyBytes_AS_STRING(q), PyBytes_GET_SIZE(q), enc,
                          "replace");

exit:
    Py_XDECREF(q);
    return rv;
}

PyObject *
mp_adapter_conform(PyObject *self, PyObject *proto)
{
    module_state *st = mod_state_from_type(Py_TYPE(self));

    if (st != NULL && proto == (PyObject *)st->isqlquote_type) {
        return Py_NewRef(self);
    }
    Py_RETURN_NONE;
}

PyObject *
mp_adapter_prepare(PyObject *self, PyObject *conn)
{
    adapterObject *a = (adapterObject *)self;
    module_state *st = mod_state_from_type(Py_TYPE(self));
    connectionObject *c;

    if (st == NULL) {
        return NULL;
    }
    if (st->connection_type == NULL
        || !PyObject_TypeCheck(conn, st->connection_type)) {
        PyErr_Format(PyExc_TypeError,
                     "prepare() argument must be a connection, not %.200s",
                     Py_TYPE(conn)->tp_name);
        return NULL;
    }
    c = (connectionObject *)conn;
    /* QuotedString: from now on the connection encoding is used. */
    if (st->qstring_type != NULL
        && PyObject_TypeCheck(self, st->qstring_type) && c->pyenc != NULL) {
        PyObject *enc = PyUnicode_FromString(c->pyenc);
        if (enc == NULL) {
            return NULL;
        }
        Py_XSETREF(a->encoding, enc);
    }
    Py_XSETREF(a->conn, Py_NewRef(conn));
    Py_CLEAR(a->buffer);
    Py_RETURN_NONE;
}

PyMemberDef mp_adapter_members[] = {
    {"adapted", T_OBJECT, offsetof(adapterObject, wrapped), READONLY,
     "The object this adapter quotes."},
    {NULL}
};

/* ---- adapt() ------------------------------------------------------------- */

/* Call the registered adapter for (type, proto): 1 found (*out set, may be
 * NULL on error with -1), 0 not registered. */
static int
mp_lookup_call(module_state *st, PyObject *type, PyObject *proto,
               PyObject *obj, PyObject **out)
{
    PyObject *key = NULL;
    PyObject *adapter;
    int rv = -1;

    *out = NULL;
    if (!(key = PyTuple_Pack(2, type, proto))) {
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
mp_adapt(module_state *st, PyObject *obj, PyObject *proto, PyObject *alt)
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

    /* 5. the alternate, or the error */
    if (alt != NULL) {
        rv = Py_NewRef(alt);
        goto exit;
    }
    PyErr_Format(st->ProgrammingError, "can't adapt type '%.200s'",
                 Py_TYPE(obj)->tp_name);

exit:
    Py_XDECREF(meth);
    return rv;
}

/* ---- getquoted ----------------------------------------------------------- */

/* The default adapter type for an exact builtin type, or NULL. */
static inline PyTypeObject *
mp_default_adapter(module_state *st, PyTypeObject *t)
{
    if (t == &PyUnicode_Type) {
        return st->qstring_type;
    }
    if (t == &PyLong_Type) {
        return st->int_type;
    }
    if (t == &PyFloat_Type) {
        return st->float_type;
    }
    if (t == &PyBool_Type) {
        return st->boolean_type;
    }
    if (t == &PyBytes_Type || t == &PyByteArray_Type
        || t == &PyMemoryView_Type) {
        return st->binary_type;
    }
    if (st->Decimal != NULL && (PyObject *)t == st->Decimal) {
        return st->decimal_adapter_type;
    }
    return NULL;
}

int
mp_is_default_adapted(module_state *st, PyObject *obj)
{
    PyTypeObject *t = Py_TYPE(obj), *deflt;
    PyObject *key, *reg;
    if (obj == Py_None)
        return 1;
    if (!(deflt = mp_default_adapter(st, t)))
        return 0;
    if (!(key = PyTuple_Pack(2, (PyObject *)t,
                             (PyObject *)st->isqlquote_type)))
        return -1;
    reg = PyDict_GetItemWithError(st->adapters, key);
    Py_DECREF(key);
    if (reg == NULL)
        return PyErr_Occurred() ? -1 : 0;
    return reg == (PyObject *)deflt;
}

/* 1 and *out set (maybe NULL on error) if the fast path applied, else 0. */
static int
mp_fast_getquoted(module_state *st, PyObject *obj, connectionObject *conn,
                  PyObject **out)
{
    PyTypeObject *t = Py_TYPE(obj);
    PyTypeObject *deflt;
    PyObject *key = NULL;
    PyObject *reg;
    int rv = 0;

    *out = NULL;
    if (!(deflt = mp_default_adapter(st, t))) {
        return 0;
    }
    if (!(key = PyTuple_Pack(2, (PyObject *)t,
                             (PyObject *)st->isqlquote_type))) {
        rv = 1;
        goto exit;
    }
    reg = PyDict_GetItemWithError(st->adapters, key);
    if (reg == NULL) {
        rv = PyErr_Occurred() ? 1 : 0;
        goto exit;
    }
    if (reg != (PyObject *)deflt) {
        goto exit; /* overridden by register_adapter */
    }
    rv = 1;
    if (deflt == st->qstring_type) {
        *out = escape_quote_text(st, conn, obj, NULL);
    }
    else if (deflt == st->int_type) {
        *out = adapter_int_quote(obj);
    }
    else if (deflt == st->float_type) {
        *out = adapter_float_quote(obj);
    }
    else if (deflt == st->boolean_type) {
        *out = adapter_bool_quote(obj);
    }
    else if (deflt == st->binary_type) {
        *out = adapter_binary_quote(st, conn, obj);
    }
    else {
        *out = adapter_decimal_quote(obj);
    }

exit:
    Py_XDECREF(key);
    return rv;
}

PyObject *
mp_getquoted(module_state *st, PyObject *obj, connectionObject *conn)
{
    PyObject *rv = NULL;
    PyObject *adapter = NULL;
    PyObject *meth = NULL;
    PyObject *tmp = NULL;
    PyObject *q = NULL;
    int r;

    if (obj == Py_None) {
        return PyBytes_FromStringAndSize("NULL", 4);
    }
    if (mp_fast_getquoted(st, obj, conn, &rv)) {
        return rv;
    }

    if (!(adapter = mp_adapt(st, obj, NULL, NULL))) {
        goto exit;
    }
    if (conn != NULL) {
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
mp_quote_bytes(module_state *st, const char *s, Py_ssize_t len,
               connectionObject *conn)
{
    return escape_string_literal(st, conn, s, len);
}

/* ---- module functions ---------------------------------------------------- */

PyDoc_STRVAR(mp_adapt_doc,
"adapt(obj, protocol=ISQLQuote, alternate=None) -> adapter\n\n"
"Return the object adapting obj to protocol: the adapter registered for\n"
"type(obj), protocol.__adapt__(obj), obj.__conform__(protocol), or the\n"
"adapter of a superclass; alternate (if given) instead of raising\n"
"ProgrammingError.");

static PyObject *
mp_adapt_func(PyObject *module, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"obj", "protocol", "alternate", NULL};
    module_state *st = mod_state(module);
    PyObject *obj;
    PyObject *proto = NULL;
    PyObject *alt = NULL;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|OO:adapt", kwlist,
                                     &obj, &proto, &alt)) {
        return NULL;
    }
    if (alt == Py_None) {
        alt = NULL;
    }
    return mp_adapt(st, obj, proto, alt);
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
    {"adapt", (PyCFunction)(void (*)(void))mp_adapt_func,
     METH_VARARGS | METH_KEYWORDS, mp_adapt_doc},
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
    if (adapter_string_setup(module, st) < 0
        || adapter_numeric_setup(module, st) < 0
        || adapter_binary_setup(module, st) < 0
        || adapter_list_setup(module, st) < 0
        || adapter_datetime_setup(module, st) < 0) {
        return -1;
    }
    if (mp_add_functions_once(module, mp_module_methods) < 0
        || mp_add_functions_once(module, adapter_datetime_methods) < 0) {
        return -1;
    }
    return adapter_builtins_register(module, st);
}
