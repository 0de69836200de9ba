/* Numeric casters: int2/int4/int8/oid -> int, float4/float8 -> float,
 * numeric -> Decimal, bool -> bool. */

#include "psycopg.h"
#include "module.h"
#include "typecast.h"

#include <float.h>
#include <stdint.h>
#include <string.h>

/* The fast float readers round correctly only if every double operation
 * is rounded to double (not x87's extended precision): elsewhere the
 * general path reads every value. */
#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD == 0
#define NUM_FAST_FLOAT 1
#else
#define NUM_FAST_FLOAT 0
#endif

/* strtod_l with the C locale: correctly rounded like PyOS_string_to_double
 * and about 3x faster on 17-digit input (no x87 control word dance), and
 * immune to setlocale(LC_NUMERIC).  Elsewhere PyOS_string_to_double. */
#if defined(__GLIBC__) || defined(__APPLE__)
#define NUM_HAVE_STRTOD_L 1
#include <locale.h>
#include <stdlib.h>
#ifdef __APPLE__
#include <xlocale.h>
#endif
static locale_t num_c_locale;  /* made once by typecast_numeric_init */
#endif

#if defined(__SIZEOF_INT128__)
static void num_p10_init(void);
#endif

int
typecast_numeric_init(void)
{
#if defined(__SIZEOF_INT128__)
    num_p10_init();
#endif
#ifdef NUM_HAVE_STRTOD_L
    if (num_c_locale == (locale_t)0) {
        num_c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    }
#endif
    return 0;
}

/* Exact powers of ten representable as doubles. */
static const double num_pow10[] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

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

/* Slow path for text the server never writes (' 1', '1_000', '0x10'):
 * what int(text, 0) accepts, and its ValueError for anything else ("invalid
 * literal for int() with base 10: 'x'"), as psycopg2. */
static PyObject *
num_parse_int_lenient(const char *s, Py_ssize_t len, const typecast_ctx *ctx,
                      const char *what)
{
    char stack[NUM_STACK_BUF];
    char *heap = NULL, *buf;
    PyObject *rv = NULL;

    if (memchr(s, '\0', (size_t)len) != NULL) {
        return typecast_data_error(ctx, what, s, len);
    }
    if ((buf = num_cstring(s, len, stack, &heap)) == NULL) {
        goto exit;
    }
    rv = PyLong_FromString(buf, NULL, 0);

exit:
    PyMem_Free(heap);
    return rv;
}

/* An int8 is at most 20 characters: longer text is refused (as psycopg2,
 * which allows 23) rather than made into an arbitrarily large int. */
#define NUM_INT_MAXLEN 23

