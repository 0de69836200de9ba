/* Client-side parameter merging: %s and %(name)s into the query text.
 *
 * One pass over the query bytes, writing the result into one growing
 * buffer; the errors are those of psycopg2 (see query_merge).  Every read is bounds-checked against the query length: the
 * input comes straight from users (and from the fuzzer). */

#include "psycopg.h"
#include "module.h"
#include "connection.h"
#include "microprotocols.h"
#include "errors.h"
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

/* The error psycopg2 gives for a conversion other than 's' at byte i of
 * the query (after the value was looked up and adapted: it is reported
 * after every value, as by its second, formatting pass). */
static PyObject *
query_format_error(const char *q, size_t n, size_t i)
{
    unsigned char c;
    if (i >= n) {
        return PyUnicode_FromString("incomplete format");
    }
    c = (unsigned char)q[i];
    return PyUnicode_FromFormat(
        "unsupported format character '%c' (0x%x) at index %zd",
        (c >= 0x20 && c < 0x7f) ? (int)c : '?', (unsigned)c, (Py_ssize_t)i);
}

enum { QUERY_STYLE_NONE, QUERY_STYLE_POS, QUERY_STYLE_NAMED };

/* Merge vars into query as psycopg2 does, errors included:
 *
 * - left to right, each placeholder's value is looked up (vars[i] with the
 *   sequence protocol for %s, vars[name] for %(name)s) and adapted at once,
 *   so lookup and adaptation errors (IndexError, KeyError, TypeError,
 *   "can't adapt") come first, in query order; any '%' not followed by '%'
 *   or '(' is a positional placeholder, whatever the conversion after it;
 * - switching between the two styles is a ProgrammingError;
 * - then the conversion errors: ValueError "incomplete format" or
 *   "unsupported format character ..." (the first in the query);
 * - then, if %s placeholders were used, unused items of vars are a
 *   TypeError "not all arguments converted during string formatting".
 *   With no placeholder at all, vars is not looked at ("%%" still gives
 *   "%"). */
static PyObject *query_merge_impl(module_state *st, connectionObject *conn,
                                  PyObject *query, PyObject *vars,
                                  mp_default_memo *memo);

PyObject *
query_merge(connectionObject *conn, PyObject *query, PyObject *vars)
{
    if (conn == NULL || conn->st == NULL) {
        PyErr_SetString(PyExc_SystemError, "query_merge without connection");
        return NULL;
    }
    return query_merge_impl(conn->st, conn, query, vars, NULL);
}

PyObject *
query_merge_memo(connectionObject *conn, PyObject *query, PyObject *vars,
                 mp_default_memo *memo)
{
    if (conn == NULL || conn->st == NULL) {
        PyErr_SetString(PyExc_SystemError, "query_merge without connection");
        return NULL;
    }
    /* a sequence or mapping of another type runs Python code to give its
     * items, a codec may be Python code: no memo then */
    if (!(PyTuple_CheckExact(vars) || PyList_CheckExact(vars)
          || PyDict_CheckExact(vars)) || !conn->is_utf8) {
        mp_default_memo_clear(memo);
        memo = NULL;
    }
    return query_merge_impl(conn->st, conn, query, vars, memo);
}

PyObject *
query_merge_st(module_state *st, connectionObject *conn, PyObject *query,
               PyObject *vars)
{
    return query_merge_impl(st, conn, query, vars, NULL);
}

