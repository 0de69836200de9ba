/* The typecaster type psycopg2._psycopg.type, lookup and dispatch, and the
 * module functions new_type, new_array_type, register_type. */

#include "psycopg.h"
#include "module.h"
#include "typecast.h"
#include "connection.h"
#include "cursor.h"

/* ---- helpers ---------------------------------------------------------- */

PyObject *
typecast_data_error(const typecast_ctx *ctx, const char *what, const char *s,
                    Py_ssize_t len)
{
    PyObject *shown = NULL;
    Py_ssize_t n = len;

    if (n > 80) {
        n = 80;
    }
    shown = PyUnicode_DecodeUTF8(s, n, "backslashreplace");
    if (shown == NULL) {
        goto exit;
    }
    PyErr_Format(ctx->st->DataError, "invalid input for type %s: %R%s", what,
                 shown, n < len ? " (truncated)" : "");

exit:
    Py_XDECREF(shown);
    return NULL;
}

static inline int
typecast_check(module_state *st, PyObject *obj)
{
    return PyObject_TypeCheck(obj, st->typecast_type);
}

void
typecast_ctx_init(typecast_ctx *ctx, module_state *st, cursorObject *curs,
                  connectionObject *conn)
{
    ctx->st = st;
    ctx->curs = Py_NewRef(curs ? (PyObject *)curs : Py_None);
    if (conn == NULL && curs != NULL) {
        conn = curs->conn;
    }
    if (curs != NULL && curs->tzinfo_factory != NULL) {
        ctx->tzinfo_factory = Py_NewRef(curs->tzinfo_factory);
    }
    else {
        ctx->tzinfo_factory = Py_NewRef(st->timezone ? st->timezone
                                                     : Py_None);
    }
    ctx->tzcache = NULL;
    ctx->datecache = NULL;
    ctx->enc = NULL;
    /* read once: a caster changing the encoding swaps conn->enc_obj, the
     * one held here stays valid until typecast_ctx_fini */
    typecast_ctx_set_enc(ctx, conn != NULL ? conn->enc_obj : NULL);
}

void
typecast_ctx_set_enc(typecast_ctx *ctx, PyObject *enc)
{
    Py_XSETREF(ctx->enc, Py_XNewRef(enc));
    if (enc != NULL) {
        /* a (pgname, codec) tuple whose str cache their UTF-8 bytes */
        ctx->pyenc = PyUnicode_AsUTF8(PyTuple_GET_ITEM(enc, 1));
        ctx->is_utf8 = strcmp(ctx->pyenc, "utf_8") == 0;
    }
    else {
        ctx->pyenc = "utf_8";
        ctx->is_utf8 = 1;
    }
}

void
typecast_ctx_fini(typecast_ctx *ctx)
{
    Py_CLEAR(ctx->curs);
    Py_CLEAR(ctx->tzinfo_factory);
    Py_CLEAR(ctx->enc);
    ctx->pyenc = NULL;
}

typecast_cfunc
typecast_resolve(module_state *st, PyObject *caster, PyObject **base)
{
    typecastObject *t;

    *base = NULL;
    if (!typecast_check(st, caster)) {
        return NULL;
    }
    t = (typecastObject *)caster;
    if (t->ccast != NULL) {
        *base = t->bcast;
        return t->ccast;
    }
    /* new_type() without castobj: the value as str */
    return t->pcast == NULL ? typecast_unicode_cast : NULL;
}

PyObject *
typecast_cast(PyObject *caster, const char *s, Py_ssize_t len,
              const typecast_ctx *ctx)
{
    PyObject *str = NULL;
    PyObject *rv = NULL;

    if (typecast_check(ctx->st, caster)) {
        typecastObject *t = (typecastObject *)caster;
        if (t->ccast != NULL) {
            if (s == NULL) {
                return Py_NewRef(Py_None);
            }
            return t->ccast(s, len, ctx, t->bcast);
        }
        if (t->pcast == NULL) {
            /* new_type() without castobj: the value as str */
            if (s == NULL) {
                return Py_NewRef(Py_None);
            }
            return typecast_text_decode(s, len, ctx);
        }
        caster = t->pcast;
    }

    /* Python callable f(str|None, cursor) */
    if (s == NULL) {
        str = Py_NewRef(Py_None);
    }
    else if ((str = typecast_text_decode(s, len, ctx)) == NULL) {
        goto exit;
    }
    rv = PyObject_CallFunctionObjArgs(caster, str, ctx->curs, NULL);

exit:
    Py_XDECREF(str);
    return rv;
}

