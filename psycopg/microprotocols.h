/* Adaptation: Python objects -> SQL literals (the ISQLQuote protocol). */
#ifndef PSYCOPG_MICROPROTOCOLS_H
#define PSYCOPG_MICROPROTOCOLS_H

#include "psycopg.h"
#include "module.h"

/* adapt(obj, proto=ISQLQuote): the adapter object for obj (new
 * reference), or NULL with ProgrammingError("can't adapt type 'X'"). */
PyObject *mp_adapt(module_state *st, PyObject *obj, PyObject *proto);

/* The SQL literal for obj as bytes (new reference): adapt it, call
 * prepare(conn) when the adapter has it and conn is not NULL, call
 * getquoted(), and encode a str result with the connection encoding.
 * None becomes b"NULL" without calling any adapter. */
PyObject *mp_getquoted(module_state *st, PyObject *obj,
                       connectionObject *conn);

/* Whether obj is None or of an exact builtin type (str, int, float, bool,
 * bytes, Decimal, date...: an ADAPTER_FAST row) still adapted by its
 * default adapter.  -1 on error. */
int mp_is_default_adapted(module_state *st, PyObject *obj);

/* A memo of mp_is_default_adapted() by exact type, for the values of one
 * call (executemany's pipeline): the registry is looked up once per type
 * instead of once per value.  It holds only the types of the default
 * table, which the module state keeps alive.  The caller clears it
 * whenever Python code may have run (a user adapter, an iterator written
 * in Python, a codec, the GIL released): a register_adapter() or an edit
 * of `adapters` made before then takes effect. */
#define MP_DEFAULT_MEMO_SIZE 8
typedef struct {
    PyTypeObject *types[MP_DEFAULT_MEMO_SIZE];
    signed char direct[MP_DEFAULT_MEMO_SIZE];
    int n;
    unsigned clears;   /* how many times it was cleared */
} mp_default_memo;

static inline void
mp_default_memo_clear(mp_default_memo *memo)
{
    memo->n = 0;
    memo->clears++;
}

/* mp_is_default_adapted() through the memo. */
int mp_is_default_adapted_memo(module_state *st, PyObject *obj,
                               mp_default_memo *memo);

/* mp_getquoted() through the memo (NULL: none): an exact type the memo
 * knows as default-adapted is quoted directly; after anything that may
 * have run Python code (another adapter, a codec on a connection that is
 * not UTF-8) the memo is cleared. */
PyObject *mp_getquoted_memo(module_state *st, PyObject *obj,
                            connectionObject *conn, mp_default_memo *memo);

/* Module functions adapt() and register_adapter(), for module.c.  mp_setup
 * also adds them (and adapter_datetime_methods) when they are missing. */
extern PyMethodDef mp_module_methods[];

#endif /* PSYCOPG_MICROPROTOCOLS_H */
