/* The quote functions of the Boolean, Int, Float and Decimal adapters.
 *
 * Negative numbers get a leading space so that a preceding '-' in the query
 * can never form a '--' comment with them. */

#include "psycopg.h"
#include "module.h"
#include "adapter_base.h"
#include "adapter_numeric.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- decimal text of numbers, without Python objects ---- */

static const char numeric_digit_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536"
    "37383940414243444546474849505152535455565758596061626364656667686970717273"
    "7475767778798081828384858687888990919293949596979899";

/* The decimal digits of v at the end of buf[0..20): returns where they
 * start. */
static char *
numeric_utoa_end(unsigned long long v, char *end)
{
    char *p = end;
    while (v >= 100) {
        unsigned d = (unsigned)(v % 100) * 2;
        v /= 100;
        p -= 2;
        p[0] = numeric_digit_pairs[d];
        p[1] = numeric_digit_pairs[d + 1];
    }
    if (v >= 10) {
        unsigned d = (unsigned)v * 2;
        p -= 2;
        p[0] = numeric_digit_pairs[d];
        p[1] = numeric_digit_pairs[d + 1];
    }
    else {
        *--p = (char)('0' + v);
    }
    return p;
}

/* 10^k as integers, k < 20 */
static const unsigned long long numeric_pow10u[] = {
    1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL,
    10000000ULL, 100000000ULL, 1000000000ULL, 10000000000ULL,
    100000000000ULL, 1000000000000ULL, 10000000000000ULL,
    100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
    100000000000000000ULL, 1000000000000000000ULL,
    10000000000000000000ULL,
};

/* The digits of u written at buf, no NUL: their number. */
static Py_ssize_t
numeric_utoa(unsigned long long u, char *buf)
{
    Py_ssize_t nd = 1;
    while (nd < 20 && u >= numeric_pow10u[nd]) {
        nd++;
    }
    numeric_utoa_end(u, buf + nd);
    return nd;
}

Py_ssize_t
adapter_format_llong(long long v, char *buf)
{
    Py_ssize_t n = 0;

    if (v < 0) {
        buf[n++] = '-';
        n += numeric_utoa(0ULL - (unsigned long long)v, buf + n);
    }
    else {
        n += numeric_utoa((unsigned long long)v, buf + n);
    }
    buf[n] = '\0';
    return n;
}

/* 10^k, exact as doubles for k <= 22 */
static const double numeric_pow10[] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12,
    1e13, 1e14, 1e15, 1e16, 1e17, 1e18,
};

/* repr(x) without dtoa, where that is provably the same text; 0 where it
 * is not known (the caller asks PyOS_double_to_string).
 *
 * For 1e-4 <= |x| < 1e15 repr() writes fixed notation (no exponent) with
 * the fewest significant digits that read back as x.  Take the smallest k
 * such that an integer M < 10^15 gives M / 10^k == x in double arithmetic:
 * M and 10^k (k <= 18) are exact doubles and IEEE division is correctly
 * rounded, so the test is exactly "the decimal M * 10^-k reads back as x".
 * The doubles that read back as x span less than 2^-52 * x, that is less
 * than 0.23 in units of M while M < 10^15: at most one integer per k can
 * pass, and it is within 0.23 + 1/16 (the error of x * 10^k) of the
 * computed product, so rounding the product finds it.  The number of
 * digits grows with k, so the smallest k gives the shortest text, and two
 * different decimals of at most 15 digits can't both read back as x, so
 * it is the one repr() chooses. */
static Py_ssize_t
numeric_repr_fast(double x, char *buf)
{
    double ax = fabs(x), y, m = 0.0;
    unsigned long long u;
    Py_ssize_t n = 0;
    char *p;
    int k;

    if (signbit(x)) {
        buf[n++] = '-';
    }
    if (ax == 0.0) {
        memcpy(buf + n, "0.0", 4);
        return n + 3;
    }
    if (!(ax >= 1e-4 && ax < 1e15)) {
        return 0; /* exponent notation, 16 digits, NaN or infinite */
    }
#if !defined(FLT_EVAL_METHOD) || FLT_EVAL_METHOD != 0
    /* the proof needs each operation rounded to double (not x87's
     * extended registers) */
    return 0;
#endif
    for (k = 0; k <= 18; k++) {
        y = ax * numeric_pow10[k];
        if (y >= 1e15) {
            return 0;
        }
        /* 0 < y < 2^50: y + 0.5 is exact, the cast truncates */
        m = (double)(long long)(y + 0.5);
        if (m / numeric_pow10[k] == ax) {
            break;
        }
    }
    if (k > 18 || m >= 1e15) {
        return 0;
    }
    u = (unsigned long long)m;
    if (k == 0) {
        n += numeric_utoa(u, buf + n);
        memcpy(buf + n, ".0", 3);
        return n + 2;
    }
    /* integer part, '.', the k fraction digits with their leading zeros */
    n += numeric_utoa(u / numeric_pow10u[k], buf + n);
    buf[n++] = '.';
    p = numeric_utoa_end(u % numeric_pow10u[k], buf + n + k);
    while (p > buf + n) {
        *--p = '0';
    }
    n += k;
    buf[n] = '\0';
    return n;
}

Py_ssize_t
adapter_float_repr(double x, char *buf)
{
    Py_ssize_t n = numeric_repr_fast(x, buf);
    char *s;

    if (n > 0) {
        return n;
    }
    if (!(s = PyOS_double_to_string(x, 'r', 0, Py_DTSF_ADD_DOT_0, NULL))) {
        return -1;
    }
    n = (Py_ssize_t)strlen(s);
    if (n >= ADAPTER_FLOAT_REPR_MAX) {
        PyMem_Free(s);
        PyErr_SetString(PyExc_SystemError, "float repr too long");
        return -1;
    }
    memcpy(buf, s, (size_t)n + 1);
    PyMem_Free(s);
    return n;
}

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
            /* " -N": see numeric_signed_bytes */
            buf[0] = ' ';
            len = adapter_format_llong(v, buf + 1);
            rv = v < 0 ? PyBytes_FromStringAndSize(buf, len + 1)
                       : PyBytes_FromStringAndSize(buf + 1, len);
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
    char s[ADAPTER_FLOAT_REPR_MAX];
    Py_ssize_t n;
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
    if ((n = adapter_float_repr(d, s)) < 0) {
        goto exit;
    }
    rv = numeric_signed_bytes(s, n);

exit:
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
