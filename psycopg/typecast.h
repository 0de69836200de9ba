/* Typecasters: PostgreSQL text values -> Python objects. */
#ifndef PSYCOPG_TYPECAST_H
#define PSYCOPG_TYPECAST_H

#include "psycopg.h"
#include "module.h"

/* What a cast function may need to know about where the value comes from.
 * Built once per result by the cursor; all pointers borrowed. */
typedef struct typecast_ctx {
    module_state *st;
    PyObject *curs;            /* the cursor, or Py_None */
    PyObject *tzinfo_factory;  /* Py_None: naive values */
    const char *pyenc;         /* Python codec of the connection encoding */
    int is_utf8;               /* fast path for text decoding */
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

/* Cast one value with any caster object (C or Python). */
PyObject *typecast_cast(PyObject *caster, const char *s, Py_ssize_t len,
                        const typecast_ctx *ctx);

/* Find the caster for `oid`: cursor registry, connection registry, global,
 * default.  `curs` may be NULL.  Returns a borrowed reference, never NULL
 * unless an exception is set. */
PyObject *typecast_lookup(module_state *st, cursorObject *curs,
                          connectionObject *conn, Oid oid);

/* Fill a context for the cursor (or for no cursor when curs is NULL). */
void typecast_ctx_init(typecast_ctx *ctx, module_state *st,
                       cursorObject *curs, connectionObject *conn);

/* Create a caster object from C (used by the builtin table). */
PyObject *typecast_new_c(module_state *st, const char *name, const Oid *oids,
                         typecast_cfunc ccast, PyObject *bcast);

#endif /* PSYCOPG_TYPECAST_H */
