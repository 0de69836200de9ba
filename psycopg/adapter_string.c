/* ISQLQuote (the protocol base type), AsIs, QuotedString and NoneAdapter. */

#include "psycopg.h"
#include "module.h"
#include "connection.h"
#include "microprotocols.h"
#include "escape.h"
#include "adapter_string.h"

/* ---- ISQLQuote ----------------------------------------------------------- */

PyDoc_STRVAR(isqlquote_getquoted_doc,
"getquoted() -> None: adapters return the SQL literal as bytes.");

static PyObject *
isqlquote_getquoted(PyObject *self, PyObject *args)
{
    Py_RETURN_NONE;
}

PyDoc_STRVAR(isqlquote_getbinary_doc,
"getbinary() -> None: adapters may return the binary representation.");

PyDoc_STRVAR(isqlquote_getbuffer_doc,
"getbuffer() -> None: adapters may return a buffer representation.");

static PyMethodDef isqlquote_methods[] = {
    {"getquoted", isqlquote_getquoted, METH_NOARGS, isqlquote_getquoted_doc},
    {"getbinary", isqlquote_getquoted, METH_NOARGS, isqlquote_getbinary_doc},
    {"getbuffer", isqlquote_getquoted, METH_NOARGS, isqlquote_getbuffer_doc},
    {NULL}
};

static PyMemberDef isqlquote_members[] = {
    {"_wrapped", T_OBJECT, offsetof(adapterObject, wrapped), READONLY,
     "The wrapped object."},
    {NULL}
};

PyDoc_STRVAR(isqlquote_doc,
"ISQLQuote(wrapped)\n\n"
"The protocol (and an optional base class) of SQL quoting adapters: an\n"
"adapter has getquoted() returning the SQL literal as bytes and may have\n"
"prepare(conn).  Registrations in `adapters` are keyed (type, ISQLQuote).");

static PyType_Slot isqlquote_slots[] = {
    {Py_tp_doc, (void *)isqlquote_doc},
    {Py_tp_new, PyType_GenericNew},
    {Py_tp_init, mp_adapter_init},
    {Py_tp_dealloc, mp_adapter_dealloc},
    {Py_tp_traverse, mp_adapter_traverse},
    {Py_tp_clear, mp_adapter_clear},
    {Py_tp_methods, isqlquote_methods},
    {Py_tp_members, isqlquote_members},
    {0, NULL}
};

