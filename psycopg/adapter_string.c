/* ISQLQuote (the protocol type), AsIs, QuotedString and NoneAdapter: what
 * their rows in adapter_builtins.c point to. */

#include "psycopg.h"
#include "module.h"
#include "connection.h"
#include "escape.h"
#include "adapter_base.h"
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

PyMethodDef adapter_isqlquote_methods[] = {
    {"getquoted", isqlquote_getquoted, METH_NOARGS, isqlquote_getquoted_doc},
    {"getbinary", isqlquote_getquoted, METH_NOARGS, isqlquote_getbinary_doc},
    {"getbuffer", isqlquote_getquoted, METH_NOARGS, isqlquote_getbuffer_doc},
    {NULL}
};

PyMemberDef adapter_isqlquote_members[] = {
    {"_wrapped", T_OBJECT, offsetof(adapterObject, wrapped), READONLY,
     "The wrapped object."},
    {NULL}
};

/* ---- AsIs ---------------------------------------------------------------- */

PyObject *
adapter_asis_quote(module_state *st, connectionObject *conn, PyObject *obj,
                   adapterObject *a)
{
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

/* ---- QuotedString -------------------------------------------------------- */

int
adapter_qstring_init(PyObject *self, PyObject *args, PyObject *kwargs)
{
    adapterObject *a = (adapterObject *)self;
    PyObject *enc;

    if (adapter_init(self, args, kwargs) < 0) {
        return -1;
    }
    if (!(enc = PyUnicode_FromString("latin1"))) {
        return -1;
    }
    Py_XSETREF(a->encoding, enc);
    return 0;
}

PyObject *
adapter_qstring_quote(module_state *st, connectionObject *conn, PyObject *obj,
                      adapterObject *a)
{
    PyObject *enc = NULL;
    PyObject *rv = NULL;
    const char *encname = NULL;

    /* held: a codec written in Python may set another encoding */
    if (a != NULL && a->encoding != NULL && PyUnicode_Check(a->encoding)) {
        enc = Py_NewRef(a->encoding);
        if (!(encname = PyUnicode_AsUTF8(enc))) {
            goto exit;
        }
    }
    rv = escape_quote_text(st, conn, obj, encname);

exit:
    Py_XDECREF(enc);
    return rv;
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
    PyObject *enc;

    if (value == NULL) {
        PyErr_SetString(PyExc_AttributeError, "can't delete encoding");
        return -1;
    }
    if (PyUnicode_Check(value)) {
        enc = Py_NewRef(value);
    }
    else if (PyBytes_Check(value)) {
        /* as psycopg2, which takes the name as bytes too */
        if (!(enc = PyUnicode_FromEncodedObject(value, "utf-8", "strict"))) {
            return -1;
        }
    }
    else {
        PyErr_Format(PyExc_TypeError,
                     "Expected bytes or unicode string, got %.200s instead",
                     Py_TYPE(value)->tp_name);
        return -1;
    }
    Py_XSETREF(a->encoding, enc);
    Py_CLEAR(a->buffer);
    return 0;
}

PyGetSetDef adapter_qstring_getset[] = {
    {"encoding", qstring_get_encoding, qstring_set_encoding,
     "Python codec used for a str before prepare() (default 'latin1').",
     NULL},
    ADAPTER_BUFFER_GETSET,
    {NULL}
};

/* ---- NoneAdapter --------------------------------------------------------- */

PyObject *
adapter_none_quote(module_state *st, connectionObject *conn, PyObject *obj,
                   adapterObject *a)
{
    return PyBytes_FromStringAndSize("NULL", 4);
}