/* Look `key` up in `d` holding `d` strongly: a key's __eq__ may replace
 * the registry it sits in (cursor.string_types is assignable).  New
 * reference, NULL with no exception when absent, NULL with one on error. */
static PyObject *
typecast_find(PyObject *d, PyObject *key)
{
    PyObject *rv;
    Py_INCREF(d);
    rv = Py_XNewRef(PyDict_GetItemWithError(d, key));
    Py_DECREF(d);
    return rv;
}

PyObject *
typecast_lookup(module_state *st, cursorObject *curs, connectionObject *conn,
                Oid oid)
{
    PyObject *key = NULL;
    PyObject *rv = NULL;

    if (conn == NULL && curs != NULL) {
        conn = curs->conn;
    }
    if ((key = PyLong_FromUnsignedLong((unsigned long)oid)) == NULL) {
        goto exit;
    }
    /* the per-cursor and per-connection dicts are usually empty: a lookup
     * there would still hash and probe, once per column and query */
    if (curs != NULL && curs->string_types != NULL &&
        PyDict_Check(curs->string_types) &&
        PyDict_GET_SIZE(curs->string_types) > 0) {
        rv = typecast_find(curs->string_types, key);
        if (rv != NULL || PyErr_Occurred()) {
            goto exit;
        }
    }
    if (conn != NULL && conn->string_types != NULL &&
        PyDict_GET_SIZE(conn->string_types) > 0) {
        rv = typecast_find(conn->string_types, key);
        if (rv != NULL || PyErr_Occurred()) {
            goto exit;
        }
    }
    rv = typecast_find(st->string_types, key);
    if (rv != NULL || PyErr_Occurred()) {
        goto exit;
    }
    rv = Py_NewRef(st->default_cast);

exit:
    Py_XDECREF(key);
    return rv;
}

/* ---- the type --------------------------------------------------------- */

static PyObject *
typecast_alloc(module_state *st, PyObject *name, PyObject *values)
{
    typecastObject *self;

    self = PyObject_GC_New(typecastObject, st->typecast_type);
    if (self == NULL) {
        return NULL;
    }
    self->name = Py_NewRef(name);
    self->values = Py_NewRef(values);
    self->ccast = NULL;
    self->pcast = NULL;
    self->bcast = NULL;
    PyObject_GC_Track(self);
    return (PyObject *)self;
}

PyObject *
typecast_new_c(module_state *st, const char *name, const Oid *oids,
               typecast_cfunc ccast, PyObject *bcast)
{
    PyObject *pyname = NULL;
    PyObject *values = NULL;
    PyObject *rv = NULL;
    Py_ssize_t n = 0, i;

    while (oids[n] != 0) {
        n++;
    }
    if ((values = PyTuple_New(n)) == NULL) {
        goto exit;
    }
    for (i = 0; i < n; i++) {
        PyObject *v = PyLong_FromUnsignedLong((unsigned long)oids[i]);
        if (v == NULL) {
            goto exit;
        }
        PyTuple_SET_ITEM(values, i, v);
    }
    if ((pyname = PyUnicode_FromString(name)) == NULL) {
        goto exit;
    }
    if ((rv = typecast_alloc(st, pyname, values)) == NULL) {
        goto exit;
    }
    ((typecastObject *)rv)->ccast = ccast;
    ((typecastObject *)rv)->bcast = Py_XNewRef(bcast);

exit:
    Py_XDECREF(pyname);
    Py_XDECREF(values);
    return rv;
}

