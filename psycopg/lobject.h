/* psycopg2.extensions.lobject: a PostgreSQL large object. */
#ifndef PSYCOPG_LOBJECT_H
#define PSYCOPG_LOBJECT_H

#include "psycopg.h"
#include "module.h"

/* Set up the lobject type (called from module exec). */
int lobject_setup(PyObject *module, module_state *st);

#endif /* PSYCOPG_LOBJECT_H */
