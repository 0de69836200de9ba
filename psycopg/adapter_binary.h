/* The Binary (bytea) adapter. */
#ifndef PSYCOPG_ADAPTER_BINARY_H
#define PSYCOPG_ADAPTER_BINARY_H

#include "psycopg.h"
#include "module.h"

/* Create Binary.  0 or -1. */
int adapter_binary_setup(PyObject *module, module_state *st);

/* The bytea literal of a buffer object (None -> NULL); conn may be NULL. */
PyObject *adapter_binary_quote(module_state *st, connectionObject *conn,
                               PyObject *obj);

#endif /* PSYCOPG_ADAPTER_BINARY_H */
