/* The shared base of the builtin adapter types.
 *
 * Every builtin adapter type is made by adapter_type_create() from its row
 * in adapter_builtins.c: the slots, the methods getquoted(), prepare() and
 * __conform__() and the member `adapted` are the ones below, so a row only
 * says what its type does differently.  The types have no common Python
 * base class: psycopg2's derive from object directly. */

#include "psycopg.h"
#include "module.h"
#include "connection.h"
#include "adapter_base.h"
#include "adapter_builtins.h"

#include <string.h>

PyObject *
adapter_concat3(const char *a, Py_ssize_t alen, const char *b,
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

/* ---- slots --------------------------------------------------------------- */

PyObject *
adapter_alloc(PyTypeObject *type)
{
    module_state *st = mod_state_from_type(type);
    const adapter_def *def;
    adapterObject *a;

    if (st == NULL || !(def = adapter_builtins_def_of(st, type))) {
        return NULL;
    }
    if (!(a = (adapterObject *)type->tp_alloc(type, 0))) {
        return NULL;
    }
    a->def = def;
    a->st = st;
    return (PyObject *)a;
}

static PyObject *
adapter_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    return adapter_alloc(type);
}

int
adapter_init(PyObject *self, PyObject *args, PyObject *kwargs)
{
    adapterObject *a = (adapterObject *)self;

    /* as psycopg2: exactly one positional argument, keywords ignored */
    if (PyTuple_GET_SIZE(args) != 1) {
        PyErr_Format(PyExc_TypeError,
                     "function takes exactly 1 argument (%zd given)",
                     PyTuple_GET_SIZE(args));
        return -1;
    }
    Py_XSETREF(a->wrapped, Py_NewRef(PyTuple_GET_ITEM(args, 0)));
    Py_CLEAR(a->buffer);
    return 0;
}

static int
adapter_traverse(PyObject *self, visitproc visit, void *arg)
{
    adapterObject *a = (adapterObject *)self;

    Py_VISIT(Py_TYPE(self));
    Py_VISIT(a->wrapped);
    Py_VISIT(a->conn);
    Py_VISIT(a->buffer);
    Py_VISIT(a->encoding);
    return 0;
}

static int
adapter_clear(PyObject *self)
{
    adapterObject *a = (adapterObject *)self;

    Py_CLEAR(a->wrapped);
    Py_CLEAR(a->conn);
    Py_CLEAR(a->buffer);
    Py_CLEAR(a->encoding);
    return 0;
}

static void
adapter_dealloc(PyObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);

    PyObject_GC_UnTrack(self);
    (void)adapter_clear(self);
    tp->tp_free(self);
    Py_DECREF(tp);
}

int
adapter_lacks(PyObject *obj, unsigned flags)
{
    adapterObject *a = (adapterObject *)obj;

    /* a subclass made in Python has subtype_dealloc; a mutable type may
     * have been given anything */
    return Py_TYPE(obj)->tp_dealloc == adapter_dealloc
           && !(a->def->flags & (flags | ADAPTER_MUTABLE));
}

/* str(): getquoted() decoded with the adapter's encoding (utf-8). */
static PyObject *
adapter_str(PyObject *self)
{
    adapterObject *a = (adapterObject *)self;
    PyObject *rv = NULL;
    PyObject *q = NULL;
    PyObject *enc = NULL;
    const char *encname = "utf-8";

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
    /* held: a codec may run code that sets another encoding */
    if (a->encoding != NULL && PyUnicode_Check(a->encoding)) {
        enc = Py_NewRef(a->encoding);
        if (!(encname = PyUnicode_AsUTF8(enc))) {
            goto exit;
        }
    }
    rv = PyUnicode_Decode(PyBytes_AS_STRING(q), PyBytes_GET_SIZE(q), encname,
                          "replace");

exit:
    Py_XDECREF(enc);
    Py_XDECREF(q);
    return rv;
}

/* ---- methods ------------------------------------------------------------- */