static PyObject *
num_parse_int(const char *s, Py_ssize_t len, const typecast_ctx *ctx,
              const char *what)
{
    char stack[NUM_STACK_BUF];
    char *heap = NULL, *buf;
    PyObject *rv = NULL;
    Py_ssize_t i = 0, nd;
    int neg = 0;

    /* the server's text, up to 18 digits: one pass, no check after */
    if (len > 0 && len <= 19) {
        const char *p = s, *end = s + len;
        long long v = 0;
        neg = *p == '-';
        if (neg || *p == '+') {
            p++;
        }
        /* not '010': int(text, 0) refuses it, below, as psycopg2 */
        if (p < end && end - p <= 18 && (*p != '0' || end - p == 1)) {
            for (; p < end; p++) {
                unsigned d = (unsigned)(unsigned char)*p - '0';
                if (d > 9) {
                    break;
                }
                v = v * 10 + d;
            }
            if (p == end) {
                return PyLong_FromLongLong(neg ? -v : v);
            }
        }
        neg = 0;
    }
    if (len > NUM_INT_MAXLEN) {
        PyObject *exc = ctx->st->DataError;
        PyErr_SetString(exc, "int64 representation too long");
        return NULL;
    }
    if (len > 0 && (s[0] == '-' || s[0] == '+')) {
        neg = s[0] == '-';
        i = 1;
    }
    nd = len - i;
    if (nd <= 0) {
        return num_parse_int_lenient(s, len, ctx, what);
    }
    for (; i < len; i++) {
        if (!num_isdigit(s[i])) {
            return num_parse_int_lenient(s, len, ctx, what);
        }
    }
    if (nd > 1 && s[len - nd] == '0') {
        /* '010': int(text, 0) refuses it (and takes '00'), as psycopg2 */
        return num_parse_int_lenient(s, len, ctx, what);
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

#if defined(__SIZEOF_INT128__)
#define NUM_HAVE_U128 1
typedef unsigned __int128 num_u128;

/* m / 10^k correctly rounded, for the 16 to 19 significant digits that
 * Clinger's path cannot take (the server writes 17 for most float8): 1 and
 * *out set, or 0 to take strtod.  The double quotient of m and 10^k is
 * within about one ulp; it is moved to the right neighbour by comparing
 * m / 10^k exactly with the midpoints around it, as integers:
 * m * 2^-sh against X * 10^k, all under 2^128 in the ranges accepted
 * (1 <= k <= 21, results from about 1e-4 to 2^55). */
static num_u128 num_p10_u128[22];  /* 10^k exactly, made at init */

static void
num_p10_init(void)
{
    int k;
    num_p10_u128[0] = 1;
    for (k = 1; k < 22; k++) {
        num_p10_u128[k] = num_p10_u128[k - 1] * 10;
    }
}

static int
num_div_pow10(uint64_t m, int k, double *out)
{
    double c = (double)m / num_pow10[k];
    num_u128 p10 = num_p10_u128[k];
    uint64_t bits;
    int i;

    memcpy(&bits, &c, sizeof(bits));
    for (i = 0; i < 4; i++) {
        int be = (int)(bits >> 52) & 0x7FF;
        uint64_t C = (bits & (((uint64_t)1 << 52) - 1)) | ((uint64_t)1 << 52);
        /* c = 4C * 2^sh; the midpoints are (4C + 2) and (4C - 2) * 2^sh,
         * or (4C - 1) * 2^sh below a power of two */
        int sh = be - 1075 - 2;
        num_u128 lhs, hi, lo;

        if (be == 0 || sh > 0 || sh < -63) {
            return 0;
        }
        lhs = (num_u128)m << -sh;
        hi = (num_u128)(4 * C + 2) * p10;
        lo = (num_u128)(C == ((uint64_t)1 << 52) ? 4 * C - 1 : 4 * C - 2)
             * p10;
        /* a tie goes to the even mantissa */
        if (lhs > hi || (lhs == hi && (C & 1))) {
            bits++;
        }
        else if (lhs < lo || (lhs == lo && (C & 1))) {
            bits--;
        }
        else {
            memcpy(out, &bits, sizeof(bits));
            return 1;
        }
    }
    return 0;
}
#endif

/* m * 10**exp (m with nd significant digits) as the correctly rounded
 * double, when that can be had exactly: Clinger's case (at most 15 digits,
 * |exp| <= 22: both exact doubles, one rounding), then num_div_pow10 for up
 * to 19 digits and a negative exponent.  1 with *out set, else 0 (big
 * integers, more digits: the general path). */
static inline int
num_exact_double(uint64_t m, int nd, int exp, int neg, double *out)
{
    double d;
    if (m == 0) {
        d = 0.0;
    }
    else if (nd <= 15 && exp >= -22 && exp <= 22) {
        d = (double)m;
        if (exp < 0) {
            d /= num_pow10[-exp];
        }
        else {
            d *= num_pow10[exp];
        }
    }
#ifdef NUM_HAVE_U128
    else if (exp < 0 && exp >= -21) {
        if (!num_div_pow10(m, -exp, &d)) {
            return 0;
        }
    }
#endif
    else {
        return 0;
    }
    *out = neg ? -d : d;
    return 1;
}

/* Fast path for syntax-checked input: the digits and exponent, then
 * num_exact_double.  1 with *out set, 0 to take the general path. */
static int
num_fast_double(const char *s, Py_ssize_t len, double *out)
{
    const char *p = s, *end = s + len;
    uint64_t m = 0;
    long long ev = 0;
    int neg = 0, nd = 0, exp = 0, eneg = 0;

    if (p < end && (*p == '+' || *p == '-')) {
        neg = *p == '-';
        p++;
    }
    for (; p < end && num_isdigit(*p); p++) {
        if (m == 0 && *p == '0') {
            continue;          /* leading zeros are not significant */
        }
        if (++nd > 19) {
            return 0;
        }
        m = m * 10 + (uint64_t)(*p - '0');
    }
    if (p < end && *p == '.') {
        for (p++; p < end && num_isdigit(*p); p++) {
            exp--;
            if (m == 0 && *p == '0') {
                continue;
            }
            if (++nd > 19) {
                return 0;
            }
            m = m * 10 + (uint64_t)(*p - '0');
        }
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-')) {
            eneg = *p == '-';
            p++;
        }
        for (; p < end; p++) {
            ev = ev * 10 + (*p - '0');
            if (ev > 1000) {
                return 0;
            }
        }
        exp += (int)(eneg ? -ev : ev);
    }
    return num_exact_double(m, nd, exp, neg, out);
}

/* The server's usual float text, [-]digits[.digits] with at most 19
 * significant digits, read and checked in one pass: 1 with *out set, or 0
 * for the general path (which would give the same double: both round
 * correctly). */
static inline int
num_plain_double(const char *s, Py_ssize_t len, double *out)
{
    const char *p = s, *end = s + len;
    uint64_t m = 0;
    int neg = 0, nd = 0, exp = 0, ndig = 0, frac = 0;

    if (p < end && *p == '-') {
        neg = 1;
        p++;
    }
    for (; p < end; p++) {
        unsigned c = (unsigned)(unsigned char)*p - '0';
        if (c > 9) {
            if (*p == '.' && !frac) {
                frac = 1;
                continue;
            }
            return 0;
        }
        ndig++;
        exp -= frac;
        if (m == 0 && c == 0) {
            continue;          /* leading zeros are not significant */
        }
        if (++nd > 19) {
            return 0;
        }
        m = m * 10 + c;
    }
    if (ndig == 0) {
        return 0;
    }
    return num_exact_double(m, nd, exp, neg, out);
}

/* Slow path for text the server never writes (' 1', '1_000', 'inf'):
 * what float(text) accepts, and its ValueError for anything else, as
 * psycopg2. */
static PyObject *
num_parse_float_lenient(const char *s, Py_ssize_t len,
                        const typecast_ctx *ctx)
{
    PyObject *str = NULL;
    PyObject *rv = NULL;

    /* not UTF-8: UnicodeDecodeError, as psycopg2 */
    if ((str = PyUnicode_DecodeUTF8(s, len, NULL)) == NULL) {
        goto exit;
    }
    rv = PyFloat_FromString(str);

exit:
    Py_XDECREF(str);
    return rv;
}

static PyObject *
num_parse_float(const char *s, Py_ssize_t len, const typecast_ctx *ctx)
{
    char stack[NUM_STACK_BUF];
    char *heap = NULL, *buf;
    PyObject *rv = NULL;
    double d;
    int isint;

    if (NUM_FAST_FLOAT && num_plain_double(s, len, &d)) {
        return PyFloat_FromDouble(d);
    }
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
        return num_parse_float_lenient(s, len, ctx);
    }
    if (NUM_FAST_FLOAT && num_fast_double(s, len, &d)) {
        return PyFloat_FromDouble(d);
    }
    if ((buf = num_cstring(s, len, stack, &heap)) == NULL) {
        goto exit;
    }
#ifdef NUM_HAVE_STRTOD_L
    if (num_c_locale != (locale_t)0) {
        /* overflow gives +-HUGE_VAL, as PyOS_string_to_double does */
        d = strtod_l(buf, NULL, num_c_locale);
        rv = PyFloat_FromDouble(d);
        goto exit;
    }
#endif
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

/* The DB-API NUMBER object, cast as float as psycopg2 does (its OIDs are
 * all registered with INTEGER, LONGINTEGER, FLOAT, DECIMAL after it). */
PyObject *
typecast_number_cast(const char *s, Py_ssize_t len, const typecast_ctx *ctx,
                     PyObject *base)
{
    if (s == NULL) {
        return Py_NewRef(Py_None);
    }
    return num_parse_float(s, len, ctx);
}

/* ---- numeric -> Decimal without Decimal(str) ----
 *
 * Decimal(str) costs about 1,800 instructions a value, most of them in the
 * call (argument tuple, keyword parsing, context lookup) and the generic
 * string reader.  The server writes numeric values as [-]digits[.digits];
 * for those, with up to NUM_DEC_WORDS * 19 significant digits, the Decimal
 * is made here: allocated by its own type and filled as its constructor
 * fills it (libmpdec's 64-bit layout: a coefficient of base 10**19 words,
 * least significant first, kept in the object itself).  That layout is not
 * a public API, so it is checked once, the first time a Decimal is made:
 * Decimal(str) and this path must give byte-identical objects for a set of
 * samples, else (another Python, a 32-bit libmpdec, the pure Python
 * decimal) every value goes through Decimal(str) as before. */

#define NUM_DEC_WORDS 4
#define NUM_DEC_NEG 1
#define NUM_DEC_STATIC 16
#define NUM_DEC_STATIC_DATA 32

typedef struct {
    PyObject_HEAD
    Py_hash_t hash;
    struct {
        uint8_t flags;
        Py_ssize_t exp;
        Py_ssize_t digits;
        Py_ssize_t len;
        Py_ssize_t alloc;
        uint64_t *data;
    } dec;
    uint64_t data[NUM_DEC_WORDS];
} num_decobject;

/* The Decimal type checked to have the layout above, or NULL; checking
 * failed for num_dec_refused (both only touched with the GIL held). */
static PyTypeObject *num_dec_type;
static PyTypeObject *num_dec_refused;

/* Parse [-]digits[.digits] (at least one digit) with at most
 * NUM_DEC_WORDS * 19 significant digits: 1 with the fields set, else 0. */
static int
num_dec_parse(const char *s, Py_ssize_t len, int *neg, Py_ssize_t *exp,
              Py_ssize_t *ndigits, Py_ssize_t *nwords,
              uint64_t words[NUM_DEC_WORDS])
{
    char digs[NUM_DEC_WORDS * 19];
    Py_ssize_t i = 0, n = 0, nd = 0, frac = -1, w, k;
    uint64_t v = 0;

    *neg = 0;
    if (i < len && s[i] == '-') {
        *neg = 1;
        i++;
    }
    /* the usual value: up to 19 significant digits, one word */
    for (k = i; k < len; k++) {
        unsigned d = (unsigned)(unsigned char)s[k] - '0';
        if (d > 9) {
            if (s[k] == '.' && frac < 0) {
                frac = 0;
                continue;
            }
            return 0;
        }
        nd++;
        if (frac >= 0)
            frac++;
        if (n == 0 && d == 0)
            continue; /* a leading zero */
        if (++n > 19)
            break;
        v = v * 10 + d;
    }
    if (k == len) {
        if (nd == 0)
            return 0;
        *exp = frac > 0 ? -frac : 0;
        *ndigits = n > 0 ? n : 1;
        *nwords = 1;
        words[0] = v;
        return 1;
    }
    /* more digits: gathered, then cut into words */
    n = nd = 0;
    frac = -1;
    for (; i < len; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9') {
            nd++;
            if (frac >= 0)
                frac++;
            if (n == 0 && c == '0')
                continue; /* a leading zero */
            if (n == (Py_ssize_t)sizeof(digs))
                return 0;
            digs[n++] = c;
        }
        else if (c == '.' && frac < 0)
            frac = 0;
        else
            return 0;
    }
    if (nd == 0)
        return 0;
    *exp = frac > 0 ? -frac : 0;
    if (n == 0) {
        *ndigits = *nwords = 1;
        words[0] = 0;
        return 1;
    }
    *ndigits = n;
    *nwords = (n + 18) / 19;
    /* word w holds digits [n - 19 (w + 1), n - 19 w) */
    for (w = 0; w < *nwords; w++) {
        Py_ssize_t hi = n - 19 * w, lo = hi - 19 < 0 ? 0 : hi - 19;
        uint64_t wv = 0;
        for (k = lo; k < hi; k++)
            wv = wv * 10 + (uint64_t)(digs[k] - '0');
        words[w] = wv;
    }
    return 1;
}

