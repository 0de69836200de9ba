/* The date/time adapter (one type, psycopg2._psycopg.datetime, quoting a
 * date, time, datetime or timedelta: its row is in adapter_builtins.c) and
 * the DB-API constructors Date, Time, Timestamp, *FromTicks and *FromPy. */

#include "psycopg.h"
#include "module.h"
#include "adapter_base.h"
#include "adapter_datetime.h"

#include <datetime.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* 1 if s only holds characters an isoformat() of a date, time or datetime
 * can produce: a subclass overriding isoformat() can't break the literal. */
static int
dt_is_iso(const char *s, Py_ssize_t len)
{
    Py_ssize_t i;

    for (i = 0; i < len; i++) {
        if (s[i] == '\0' || !strchr("0123456789-:.+T ", s[i])) {
            return 0;
        }
    }
    return 1;
}

/* 'isoformat'::cast */
static PyObject *
dt_quote_iso(PyObject *obj, const char *cast)
{
    PyObject *iso = NULL;
    PyObject *rv = NULL;
    const char *s;
    Py_ssize_t len;

    if (!(iso = PyObject_CallMethod(obj, "isoformat", NULL))) {
        goto exit;
    }
    if (!PyUnicode_Check(iso)) {
        PyErr_Format(PyExc_TypeError, "isoformat() returned %.200s, not str",
                     Py_TYPE(iso)->tp_name);
        goto exit;
    }
    if (!(s = PyUnicode_AsUTF8AndSize(iso, &len))) {
        goto exit;
    }
    if (!dt_is_iso(s, len)) {
        PyErr_Format(PyExc_ValueError, "can't adapt %.200s: bad isoformat()",
                     Py_TYPE(obj)->tp_name);
        goto exit;
    }
    rv = adapter_concat3("'", 1, s, len, cast, (Py_ssize_t)strlen(cast));

exit:
    Py_XDECREF(iso);
    return rv;
}

/* 1 if obj.tzinfo is not None, 0 if it is, -1 on error */
static int
dt_is_aware(PyObject *obj)
{
    PyObject *tz = PyObject_GetAttrString(obj, "tzinfo");
    int rv;

    if (tz == NULL) {
        return -1;
    }
    rv = (tz != Py_None);
    Py_DECREF(tz);
    return rv;
}

/* read an int attribute into *out: 0 or -1 */
static int
dt_long_attr(PyObject *obj, const char *name, long *out)
{
    PyObject *v = PyObject_GetAttrString(obj, name);

    if (v == NULL) {
        return -1;
    }
    *out = PyLong_AsLong(v);
    Py_DECREF(v);
    if (*out == -1 && PyErr_Occurred()) {
        return -1;
    }
    return 0;
}

static PyObject *
dt_quote_interval(PyObject *obj)
{
    long days, secs, usecs;
    char buf[128];
    int n;

    if (dt_long_attr(obj, "days", &days) < 0
        || dt_long_attr(obj, "seconds", &secs) < 0
        || dt_long_attr(obj, "microseconds", &usecs) < 0) {
        return NULL;
    }
    if (secs < 0 || usecs < 0 || usecs > 999999) {
        PyErr_SetString(PyExc_ValueError, "bad timedelta components");
        return NULL;
    }
    n = snprintf(buf, sizeof(buf), "'%ld days %ld.%06ld seconds'::interval",
                 days, secs, usecs);
    if (n < 0 || (size_t)n >= sizeof(buf)) {
        PyErr_SetString(PyExc_ValueError, "timedelta out of range");
        return NULL;
    }
    return PyBytes_FromStringAndSize(buf, n);
}

/* The kind for a date/time object, or -1 with TypeError. */
static int
dt_kind_of(PyObject *obj)
{
    if (PyDateTime_Check(obj)) {
        return ADAPTER_DT_TIMESTAMP;
    }
    if (PyDate_Check(obj)) {
        return ADAPTER_DT_DATE;
    }
    if (PyTime_Check(obj)) {
        return ADAPTER_DT_TIME;
    }
    if (PyDelta_Check(obj)) {
        return ADAPTER_DT_INTERVAL;
    }
    PyErr_Format(PyExc_TypeError,
                 "expected a date, time, datetime or timedelta, not %.200s",
                 Py_TYPE(obj)->tp_name);
    return -1;
}

