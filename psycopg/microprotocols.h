/* Adaptation: Python objects -> SQL literals (the ISQLQuote protocol). */
#ifndef PSYCOPG_MICROPROTOCOLS_H
#define PSYCOPG_MICROPROTOCOLS_H

#include "psycopg.h"
#include "module.h"

/* adapt(obj, proto=ISQLQuote, alt=NULL): the adapter object for obj
 * (new reference), or NULL with ProgrammingError("can't adapt type 'X'"). */
PyObject *mp_adapt(module_state *st, PyObject *obj, PyObject *proto,
                   PyObject *alt);

/* The SQL literal for obj as bytes (new reference): adapt it, call
 * prepare(conn) when the adapter has it and conn is not NULL, call
 * getquoted(), and encode a str result with the connection encoding.
 * None becomes b"NULL" without calling any adapter. */
PyObject *mp_getquoted(module_state *st, PyObject *obj,
                       connectionObject *conn);

/* Whether obj is None or of an exact builtin type (str, int, float, bool,
 * bytes, Decimal...) still adapted by its default adapter.  -1 on error. */
int mp_is_default_adapted(module_state *st, PyObject *obj);

/* Quote a string value as a SQL literal in the connection encoding:
 * returns bytes like 'it''s' (or E'...' when the server needs it).
 * conn may be NULL (then latin1 and no server-specific escaping). */
PyObject *mp_quote_bytes(module_state *st, const char *s, Py_ssize_t len,
                         connectionObject *conn);

/* Module functions adapt() and register_adapter(), for module.c.  mp_setup
 * also adds them (and adapter_datetime_methods) when they are missing. */
extern PyMethodDef mp_module_methods[];

/* The one instance layout shared by every builtin adapter type, so that the
 * common slots below serve them all. */
typedef struct {
    PyObject_HEAD
    PyObject *wrapped;   /* the adapted object (NULL only if __init__ was
                            skipped by a subclass: read as None) */
    PyObject *conn;      /* connection given to prepare(), or NULL */
    PyObject *buffer;    /* cached quoted bytes, or NULL */
    PyObject *encoding;  /* QuotedString: Python codec name (str) */
    int kind;            /* datetime adapter: MP_DT_* */
} adapterObject;

/* Borrowed: the wrapped object, None if unset. */
static inline PyObject *
mp_adapter_wrapped(adapterObject *self)
{
    return self->wrapped ? self->wrapped : Py_None;
}

/* Borrowed: the prepared connection, or NULL if prepare() wasn't called. */
static inline connectionObject *
mp_adapter_conn(adapterObject *self)
{
    return (connectionObject *)self->conn;
}

/* Common slots and members of the adapter types. */
int mp_adapter_init(PyObject *self, PyObject *args, PyObject *kwargs);
int mp_adapter_traverse(PyObject *self, visitproc visit, void *arg);
int mp_adapter_clear(PyObject *self);
void mp_adapter_dealloc(PyObject *self);
PyObject *mp_adapter_str(PyObject *self);
PyObject *mp_adapter_conform(PyObject *self, PyObject *proto);
PyObject *mp_adapter_prepare(PyObject *self, PyObject *conn);
extern PyMemberDef mp_adapter_members[];   /* adapted (read-only) */

/* Method table entries, with their docstrings, for the adapter types. */
#define MP_ADAPTER_CONFORM_METHOD                                        \
    {"__conform__", (PyCFunction)mp_adapter_conform, METH_O,             \
     "__conform__(proto) -> self if proto is ISQLQuote, else None."}
#define MP_ADAPTER_PREPARE_METHOD                                        \
    {"prepare", (PyCFunction)mp_adapter_prepare, METH_O,                 \
     "prepare(conn) -> None: quote for this connection from now on."}

/* Build the result of a getquoted(): prefix + body + suffix as bytes. */
PyObject *mp_bytes_concat3(const char *a, Py_ssize_t alen, const char *b,
                           Py_ssize_t blen, const char *c, Py_ssize_t clen);

#endif /* PSYCOPG_MICROPROTOCOLS_H */