static int
typecast_traverse(typecastObject *self, visitproc visit, void *arg)
{
    Py_VISIT(Py_TYPE(self));
    Py_VISIT(self->name);
    Py_VISIT(self->values);
    Py_VISIT(self->pcast);
    Py_VISIT(self->bcast);
    return 0;
}

static int
typecast_clear(typecastObject *self)
{
    Py_CLEAR(self->name);
    Py_CLEAR(self->values);
    Py_CLEAR(self->pcast);
    Py_CLEAR(self->bcast);
    return 0;
}

static void
typecast_dealloc(typecastObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);

    PyObject_GC_UnTrack(self);
    typecast_clear(self);
    tp->tp_free((PyObject *)self);
    Py_DECREF(tp);
}

static PyObject *
typecast_repr(typecastObject *self)
{
    return PyUnicode_FromFormat("<psycopg2._psycopg.type %R at %p>",
                                self->name, (void *)self);
}

/* 1 if `v` equals one of our oids, 0 if not, -1 on error. */
static int
typecast_has_value(typecastObject *self, PyObject *v)
{
    Py_ssize_t i;

    for (i = 0; i < PyTuple_GET_SIZE(self->values); i++) {
        int r = PyObject_RichCompareBool(PyTuple_GET_ITEM(self->values, i),
                                         v, Py_EQ);
        if (r != 0) {
            return r;
        }
    }
    return 0;
}

static PyObject *
typecast_richcompare(typecastObject *self, PyObject *other, int op)
{
    module_state *st = mod_state_from_type(Py_TYPE(self));
    int eq = 0;

    if (op != Py_EQ && op != Py_NE) {
        Py_RETURN_NOTIMPLEMENTED;
    }
    if (typecast_check(st, other)) {
        typecastObject *o = (typecastObject *)other;
        Py_ssize_t i;
        for (i = 0; i < PyTuple_GET_SIZE(o->values) && !eq; i++) {
            eq = typecast_has_value(self, PyTuple_GET_ITEM(o->values, i));
            if (eq < 0) {
                return NULL;
            }
        }
    }
    else if (PyLong_Check(other)) {
        if ((eq = typecast_has_value(self, other)) < 0) {
            return NULL;
        }
    }
    else {
        Py_RETURN_NOTIMPLEMENTED;
    }
    if (op == Py_NE) {
        eq = !eq;
    }
    return PyBool_FromLong(eq);
}

/* Equal casters share an oid; casters with the same first oid (e.g. STRING,
 * UNICODE, BYTES, or a user caster built on DECIMAL.values) hash alike, and
 * a caster hashes like its first oid. */
static Py_hash_t
typecast_hash(typecastObject *self)
{
    if (PyTuple_GET_SIZE(self->values) > 0) {
        return PyObject_Hash(PyTuple_GET_ITEM(self->values, 0));
    }
    return PyObject_Hash(self->name);
}

/* caster(value, cursor): exactly two positional arguments, as psycopg2;
 * value is None, str or bytes (a Python castobj gets it as str). */