static PyType_Spec isqlquote_spec = {
    .name = "psycopg2.extensions.ISQLQuote",
    .basicsize = sizeof(adapterObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .slots = isqlquote_slots,
};

/* ---- AsIs ---------------------------------------------------------------- */

PyDoc_STRVAR(asis_getquoted_doc,
"getquoted() -> bytes: str(adapted) encoded, unquoted (None -> NULL).");

static PyObject *
asis_getquoted(PyObject *self, PyObject *args)
{
    PyObject *obj = mp_adapter_wrapped((adapterObject *)self);
    PyObject *s = NULL;
    PyObject *rv = NULL;

    if (obj == Py_None) {
        return PyBytes_FromStringAndSize("NULL", 4);
    }
    /* str(obj), also for bytes (b'...'), as psycopg2 */
    if (!(s = PyObject_Str(obj))) {
        goto exit;
    }
    rv = PyUnicode_AsUTF8String(s);

exit:
    Py_XDECREF(s);
    return rv;
}

static PyMethodDef asis_methods[] = {
    {"getquoted", asis_getquoted, METH_NOARGS, asis_getquoted_doc},
    MP_ADAPTER_CONFORM_METHOD,
    {NULL}
};

PyDoc_STRVAR(asis_doc,
"AsIs(obj) -> adapter writing str(obj) in the query unquoted.");

static PyType_Slot asis_slots[] = {
    {Py_tp_doc, (void *)asis_doc},
    {Py_tp_new, PyType_GenericNew},
    {Py_tp_init, mp_adapter_init},
    {Py_tp_dealloc, mp_adapter_dealloc},
    {Py_tp_traverse, mp_adapter_traverse},
    {Py_tp_clear, mp_adapter_clear},
    {Py_tp_str, mp_adapter_str},
    {Py_tp_methods, asis_methods},
    {Py_tp_members, mp_adapter_members},
    {0, NULL}
};

static PyType_Spec asis_spec = {
    .name = "psycopg2.extensions.AsIs",
    .basicsize = sizeof(adapterObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .slots = asis_slots,
};

/* ---- QuotedString -------------------------------------------------------- */

static int
qstring_init(PyObject *self, PyObject *args, PyObject *kwargs)
{
    adapterObject *a = (adapterObject *)self;
    PyObject *enc;

    if (mp_adapter_init(self, args, kwargs) < 0) {
        return -1;
    }
    if (!(enc = PyUnicode_FromString("latin1"))) {
        return -1;
    }
    Py_XSETREF(a->encoding, enc);
    return 0;
}

PyDoc_STRVAR(qstring_getquoted_doc,
"getquoted() -> bytes: the string as a quoted, escaped SQL literal.");

static PyObject *
qstring_getquoted(PyObject *self, PyObject *args)
{
    adapterObject *a = (adapterObject *)self;
    module_state *st = mod_state_from_type(Py_TYPE(self));
    const char *enc = NULL;

    if (st == NULL) {
        return NULL;
    }
    if (a->buffer != NULL) {
        return Py_NewRef(a->buffer);
    }
    if (a->encoding != NULL && PyUnicode_Check(a->encoding)) {
        if (!(enc = PyUnicode_AsUTF8(a->encoding))) {
            return NULL;
        }
    }
    a->buffer = escape_quote_text(st, mp_adapter_conn(a),
                                  mp_adapter_wrapped(a), enc);
    return Py_XNewRef(a->buffer);
}

static PyObject *
qstring_get_encoding(PyObject *self, void *closure)
{
    adapterObject *a = (adapterObject *)self;

    if (a->encoding == NULL) {
        return PyUnicode_FromString("latin1");
    }
    return Py_NewRef(a->encoding);
}

static int
qstring_set_encoding(PyObject *self, PyObject *value, void *closure)
{
    adapterObject *a = (adapterObject *)self;

    if (value == NULL) {
        PyErr_SetString(PyExc_AttributeError, "can't delete encoding");
        return -1;
    }
    if (!PyUnicode_Check(value)) {
        PyErr_Format(PyExc_TypeError, "encoding must be a str, not %.200s",
                     Py_TYPE(value)->tp_name);
        return -1;
    }
    Py_XSETREF(a->encoding, Py_NewRef(value));
    Py_CLEAR(a->buffer);
    return 0;
}

static PyObject *
adapter_get_buffer(PyObject *self, void *closure)
{
    adapterObject *a = (adapterObject *)self;

    return Py_NewRef(a->buffer ? a->buffer : Py_None);
}

static PyGetSetDef qstring_getset[] = {
    {"encoding", qstring_get_encoding, qstring_set_encoding,
     "Python codec used for a str before prepare() (default 'latin1').",
     NULL},
    {"buffer", adapter_get_buffer, NULL,
     "The quoted bytes once getquoted() was called, else None.", NULL},
    {NULL}
};

static PyMethodDef qstring_methods[] = {
    {"getquoted", qstring_getquoted, METH_NOARGS, qstring_getquoted_doc},
    MP_ADAPTER_PREPARE_METHOD,
    MP_ADAPTER_CONFORM_METHOD,
    {NULL}
};

PyDoc_STRVAR(qstring_doc,
"QuotedString(str_or_bytes) -> adapter quoting a string literal.");

static PyType_Slot qstring_slots[] = {
    {Py_tp_doc, (void *)qstring_doc},
    {Py_tp_new, PyType_GenericNew},
    {Py_tp_init, qstring_init},
    {Py_tp_dealloc, mp_adapter_dealloc},
    {Py_tp_traverse, mp_adapter_traverse},
    {Py_tp_clear, mp_adapter_clear},
    {Py_tp_str, mp_adapter_str},
    {Py_tp_methods, qstring_methods},
    {Py_tp_members, mp_adapter_members},
    {Py_tp_getset, qstring_getset},
    {0, NULL}
};

static PyType_Spec qstring_spec = {
    .name = "psycopg2.extensions.QuotedString",
    .basicsize = sizeof(adapterObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .slots = qstring_slots,
};

/* ---- NoneAdapter --------------------------------------------------------- */

PyDoc_STRVAR(none_getquoted_doc, "getquoted() -> b'NULL'");

static PyObject *
none_getquoted(PyObject *self, PyObject *args)
{
    return PyBytes_FromStringAndSize("NULL", 4);
}

static PyMethodDef none_methods[] = {
    {"getquoted", none_getquoted, METH_NOARGS, none_getquoted_doc},
    MP_ADAPTER_CONFORM_METHOD,
    {NULL}
};

PyDoc_STRVAR(none_doc, "NoneAdapter(obj) -> adapter quoting as NULL.");

static PyType_Slot none_slots[] = {
    {Py_tp_doc, (void *)none_doc},
    {Py_tp_new, PyType_GenericNew},
    {Py_tp_init, mp_adapter_init},
    {Py_tp_dealloc, mp_adapter_dealloc},
    {Py_tp_traverse, mp_adapter_traverse},
    {Py_tp_clear, mp_adapter_clear},
    /* no tp_str: psycopg2 shows the default str() */
    {Py_tp_methods, none_methods},
    {Py_tp_members, mp_adapter_members},
    {0, NULL}
};

static PyType_Spec none_spec = {
    .name = "psycopg2.extensions.NoneAdapter",
    .basicsize = sizeof(adapterObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .slots = none_slots,
};

int
adapter_string_setup(PyObject *module, module_state *st)
{
    if (mod_add_type(module, &isqlquote_spec, NULL, &st->isqlquote_type) < 0
        || mod_add_type(module, &asis_spec, NULL, &st->asis_type) < 0
        || mod_add_type(module, &qstring_spec, NULL, &st->qstring_type) < 0
        || mod_add_type(module, &none_spec, NULL,
                        &st->none_adapter_type) < 0) {
        return -1;
    }
    return 0;
}
