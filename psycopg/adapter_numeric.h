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

/* Room for any repr() of a float, with its NUL. */
#define ADAPTER_FLOAT_REPR_MAX 32

/* repr(x) of a finite double, as Python writes it, into buf (at least
 * ADAPTER_FLOAT_REPR_MAX bytes, NUL-terminated): its length, or -1 with
 * an exception.  Most values take an exact fast path without dtoa. */
Py_ssize_t adapter_float_repr(double x, char *buf);

/* The decimal text of v into buf (at least 21 bytes, NUL-terminated): its
 * length. */
Py_ssize_t adapter_format_llong(long long v, char *buf);

#endif /* PSYCOPG_ADAPTER_NUMERIC_H */
