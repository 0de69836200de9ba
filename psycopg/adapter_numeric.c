/* The quote functions of the Boolean, Int, Float and Decimal adapters.
 *
 * Negative numbers get a leading space so that a preceding '-' in the query
 * can never form a '--' comment with them. */

#include "psycopg.h"
#include "module.h"
#include "adapter_base.h"
#include "adapter_numeric.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* bytes of s, with a leading space when it starts with '-' */
static PyObject *
numeric_signed_bytes(const char *s, Py_ssize_t len)
{
    if (len > 0 && s[0] == '-') {
        return adapter_concat3(" ", 1, s, len, "", 0);
    }
    return PyBytes_FromStringAndSize(s, len);
}

PyObject *
adapter_bool_quote(module_state *st, connectionObject *conn,
                   PyObject *obj, adapterObject *a)
{
    int r = PyObject_IsTrue(obj);

    if (r < 0) {
        return NULL;
    }
    return r ? PyBytes_FromStringAndSize("true", 4)
             : PyBytes_FromStringAndSize("false", 5);
}

PyObject *
adapter_int_quote(module_state *st, connectionObject *conn,
                  PyObject *obj, adapterObject *a)
{
    PyObject *rv = NULL;
    PyObject *num = NULL;
    PyObject *s = NULL;
    const char *p;
    Py_ssize_t len;
    long long v;
    int overflow = 0;
    char buf[32];

    if (PyLong_CheckExact(obj)) {
        v = PyLong_AsLongLongAndOverflow(obj, &overflow);
        if (v == -1 && PyErr_Occurred()) {
            goto exit;
        }
        if (!overflow) {
            len = (Py_ssize_t)snprintf(buf, sizeof(buf), "%s%lld",
                                       v < 0 ? " " : "", v);
            rv = PyBytes_FromStringAndSize(buf, len);
            goto exit;
        }
    }
    /* int subclasses (IntEnum...) and other numbers: str(int(obj)) */
    if (!(num = PyNumber_Long(obj))) {
        goto exit;
    }
    if (!(s = PyObject_Str(num))) {
        goto exit;
    }
    if (!(p = PyUnicode_AsUTF8AndSize(s, &len))) {
        goto exit;
    }
    rv = numeric_signed_bytes(p, len);

exit:
    Py_XDECREF(s);
    Py_XDECREF(num);
    return rv;
}

PyObject *
adapter_float_quote(module_state *st, connectionObject *conn,
                    PyObject *obj, adapterObject *a)
{
    PyObject *rv = NULL;
    char *s = NULL;
    double d;

    if (!PyFloat_Check(obj)) {
        /* as psycopg2: Float(x) of something else writes repr(x) */
        PyObject *r = PyObject_Repr(obj);
        if (r != NULL) {
            rv = PyUnicode_AsUTF8String(r);
            Py_DECREF(r);
        }
        goto exit;
    }
    d = PyFloat_AsDouble(obj);
    if (d == -1.0 && PyErr_Occurred()) {
        goto exit;
    }
    if (isnan(d)) {
        rv = PyBytes_FromString("'NaN'::float");
        goto exit;
    }
    if (isinf(d)) {
        rv = PyBytes_FromString(d > 0 ? "'Infinity'::float"
                                      : "'-Infinity'::float");
        goto exit;
    }
    if (!(s = PyOS_double_to_string(d, 'r', 0, Py_DTSF_ADD_DOT_0, NULL))) {
        goto exit;
    }
    rv = numeric_signed_bytes(s, (Py_ssize_t)strlen(s));

exit:
    PyMem_Free(s);
    return rv;
}

/* 1 if s is a finite number as str(Decimal) writes it: [-]digit... with
 * only digits, '.', 'E', 'e', '+', '-' after. */
static int
numeric_is_plain_number(const char *s, Py_ssize_t len)
{
    Py_ssize_t i = 0;

    if (i < len && s[i] == '-') {
        i++;
    }
    if (i >= len || s[i] < '0' || s[i] > '9') {
        return 0;
    }
    for (; i < len; i++) {
        if (!strchr("0123456789.eE+-", s[i]) || s[i] == '\0') {
            return 0;
        }
    }
    return 1;
}

PyObject *
adapter_decimal_quote(module_state *st, connectionObject *conn,
                      PyObject *obj, adapterObject *a)
{
    PyObject *rv = NULL;
    PyObject *s = NULL;
    const char *p;
    Py_ssize_t len;

    if (!(s = PyObject_Str(obj))) {
        goto exit;
    }
    if (!(p = PyUnicode_AsUTF8AndSize(s, &len))) {
        goto exit;
    }
    if (!numeric_is_plain_number(p, len)) {
        /* NaN, sNaN, +-Infinity: only NaN exists for every numeric */
        rv = PyBytes_FromString("'NaN'::numeric");
        goto exit;
    }
    rv = numeric_signed_bytes(p, len);

exit:
    Py_XDECREF(s);
    return rv;
}
