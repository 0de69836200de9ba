/* List (ARRAY[...]) and SQL_IN ((a, b)): what their rows in
 * adapter_builtins.c point to. */
#ifndef PSYCOPG_ADAPTER_LIST_H
#define PSYCOPG_ADAPTER_LIST_H

#include "psycopg.h"
#include "module.h"
#include "adapter_base.h"

/* ARRAY[...] of the quoted items, '{}' when empty, '{NULL,...}' when every
 * item is None. */
PyObject *adapter_list_quote(module_state *st, connectionObject *conn,
                             PyObject *obj, adapterObject *a);

/* (a, b, c) with every item quoted; str() is str() of those bytes. */
PyObject *adapter_sql_in_quote(module_state *st, connectionObject *conn,
                               PyObject *obj, adapterObject *a);
PyObject *adapter_sql_in_str(PyObject *self);

#endif /* PSYCOPG_ADAPTER_LIST_H */
