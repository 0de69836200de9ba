/* List (ARRAY[...]) and SQL_IN ((a, b)) adapters. */
#ifndef PSYCOPG_ADAPTER_LIST_H
#define PSYCOPG_ADAPTER_LIST_H

#include "psycopg.h"
#include "module.h"

/* Create List and SQL_IN.  0 or -1. */
int adapter_list_setup(PyObject *module, module_state *st);

#endif /* PSYCOPG_ADAPTER_LIST_H */
