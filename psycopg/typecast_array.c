/* Array literals -> (nested) lists, each element cast by the base caster.
 *
 * Grammar (the server's output, plus the whitespace its input accepts):
 *   array   := [ '[' lo ':' hi ']' ... '=' ] level
 *   level   := '{' [ item ( delim item )* ] '}'
 *   item    := level | '"' quoted '"' | unquoted     (unquoted NULL -> None)
 * Backslash escapes the next character, quoted or not.  Nothing is read at
 * or beyond s + len. */

#include "psycopg.h"
#include "module.h"
#include "typecast.h"

#include <string.h>

#define ARRAY_MAX_DEPTH 64

typedef struct {
    const char *p;             /* cursor */
    const char *end;           /* s + len */
    const char *s;             /* whole literal, for errors */
    Py_ssize_t len;
    const typecast_ctx *ctx;
    PyObject *base;
    typecast_cfunc efunc;      /* base's C function, or NULL: typecast_cast */
    PyObject *ebase;           /* base's own element caster */
    char delim;
    int direct;                /* efunc reads exactly len bytes: plain
                                * elements are cast in place, not copied */
    int ints;                  /* efunc is the int caster: plain decimal
                                * elements are read while scanned */
    char *buf;                 /* unescaped element, len + 1 bytes */
} array_parser;

/* The items of one level, gathered before the list is made at its final
 * size (no list growth, no PyList_Append). */
#define ARRAY_STACK_ITEMS 128

typedef struct {
    PyObject **items;          /* stack or the heap */
    Py_ssize_t n, cap;
    PyObject *stack[ARRAY_STACK_ITEMS];
} array_items;

static inline void
array_items_init(array_items *it)
{
    it->items = it->stack;
    it->n = 0;
    it->cap = ARRAY_STACK_ITEMS;
}