static PyObject *
typecast_call(typecastObject *self, PyObject *args, PyObject *kwargs)
{
    module_state *st = mod_state_from_type(Py_TYPE(self));
    PyObject *value = NULL;
    PyObject *cursor = NULL;
    PyObject *rv = NULL;
    typecast_ctx ctx = {0};
    const char *s = NULL;
    Py_ssize_t len = 0;

    if (kwargs != NULL && PyDict_GET_SIZE(kwargs) > 0) {
        PyErr_SetString(PyExc_TypeError,
                        "a typecaster takes no keyword arguments");
        return NULL;
    }
    if (PyTuple_GET_SIZE(args) != 2) {
        PyErr_Format(PyExc_TypeError,
                     "function takes exactly 2 arguments (%zd given)",
                     PyTuple_GET_SIZE(args));
        return NULL;
    }
    value = PyTuple_GET_ITEM(args, 0);
    cursor = PyTuple_GET_ITEM(args, 1);

    if (value == Py_None) {
        s = NULL;
    }
    else if (PyUnicode_Check(value)) {
        /* re-encode as UTF-8 and decode accordingly */
        if ((s = PyUnicode_AsUTF8AndSize(value, &len)) == NULL) {
            return NULL;
        }
    }
    else if (PyBytes_Check(value)) {
        s = PyBytes_AS_STRING(value);
        len = PyBytes_GET_SIZE(value);
    }
    else if (PyObject_CheckBuffer(value)) {
        PyErr_Format(PyExc_TypeError,
                     "argument 1 must be read-only bytes-like object, "
                     "not %.200s", Py_TYPE(value)->tp_name);
        return NULL;
    }
    else {
        PyErr_Format(PyExc_TypeError,
                     "a bytes-like object is required, not '%.200s'",
                     Py_TYPE(value)->tp_name);
        return NULL;
    }

    if (cursor != Py_None && PyObject_TypeCheck(cursor, st->cursor_type)) {
        typecast_ctx_init(&ctx, st, (cursorObject *)cursor, NULL);
    }
    else {
        typecast_ctx_init(&ctx, st, NULL, NULL);
        Py_SETREF(ctx.curs, Py_NewRef(cursor));
    }
    if (PyUnicode_Check(value)) {
        ctx.pyenc = "utf_8";
        ctx.is_utf8 = 1;
    }

    if (self->ccast == NULL && self->pcast != NULL
            && !PyBytes_Check(value)) {
        /* str or None: handed over as it is */
        rv = PyObject_CallFunctionObjArgs(self->pcast, value, cursor, NULL);
        goto exit;
    }
    rv = typecast_cast((PyObject *)self, s, len, &ctx);

exit:
    typecast_ctx_fini(&ctx);
    return rv;
}

/* Casters are made by new_type()/new_array_type() only (also on 3.9, where
 * Py_TPFLAGS_DISALLOW_INSTANTIATION does not exist). */
static PyObject *
typecast_tp_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    PyErr_SetString(PyExc_TypeError,
                    "cannot create 'psycopg2._psycopg.type' instances: "
                    "use new_type() or new_array_type()");
    return NULL;
}

static PyMemberDef typecast_members[] = {
    {"name", T_OBJECT, offsetof(typecastObject, name), READONLY,
     "The name of the typecaster."},
    {"values", T_OBJECT, offsetof(typecastObject, values), READONLY,
     "The OIDs the typecaster applies to."},
    {NULL}
};

PyDoc_STRVAR(typecast_doc,
"A typecaster: turns PostgreSQL values of the OIDs in `values` into Python\n"
"objects; call it as caster(string_or_None, cursor).");

static PyType_Slot typecast_slots[] = {
    {Py_tp_doc, (void *)typecast_doc},
    {Py_tp_dealloc, typecast_dealloc},
    {Py_tp_traverse, typecast_traverse},
    {Py_tp_clear, typecast_clear},
    {Py_tp_repr, typecast_repr},
    {Py_tp_richcompare, typecast_richcompare},
    {Py_tp_hash, typecast_hash},
    {Py_tp_call, typecast_call},
    {Py_tp_new, typecast_tp_new},
    {Py_tp_members, typecast_members},
    {0, NULL}
};

