/* bytea -> memoryview, from the hex (\x...) or the escape output format. */

#include "psycopg.h"
#include "module.h"
#include "typecast.h"

/* Value of each hex digit, -1 for anything else. */
static const signed char bytea_hex_table[256] = {
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
     0,  1,  2,  3,  4,  5,  6,  7,  8,  9, -1, -1, -1, -1, -1, -1,
    -1, 10, 11, 12, 13, 14, 15, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, 10, 11, 12, 13, 14, 15, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
};

static inline int
bytea_isoct(char c)
{
    return c >= '0' && c <= '7';
}

/* Decode into `out`, or only validate and count when out is NULL.  Returns
 * the number of bytes or -1 for malformed input. */
static Py_ssize_t
bytea_unhex(const char *s, Py_ssize_t len, unsigned char *out)
{
    const unsigned char *u = (const unsigned char *)s;
    Py_ssize_t i, n = 0;

    if ((len % 2) != 0) {
        return -1;
    }
    if (out == NULL) {
        return len / 2; /* validated while decoding */
    }
    for (i = 0; i < len; i += 2) {
        int hi = bytea_hex_table[u[i]];
        int lo = bytea_hex_table[u[i + 1]];
        if ((hi | lo) < 0) {
            return -1;
        }
        out[n++] = (unsigned char)(hi << 4 | lo);
    }
    return n;
}

static Py_ssize_t
bytea_unescape(const char *s, Py_ssize_t len, unsigned char *out)
{
    Py_ssize_t i = 0, n = 0;
    unsigned char c;

    while (i < len) {
        if (s[i] != '\\') {
            c = (unsigned char)s[i];
            i += 1;
        }
        else if (i + 1 < len && s[i + 1] == '\\') {
            c = '\\';
            i += 2;
        }
        else if (len - i >= 4 && s[i + 1] >= '0' && s[i + 1] <= '3' &&
                 bytea_isoct(s[i + 2]) && bytea_isoct(s[i + 3])) {
            c = (unsigned char)(((s[i + 1] - '0') << 6) |
                                ((s[i + 2] - '0') << 3) | (s[i + 3] - '0'));
            i += 4;
        }
        else {
            return -1;
        }
        if (out != NULL) {
            out[n] = c;
        }
        n++;
    }
    return n;
}

PyObject *
typecast_bytea_cast(const char *s, Py_ssize_t len, const typecast_ctx *ctx,
                    PyObject *base)
{
    PyObject *bytes = NULL;
    PyObject *rv = NULL, *mv = NULL;
    Py_ssize_t n;
    int hex;

    if (s == NULL) {
        return Py_NewRef(Py_None);
    }
    hex = len >= 2 && s[0] == '\\' && s[1] == 'x';
    n = hex ? bytea_unhex(s + 2, len - 2, NULL) : bytea_unescape(s, len, NULL);
    if (n < 0) {
        typecast_data_error(ctx, "bytea", s, len);
        goto exit;
    }
    if ((bytes = PyBytes_FromStringAndSize(NULL, n)) == NULL) {
        goto exit;
    }
    if (hex) {
        /* one pass: the size is known, the digits are checked as we go */
        if (bytea_unhex(s + 2, len - 2,
                        (unsigned char *)PyBytes_AS_STRING(bytes)) < 0) {
            typecast_data_error(ctx, "bytea", s, len);
            goto exit;
        }
    }
    else {
        bytea_unescape(s, len, (unsigned char *)PyBytes_AS_STRING(bytes));
    }
    /* as psycopg2: a buffer of format 'c', so mv[0] == b'x' */
    if ((mv = PyMemoryView_FromObject(bytes)) == NULL) {
        goto exit;
    }
    rv = PyObject_CallMethod(mv, "cast", "s", "c");

exit:
    Py_XDECREF(mv);
    Py_XDECREF(bytes);
    return rv;
}