/* Make room for one more item: 0 or -1 (MemoryError set). */
static int
array_items_grow(array_items *it)
{
    PyObject **p;
    Py_ssize_t cap = it->cap * 2;

    if ((size_t)cap > PY_SSIZE_T_MAX / sizeof(PyObject *)) {
        p = NULL;
    }
    else if (it->items == it->stack) {
        if ((p = PyMem_Malloc((size_t)cap * sizeof(PyObject *)))) {
            memcpy(p, it->stack, (size_t)it->n * sizeof(PyObject *));
        }
    }
    else {
        p = PyMem_Realloc(it->items, (size_t)cap * sizeof(PyObject *));
    }
    if (p == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    it->items = p;
    it->cap = cap;
    return 0;
}

/* Append `o` (stolen, also on error): 0 or -1. */
static inline int
array_items_push(array_items *it, PyObject *o)
{
    if (it->n == it->cap && array_items_grow(it) < 0) {
        Py_DECREF(o);
        return -1;
    }
    it->items[it->n++] = o;
    return 0;
}

/* Move the items into a new list (NULL: they stay, to be cleared). */
static PyObject *
array_items_list(array_items *it)
{
    Py_ssize_t i;
    PyObject *list = PyList_New(it->n);
    if (list == NULL) {
        return NULL;
    }
    for (i = 0; i < it->n; i++) {
        PyList_SET_ITEM(list, i, it->items[i]);
    }
    it->n = 0;
    return list;
}

static void
array_items_clear(array_items *it)
{
    while (it->n > 0) {
        it->n--;
        Py_DECREF(it->items[it->n]);
    }
    if (it->items != it->stack) {
        PyMem_Free(it->items);
    }
    it->items = it->stack;
}

/* the blanks the server's array input skips (isspace in the C locale) */
static const unsigned char array_space[256] = {
    [' '] = 1, ['\t'] = 1, ['\n'] = 1, ['\r'] = 1, ['\v'] = 1, ['\f'] = 1,
};

static inline int
array_isspace(char c)
{
    return array_space[(unsigned char)c];
}

static inline void
array_skip_space(array_parser *ap)
{
    while (ap->p < ap->end && array_isspace(*ap->p)) {
        ap->p++;
    }
}

static PyObject *
array_error(array_parser *ap)
{
    return typecast_data_error(ap->ctx, "array", ap->s, ap->len);
}

/* Skip the optional "[lo:hi][lo:hi]=" decoration. 0 or -1 (error set). */
static int
array_skip_bounds(array_parser *ap)
{
    if (ap->p >= ap->end || *ap->p != '[') {
        return 0;
    }
    while (ap->p < ap->end && *ap->p == '[') {
        int colon = 0, digits = 0;
        ap->p++;
        while (ap->p < ap->end && *ap->p != ']') {
            char c = *ap->p;
            if (c == ':') {
                colon++;
            }
            else if (c >= '0' && c <= '9') {
                digits++;
            }
            else if (c != '-' && c != '+') {
                array_error(ap);
                return -1;
            }
            ap->p++;
        }
        if (ap->p >= ap->end || colon != 1 || digits < 2) {
            array_error(ap);
            return -1;
        }
        ap->p++; /* ']' */
    }
    array_skip_space(ap);
    if (ap->p >= ap->end || *ap->p != '=') {
        /* '[1:2]{a}': psycopg2's text */
        PyErr_SetString(ap->ctx->st->DataError,
                        "array does not start with '{'");
        return -1;
    }
    ap->p++;
    array_skip_space(ap);
    return 0;
}

/* Read a quoted element (ap->p on the opening quote) into ap->buf.
 * Returns its length or -1 (error set). */
static Py_ssize_t
array_read_quoted(array_parser *ap)
{
    Py_ssize_t n = 0;

    ap->p++; /* '"' */
    while (ap->p < ap->end && *ap->p != '"') {
        if (*ap->p == '\\') {
            ap->p++;
            if (ap->p >= ap->end) {
                break;
            }
        }
        ap->buf[n++] = *ap->p++;
    }
    if (ap->p >= ap->end) {
        array_error(ap);
        return -1;
    }
    ap->p++; /* closing '"' */
    ap->buf[n] = '\0';
    return n;
}

/* Read an unquoted element into ap->buf, trailing unescaped blanks trimmed.
 * *escaped tells if any backslash was seen (so "\NULL" is not NULL).
 * Returns its length or -1 (error set). */
static Py_ssize_t
array_read_unquoted(array_parser *ap, int *escaped)
{
    Py_ssize_t n = 0, keep = 0;

    *escaped = 0;
    while (ap->p < ap->end && *ap->p != ap->delim && *ap->p != '}') {
        char c = *ap->p;
        if (c == '{' || c == '"') {
            array_error(ap);
            return -1;
        }
        if (c == '\\') {
            ap->p++;
            if (ap->p >= ap->end) {
                array_error(ap);
                return -1;
            }
            *escaped = 1;
            ap->buf[n++] = *ap->p++;
            keep = n;
            continue;
        }
        ap->buf[n++] = c;
        ap->p++;
        if (!array_isspace(c)) {
            keep = n;
        }
    }
    if (ap->p >= ap->end || keep == 0) {
        array_error(ap);
        return -1;
    }
    ap->buf[keep] = '\0';
    return keep;
}

/* Cast one element (s NULL for NULL) with the base caster. */
static inline PyObject *
array_cast_item(array_parser *ap, const char *s, Py_ssize_t n)
{
    if (ap->efunc != NULL) {
        if (s == NULL) {
            return Py_NewRef(Py_None);
        }
        return ap->efunc(s, n, ap->ctx, ap->ebase);
    }
    return typecast_cast(ap->base, s, n, ap->ctx);
}

/* Characters that end or complicate an unquoted element (besides the
 * delimiter): backslash, quote, braces, blanks. */
static const unsigned char array_special[256] = {
    ['\\'] = 1, ['"'] = 1, ['{'] = 1, ['}'] = 1, [' '] = 1, ['\t'] = 1,
    ['\n'] = 1, ['\r'] = 1, ['\v'] = 1, ['\f'] = 1,
};

/* The length of a plain element at ap->p (no backslash, quote, brace or
 * blank, then the delimiter or '}'), or 0: the careful readers take it. */
static inline Py_ssize_t
array_scan_plain(const array_parser *ap)
{
    const char *q = ap->p;
    char delim = ap->delim;

    while (q < ap->end) {
        unsigned char c = (unsigned char)*q;
        if (c == (unsigned char)delim) {
            return q - ap->p;
        }
        if (array_special[c]) {
            return c == '}' ? q - ap->p : 0;
        }
        q++;
    }
    return 0;
}

/* An int element as the server writes it ([-]digits, at most 18) read in
 * one pass: a new int with ap->p moved past it, or NULL with ap->p
 * unchanged and no exception (the general path reads it). */
static inline PyObject *
array_scan_int(array_parser *ap)
{
    const char *q = ap->p, *end = ap->end, *digits, *lim;
    long long v = 0;
    int neg = 0;

    if (q < end && *q == '-') {
        neg = 1;
        q++;
    }
    digits = q;
    /* up to 7 digits with 8 bytes to read: all at once */
    if (end - q >= 8) {
        uint64_t uv;
        int n = typecast_digits8(q, &uv);
        if (n < 8) {
            q += n;
            v = (long long)uv;
            goto read;
        }
    }
    /* one bound for the loop: the end or 18 digits, whichever is first */
    lim = end - q > 18 ? q + 18 : end;
    while (q < lim) {
        unsigned d = (unsigned)(unsigned char)*q - '0';
        if (d > 9) {
            break;
        }
        v = v * 10 + d;
        q++;
    }
read:
    if (q == digits || q >= end || (*q != ap->delim && *q != '}')) {
        return NULL;
    }
    ap->p = q;
    return PyLong_FromLongLong(neg ? -v : v);
}

static inline int
array_is_null(const char *b, Py_ssize_t n)
{
    return n == 4 && (b[0] == 'N' || b[0] == 'n') &&
           (b[1] == 'U' || b[1] == 'u') && (b[2] == 'L' || b[2] == 'l') &&
           (b[3] == 'L' || b[3] == 'l');
}

/* A boolean element that failed: psycopg2's message shows the literal from
 * the element's first character to its end ("can't parse boolean: 'x}'"),
 * so replace the element caster's InterfaceError with that text. */
static void
array_bool_error(array_parser *ap, const char *elem)
{
    PyObject *shown;

    if (ap->efunc != typecast_bool_cast ||
        !PyErr_ExceptionMatches(ap->ctx->st->InterfaceError)) {
        return;
    }
    PyErr_Clear();
    if (*elem == '"') {
        elem++;
    }
    shown = PyUnicode_DecodeUTF8(elem, ap->end - elem, "replace");
    if (shown != NULL) {
        PyErr_Format(ap->ctx->st->InterfaceError,
                     "can't parse boolean: '%U'", shown);
        Py_DECREF(shown);
    }
}

/* Parse one '{...}' level, ap->p on the '{'. New list or NULL. */
static PyObject *
array_parse_level(array_parser *ap, int depth)
{
    array_items it;
    PyObject *item;
    PyObject *rv = NULL;
    /* a level may mix items and sub-levels ('{1,{2}}' is [1, [2]]) as
     * psycopg2 reads it; the server never writes such text */

    array_items_init(&it);
    if (depth > ARRAY_MAX_DEPTH) {
        array_error(ap);
        goto exit;
    }
    ap->p++; /* '{' */
    array_skip_space(ap);
    if (ap->p < ap->end && *ap->p == '}') {
        ap->p++;
        rv = PyList_New(0);
        goto exit;
    }
    for (;;) {
        Py_ssize_t n;
        const char *elem;
        if (ap->ints) {
            /* the common case of int arrays: a run of plain ints, each
             * followed by the delimiter or '}' (array_scan_int checked) */
            while ((item = array_scan_int(ap)) != NULL) {
                char c = *ap->p++;
                if (array_items_push(&it, item) < 0) {
                    goto exit;
                }
                if (c == '}') {
                    goto done;
                }
            }
            if (PyErr_Occurred()) {
                goto exit;
            }
        }
        array_skip_space(ap);
        elem = ap->p;
        if (ap->p >= ap->end) {
            array_error(ap);
            goto exit;
        }
        if ((n = array_scan_plain(ap)) > 0) {
            /* the common case, read where it lies */
            const char *e = ap->p;
            ap->p += n;
            if (array_is_null(e, n)) {
                item = array_cast_item(ap, NULL, 0);
            }
            else if (ap->direct) {
                item = ap->efunc(e, n, ap->ctx, ap->ebase);
            }
            else {
                memcpy(ap->buf, e, (size_t)n);
                ap->buf[n] = '\0';
                item = array_cast_item(ap, ap->buf, n);
            }
        }
        else if (*ap->p == '{') {
            item = array_parse_level(ap, depth + 1);
        }
        else if (*ap->p == '"') {
            if ((n = array_read_quoted(ap)) < 0) {
                goto exit;
            }
            item = array_cast_item(ap, ap->buf, n);
        }
        else {
            int escaped;
            if ((n = array_read_unquoted(ap, &escaped)) < 0) {
                goto exit;
            }
            if (!escaped && array_is_null(ap->buf, n)) {
                item = array_cast_item(ap, NULL, 0);
            }
            else {
                item = array_cast_item(ap, ap->buf, n);
            }
        }
        if (item == NULL) {
            if (*elem != '{') { /* a sub-level has set its own */
                array_bool_error(ap, elem);
            }
            goto exit;
        }
        if (array_items_push(&it, item) < 0) {
            goto exit;
        }

        array_skip_space(ap);
        if (ap->p >= ap->end) {
            array_error(ap);
            goto exit;
        }
        if (*ap->p == ap->delim) {
            ap->p++;
            continue;
        }
        if (*ap->p == '}') {
            ap->p++;
            break;
        }
        array_error(ap);
        goto exit;
    }
done:
    rv = array_items_list(&it);

exit:
    array_items_clear(&it);
    return rv;
}

static PyObject *
array_parse_bytes(const char *s, Py_ssize_t len, const typecast_ctx *ctx,
                     PyObject *base, char delim)
{
    array_parser ap;
    PyObject *list = NULL;
    PyObject *rv = NULL;

    ap.p = s;
    ap.end = s + len;
    ap.s = s;
    ap.len = len;
    ap.ctx = ctx;
    ap.base = base;
    ap.delim = delim;
    ap.buf = NULL;

    if (base == NULL) {
        PyErr_SetString(PyExc_SystemError, "array typecaster without base");
        goto exit;
    }
    ap.efunc = typecast_resolve(ctx->st, base, &ap.ebase);
    /* these read s[0..len) only (no NUL needed) */
    ap.direct = ap.efunc == typecast_int_cast
                || ap.efunc == typecast_float_cast
                || ap.efunc == typecast_number_cast
                || ap.efunc == typecast_decimal_cast
                || ap.efunc == typecast_bool_cast
                || ap.efunc == typecast_unicode_cast
                || ap.efunc == typecast_bytes_cast;
    ap.ints = ap.efunc == typecast_int_cast;
    if ((ap.buf = PyMem_Malloc((size_t)len + 1)) == NULL) {
        PyErr_NoMemory();
        goto exit;
    }
    array_skip_space(&ap);
    if (array_skip_bounds(&ap) < 0) {
        goto exit;
    }
    if (ap.p >= ap.end || *ap.p != '{') {
        /* psycopg2's text */
        PyErr_SetString(ctx->st->DataError, "array does not start with '{'");
        goto exit;
    }
    if ((list = array_parse_level(&ap, 1)) == NULL) {
        goto exit;
    }
    array_skip_space(&ap);
    if (ap.p != ap.end) {
        /* '{1}x': psycopg2's text */
        PyErr_SetString(ctx->st->DataError, "unbalanced braces in array");
        goto exit;
    }
    rv = Py_NewRef(list);

exit:
    PyMem_Free(ap.buf);
    Py_XDECREF(list);
    return rv;
}

/* Client encodings whose multibyte characters may have a trail byte in the
 * ASCII range ('\\', '"', '{', '}', ','): the literal cannot be split on
 * bytes, so it is transcoded to UTF-8 first.  Python codec names, as in
 * extensions.encodings. */
static const char *const array_unsafe_encodings[] = {
    "cp932", "shift_jis", "shift_jis_2004", "big5", "big5hkscs", "cp950",
    "gbk", "cp936", "gb18030", "johab", "cp949", NULL
};

static int
array_needs_transcoding(const typecast_ctx *ctx, PyObject *base)
{
    const char *const *enc;

    if (ctx->is_utf8 || ctx->pyenc == NULL) {
        return 0;
    }
    /* BYTESARRAY wants the elements' bytes as they came */
    if (PyObject_TypeCheck(base, ctx->st->typecast_type) &&
        ((typecastObject *)base)->ccast == typecast_bytes_cast) {
        return 0;
    }
    for (enc = array_unsafe_encodings; *enc != NULL; enc++) {
        if (strcmp(*enc, ctx->pyenc) == 0) {
            return 1;
        }
    }
    return 0;
}

PyObject *
typecast_array_parse(const char *s, Py_ssize_t len, const typecast_ctx *ctx,
                     PyObject *base, char delim)
{
    PyObject *str = NULL;
    PyObject *rv = NULL;
    typecast_ctx uctx;
    const char *u;
    Py_ssize_t ulen;

    if (s == NULL) {
        return Py_NewRef(Py_None);
    }
    if (base == NULL) {
        PyErr_SetString(PyExc_SystemError, "array typecaster without base");
        return NULL;
    }
    if (!array_needs_transcoding(ctx, base)) {
        return array_parse_bytes(s, len, ctx, base, delim);
    }
    if ((str = typecast_text_decode(s, len, ctx)) == NULL) {
        goto exit;
    }
    if ((u = PyUnicode_AsUTF8AndSize(str, &ulen)) == NULL) {
        goto exit;
    }
    uctx = *ctx;
    uctx.pyenc = "utf_8";
    uctx.is_utf8 = 1;
    rv = array_parse_bytes(u, ulen, &uctx, base, delim);

exit:
    Py_XDECREF(str);
    return rv;
}

PyObject *
typecast_array_cast(const char *s, Py_ssize_t len, const typecast_ctx *ctx,
                    PyObject *base)
{
    return typecast_array_parse(s, len, ctx, base, ',');
}
