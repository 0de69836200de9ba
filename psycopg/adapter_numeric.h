/* Boolean, Int, Float and Decimal: the quote functions of their rows in
 * adapter_builtins.c (adapter_quote_fn; `a` may be NULL). */
#ifndef PSYCOPG_ADAPTER_NUMERIC_H
#define PSYCOPG_ADAPTER_NUMERIC_H

#include "psycopg.h"
#include "module.h"
#include "adapter_base.h"

/* true or false */
PyObject *adapter_bool_quote(module_state *st, connectionObject *conn,
                             PyObject *obj, adapterObject *a);
/* str(int(obj)) */
PyObject *adapter_int_quote(module_state *st, connectionObject *conn,
                            PyObject *obj, adapterObject *a);
/* repr(float(obj)), or 'NaN'::float, 'Infinity'::float... */
PyObject *adapter_float_quote(module_state *st, connectionObject *conn,
                              PyObject *obj, adapterObject *a);
/* str(obj), or 'NaN'::numeric when not finite */
PyObject *adapter_decimal_quote(module_state *st, connectionObject *conn,
                                PyObject *obj, adapterObject *a);

#endif /* PSYCOPG_ADAPTER_NUMERIC_H */