static PyObject *
query_merge_impl(module_state *st, connectionObject *conn, PyObject *query,
                 PyObject *vars, mp_default_memo *memo)
{
    query_buf out = {NULL, 0, 0};
    PyObject *cache = NULL;    /* name -> quoted bytes */
    PyObject *name = NULL;
    PyObject *value = NULL;
    PyObject *quoted = NULL;
    PyObject *fmterr = NULL;   /* the first conversion error, deferred */
    int fmterr_overflow = 0;
    PyObject *rv = NULL;
    const char *q, *pct;
    Py_ssize_t qlen;
    Py_ssize_t argi = 0;       /* next positional argument */
    size_t i, n, j, conv;
    int style = QUERY_STYLE_NONE;

    if (PyBytes_AsStringAndSize(query, (char **)&q, &qlen) < 0) {
        goto exit;
    }
    n = (size_t)qlen;
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

        if (i + 1 < n && q[i + 1] == '%') {
            if (query_buf_append(&out, "%", 1) < 0) {
                goto exit;
            }
            i += 2;
            continue;
        }

        if (i + 1 < n && q[i + 1] == '(') {
            /* %(name)s: the name runs to the first ')', without '%' */
            for (j = i + 2; j < n && q[j] != ')' && q[j] != '%'; j++) {
            }
            if (j >= n || q[j] != ')') {
                PyErr_SetString(st->ProgrammingError,
                                "incomplete placeholder: '%(' without ')'");
                goto exit;
            }
            if (style == QUERY_STYLE_POS) {
                PyErr_SetString(st->ProgrammingError,
                                "argument formats can't be mixed");
                goto exit;
            }
            style = QUERY_STYLE_NAMED;
            name = conn ? conn_decode(conn, q + i + 2,
                                      (Py_ssize_t)(j - (i + 2)))
                        : PyUnicode_DecodeUTF8(q + i + 2,
                                               (Py_ssize_t)(j - (i + 2)),
                                               NULL);
            if (name == NULL) {
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
                if (!(quoted = mp_getquoted_memo(st, value, conn, memo))) {
                    goto exit;
                }
                if (PyDict_SetItem(cache, name, quoted) < 0) {
                    goto exit;
                }
            }
            Py_CLEAR(name);
            conv = j + 1;
        }
        else {
            /* %s, or any other '%': a positional placeholder */
            if (style == QUERY_STYLE_NAMED) {
                PyErr_SetString(st->ProgrammingError,
                                "argument formats can't be mixed");
                goto exit;
            }
            style = QUERY_STYLE_POS;
            if (!(value = PySequence_GetItem(vars, argi))) {
                goto exit;
            }
            argi++;
            if (!(quoted = mp_getquoted_memo(st, value, conn, memo))) {
                goto exit;
            }
            conv = i + 1;
        }

        if (conv < n && q[conv] == 's') {
            if (query_buf_append_bytes(&out, quoted) < 0) {
                goto exit;
            }
        }
        else if (fmterr == NULL && !fmterr_overflow) {
            if (conv < n && (unsigned char)q[conv] >= 0x80) {
                /* what psycopg2 2.9 raises for a non-ASCII byte there */
                fmterr_overflow = 1;
            }
            else if (!(fmterr = query_format_error(q, n, conv))) {
                goto exit;
            }
        }
        Py_CLEAR(quoted);
        Py_CLEAR(value);
        i = conv + 1;
    }

    if (fmterr_overflow) {
        PyErr_SetString(PyExc_OverflowError,
                        "character argument not in range(0x110000)");
        goto exit;
    }
    if (fmterr != NULL) {
        PyErr_SetObject(PyExc_ValueError, fmterr);
        goto exit;
    }
    /* every positional argument must have been used */
    if (style == QUERY_STYLE_POS) {
        Py_ssize_t nargs = PySequence_Size(vars);
        if (nargs < 0) {
            goto exit;
        }
        if (argi < nargs) {
            PyErr_SetString(PyExc_TypeError,
                            "not all arguments converted during string "
                            "formatting");
            goto exit;
        }
    }

    rv = PyBytes_FromStringAndSize(out.data ? out.data : "",
                                   (Py_ssize_t)out.len);

exit:
    PyMem_Free(out.data);
    Py_XDECREF(fmterr);
    Py_XDECREF(quoted);
    Py_XDECREF(value);
    Py_XDECREF(name);
    Py_XDECREF(cache);
    return rv;
}

void
query_error_set_cursor(connectionObject *conn, PyObject *curs)
{
    PyObject *type, *value, *tb;
    if (conn == NULL || conn->st == NULL || !PyErr_Occurred())
        return;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    if (value != NULL
        && PyObject_TypeCheck(value, (PyTypeObject *)conn->st->Error)) {
        errorObject *e = (errorObject *)value;
        if (e->cursor == NULL || e->cursor == Py_None)
            Py_XSETREF(e->cursor, Py_NewRef(curs));
    }
    PyErr_Restore(type, value, tb);
}