PyDoc_STRVAR(adapter_getquoted_doc,
"getquoted() -> bytes: the adapted object as an SQL literal.");

static PyObject *
adapter_getquoted(PyObject *self, PyObject *unused)
{
    adapterObject *a = (adapterObject *)self;
    const adapter_def *def = a->def;
    PyObject *conn;
    PyObject *obj;
    PyObject *rv;

    if (a->buffer != NULL) {
        return Py_NewRef(a->buffer);
    }
    if (def == NULL || def->quote == NULL) {
        PyErr_SetString(PyExc_TypeError, "adapter without a quote function");
        return NULL;
    }
    /* held: quoting may run code that calls prepare() or __init__ again */
    conn = Py_XNewRef(a->conn);
    obj = Py_NewRef(adapter_wrapped(a));
    rv = def->quote(a->st, (connectionObject *)conn, obj, a);
    Py_DECREF(obj);
    Py_XDECREF(conn);
    if (rv != NULL && (def->flags & ADAPTER_CACHE)) {
        Py_XSETREF(a->buffer, Py_NewRef(rv));
    }
    return rv;
}

PyDoc_STRVAR(adapter_prepare_doc,
"prepare(conn) -> None: quote for this connection from now on.");

static PyObject *
adapter_prepare(PyObject *self, PyObject *args)
{
    adapterObject *a = (adapterObject *)self;
    connectionObject *c;
    PyObject *conn;

    if (!PyArg_ParseTuple(args, "O", &conn)) {
        return NULL;
    }
    if (a->st->connection_type == NULL) {   /* the module was cleared */
        PyErr_SetString(PyExc_TypeError, "psycopg2 is shut down");
        return NULL;
    }
    if (!PyObject_TypeCheck(conn, a->st->connection_type)) {
        /* psycopg2's text */
        PyErr_Format(PyExc_TypeError, "argument 1 must be %.200s, not %.200s",
                     a->st->connection_type->tp_name,
                     conn == Py_None ? "None" : Py_TYPE(conn)->tp_name);
        return NULL;
    }
    c = (connectionObject *)conn;
    /* QuotedString: from now on the connection's codec (a str inside the
     * connection's encoding tuple: no allocation, nothing borrowed) */
    if ((a->def->flags & ADAPTER_ENCODING) && c->enc_obj != NULL) {
        Py_XSETREF(a->encoding, Py_NewRef(PyTuple_GET_ITEM(c->enc_obj, 1)));
    }
    Py_XSETREF(a->conn, Py_NewRef(conn));
    Py_CLEAR(a->buffer);
    Py_RETURN_NONE;
}

PyDoc_STRVAR(adapter_conform_doc,
"__conform__(proto) -> self if proto is ISQLQuote, else None.");

static PyObject *
adapter_conform(PyObject *self, PyObject *args)
{
    adapterObject *a = (adapterObject *)self;
    PyObject *proto;

    if (!PyArg_ParseTuple(args, "O", &proto)) {
        return NULL;
    }
    if (proto == (PyObject *)a->st->isqlquote_type) {
        return Py_NewRef(self);
    }
    Py_RETURN_NONE;
}

#define ADAPTER_GETQUOTED_METHOD                                           \
    {"getquoted", adapter_getquoted, METH_NOARGS, adapter_getquoted_doc}
#define ADAPTER_CONFORM_METHOD                                             \
    {"__conform__", adapter_conform, METH_VARARGS, adapter_conform_doc}

static PyMethodDef adapter_methods[] = {
    ADAPTER_GETQUOTED_METHOD,
    ADAPTER_CONFORM_METHOD,
    {NULL}
};

static PyMethodDef adapter_methods_prepare[] = {
    ADAPTER_GETQUOTED_METHOD,
    {"prepare", adapter_prepare, METH_VARARGS, adapter_prepare_doc},
    ADAPTER_CONFORM_METHOD,
    {NULL}
};

static PyMemberDef adapter_members[] = {
    {"adapted", T_OBJECT, offsetof(adapterObject, wrapped), READONLY,
     "The object this adapter quotes."},
    {NULL}
};

