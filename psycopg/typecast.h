/* Typecasters: PostgreSQL text values -> Python objects. */
#ifndef PSYCOPG_TYPECAST_H
#define PSYCOPG_TYPECAST_H

#include "psycopg.h"
#include "module.h"

/* tzinfo objects already made by the tzinfo_factory for a result, by UTC
 * offset: the factory is called once per distinct offset.  Owned by the
 * cursor, emptied with each new result or factory. */
typedef struct typecast_tzcache {
    PyObject *dict;            /* int seconds -> tzinfo, or NULL */
    PyObject *factory;         /* the factory that made them (strong) */
    long long last_off;        /* the last offset looked up ... */
    PyObject *last_tz;         /* ... and its tzinfo (borrowed from dict) */
} typecast_tzcache;

/* Forget the tzinfo objects (and the factory). */
void typecast_tzcache_clear(typecast_tzcache *tzc);

/* date objects already made for a big result, by day: equal dates share
 * one object (a date is immutable), which saves 32 bytes a value and the
 * allocation.  Direct-mapped by day number, so any 44 years of days fit. */
typedef struct {
    long key;
    PyObject *obj;             /* owned, or NULL */
} typecast_dateslot;

typedef struct typecast_datecache {
    typecast_dateslot *slots;  /* mask + 1, or NULL until the first date */
    size_t mask;               /* 0: no cache */
} typecast_datecache;

/* A cache sized for up to `nvalues` dates (none for few). */
void typecast_datecache_init(typecast_datecache *dc, Py_ssize_t nvalues);
void typecast_datecache_clear(typecast_datecache *dc);

/* What a cast function may need to know about where the value comes from.
 * Built once per fetch call by the cursor.  It owns references to what a
 * caster may change under our feet (the cursor's tzinfo_factory, the
 * connection encoding): released by typecast_ctx_fini. */
typedef struct typecast_ctx {
    module_state *st;
    PyObject *curs;            /* the cursor, or Py_None (owned) */
    PyObject *tzinfo_factory;  /* Py_None: naive values (owned) */
    PyObject *enc;             /* the connection's encoding object or NULL
                                * (owned): pyenc points into it */
    const char *pyenc;         /* Python codec of the connection encoding */
    int is_utf8;               /* fast path for text decoding */
    typecast_tzcache *tzcache; /* the result's, for tzinfo_factory; or NULL */
    typecast_datecache *datecache; /* the result's, or NULL */
} typecast_ctx;

/* A C cast function.  s == NULL means SQL NULL.  `base` is the element
 * caster for array casters, NULL otherwise.  Returns a new reference or NULL
 * with an exception set (DataError for malformed input). */
typedef PyObject *(*typecast_cfunc)(const char *s, Py_ssize_t len,
                                    const typecast_ctx *ctx, PyObject *base);

typedef struct {
    PyObject_HEAD
    PyObject *name;            /* str */
    PyObject *values;          /* tuple of int oids */
    typecast_cfunc ccast;      /* C function or NULL */
    PyObject *pcast;           /* Python callable f(str|None, cursor) or NULL */
    PyObject *bcast;           /* element caster for arrays, or NULL */
} typecastObject;

/* The C function to call directly for `caster` (its element caster in
 * *base), or NULL for a Python caster, to go through typecast_cast().
 * Resolved once per result by the cursor. */
typecast_cfunc typecast_resolve(module_state *st, PyObject *caster,
                                PyObject **base);

/* Cast one value with any caster object (C or Python). */
PyObject *typecast_cast(PyObject *caster, const char *s, Py_ssize_t len,
                        const typecast_ctx *ctx);

/* Find the caster for `oid`: cursor registry, connection registry, global,
 * default.  `curs` may be NULL.  New reference; NULL only with an exception
 * set (a registry key's __eq__ may run Python code). */
PyObject *typecast_lookup(module_state *st, cursorObject *curs,
                          connectionObject *conn, Oid oid);

/* Fill a context for the cursor (or for no cursor when curs is NULL);
 * release it with typecast_ctx_fini. */
void typecast_ctx_init(typecast_ctx *ctx, module_state *st,
                       cursorObject *curs, connectionObject *conn);
void typecast_ctx_fini(typecast_ctx *ctx);
/* Decode with the connection encoding object `enc` (NULL: UTF-8). */
void typecast_ctx_set_enc(typecast_ctx *ctx, PyObject *enc);

/* Create a caster object from C (used by the builtin table).  `oids` is
 * terminated by a 0. */
PyObject *typecast_new_c(module_state *st, const char *name, const Oid *oids,
                         typecast_cfunc ccast, PyObject *bcast);

/* Module-level functions new_type, new_array_type, register_type; module.c
 * adds them to the module's methods. */
extern PyMethodDef typecast_module_methods[];

/* Raise DataError "invalid input for type <what>: '<s>'" and return NULL. */
PyObject *typecast_data_error(const typecast_ctx *ctx, const char *what,
                              const char *s, Py_ssize_t len);

/* typecast_builtins.c: the one table of builtin casters. */
typedef struct {
    const char *name;          /* module attribute and caster name */
    const Oid *oids;           /* 0-terminated */
    typecast_cfunc cast;
    const char *base;          /* name of the element caster, or NULL */
    int flags;                 /* TYPECAST_REGISTER | TYPECAST_EXPORT */
} typecast_builtin;

#define TYPECAST_REGISTER 1    /* put in the global string_types */
#define TYPECAST_EXPORT 2      /* module attribute */

extern const typecast_builtin typecast_builtins[];  /* ends with name NULL */

