/* Boolean, Int, Float and Decimal adapters. */
#ifndef PSYCOPG_ADAPTER_NUMERIC_H
#define PSYCOPG_ADAPTER_NUMERIC_H

#include "psycopg.h"
#include "module.h"

/* Create Boolean, Int, Float, Decimal.  0 or -1. */
int adapter_numeric_setup(PyObject *module, module_state *st);

/* The literals, shared by the adapters and the fast path of mp_getquoted.
 * Each returns new bytes or NULL. */
PyObject *adapter_bool_quote(PyObject *obj);
PyObject *adapter_int_quote(PyObject *obj);       /* str(int(obj)) */
PyObject *adapter_float_quote(PyObject *obj);     /* repr(float(obj)) */
PyObject *adapter_decimal_quote(PyObject *obj);   /* str(obj) */

#endif /* PSYCOPG_ADAPTER_NUMERIC_H */