/* A Decimal from text num_dec_parse accepts, or NULL when it does not (no
 * exception set) or with an exception. */
static PyObject *
num_dec_make(PyTypeObject *tp, const char *s, Py_ssize_t len)
{
    num_decobject *d;
    uint64_t words[NUM_DEC_WORDS];
    Py_ssize_t exp, nd, nw, i;
    int neg;

    if (!num_dec_parse(s, len, &neg, &exp, &nd, &nw, words))
        return NULL;
    /* as tp_alloc would, without zeroing what is set below (num_dec_check
     * made sure the type is allocated and freed with PyObject_Malloc) */
    if ((d = PyObject_Malloc(sizeof(num_decobject))) == NULL)
        return PyErr_NoMemory();
    PyObject_Init((PyObject *)d, tp);
    d->hash = -1;
    d->dec.flags = NUM_DEC_STATIC | NUM_DEC_STATIC_DATA
                   | (neg ? NUM_DEC_NEG : 0);
    d->dec.exp = exp;
    d->dec.digits = nd;
    d->dec.len = nw;
    d->dec.alloc = NUM_DEC_WORDS;
    d->dec.data = d->data;
    for (i = 0; i < nw; i++)
        d->data[i] = words[i];
    return (PyObject *)d;
}

/* Does `tp` make the objects num_dec_make makes?  1 yes, 0 no, -1 error. */
static int
num_dec_check(PyTypeObject *tp)
{
    static const char *const samples[] = {
        "0", "-0", "0.00", "-0.000", "1", "-1", "7", "123.45", "-123.45",
        "0.05", "10", "100.0", "1000000", "9999999999999999999",
        "10000000000000000000", "-12345678901234567890.123456789",
        "1234567890123456789012345678901234567890123456789012345678901234"
        "567890123456",
        "0.0000000000000000000000000000001", NULL};
    const char *const *p;

    if (!PyType_Check(tp) || tp->tp_basicsize != sizeof(num_decobject)
        || tp->tp_itemsize != 0 || PyType_IS_GC(tp)
        || tp->tp_alloc != PyType_GenericAlloc || tp->tp_free != PyObject_Free)
        return 0;
    for (p = samples; *p != NULL; p++) {
        Py_ssize_t len = (Py_ssize_t)strlen(*p), i;
        PyObject *str, *want, *got;
        num_decobject *a, *b;
        int same;

        if ((str = PyUnicode_FromStringAndSize(*p, len)) == NULL)
            return -1;
        want = PyObject_CallOneArg((PyObject *)tp, str);
        Py_DECREF(str);
        if (want == NULL)
            return -1;
        if ((got = num_dec_make(tp, *p, len)) == NULL) {
            Py_DECREF(want);
            return PyErr_Occurred() ? -1 : 0;
        }
        a = (num_decobject *)want;
        b = (num_decobject *)got;
        same = Py_TYPE(want) == tp && Py_TYPE(got) == tp
               && a->hash == b->hash && a->dec.flags == b->dec.flags
               && a->dec.exp == b->dec.exp && a->dec.digits == b->dec.digits
               && a->dec.len == b->dec.len && a->dec.alloc == b->dec.alloc
               && a->dec.data == a->data && a->dec.len <= NUM_DEC_WORDS;
        for (i = 0; same && i < a->dec.len; i++)
            same = a->data[i] == b->data[i];
        if (same) {
            /* and Python sees the same value and text */
            PyObject *sa = PyObject_Str(want), *sb = PyObject_Str(got);
            if (sa == NULL || sb == NULL)
                same = -1;
            else if ((same = PyUnicode_Compare(sa, sb) == 0))
                same = PyObject_RichCompareBool(want, got, Py_EQ);
            Py_XDECREF(sa);
            Py_XDECREF(sb);
        }
        Py_DECREF(want);
        Py_DECREF(got);
        if (same != 1)
            return same < 0 || PyErr_Occurred() ? -1 : 0;
    }
    return 1;
}

