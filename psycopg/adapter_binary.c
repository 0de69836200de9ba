/* The quote function of the Binary adapter: any buffer object as a bytea
 * literal. */

#include "psycopg.h"
#include "module.h"
#include "connection.h"
#include "adapter_base.h"
#include "escape.h"
#include "adapter_binary.h"

PyObject *
adapter_binary_quote(module_state *st, connectionObject *conn, PyObject *obj,
                     adapterObject *a)
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

PyGetSetDef adapter_binary_getset[] = {
    ADAPTER_BUFFER_GETSET,
    {NULL}
};
