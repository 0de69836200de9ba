/* Client-side parameter merging: %s and %(name)s into the query text.
 *
 * One pass over the query bytes, writing the result into one growing
 * buffer (after a quick allocation-free scan that only looks for mixed
 * placeholder styles).  Every read is bounds-checked against the query length: the
 * input comes straight from users (and from the fuzzer). */

#include "psycopg.h"
#include "module.h"
#include "connection.h"
#include "microprotocols.h"
#include "query.h"

#include <string.h>

typedef struct {
    char *data;
    size_t len;
    size_t cap;
} query_buf;

static int
query_buf_reserve(query_buf *b, size_t more)
{
    size_t want, cap;
    char *p;

    if (more > (size_t)PY_SSIZE_T_MAX - b->len) {
        PyErr_NoMemory();
        return -1;
    }
    want = b->len + more;
    if (want <= b->cap) {
        return 0;
    }
    cap = b->cap ? b->cap : 64;
    while (cap < want) {
        cap = (cap > (size_t)PY_SSIZE_T_MAX / 2) ? want : cap * 2;
    }
    if (!(p = PyMem_Realloc(b->data, cap))) {
        PyErr_NoMemory();
        return -1;
    }
    b->data = p;
    b->cap = cap;
    return 0;
}

static int
query_buf_append(query_buf *b, const char *s, size_t n)
{
    if (n == 0) {
        return 0;
    }
    if (query_buf_reserve(b, n) < 0) {
        return -1;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    return 0;
}

/* append a bytes object (a quoted value) */
static int
query_buf_append_bytes(query_buf *b, PyObject *bytes)
{
    if (!PyBytes_Check(bytes)) {
        PyErr_Format(PyExc_TypeError, "quoted value must be bytes, not %.200s",
                     Py_TYPE(bytes)->tp_name);
        return -1;
    }
    return query_buf_append(b, PyBytes_AS_STRING(bytes),
                            (size_t)PyBytes_GET_SIZE(bytes));
}

static void
query_bad_format_char(unsigned char c)
{
    if (c >= 0x20 && c < 0x7f) {
        PyErr_Format(PyExc_ValueError,
                     "unsupported format character: '%c'", (int)c);
    }
    else {
        PyErr_Format(PyExc_ValueError,
                     "unsupported format character: '\\x%02x'", (unsigned)c);
    }
}

static void
query_not_indexable(PyObject *vars)
{
    PyErr_Format(PyExc_TypeError, "'%.200s' object does not support indexing",
                 Py_TYPE(vars)->tp_name);
}

enum { QUERY_STYLE_NONE, QUERY_STYLE_POS, QUERY_STYLE_NAMED };

/* Which placeholder styles the query uses (bit 1: %s, bit 2: %(name)s),
 * so that mixing them is reported before any value is looked up in vars
 * (a mapping can't serve %s, a sequence can't serve %(name)s). */
static int
query_scan_styles(const char *q, size_t n)
{
    const char *pct;
    size_t i = 0, j;
    int styles = 0;

    while (i < n && (pct = memchr(q + i, '%', n - i)) != NULL) {
        i = (size_t)(pct - q);
        if (i + 1 >= n) {
            break;
        }
        switch (q[i + 1]) {
        case 's':
            styles |= 1 << QUERY_STYLE_POS;
            i += 2;
            break;
        case '(':
            for (j = i + 2; j < n && q[j] != ')' && q[j] != '%'; j++) {
            }
            if (j + 1 < n && q[j] == ')' && q[j + 1] == 's') {
                styles |= 1 << QUERY_STYLE_NAMED;
            }
            i = j;
            break;
        default: /* %% and the errors the main pass reports */
            i += 2;
            break;
        }
    }
    return styles;
}

PyObject *
query_merge(connectionObject *conn, PyObject *query, PyObject *vars)
{
    module_state *st;
    query_buf out = {NULL, 0, 0};
    PyObject *cache = NULL;    /* name -> quoted bytes */
    PyObject *name = NULL;
    PyObject *value = NULL;
    PyObject *quoted = NULL;
    PyObject *rv = NULL;
    const char *q, *pct;
    Py_ssize_t qlen;
    Py_ssize_t nargs = -1;     /* len(vars), once known */
    Py_ssize_t argi = 0;       /* next positional argument */
    size_t i, n, j;
    int style = QUERY_STYLE_NONE;

    if (conn == NULL || conn->st == NULL) {
        PyErr_SetString(PyExc_SystemError, "query_merge without connection");
        goto exit;
    }
    st = conn->st;
    if (PyBytes_AsStringAndSize(query, (char **)&q, &qlen) < 0) {
        goto exit;
    }
    n = (size_t)qlen;
    if (query_scan_styles(q, n)
        == ((1 << QUERY_STYLE_POS) | (1 << QUERY_STYLE_NAMED))) {
        PyErr_SetString(st->ProgrammingError,
                        "argument formats can't be mixed");
        goto exit;
    }
    if (query_buf_reserve(&out, n + 16) < 0) {
        goto exit;
    }

    i = 0;
    while (i < n) {
        pct = memchr(q + i, '%', n - i);
        if (pct == NULL) {
            if (query_buf_append(&out, q + i, n - i) < 0) {
                goto exit;
            }
            break;
        }
        j = (size_t)(pct - q);
        if (query_buf_append(&out, q + i, j - i) < 0) {
            goto exit;
        }
        i = j; /* q[i] == '%' */
        if (i + 1 >= n) {
            PyErr_SetString(PyExc_ValueError, "incomplete format");
            goto exit;
        }

        switch ((unsigned char)q[i + 1]) {
        case '%':
            if (query_buf_append(&out, "%", 1) < 0) {
                goto exit;
            }
            i += 2;
            break;

        case 's':
            if (style == QUERY_STYLE_NAMED) {
                PyErr_SetString(st->ProgrammingError,
                                "argument formats can't be mixed");
                goto exit;
            }
            style = QUERY_STYLE_POS;
            if (nargs < 0) {
                if (!PySequence_Check(vars)) {
                    query_not_indexable(vars);
                    goto exit;
                }
                if ((nargs = PySequence_Size(vars)) < 0) {
                    goto exit;
                }
            }
            if (argi >= nargs) {
                PyErr_SetString(st->ProgrammingError,
                                "not enough arguments for format string");
                goto exit;
            }
            if (!(value = PySequence_GetItem(vars, argi))) {
                goto exit;
            }
            argi++;
            if (!(quoted = mp_getquoted(st, value, conn))) {
                goto exit;
            }
            if (query_buf_append_bytes(&out, quoted) < 0) {
                goto exit;
            }
            Py_CLEAR(quoted);
            Py_CLEAR(value);
            i += 2;
            break;

        case '(':
            /* %(name)s: the name runs to the first ')', without '%' */
            for (j = i + 2; j < n && q[j] != ')' && q[j] != '%'; j++) {
            }
            if (j >= n || q[j] != ')') {
                PyErr_SetString(st->ProgrammingError,
                                "incomplete placeholder: '%(' without ')'");
                goto exit;
            }
            if (j + 1 >= n) {
                PyErr_SetString(PyExc_ValueError, "incomplete format");
                goto exit;
            }
            if (q[j + 1] != 's') {
                query_bad_format_char((unsigned char)q[j + 1]);
                goto exit;
            }
            if (style == QUERY_STYLE_POS) {
                PyErr_SetString(st->ProgrammingError,
                                "argument formats can't be mixed");
                goto exit;
            }
            style = QUERY_STYLE_NAMED;
            if (!(name = conn_decode(conn, q + i + 2,
                                     (Py_ssize_t)(j - (i + 2))))) {
                goto exit;
            }
            if (cache == NULL && !(cache = PyDict_New())) {
                goto exit;
            }
            quoted = PyDict_GetItemWithError(cache, name);
            if (quoted != NULL) {
                Py_INCREF(quoted);
            }
            else {
                if (PyErr_Occurred()) {
                    goto exit;
                }
                if (!(value = PyObject_GetItem(vars, name))) {
                    goto exit;
                }
                if (!(quoted = mp_getquoted(st, value, conn))) {
                    goto exit;
                }
                if (PyDict_SetItem(cache, name, quoted) < 0) {
                    goto exit;
                }
            }
            if (query_buf_append_bytes(&out, quoted) < 0) {
                goto exit;
            }
            Py_CLEAR(quoted);
            Py_CLEAR(value);
            Py_CLEAR(name);
            i = j + 2;
            break;

        default:
            query_bad_format_char((unsigned char)q[i + 1]);
            goto exit;
        }
    }

    /* every positional argument must have been used */
    if (style != QUERY_STYLE_NAMED) {
        if (nargs < 0) {
            if (PySequence_Check(vars)) {
                if ((nargs = PySequence_Size(vars)) < 0) {
                    goto exit;
                }
            }
            else if (!PyMapping_Check(vars)) {
                query_not_indexable(vars);
                goto exit;
            }
            else {
                nargs = 0; /* a mapping and no placeholder */
            }
        }
        if (argi < nargs) {
            PyErr_SetString(st->ProgrammingError,
                            "not all arguments converted during string "
                            "formatting");
            goto exit;
        }
    }

    rv = PyBytes_FromStringAndSize(out.data ? out.data : "",
                                   (Py_ssize_t)out.len);

exit:
    PyMem_Free(out.data);
    Py_XDECREF(quoted);
    Py_XDECREF(value);
    Py_XDECREF(name);
    Py_XDECREF(cache);
    return rv;
}
