/* The Binary adapter: any buffer object as a bytea literal. */

#include "psycopg.h"
#include "module.h"
#include "connection.h"
#include "microprotocols.h"
#include "escape.h"
#include "adapter_binary.h"

PyObject *
adapter_binary_quote(module_state *st, connectionObject *conn, PyObject *obj)
{
    PyObject *rv = NULL;
    PyObject *tmp = NULL;
    Py_buffer view;
    int have_view = 0;

    if (obj == Py_None) {
        return PyBytes_FromStringAndSize("NULL", 4);
    }
    if (PyBytes_CheckExact(obj)) {
        return escape_bytea_literal(st, conn, PyBytes_AS_STRING(obj),
                                    PyBytes_GET_SIZE(obj));
    }
    if (!PyObject_CheckBuffer(obj)) {
        PyErr_Format(PyExc_TypeError, "can't escape %.200s to binary",
                     Py_TYPE(obj)->tp_name);
        goto exit;
    }
    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) == 0) {
        have_view = 1;
        rv = escape_bytea_literal(st, conn, (const char *)view.buf, view.len);
        goto exit;
    }
    if (!PyErr_ExceptionMatches(PyExc_BufferError)) {
        goto exit;
    }
    /* a non-contiguous buffer: copy it */
    PyErr_Clear();
    if (!(tmp = PyObject_CallMethod(obj, "tobytes", NULL))) {
        goto exit;
    }
    if (!PyBytes_Check(tmp)) {
        PyErr_Format(PyExc_TypeError, "can't escape %.200s to binary",
                     Py_TYPE(obj)->tp_name);
        goto exit;
    }
    rv = escape_bytea_literal(st, conn, PyBytes_AS_STRING(tmp),
                              PyBytes_GET_SIZE(tmp));

exit:
    if (have_view) {
        PyBuffer_Release(&view);
    }
    Py_XDECREF(tmp);
    return rv;
}

PyDoc_STRVAR(binary_getquoted_doc,
"getquoted() -> bytes: the buffer as a bytea literal, e.g. '\\x6162'::bytea.");

static PyObject *
binary_getquoted(PyObject *self, PyObject *args)
{
    adapterObject *a = (adapterObject *)self;
    module_state *st = mod_state_from_type(Py_TYPE(self));

    if (st == NULL) {
        return NULL;
    }
    if (a->buffer == NULL) {
        a->buffer = adapter_binary_quote(st, mp_adapter_conn(a),
                                         mp_adapter_wrapped(a));
    }
    return Py_XNewRef(a->buffer);
}

static PyObject *
binary_get_buffer(PyObject *self, void *closure)
{
    adapterObject *a = (adapterObject *)self;

    return Py_NewRef(a->buffer ? a->buffer : Py_None);
}

static PyGetSetDef binary_getset[] = {
    {"buffer", binary_get_buffer, NULL,
     "The quoted bytes once getquoted() was called, else None.", NULL},
    {NULL}
};

static PyMethodDef binary_methods[] = {
    {"getquoted", binary_getquoted, METH_NOARGS, binary_getquoted_doc},
    MP_ADAPTER_PREPARE_METHOD,
    MP_ADAPTER_CONFORM_METHOD,
    {NULL}
};

PyDoc_STRVAR(binary_doc,
"Binary(buffer) -> adapter quoting bytes, bytearray, memoryview or any\n"
"buffer as a bytea literal (None quotes as NULL).");

static PyType_Slot binary_slots[] = {
    {Py_tp_doc, (void *)binary_doc},
    {Py_tp_new, PyType_GenericNew},
    {Py_tp_init, mp_adapter_init},
    {Py_tp_dealloc, mp_adapter_dealloc},
    {Py_tp_traverse, mp_adapter_traverse},
    {Py_tp_clear, mp_adapter_clear},
    {Py_tp_str, mp_adapter_str},
    {Py_tp_methods, binary_methods},
    {Py_tp_members, mp_adapter_members},
    {Py_tp_getset, binary_getset},
    {0, NULL}
};

static PyType_Spec binary_spec = {
    .name = "psycopg2.extensions.Binary",
    .basicsize = sizeof(adapterObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .slots = binary_slots,
};

int
adapter_binary_setup(PyObject *module, module_state *st)
{
    return mod_add_type(module, &binary_spec, NULL, &st->binary_type);
}