/* 1 if values may be made by num_dec_make for the Decimal type `tp`. */
static int
num_dec_fast_ok(PyObject *tp)
{
    int ok;
    if ((PyTypeObject *)tp == num_dec_type)
        return 1;
    if ((PyTypeObject *)tp == num_dec_refused)
        return 0;
    if ((ok = num_dec_check((PyTypeObject *)tp)) < 0) {
        PyErr_Clear(); /* not usable: Decimal(str) says what is wrong */
        ok = 0;
    }
    /* a type seen once keeps its verdict, and a reference so that no other
     * type can take its address */
    if (ok)
        Py_XSETREF(num_dec_type, (PyTypeObject *)Py_NewRef(tp));
    else
        Py_XSETREF(num_dec_refused, (PyTypeObject *)Py_NewRef(tp));
    return ok;
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
    if (num_dec_fast_ok(ctx->st->Decimal)) {
        rv = num_dec_make((PyTypeObject *)ctx->st->Decimal, s, len);
        if (rv != NULL || PyErr_Occurred()) {
            return rv;
        }
    }
    if (num_special(s, len) || num_syntax_ok(s, len, &isint)) {
        /* the syntax check let only ASCII through */
        if ((str = PyUnicode_New(len, 127)) == NULL) {
            goto exit;
        }
        memcpy(PyUnicode_1BYTE_DATA(str), s, (size_t)len);
    }
    else if (memchr(s, '\0', (size_t)len) != NULL) {
        return typecast_data_error(ctx, "numeric", s, len);
    }
    /* text the server never writes (' 1', '1_000', 'inf'): what Decimal()
     * accepts, as psycopg2 */
    else if ((str = PyUnicode_DecodeUTF8(s, len, NULL)) == NULL) {
        goto exit;
    }
    /* malformed text: Decimal's InvalidOperation, as psycopg2 */
    rv = PyObject_CallOneArg(ctx->st->Decimal, str);

exit:
    Py_XDECREF(str);
    return rv;
}

/* psycopg2's error: InterfaceError "can't parse boolean: '<text>'"; NULL. */
static PyObject *
typecast_bool_error(const typecast_ctx *ctx, const char *s, Py_ssize_t len)
{
    PyObject *shown = PyUnicode_DecodeUTF8(s, len, "replace");
    if (shown != NULL) {
        PyErr_Format(ctx->st->InterfaceError, "can't parse boolean: '%U'",
                     shown);
        Py_DECREF(shown);
    }
    return NULL;
}

PyObject *
typecast_bool_cast(const char *s, Py_ssize_t len, const typecast_ctx *ctx,
                   PyObject *base)
{
    if (s == NULL) {
        return Py_NewRef(Py_None);
    }
    /* the first letter decides, as psycopg2 reads it ('true', 'T', 'f'...) */
    if (len > 0 && (s[0] == 't' || s[0] == 'T')) {
        Py_RETURN_TRUE;
    }
    if (len > 0 && (s[0] == 'f' || s[0] == 'F')) {
        Py_RETURN_FALSE;
    }
    return typecast_bool_error(ctx, s, len);
}