static PyType_Spec typecast_spec = {
    .name = "psycopg2._psycopg.type",
    .basicsize = sizeof(typecastObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC |
             Py_TPFLAGS_IMMUTABLETYPE,
    .slots = typecast_slots,
};

/* ---- module functions ------------------------------------------------- */

static int
typecast_check_values(PyObject *values)
{
    Py_ssize_t i;

    if (!PyTuple_Check(values)) {
        PyErr_SetString(PyExc_TypeError, "values must be a tuple of ints");
        return -1;
    }
    for (i = 0; i < PyTuple_GET_SIZE(values); i++) {
        if (!PyLong_Check(PyTuple_GET_ITEM(values, i))) {
            PyErr_SetString(PyExc_TypeError,
                            "values must be a tuple of ints");
            return -1;
        }
    }
    return 0;
}

PyDoc_STRVAR(typecast_new_type_doc,
"new_type(values, name, castobj=None) -> new typecaster\n"
"\n"
"Make a typecaster converting PostgreSQL values to Python: *values* is "
"a\n"
"tuple of the type OIDs it handles, *name* a name for it (shown in its\n"
"repr), *castobj* a callable castobj(value, cursor) receiving the value\n"
"as a str (None for NULL) and the cursor reading it, and returning the\n"
"Python object. Register the result with register_type()::\n"
"\n"
"    MONEY = new_type((790,), \"MONEY\",\n"
"                     lambda s, cur: None if s is None else "
"Decimal(s[1:].replace(\",\", \"\")))\n"
"    register_type(MONEY, conn)");

static PyObject *
typecast_new_type(PyObject *module, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"values", "name", "castobj", NULL};
    module_state *st = mod_state(module);
    PyObject *values = NULL, *name = NULL, *castobj = Py_None;
    PyObject *rv = NULL;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OU|O", kwlist, &values,
                                     &name, &castobj)) {
        goto exit;
    }
    if (typecast_check_values(values) < 0) {
        goto exit;
    }
    if (castobj != Py_None && !PyCallable_Check(castobj)) {
        PyErr_SetString(PyExc_TypeError, "castobj must be callable or None");
        goto exit;
    }
    if ((rv = typecast_alloc(st, name, values)) == NULL) {
        goto exit;
    }
    if (castobj != Py_None) {
        ((typecastObject *)rv)->pcast = Py_NewRef(castobj);
    }

exit:
    return rv;
}

PyDoc_STRVAR(typecast_new_array_type_doc,
"new_array_type(values, name, baseobj) -> new array typecaster\n"
"\n"
"Make a typecaster for an array type: *values* is a tuple of the OIDs "
"of\n"
"the array type(s), *name* a name for it, *baseobj* the typecaster of\n"
"the elements. PostgreSQL arrays then become (nested) lists, each "
"element\n"
"converted by *baseobj*; register it with register_type().");

static PyObject *
typecast_new_array_type(PyObject *module, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"values", "name", "baseobj", NULL};
    module_state *st = mod_state(module);
    PyObject *values = NULL, *name = NULL, *base = NULL;
    PyObject *rv = NULL;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OUO!", kwlist, &values,
                                     &name, st->typecast_type, &base)) {
        goto exit;
    }
    if (typecast_check_values(values) < 0) {
        goto exit;
    }
    if ((rv = typecast_alloc(st, name, values)) == NULL) {
        goto exit;
    }
    ((typecastObject *)rv)->ccast = typecast_array_cast;
    ((typecastObject *)rv)->bcast = Py_NewRef(base);

exit:
    return rv;
}

static int
typecast_add(PyObject *dict, typecastObject *caster)
{
    Py_ssize_t i;

    for (i = 0; i < PyTuple_GET_SIZE(caster->values); i++) {
        if (PyDict_SetItem(dict, PyTuple_GET_ITEM(caster->values, i),
                           (PyObject *)caster) < 0) {
            return -1;
        }
    }
    return 0;
}

PyDoc_STRVAR(typecast_register_type_doc,
"register_type(obj, conn_or_curs=None) -> None\n"
"\n"
"Register the typecaster *obj* (made by new_type() or new_array_type())\n"
"for the OIDs it lists. With *conn_or_curs* None it applies to every\n"
"connection; with a connection or a cursor, only to the values that\n"
"connection or cursor reads, taking precedence over the global ones.");