PyObject *
adapter_dt_quote(module_state *st, connectionObject *conn, PyObject *obj,
                 adapterObject *a)
{
    int kind;
    int aware;

    if (obj == Py_None) {
        return PyBytes_FromStringAndSize("NULL", 4);
    }
    if ((kind = a ? a->kind : dt_kind_of(obj)) < 0) {
        return NULL;
    }
    switch (kind) {
    case ADAPTER_DT_DATE:
        return dt_quote_iso(obj, "'::date");
    case ADAPTER_DT_TIME:
        if ((aware = dt_is_aware(obj)) < 0) {
            return NULL;
        }
        return dt_quote_iso(obj, aware ? "'::timetz" : "'::time");
    case ADAPTER_DT_TIMESTAMP:
        if ((aware = dt_is_aware(obj)) < 0) {
            return NULL;
        }
        return dt_quote_iso(obj, aware ? "'::timestamptz" : "'::timestamp");
    case ADAPTER_DT_INTERVAL:
        return dt_quote_interval(obj);
    default:
        PyErr_SetString(PyExc_TypeError, "datetime adapter not initialized");
        return NULL;
    }
}

int
adapter_dt_init(PyObject *self, PyObject *args, PyObject *kwargs)
{
    adapterObject *a = (adapterObject *)self;
    PyObject *obj;
    int kind = -1;

    /* as psycopg2: datetime(obj[, type]), keywords ignored */
    if (!PyArg_ParseTuple(args, "O|i", &obj, &kind)) {
        return -1;
    }
    if (kind == -1 && (kind = dt_kind_of(obj)) < 0) {
        return -1;
    }
    if (kind < ADAPTER_DT_TIME || kind > ADAPTER_DT_INTERVAL) {
        PyErr_Format(PyExc_ValueError, "bad datetime adapter type: %d", kind);
        return -1;
    }
    Py_XSETREF(a->wrapped, Py_NewRef(obj));
    a->kind = kind;
    return 0;
}

PyMemberDef adapter_dt_members[] = {
    {"adapted", T_OBJECT, offsetof(adapterObject, wrapped), READONLY,
     "The object this adapter quotes."},
    {"type", T_INT, offsetof(adapterObject, kind), READONLY,
     "What the adapted value is quoted as: 0 time, 1 date, 2 timestamp, "
     "3 interval."},
    {NULL}
};

/* ---- module functions ---------------------------------------------------- */

/* A new adapter of `kind` for obj (obj: new reference, stolen). */
static PyObject *
dt_wrap(PyObject *module, PyObject *obj, int kind)
{
    module_state *st = mod_state(module);
    adapterObject *a = NULL;

    if (obj == NULL) {
        return NULL;
    }
    if (!(a = (adapterObject *)adapter_alloc(st->pydatetime_type))) {
        Py_DECREF(obj);
        return NULL;
    }
    a->wrapped = obj;
    a->kind = kind;
    return (PyObject *)a;
}

PyDoc_STRVAR(dt_DateFromPy_doc,
"DateFromPy(date) -> adapter quoting '<date>'::date.");

static PyObject *
dt_DateFromPy(PyObject *module, PyObject *args)
{
    PyObject *obj;
    /* psycopg2's argument errors, texts included. */
    if (!PyArg_ParseTuple(args, "O", &obj))
        return NULL;
    if (!PyDate_Check(obj)) {
        PyErr_Format(PyExc_TypeError,
                     "argument 1 must be datetime.date, not %.200s",
                     obj == Py_None ? "None" : Py_TYPE(obj)->tp_name);
        return NULL;
    }
    return dt_wrap(module, Py_NewRef(obj), ADAPTER_DT_DATE);
}

PyDoc_STRVAR(dt_TimeFromPy_doc,
"TimeFromPy(time) -> adapter quoting '<time>'::time (::timetz if aware).");

static PyObject *
dt_TimeFromPy(PyObject *module, PyObject *args)
{
    PyObject *obj;
    /* psycopg2's argument errors, texts included. */
    if (!PyArg_ParseTuple(args, "O", &obj))
        return NULL;
    if (!PyTime_Check(obj)) {
        PyErr_Format(PyExc_TypeError,
                     "argument 1 must be datetime.time, not %.200s",
                     obj == Py_None ? "None" : Py_TYPE(obj)->tp_name);
        return NULL;
    }
    return dt_wrap(module, Py_NewRef(obj), ADAPTER_DT_TIME);
}