/* Family parsers: s != NULL, len >= 0; never read s[len] or beyond. */
/* typecast_numeric.c */
int typecast_numeric_init(void);
PyObject *typecast_int_cast(const char *s, Py_ssize_t len,
                            const typecast_ctx *ctx, PyObject *base);
PyObject *typecast_float_cast(const char *s, Py_ssize_t len,
                              const typecast_ctx *ctx, PyObject *base);
PyObject *typecast_number_cast(const char *s, Py_ssize_t len,
                               const typecast_ctx *ctx, PyObject *base);
PyObject *typecast_decimal_cast(const char *s, Py_ssize_t len,
                                const typecast_ctx *ctx, PyObject *base);
PyObject *typecast_bool_cast(const char *s, Py_ssize_t len,
                             const typecast_ctx *ctx, PyObject *base);
/* The leading decimal digits of the 8 bytes at p (which must be readable):
 * their count, 0 to 7, and their value in *v; 8 (and *v unset) when all 8
 * are digits.  A byte over 0xF9 may disturb the bytes after it, never
 * those before: the count is right. */
static inline int
typecast_digits8(const char *p, uint64_t *v)
{
#if defined(__GNUC__)
    uint64_t x, m;
    int n;

    memcpy(&x, p, 8);
#if PY_BIG_ENDIAN
    x = __builtin_bswap64(x);
#endif
    /* a zero byte in m for each digit byte */
    m = ((x & 0xF0F0F0F0F0F0F0F0ULL) ^ 0x3030303030303030ULL)
        | (((x + 0x0606060606060606ULL) & 0xF0F0F0F0F0F0F0F0ULL)
           ^ 0x3030303030303030ULL);
    if (m == 0) {
        return 8;
    }
    n = __builtin_ctzll(m) >> 3;
    if (n == 0) {
        *v = 0;
        return 0;
    }
    /* the n digits in the top bytes, most significant first */
    x = (x - 0x3030303030303030ULL) << (8 * (8 - n));
    x = (x * 10 + (x >> 8)) & 0x00FF00FF00FF00FFULL;
    x = (x * 100 + (x >> 16)) & 0x0000FFFF0000FFFFULL;
    x = (x * 10000 + (x >> 32)) & 0xFFFFFFFFULL;
    *v = x;
    return n;
#else
    (void)p;
    (void)v;
    return 8; /* the caller's loop reads them */
#endif
}

/* The int of the text the server writes for int2/int4/int8/oid ([-]
 * 1 to 18 digits, no leading zero), made inline by the row loop; NULL
 * without an exception for any other text: typecast_int_cast decides. */
static inline PyObject *
typecast_int_fast(const char *s, Py_ssize_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    const unsigned char *end = p + len;
    long long v;
    unsigned d;
    int neg = 0;

    if (len > 0 && *p == '-') {
        neg = 1;
        p++;
    }
    /* 1 to 18 digits (no overflow), no leading zero */
    if ((size_t)(end - p) - 1 > 17) {
        return NULL;
    }
    if ((d = (unsigned)*p++ - '0') > 9 || (d == 0 && p < end)) {
        return NULL;
    }
    for (v = d; p < end; p++) {
        if ((d = (unsigned)*p - '0') > 9) {
            return NULL;
        }
        v = v * 10 + d;
    }
    /* NULL with an exception only when out of memory */
    return PyLong_FromLongLong(neg ? -v : v);
}

/* typecast_text.c */
PyObject *typecast_text_decode(const char *s, Py_ssize_t len,
                               const typecast_ctx *ctx);
PyObject *typecast_unicode_cast(const char *s, Py_ssize_t len,
                                const typecast_ctx *ctx, PyObject *base);
PyObject *typecast_bytes_cast(const char *s, Py_ssize_t len,
                              const typecast_ctx *ctx, PyObject *base);
/* typecast_datetime.c */
int typecast_datetime_init(void);
PyObject *typecast_date_cast(const char *s, Py_ssize_t len,
                             const typecast_ctx *ctx, PyObject *base);
PyObject *typecast_time_cast(const char *s, Py_ssize_t len,
                             const typecast_ctx *ctx, PyObject *base);
PyObject *typecast_timestamp_cast(const char *s, Py_ssize_t len,
                                  const typecast_ctx *ctx, PyObject *base);
PyObject *typecast_timestamptz_cast(const char *s, Py_ssize_t len,
                                    const typecast_ctx *ctx, PyObject *base);
PyObject *typecast_interval_cast(const char *s, Py_ssize_t len,
                                 const typecast_ctx *ctx, PyObject *base);
/* A datetime or time made by the casters above with the default
 * tzinfo_factory (or None), as they would make it with ctx's factory: the
 * same fields, the tzinfo for the same offset.  New reference or NULL. */
PyObject *typecast_retz(PyObject *v, const typecast_ctx *ctx);
/* typecast_bytea.c */
/* Makes the type of the objects behind bytea memoryviews. */
int typecast_bytea_setup(PyObject *module, module_state *st);
PyObject *typecast_bytea_cast(const char *s, Py_ssize_t len,
                              const typecast_ctx *ctx, PyObject *base);
/* typecast_array.c */
PyObject *typecast_array_parse(const char *s, Py_ssize_t len,
                               const typecast_ctx *ctx, PyObject *base,
                               char delim);
PyObject *typecast_array_cast(const char *s, Py_ssize_t len,
                              const typecast_ctx *ctx, PyObject *base);

#endif /* PSYCOPG_TYPECAST_H */