PyDoc_STRVAR(adapter_reduce_doc,
"__reduce__() -> (type, (adapted,)): for pickle.");

/* Only the types that are Python classes in psycopg2 can be pickled: the
 * others refuse as psycopg2's C types do. */
static PyObject *
adapter_reduce(PyObject *self, PyObject *unused)
{
    return Py_BuildValue("(O(O))", (PyObject *)Py_TYPE(self),
                         adapter_wrapped((adapterObject *)self));
}

static PyMethodDef adapter_reduce_def = {
    "__reduce__", adapter_reduce, METH_NOARGS, adapter_reduce_doc};

PyObject *
adapter_get_buffer(PyObject *self, void *closure)
{
    adapterObject *a = (adapterObject *)self;

    return Py_NewRef(a->buffer ? a->buffer : Py_None);
}

/* ---- the type of a row --------------------------------------------------- */

/* type.__reduce__, set after the type is made (a mutable one) */
static int
adapter_add_reduce(PyTypeObject *type)
{
    PyObject *descr = PyDescr_NewMethod(type, &adapter_reduce_def);
    int rv;

    if (descr == NULL) {
        return -1;
    }
    rv = PyObject_SetAttrString((PyObject *)type, "__reduce__", descr);
    Py_DECREF(descr);
    return rv;
}

int
adapter_type_create(PyObject *module, module_state *st,
                    const adapter_def *def)
{
    PyTypeObject **slot = (PyTypeObject **)((char *)st + def->slot);
    PyType_Slot slots[12];
    PyType_Spec spec;
    PyObject *type;
    int n = 0;

    /* PyType_FromSpec copies the doc, reads the slots during the call and
     * keeps pointers only to what is static: name, methods, getset */
    slots[n++] = (PyType_Slot){Py_tp_doc, (void *)def->doc};
    slots[n++] = (PyType_Slot){Py_tp_new, (void *)adapter_new};
    slots[n++] = (PyType_Slot){Py_tp_init,
                               (void *)(def->init ? def->init
                                                  : adapter_init)};
    slots[n++] = (PyType_Slot){Py_tp_dealloc, (void *)adapter_dealloc};
    slots[n++] = (PyType_Slot){Py_tp_traverse, (void *)adapter_traverse};
    slots[n++] = (PyType_Slot){Py_tp_clear, (void *)adapter_clear};
    if (!(def->flags & ADAPTER_NOSTR)) {
        slots[n++] = (PyType_Slot){Py_tp_str,
                                   (void *)(def->str ? def->str
                                                     : adapter_str)};
    }
    slots[n++] = (PyType_Slot){
        Py_tp_methods,
        def->methods ? def->methods
        : (def->flags & ADAPTER_PREPARE) ? adapter_methods_prepare
                                         : adapter_methods};
    slots[n++] = (PyType_Slot){
        Py_tp_members, def->members ? def->members : adapter_members};
    if (def->getset != NULL) {
        slots[n++] = (PyType_Slot){Py_tp_getset, def->getset};
    }
    slots[n] = (PyType_Slot){0, NULL};

    spec = (PyType_Spec){
        .name = def->name,
        .basicsize = sizeof(adapterObject),
        /* psycopg2's C types refuse `Type.attr = x`; subclasses do not */
        .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC
                 | ((def->flags & ADAPTER_MUTABLE) ? 0
                                                   : Py_TPFLAGS_IMMUTABLETYPE),
        .slots = slots,
    };
    /* not mod_add_type(): it makes every type immutable */
    if (!(type = PyType_FromModuleAndSpec(module, &spec, NULL))) {
        return -1;
    }
    *slot = (PyTypeObject *)type;   /* the state owns the reference */
    if (!(def->flags & ADAPTER_HIDDEN)
        && PyModule_AddObjectRef(module, strrchr(def->name, '.') + 1,
                                 type) < 0) {
        return -1;
    }
    return (def->flags & ADAPTER_MUTABLE) ? adapter_add_reduce(*slot) : 0;
}
