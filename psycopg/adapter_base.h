/* The shared base of the builtin adapter types: one instance layout, one
 * set of slots and methods, and the row (adapter_def) that describes each
 * type.  adapter_builtins.c holds the rows; adapter_type_create() makes a
 * type from one. */
#ifndef PSYCOPG_ADAPTER_BASE_H
#define PSYCOPG_ADAPTER_BASE_H

#include "psycopg.h"
#include "module.h"

typedef struct adapter_def adapter_def;

/* The instance layout of every builtin adapter type. */
typedef struct {
    PyObject_HEAD
    const adapter_def *def;  /* row of the builtin type, set by tp_new */
    module_state *st;        /* of the type (which keeps its module) */
    PyObject *wrapped;   /* the adapted object (NULL only if __init__ was
                            skipped by a subclass: read as None) */
    PyObject *conn;      /* connection given to prepare(), or NULL */
    PyObject *buffer;    /* cached quoted bytes (ADAPTER_CACHE), or NULL */
    PyObject *encoding;  /* ADAPTER_ENCODING: Python codec name (str) */
    int kind;            /* datetime adapter: ADAPTER_DT_* */
} adapterObject;

/* The literal of obj as new bytes, or NULL with an exception.  conn is the
 * prepared connection or NULL.  a is the adapter, or NULL when
 * mp_getquoted() quotes an exact builtin value without making one (rows
 * with ADAPTER_FAST): such a function must not need it. */
typedef PyObject *(*adapter_quote_fn)(module_state *st,
                                      connectionObject *conn, PyObject *obj,
                                      adapterObject *a);

/* Where the Python type of a registration comes from. */
typedef enum {
    ADAPTER_PY_END = 0,     /* ends a row's list */
    ADAPTER_PY_BOOL,
    ADAPTER_PY_INT,
    ADAPTER_PY_FLOAT,
    ADAPTER_PY_DECIMAL,     /* st->Decimal */
    ADAPTER_PY_STR,
    ADAPTER_PY_BYTES,
    ADAPTER_PY_BYTEARRAY,
    ADAPTER_PY_MEMORYVIEW,
    ADAPTER_PY_LIST,
    ADAPTER_PY_TUPLE,
    ADAPTER_PY_NONE,
    ADAPTER_PY_DATE,        /* the datetime module's types */
    ADAPTER_PY_TIME,
    ADAPTER_PY_DATETIME,
    ADAPTER_PY_TIMEDELTA,
} adapter_pytype;

/* One default registration: adapters[(pytype, ISQLQuote)]. */
typedef struct {
    adapter_pytype pytype;
    const char *factory;    /* module function registered instead of the
                               type (psycopg2 registers DateFromPy...) */
    Oid oid;                /* pgtypes.h: the type the server gives the
                               literal; 0 where it depends on the value or
                               the context (a quoted string, NULL, an int's
                               size, a float's finiteness) */
} adapter_reg;

/* adapter_def.flags */
#define ADAPTER_PREPARE  0x01  /* has prepare(conn) */
#define ADAPTER_CACHE    0x02  /* getquoted() quotes once, kept in buffer */
#define ADAPTER_ENCODING 0x04  /* prepare() sets encoding from the conn */
#define ADAPTER_FAST     0x08  /* mp_getquoted() quotes the exact types of
                                  regs directly (the quote function gets no
                                  adapter) while their default adapter (type
                                  or factory) is the registered one */
#define ADAPTER_NOSTR    0x10  /* str() is object's: no __str__ */
#define ADAPTER_MUTABLE  0x20  /* psycopg2's is a Python class: settable,
                                  picklable */
#define ADAPTER_HIDDEN   0x40  /* not a module attribute (as psycopg2) */

/* A builtin adapter type.  Everything left NULL takes the shared base:
 * Type(obj), str() as the decoded getquoted(), the methods getquoted(),
 * prepare(conn) (ADAPTER_PREPARE) and __conform__(proto), the member
 * adapted. */
struct adapter_def {
    const char *name;        /* spec name: the public dotted path */
    const char *doc;
    size_t slot;             /* offsetof(module_state, <the type>) */
    adapter_quote_fn quote;
    unsigned flags;
    adapter_reg regs[5];     /* ended by ADAPTER_PY_END */
    initproc init;
    reprfunc str;
    PyGetSetDef *getset;     /* extra attributes */
    PyMethodDef *methods;    /* replaces the shared methods */
    PyMemberDef *members;    /* replaces the shared members */
};

/* Which value a datetime adapter quotes (adapterObject.kind), numbered as
 * psycopg2's `type` attribute. */
#define ADAPTER_DT_TIME 0
#define ADAPTER_DT_DATE 1
#define ADAPTER_DT_TIMESTAMP 2
#define ADAPTER_DT_INTERVAL 3

/* Borrowed: the wrapped object, None if unset. */
static inline PyObject *
adapter_wrapped(adapterObject *self)
{
    return self->wrapped ? self->wrapped : Py_None;
}

/* Create the type of a row into its module state slot and add it to the
 * module (unless ADAPTER_HIDDEN).  0 or -1. */
int adapter_type_create(PyObject *module, module_state *st,
                        const adapter_def *def);

/* A new, empty instance of a builtin adapter type (or subclass): what
 * Type.__new__ makes.  NULL on error. */
PyObject *adapter_alloc(PyTypeObject *type);

/* 1 if obj is an instance of an immutable builtin adapter type itself
 * (not of a subclass, which may add methods) whose row has none of
 * `flags`. */
int adapter_lacks(PyObject *obj, unsigned flags);

/* The `buffer` attribute of ADAPTER_CACHE types, for rows' getset. */
PyObject *adapter_get_buffer(PyObject *self, void *closure);
#define ADAPTER_BUFFER_GETSET                                              \
    {"buffer", adapter_get_buffer, NULL,                                   \
     "The quoted bytes once getquoted() was called, else None.", NULL}

/* The shared one-argument __init__, for rows that extend it. */
int adapter_init(PyObject *self, PyObject *args, PyObject *kwargs);

/* prefix + body + suffix as new bytes: the shape of most literals. */
PyObject *adapter_concat3(const char *a, Py_ssize_t alen, const char *b,
                          Py_ssize_t blen, const char *c, Py_ssize_t clen);

#endif /* PSYCOPG_ADAPTER_BASE_H */