static PyObject *
typecast_register_type(PyObject *module, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"obj", "conn_or_curs", NULL};
    module_state *st = mod_state(module);
    PyObject *obj = NULL, *scope = Py_None;
    PyObject *dict = NULL;
    PyObject **slot = NULL;
    PyObject *rv = NULL;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O!|O", kwlist,
                                     st->typecast_type, &obj, &scope)) {
        goto exit;
    }
    if (scope == Py_None) {
        dict = st->string_types;
    }
    else if (PyObject_TypeCheck(scope, st->connection_type)) {
        slot = &((connectionObject *)scope)->string_types;
    }
    else if (PyObject_TypeCheck(scope, st->cursor_type)) {
        slot = &((cursorObject *)scope)->string_types;
    }
    else {
        PyErr_SetString(PyExc_TypeError,
                        "argument 2 must be a connection, cursor or None");
        goto exit;
    }
    if (slot != NULL) {
        if (*slot == NULL && (*slot = PyDict_New()) == NULL) {
            goto exit;
        }
        if (!PyDict_Check(*slot)) { /* cursor.string_types = 5 */
            PyErr_Format(PyExc_TypeError,
                         "the string_types of the scope is a %.100s, not a "
                         "dict", Py_TYPE(*slot)->tp_name);
            goto exit;
        }
        dict = *slot;
    }
    if (typecast_add(dict, (typecastObject *)obj) < 0) {
        goto exit;
    }
    rv = Py_NewRef(Py_None);

exit:
    return rv;
}

PyMethodDef typecast_module_methods[] = {
    {"new_type", (PyCFunction)(void (*)(void))typecast_new_type,
     METH_VARARGS | METH_KEYWORDS, typecast_new_type_doc},
    {"new_array_type", (PyCFunction)(void (*)(void))typecast_new_array_type,
     METH_VARARGS | METH_KEYWORDS, typecast_new_array_type_doc},
    {"register_type", (PyCFunction)(void (*)(void))typecast_register_type,
     METH_VARARGS | METH_KEYWORDS, typecast_register_type_doc},
    {NULL, NULL, 0, NULL}
};

/* ---- setup ------------------------------------------------------------ */

int
typecast_setup(PyObject *module, module_state *st)
{
    PyObject *made = NULL;     /* name -> caster, to find array bases */
    PyObject *t = NULL;
    const typecast_builtin *b;
    int rv = -1;

    if (typecast_datetime_init() < 0 || typecast_numeric_init() < 0
        || typecast_bytea_setup(module, st) < 0) {
        goto exit;
    }
    st->typecast_type = (PyTypeObject *)PyType_FromModuleAndSpec(
        module, &typecast_spec, NULL);
    if (st->typecast_type == NULL) {
        goto exit;
    }
    if (st->string_types == NULL && (st->string_types = PyDict_New()) == NULL) {
        goto exit;
    }
    if (st->binary_types == NULL && (st->binary_types = PyDict_New()) == NULL) {
        goto exit;
    }
    if (PyModule_AddObjectRef(module, "string_types", st->string_types) < 0) {
        goto exit;
    }
    if (PyModule_AddObjectRef(module, "binary_types", st->binary_types) < 0) {
        goto exit;
    }
    if ((made = PyDict_New()) == NULL) {
        goto exit;
    }
    for (b = typecast_builtins; b->name != NULL; b++) {
        PyObject *base = NULL;
        if (b->base != NULL) {
            base = PyDict_GetItemString(made, b->base);
            if (base == NULL) {
                PyErr_Format(PyExc_SystemError,
                             "typecaster %s: base %s not defined before",
                             b->name, b->base);
                goto exit;
            }
        }
        t = typecast_new_c(st, b->name, b->oids, b->cast, base);
        if (t == NULL) {
            goto exit;
        }
        if (PyDict_SetItemString(made, b->name, t) < 0) {
            goto exit;
        }
        if ((b->flags & TYPECAST_REGISTER) &&
            typecast_add(st->string_types, (typecastObject *)t) < 0) {
            goto exit;
        }
        if ((b->flags & TYPECAST_EXPORT) &&
            PyModule_AddObjectRef(module, b->name, t) < 0) {
            goto exit;
        }
        Py_CLEAR(t);
    }
    st->default_cast = PyDict_GetItemString(made, "UNICODE");
    if (st->default_cast == NULL) {
        PyErr_SetString(PyExc_SystemError, "no UNICODE typecaster");
        goto exit;
    }
    Py_INCREF(st->default_cast);
    rv = 0;

exit:
    Py_XDECREF(t);
    Py_XDECREF(made);
    return rv;
}
