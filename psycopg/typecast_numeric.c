/* Numeric casters: int2/int4/int8/oid -> int, float4/float8 -> float,
 * numeric -> Decimal, bool -> bool. */

#include "psycopg.h"
#include "module.h"
#include "typecast.h"

#include <string.h>

#define NUM_STACK_BUF 64

static inline int
num_isdigit(char c)
{
    return c >= '0' && c <= '9';
}

/* Match `word` exactly (case-sensitive, as the server writes it). */
static inline int
num_is_word(const char *s, Py_ssize_t len, const char *word)
{
    size_t n = strlen(word);
    return (size_t)len == n && memcmp(s, word, n) == 0;
}

/* NaN, Infinity, -Infinity (and +Infinity): 1 NaN, 2 +inf, 3 -inf, 0 no */
static int
num_special(const char *s, Py_ssize_t len)
{
    if (num_is_word(s, len, "NaN")) {
        return 1;
    }
    if (num_is_word(s, len, "Infinity") || num_is_word(s, len, "+Infinity")) {
        return 2;
    }
    if (num_is_word(s, len, "-Infinity")) {
        return 3;
    }
    return 0;
}

/* [+-]? (digits [. digits*] | . digits) ([eE] [+-]? digits)?
 * Sets *isint when there is neither point nor exponent. */
static int
num_syntax_ok(const char *s, Py_ssize_t len, int *isint)
{
    Py_ssize_t i = 0, nd = 0;

    *isint = 1;
    if (i < len && (s[i] == '+' || s[i] == '-')) {
        i++;
    }
    while (i < len && num_isdigit(s[i])) {
        i++;
        nd++;
    }
    if (i < len && s[i] == '.') {
        *isint = 0;
        i++;
        while (i < len && num_isdigit(s[i])) {
            i++;
            nd++;
        }
    }
    if (nd == 0) {
        return 0;
    }
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        Py_ssize_t ne = 0;
        *isint = 0;
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-')) {
            i++;
        }
        while (i < len && num_isdigit(s[i])) {
            i++;
            ne++;
        }
        if (ne == 0) {
            return 0;
        }
    }
    return i == len;
}

/* Copy s into a NUL-terminated buffer: `stack` if it fits, else the heap
 * (*heap set, to PyMem_Free). NULL with MemoryError on failure. */
static char *
num_cstring(const char *s, Py_ssize_t len, char *stack, char **heap)
{
    char *buf = stack;

    *heap = NULL;
    if (len >= NUM_STACK_BUF) {
        if ((buf = *heap = PyMem_Malloc((size_t)len + 1)) == NULL) {
            PyErr_NoMemory();
            return NULL;
        }
    }
    memcpy(buf, s, (size_t)len);
    buf[len] = '\0';
    return buf;
}

static PyObject *
num_parse_int(const char *s, Py_ssize_t len, const typecast_ctx *ctx,
              const char *what)
{
    char stack[NUM_STACK_BUF];
    char *heap = NULL, *buf;
    PyObject *rv = NULL;
    Py_ssize_t i = 0, nd;
    int neg = 0;

    if (len > 0 && (s[0] == '-' || s[0] == '+')) {
        neg = s[0] == '-';
        i = 1;
    }
    nd = len - i;
    if (nd <= 0) {
        return typecast_data_error(ctx, what, s, len);
    }
    for (; i < len; i++) {
        if (!num_isdigit(s[i])) {
            return typecast_data_error(ctx, what, s, len);
        }
    }
    if (nd <= 18) {
        long long v = 0;
        for (i = len - nd; i < len; i++) {
            v = v * 10 + (s[i] - '0');
        }
        return PyLong_FromLongLong(neg ? -v : v);
    }
    if ((buf = num_cstring(s, len, stack, &heap)) == NULL) {
        goto exit;
    }
    rv = PyLong_FromString(buf, NULL, 10);

exit:
    PyMem_Free(heap);
    return rv;
}

PyObject *
typecast_int_cast(const char *s, Py_ssize_t len, const typecast_ctx *ctx,
                  PyObject *base)
{
    if (s == NULL) {
        return Py_NewRef(Py_None);
    }
    return num_parse_int(s, len, ctx, "integer");
}

static PyObject *
num_parse_float(const char *s, Py_ssize_t len, const typecast_ctx *ctx)
{
    char stack[NUM_STACK_BUF];
    char *heap = NULL, *buf;
    PyObject *rv = NULL;
    double d;
    int isint;

    switch (num_special(s, len)) {
    case 1:
        return PyFloat_FromDouble(Py_NAN);
    case 2:
        return PyFloat_FromDouble(Py_HUGE_VAL);
    case 3:
        return PyFloat_FromDouble(-Py_HUGE_VAL);
    default:
        break;
    }
    if (!num_syntax_ok(s, len, &isint)) {
        return typecast_data_error(ctx, "float", s, len);
    }
    if ((buf = num_cstring(s, len, stack, &heap)) == NULL) {
        goto exit;
    }
    d = PyOS_string_to_double(buf, NULL, NULL);
    if (d == -1.0 && PyErr_Occurred()) {
        goto exit;
    }
    rv = PyFloat_FromDouble(d);

exit:
    PyMem_Free(heap);
    return rv;
}

PyObject *
typecast_float_cast(const char *s, Py_ssize_t len, const typecast_ctx *ctx,
                    PyObject *base)
{
    if (s == NULL) {
        return Py_NewRef(Py_None);
    }
    return num_parse_float(s, len, ctx);
}

/* The DB-API NUMBER object: int when integral, else float. */
PyObject *
typecast_number_cast(const char *s, Py_ssize_t len, const typecast_ctx *ctx,
                     PyObject *base)
{
    int isint = 0;

    if (s == NULL) {
        return Py_NewRef(Py_None);
    }
    if (num_syntax_ok(s, len, &isint) && isint) {
        return num_parse_int(s, len, ctx, "number");
    }
    return num_parse_float(s, len, ctx);
}

PyObject *
typecast_decimal_cast(const char *s, Py_ssize_t len, const typecast_ctx *ctx,
                      PyObject *base)
{
    PyObject *str = NULL;
    PyObject *rv = NULL;
    int isint;

    if (s == NULL) {
        return Py_NewRef(Py_None);
    }
    if (!num_special(s, len) && !num_syntax_ok(s, len, &isint)) {
        return typecast_data_error(ctx, "numeric", s, len);
    }
    if ((str = PyUnicode_DecodeASCII(s, len, NULL)) == NULL) {
        goto exit;
    }
    rv = PyObject_CallOneArg(ctx->st->Decimal, str);

exit:
    Py_XDECREF(str);
    return rv;
}

PyObject *
typecast_bool_cast(const char *s, Py_ssize_t len, const typecast_ctx *ctx,
                   PyObject *base)
{
    if (s == NULL) {
        return Py_NewRef(Py_None);
    }
    if (len == 1 && s[0] == 't') {
        Py_RETURN_TRUE;
    }
    if (len == 1 && s[0] == 'f') {
        Py_RETURN_FALSE;
    }
    return typecast_data_error(ctx, "boolean", s, len);
}