PyDoc_STRVAR(dt_TimestampFromPy_doc,
"TimestampFromPy(datetime) -> adapter quoting '<datetime>'::timestamp\n"
"(::timestamptz if aware).");

static PyObject *
dt_TimestampFromPy(PyObject *module, PyObject *args)
{
    PyObject *obj;
    /* psycopg2's argument errors, texts included. */
    if (!PyArg_ParseTuple(args, "O", &obj))
        return NULL;
    if (!PyDateTime_Check(obj)) {
        PyErr_Format(PyExc_TypeError,
                     "argument 1 must be datetime.datetime, not %.200s",
                     obj == Py_None ? "None" : Py_TYPE(obj)->tp_name);
        return NULL;
    }
    return dt_wrap(module, Py_NewRef(obj), ADAPTER_DT_TIMESTAMP);
}

PyDoc_STRVAR(dt_IntervalFromPy_doc,
"IntervalFromPy(timedelta) -> adapter quoting an interval.");

static PyObject *
dt_IntervalFromPy(PyObject *module, PyObject *args)
{
    PyObject *obj;
    /* psycopg2's argument errors, texts included. */
    if (!PyArg_ParseTuple(args, "O", &obj))
        return NULL;
    if (!PyDelta_Check(obj)) {
        PyErr_Format(PyExc_TypeError,
                     "argument 1 must be datetime.timedelta, not %.200s",
                     obj == Py_None ? "None" : Py_TYPE(obj)->tp_name);
        return NULL;
    }
    return dt_wrap(module, Py_NewRef(obj), ADAPTER_DT_INTERVAL);
}

PyDoc_STRVAR(dt_Date_doc,
"Date(year, month, day) -> adapter of a datetime.date.");

static PyObject *
dt_Date(PyObject *module, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"year", "month", "day", NULL};
    int y, m, d;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "iii:Date", kwlist,
                                     &y, &m, &d)) {
        return NULL;
    }
    return dt_wrap(module, PyDate_FromDate(y, m, d), ADAPTER_DT_DATE);
}

/* split float seconds into whole seconds and microseconds: 0 or -1 */
static int
dt_split_seconds(PyObject *second, int *sec, int *usec)
{
    double s, whole;
    long us;

    s = PyFloat_AsDouble(second);
    if (s == -1.0 && PyErr_Occurred()) {
        return -1;
    }
    if (!isfinite(s) || s < 0.0 || s >= 61.0) {
        PyErr_SetString(PyExc_ValueError, "second must be in 0..59");
        return -1;
    }
    whole = floor(s);
    us = lround((s - whole) * 1000000.0);
    if (us > 999999) {
        us = 999999;
    }
    *sec = (int)whole;
    *usec = (int)us;
    return 0;
}

PyDoc_STRVAR(dt_Time_doc,
"Time(hour, minute, second, tzinfo=None) -> adapter of a datetime.time\n"
"(second may be a float).");

static PyObject *
dt_Time(PyObject *module, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"hour", "minute", "second", "tzinfo", NULL};
    int h, m, s, us;
    PyObject *second;
    PyObject *tz = Py_None;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "iiO|O:Time", kwlist,
                                     &h, &m, &second, &tz)) {
        return NULL;
    }
    if (dt_split_seconds(second, &s, &us) < 0) {
        return NULL;
    }
    return dt_wrap(module,
                   PyDateTimeAPI->Time_FromTime(h, m, s, us, tz,
                                                PyDateTimeAPI->TimeType),
                   ADAPTER_DT_TIME);
}

PyDoc_STRVAR(dt_Timestamp_doc,
"Timestamp(year, month, day, hour=0, minute=0, second=0, tzinfo=None)\n"
"-> adapter of a datetime.datetime (second may be a float).");

static PyObject *
dt_Timestamp(PyObject *module, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"year", "month", "day", "hour", "minute",
                             "second", "tzinfo", NULL};
    int y, mo, d, h = 0, mi = 0, s = 0, us = 0;
    PyObject *second = NULL;
    PyObject *tz = Py_None;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "iii|iiOO:Timestamp",
                                     kwlist, &y, &mo, &d, &h, &mi, &second,
                                     &tz)) {
        return NULL;
    }
    if (second != NULL && dt_split_seconds(second, &s, &us) < 0) {
        return NULL;
    }
    return dt_wrap(module,
                   PyDateTimeAPI->DateTime_FromDateAndTime(
                       y, mo, d, h, mi, s, us, tz,
                       PyDateTimeAPI->DateTimeType),
                   ADAPTER_DT_TIMESTAMP);
}

