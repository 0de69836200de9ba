/* The date/time adapter (its row is in adapter_builtins.c) and the DB-API
 * date/time constructors. */
#ifndef PSYCOPG_ADAPTER_DATETIME_H
#define PSYCOPG_ADAPTER_DATETIME_H

#include "psycopg.h"
#include "module.h"
#include "adapter_base.h"

/* Load the datetime C API for this file.  0 or -1. */
int adapter_datetime_import(void);

/* '<isoformat>'::date, ::time[tz], ::timestamp[tz] or an interval, as the
 * adapter's kind says (as the value's type says when a is NULL). */
PyObject *adapter_dt_quote(module_state *st, connectionObject *conn,
                           PyObject *obj, adapterObject *a);
int adapter_dt_init(PyObject *self, PyObject *args, PyObject *kwargs);
extern PyMemberDef adapter_dt_members[];   /* adapted, type */

/* Date, Time, Timestamp, DateFromTicks, TimeFromTicks, TimestampFromTicks,
 * DateFromPy, TimeFromPy, TimestampFromPy, IntervalFromPy: module
 * functions (self is the module). */
extern PyMethodDef adapter_datetime_methods[];

#endif /* PSYCOPG_ADAPTER_DATETIME_H */
