/* The one table of builtin adapters: every adapter type and its default
 * registrations. */
#ifndef PSYCOPG_ADAPTER_BUILTINS_H
#define PSYCOPG_ADAPTER_BUILTINS_H

#include "psycopg.h"
#include "module.h"
#include "adapter_base.h"

/* Create every builtin adapter type, fill st->adapters with the default
 * registrations and note them in st->adapter_defaults.  The *FromPy
 * functions must be module attributes.  0 or -1. */
int adapter_builtins_setup(PyObject *module, module_state *st);

/* The row of the builtin adapter type that `type` is or derives from, or
 * NULL with TypeError. */
const adapter_def *adapter_builtins_def_of(module_state *st,
                                           PyTypeObject *type);

#endif /* PSYCOPG_ADAPTER_BUILTINS_H */