PyDoc_STRVAR(dt_DateFromTicks_doc,
"DateFromTicks(ticks) -> adapter of the local date at epoch seconds.\n"
"\n"
"*ticks* is a number of seconds since the epoch, as time.time() "
"returns;\n"
"the value is the date at that moment in the local time zone, adapted "
"to\n"
"an SQL date (DB-API constructor).");

static PyObject *
dt_DateFromTicks(PyObject *module, PyObject *ticks)
{
    return dt_wrap(module,
                   PyObject_CallMethod((PyObject *)PyDateTimeAPI->DateType,
                                       "fromtimestamp", "O", ticks),
                   ADAPTER_DT_DATE);
}

/* datetime.fromtimestamp(ticks) in local time (new ref) */
static PyObject *
dt_local_from_ticks(PyObject *ticks)
{
    return PyObject_CallMethod((PyObject *)PyDateTimeAPI->DateTimeType,
                               "fromtimestamp", "O", ticks);
}

PyDoc_STRVAR(dt_TimeFromTicks_doc,
"TimeFromTicks(ticks) -> adapter of the local time at epoch seconds.\n"
"\n"
"*ticks* is a number of seconds since the epoch, as time.time() "
"returns;\n"
"the value is the time of day at that moment in the local time zone,\n"
"adapted to an SQL time (DB-API constructor).");

static PyObject *
dt_TimeFromTicks(PyObject *module, PyObject *ticks)
{
    PyObject *dt = NULL;
    PyObject *t = NULL;

    if (!(dt = dt_local_from_ticks(ticks))) {
        return NULL;
    }
    t = PyObject_CallMethod(dt, "time", NULL);
    Py_DECREF(dt);
    return dt_wrap(module, t, ADAPTER_DT_TIME);
}

PyDoc_STRVAR(dt_TimestampFromTicks_doc,
"TimestampFromTicks(ticks) -> adapter of the tz-aware local timestamp "
"at epoch seconds.\n"
"\n"
"*ticks* is a number of seconds since the epoch, as time.time() "
"returns;\n"
"the value is that moment as a timestamp with time zone in the local\n"
"time zone (DB-API constructor).");

static PyObject *
dt_TimestampFromTicks(PyObject *module, PyObject *ticks)
{
    PyObject *dt = NULL;
    PyObject *aware = NULL;

    if (!(dt = dt_local_from_ticks(ticks))) {
        return NULL;
    }
    aware = PyObject_CallMethod(dt, "astimezone", NULL);
    Py_DECREF(dt);
    return dt_wrap(module, aware, ADAPTER_DT_TIMESTAMP);
}

#define DT_KW(f) (PyCFunction)(void (*)(void))(f), METH_VARARGS | METH_KEYWORDS

PyMethodDef adapter_datetime_methods[] = {
    {"DateFromPy", dt_DateFromPy, METH_VARARGS, dt_DateFromPy_doc},
    {"TimeFromPy", dt_TimeFromPy, METH_VARARGS, dt_TimeFromPy_doc},
    {"TimestampFromPy", dt_TimestampFromPy, METH_VARARGS, dt_TimestampFromPy_doc},
    {"IntervalFromPy", dt_IntervalFromPy, METH_VARARGS, dt_IntervalFromPy_doc},
    {"Date", DT_KW(dt_Date), dt_Date_doc},
    {"Time", DT_KW(dt_Time), dt_Time_doc},
    {"Timestamp", DT_KW(dt_Timestamp), dt_Timestamp_doc},
    {"DateFromTicks", dt_DateFromTicks, METH_O, dt_DateFromTicks_doc},
    {"TimeFromTicks", dt_TimeFromTicks, METH_O, dt_TimeFromTicks_doc},
    {"TimestampFromTicks", dt_TimestampFromTicks, METH_O,
     dt_TimestampFromTicks_doc},
    {NULL}
};

int
adapter_datetime_import(void)
{
    PyDateTime_IMPORT;
    return PyDateTimeAPI != NULL ? 0 : -1;
}
