/* Date/time adapters and the DB-API date/time constructors. */
#ifndef PSYCOPG_ADAPTER_DATETIME_H
#define PSYCOPG_ADAPTER_DATETIME_H

#include "psycopg.h"
#include "module.h"

/* Which value a datetime adapter quotes (adapterObject.kind). */
#define MP_DT_DATE 1
#define MP_DT_TIME 2
#define MP_DT_TIMESTAMP 3
#define MP_DT_INTERVAL 4

/* Create the datetime adapter type (st->pydatetime_type).  0 or -1. */
int adapter_datetime_setup(PyObject *module, module_state *st);

/* Date, Time, Timestamp, DateFromTicks, TimeFromTicks, TimestampFromTicks,
 * DateFromPy, TimeFromPy, TimestampFromPy, IntervalFromPy: module
 * functions (self is the module). */
extern PyMethodDef adapter_datetime_methods[];

#endif /* PSYCOPG_ADAPTER_DATETIME_H */
