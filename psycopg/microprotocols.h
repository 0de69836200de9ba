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

/* Quote a string value as a SQL literal in the connection encoding:
 * returns bytes like 'it''s' (or E'...' when the server needs it).
 * conn may be NULL (then latin1 and no server-specific escaping). */
PyObject *mp_quote_bytes(module_state *st, const char *s, Py_ssize_t len,
                         connectionObject *conn);

#endif /* PSYCOPG_MICROPROTOCOLS_H */
