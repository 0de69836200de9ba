/* The Binary (bytea) adapter: what its row in adapter_builtins.c points
 * to. */
#ifndef PSYCOPG_ADAPTER_BINARY_H
#define PSYCOPG_ADAPTER_BINARY_H

#include "psycopg.h"
#include "module.h"
#include "adapter_base.h"

/* The bytea literal of a buffer object (None: NULL); conn may be NULL. */
PyObject *adapter_binary_quote(module_state *st, connectionObject *conn,
                               PyObject *obj, adapterObject *a);
extern PyGetSetDef adapter_binary_getset[];   /* buffer */

#endif /* PSYCOPG_ADAPTER_BINARY_H */
