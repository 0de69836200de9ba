/* The one table of builtin adapters: Python type -> adapter. */
#ifndef PSYCOPG_ADAPTER_BUILTINS_H
#define PSYCOPG_ADAPTER_BUILTINS_H

#include "psycopg.h"
#include "module.h"

/* Fill st->adapters with the default registrations.  The adapter types must
 * exist and the *FromPy functions be module attributes.  0 or -1. */
int adapter_builtins_register(PyObject *module, module_state *st);

#endif /* PSYCOPG_ADAPTER_BUILTINS_H */
