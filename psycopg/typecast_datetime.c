/* Date and time casters: date, time, timetz, timestamp, timestamptz and
 * interval (IntervalStyle postgres), from the ISO DateStyle output. */

#include "psycopg.h"
#include "module.h"
#include "typecast.h"

#include <datetime.h>
#include <limits.h>
#include <string.h>

/* The datetime C API is per translation unit (a static pointer). */
int
typecast_datetime_init(void)
{
    if (PyDateTimeAPI == NULL) {
        PyDateTime_IMPORT;
        if (PyDateTimeAPI == NULL) {
            return -1;
        }
    }
    return 0;
}

/* ---- scanning helpers: *pp advances, never reaching past `end` -------- */

/* Read between 1 and maxd digits; -1 if none or too many. */
static int
dt_number(const char **pp, const char *end, int maxd, long long *val)
{
    const char *p = *pp;
    long long v = 0;
    int n = 0;

    while (p < end && *p >= '0' && *p <= '9') {
        if (++n > maxd) {
            return -1;
        }
        v = v * 10 + (*p - '0');
        p++;
    }
    if (n == 0) {
        return -1;
    }
    *pp = p;
    *val = v;
    return n;
}

static inline int
dt_expect(const char **pp, const char *end, char c)
{
    if (*pp < end && **pp == c) {
        (*pp)++;
        return 0;
    }
    return -1;
}

static int
dt_is_word(const char *s, Py_ssize_t len, const char *word)
{
    size_t n = strlen(word);
    return (size_t)len == n && memcmp(s, word, n) == 0;
}

static int
dt_days_in_month(long long y, long long m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) {
        return 29;
    }
    return days[m - 1];
}

typedef struct {
    long long year, month, day;
    long long hour, minute, second, usec;
    long long extra;           /* seconds to add: leap second, 24:00 */
    int has_tz;
    long long tzoff;           /* seconds east of UTC */
    int bc;
} dt_parts;

/* The results of the parsers below: malformed text gets psycopg2's
 * DataError ('unable to parse date/time'), well-formed text with a field
 * out of range the ValueError of datetime's constructor, as psycopg2. */
#define DT_OK 0
#define DT_MALFORMED (-1)
#define DT_RANGE (-2)

/* YYYY-MM-DD; DT_OK, DT_MALFORMED or DT_RANGE (no exception set). */
static int
dt_parse_date(const char **pp, const char *end, dt_parts *dt)
{
    if (dt_number(pp, end, 9, &dt->year) < 0 || dt_expect(pp, end, '-') < 0 ||
        dt_number(pp, end, 2, &dt->month) < 0 || dt_expect(pp, end, '-') < 0 ||
        dt_number(pp, end, 2, &dt->day) < 0) {
        return DT_MALFORMED;
    }
    if (dt->month < 1 || dt->month > 12 || dt->day < 1 ||
        dt->day > dt_days_in_month(dt->year, dt->month)) {
        return DT_RANGE;
    }
    return DT_OK;
}

/* HH:MM:SS[.ffffff]; DT_OK, DT_MALFORMED or DT_RANGE.  More than 6
 * fractional digits are a range error ('microsecond must be in 0..999999'),
 * unless all zeros, as psycopg2 (which misreads '.0000001' as 1 us);
 * PostgreSQL never sends them. */
static int
dt_parse_time(const char **pp, const char *end, dt_parts *dt)
{
    dt->second = dt->usec = 0;
    if (dt_number(pp, end, 2, &dt->hour) < 0 || dt_expect(pp, end, ':') < 0 ||
        dt_number(pp, end, 2, &dt->minute) < 0 || dt_expect(pp, end, ':') < 0 ||
        dt_number(pp, end, 2, &dt->second) < 0) {
        return DT_MALFORMED;
    }
    if (*pp < end && **pp == '.') {
        const char *p = ++(*pp);
        int n = 0, nonzero = 0;
        long long us = 0;
        while (p < end && *p >= '0' && *p <= '9') {
            if (n < 6) {
                us = us * 10 + (*p - '0');
            }
            nonzero |= *p != '0';
            n++;
            p++;
        }
        if (n > 6 && nonzero) {
            dt->usec = 1000000; /* what datetime refuses */
            return DT_RANGE;
        }
        /* no digits ('10:00:00.'): zero, as psycopg2 reads it */
        for (; n < 6; n++) {
            us *= 10;
        }
        dt->usec = us;
        *pp = p;
    }
    if (dt->minute > 59 || dt->second > 60 || dt->hour > 24) {
        return DT_RANGE;
    }
    if (dt->hour == 24) {
        if (dt->minute != 0 || dt->second != 0 || dt->usec != 0) {
            return DT_RANGE;
        }
        dt->hour = 23;
        dt->minute = 59;
        dt->second = 59;
        dt->extra += 1;
    }
    else if (dt->second == 60) {
        dt->second = 59;
        dt->extra += 1;
    }
    return DT_OK;
}

/* Optional [+-]HH[:MM[:SS]] (also [+-]HHMM); 0 or -1. */
static int
dt_parse_tz(const char **pp, const char *end, dt_parts *dt)
{
    long long h = 0, m = 0, s = 0;
    int sign;
    int n;

    dt->has_tz = 0;
    /* '10:00:00 +02' too, as psycopg2 reads it */
    if (end - *pp >= 2 && **pp == ' ' && ((*pp)[1] == '+' || (*pp)[1] == '-')) {
        (*pp)++;
    }
    if (*pp >= end || (**pp != '+' && **pp != '-')) {
        return 0;
    }
    if (end - *pp == 1) {
        (*pp)++; /* a final sign alone: no offset, as psycopg2 reads it */
        return 0;
    }
    sign = **pp == '-' ? -1 : 1;
    (*pp)++;
    if ((n = dt_number(pp, end, 4, &h)) < 0 || n == 3) {
        return -1;
    }
    if (n == 4) {
        m = h % 100;
        h /= 100;
    }
    else if (*pp < end && **pp == ':') {
        (*pp)++;
        if (dt_number(pp, end, 2, &m) < 0) {
            return -1;
        }
        if (*pp < end && **pp == ':') {
            (*pp)++;
            if (dt_number(pp, end, 2, &s) < 0) {
                return -1;
            }
        }
    }
    if (h > 23 || m > 59 || s > 59) {
        return -1;
    }
    dt->has_tz = 1;
    dt->tzoff = sign * (h * 3600 + m * 60 + s);
    return 0;
}

/* ---- the server's own ISO text, read at fixed positions -------------- */

static inline int
dt_d2(const char *p, long long *v)
{
    unsigned a = (unsigned)(unsigned char)p[0] - '0';
    unsigned b = (unsigned)(unsigned char)p[1] - '0';
    if (a > 9 || b > 9) {
        return 0;
    }
    *v = a * 10 + b;
    return 1;
}

/* "YYYY-MM-DD" with a valid day: 1 and dt set, else 0 (the general
 * parser decides, with its errors). */
static inline int
dt_fast_date(const char *s, dt_parts *dt)
{
    long long y1, y2;
    if (s[4] != '-' || s[7] != '-' || !dt_d2(s, &y1) || !dt_d2(s + 2, &y2)
        || !dt_d2(s + 5, &dt->month) || !dt_d2(s + 8, &dt->day)) {
        return 0;
    }
    dt->year = y1 * 100 + y2;
    return dt->year >= 1 && dt->month >= 1 && dt->month <= 12
           && dt->day >= 1
           && dt->day <= dt_days_in_month(dt->year, dt->month);
}

/* "YYYY-MM-DD HH:MM:SS[.f{1,6}][+-HH[:MM[:SS]]]" with every field in range
 * (no 24:00, no leap second, no BC): 1 and dt set, else 0. */
static int
dt_fast_timestamp(const char *s, Py_ssize_t len, dt_parts *dt)
{
    const char *p, *end = s + len;
    long long h = 0, m = 0, sec = 0;

    if (len < 19 || s[10] != ' ' || s[13] != ':' || s[16] != ':'
        || !dt_fast_date(s, dt) || !dt_d2(s + 11, &dt->hour)
        || !dt_d2(s + 14, &dt->minute) || !dt_d2(s + 17, &dt->second)
        || dt->hour > 23 || dt->minute > 59 || dt->second > 59) {
        return 0;
    }
    p = s + 19;
    dt->usec = 0;
    if (p < end && *p == '.') {
        int n = 0;
        for (p++; p < end && n < 6; p++, n++) {
            unsigned d = (unsigned)(unsigned char)*p - '0';
            if (d > 9) {
                break;
            }
            dt->usec = dt->usec * 10 + d;
        }
        if (n == 0) {
            return 0;
        }
        for (; n < 6; n++) {
            dt->usec *= 10;
        }
    }
    dt->has_tz = 0;
    if (p == end) {
        return 1;
    }
    if ((*p != '+' && *p != '-') || end - p < 3 || !dt_d2(p + 1, &h)) {
        return 0;
    }
    dt->has_tz = 1;
    dt->tzoff = 0;
    if (end - p >= 6 && p[3] == ':') {
        if (!dt_d2(p + 4, &m)) {
            return 0;
        }
        if (end - p >= 9 && p[6] == ':') {
            if (!dt_d2(p + 7, &sec) || end - p != 9) {
                return 0;
            }
        }
        else if (end - p != 6) {
            return 0;
        }
    }
    else if (end - p != 3) {
        return 0;
    }
    if (h > 23 || m > 59 || sec > 59) {
        return 0;
    }
    dt->tzoff = (*p == '-' ? -1 : 1) * (h * 3600 + m * 60 + sec);
    return 1;
}

/* Optional trailing " BC". */
static void
dt_parse_bc(const char **pp, const char *end, dt_parts *dt)
{
    if (end - *pp == 3 && (*pp)[0] == ' ' && (*pp)[1] == 'B' &&
        (*pp)[2] == 'C') {
        dt->bc = 1;
        *pp = end;
    }
}

/* ValueError for dates Python cannot represent; 0 or -1. */
static int
dt_check_year(const dt_parts *dt)
{
    if (dt->bc) {
        /* psycopg2's text: the year as a negative number */
        PyErr_Format(PyExc_ValueError, "year -%lld is out of range",
                     dt->year);
        return -1;
    }
    if (dt->year < 1 || dt->year > 9999) {
        PyErr_Format(PyExc_ValueError, "year %lld is out of range", dt->year);
        return -1;
    }
    return 0;
}

/* psycopg2's DataError for malformed text: 'unable to parse date' or
 * 'unable to parse time'; NULL. */
static PyObject *
dt_parse_error(const typecast_ctx *ctx, const char *what)
{
    PyErr_Format(ctx->st->DataError, "unable to parse %s", what);
    return NULL;
}

/* The ValueError datetime's constructor raises for the fields of `dt`
 * (what psycopg2 reports for a field out of range); NULL. */
static PyObject *
dt_range_error(const dt_parts *dt, int with_date, int with_time)
{
    PyObject *o;

    if (with_date && with_time) {
        o = PyDateTime_FromDateAndTime((int)dt->year, (int)dt->month,
                                       (int)dt->day, (int)dt->hour,
                                       (int)dt->minute, (int)dt->second,
                                       (int)dt->usec);
    }
    else if (with_date) {
        o = PyDate_FromDate((int)dt->year, (int)dt->month, (int)dt->day);
    }
    else {
        o = PyTime_FromTime((int)dt->hour, (int)dt->minute, (int)dt->second,
                            (int)dt->usec);
    }
    if (o != NULL) {
        /* not reached for the fields the parsers refuse */
        Py_DECREF(o);
        PyErr_SetString(PyExc_ValueError, "date/time field out of range");
    }
    return NULL;
}

void
typecast_tzcache_clear(typecast_tzcache *tzc)
{
    tzc->last_tz = NULL;
    Py_CLEAR(tzc->dict);
    Py_CLEAR(tzc->factory);
}

/* tzinfo_factory(timedelta(seconds=off)), or None when naive.  Through the
 * cursor's cache when there is one: one factory call per distinct offset
 * in a result, the same tzinfo object for all the values sharing it. */
static PyObject *
dt_make_tz(const typecast_ctx *ctx, long long off)
{
    typecast_tzcache *tzc = ctx->tzcache;
    PyObject *delta = NULL;
    PyObject *key = NULL;
    PyObject *rv = NULL;

    if (ctx->tzinfo_factory == NULL || ctx->tzinfo_factory == Py_None) {
        return Py_NewRef(Py_None);
    }
    if (tzc != NULL) {
        if (tzc->factory != ctx->tzinfo_factory) {
            typecast_tzcache_clear(tzc);
            tzc->factory = Py_NewRef(ctx->tzinfo_factory);
        }
        if (tzc->last_tz != NULL && tzc->last_off == off) {
            return Py_NewRef(tzc->last_tz);
        }
        if (tzc->dict == NULL && (tzc->dict = PyDict_New()) == NULL) {
            goto exit;
        }
        if ((key = PyLong_FromLongLong(off)) == NULL) {
            goto exit;
        }
        if ((rv = PyDict_GetItemWithError(tzc->dict, key)) != NULL) {
            tzc->last_off = off;
            tzc->last_tz = rv;
            rv = Py_NewRef(rv);
            goto exit;
        }
        if (PyErr_Occurred()) {
            goto exit;
        }
    }
    if ((delta = PyDelta_FromDSU(0, (int)off, 0)) == NULL) {
        goto exit;
    }
    rv = PyObject_CallOneArg(ctx->tzinfo_factory, delta);
    /* the factory may have run anything: use the cache only if it is
     * still the one for this factory */
    if (rv != NULL && tzc != NULL && tzc->dict != NULL
        && tzc->factory == ctx->tzinfo_factory) {
        if (PyDict_SetItem(tzc->dict, key, rv) < 0) {
            Py_CLEAR(rv);
            goto exit;
        }
        tzc->last_off = off;
        tzc->last_tz = rv;
    }

exit:
    Py_XDECREF(key);
    Py_XDECREF(delta);
    return rv;
}

/* obj + timedelta(seconds=extra) (new ref; obj stolen). */
static PyObject *
dt_add_seconds(PyObject *obj, long long extra)
{
    PyObject *delta = NULL;
    PyObject *rv = NULL;

    if (obj == NULL || extra == 0) {
        return obj;
    }
    if ((delta = PyDelta_FromDSU(0, (int)extra, 0)) == NULL) {
        goto exit;
    }
    rv = PyNumber_Add(obj, delta);

exit:
    Py_XDECREF(delta);
    Py_DECREF(obj);
    return rv;
}

/* ---- date ------------------------------------------------------------- */

/* Big enough for the 10,000 distinct days of 27 years: caching costs 16
 * bytes a slot, a date object 32. */
#define DT_DATECACHE_MAX 16384
#define DT_DATECACHE_MIN_VALUES 1024

void
typecast_datecache_init(typecast_datecache *dc, Py_ssize_t nvalues)
{
    size_t n = 1;
    dc->slots = NULL;
    dc->mask = 0;
    if (nvalues < DT_DATECACHE_MIN_VALUES) {
        return;
    }
    while (n < DT_DATECACHE_MAX && (Py_ssize_t)n < nvalues) {
        n *= 2;
    }
    dc->mask = n - 1;
}

void
typecast_datecache_clear(typecast_datecache *dc)
{
    size_t i;
    if (dc->slots != NULL) {
        /* dates: their deallocation runs no Python code */
        for (i = 0; i <= dc->mask; i++) {
            Py_XDECREF(dc->slots[i].obj);
        }
        PyMem_Free(dc->slots);
    }
    dc->slots = NULL;
}

/* date(y, m, d), from the cache when there is one. */
static PyObject *
dt_make_date(const typecast_ctx *ctx, int y, int m, int d)
{
    typecast_datecache *dc = ctx->datecache;
    typecast_dateslot *slot;
    long key = (long)y * 372 + (m - 1) * 31 + (d - 1);
    PyObject *rv;

    if (dc == NULL || dc->mask == 0) {
        return PyDate_FromDate(y, m, d);
    }
    if (dc->slots == NULL
        && (dc->slots = PyMem_Calloc(dc->mask + 1, sizeof(*slot))) == NULL) {
        dc->mask = 0; /* no memory for it: no cache */
        return PyDate_FromDate(y, m, d);
    }
    slot = &dc->slots[(size_t)key & dc->mask];
    if (slot->obj != NULL && slot->key == key) {
        return Py_NewRef(slot->obj);
    }
    if ((rv = PyDate_FromDate(y, m, d)) != NULL) {
        slot->key = key;
        Py_XSETREF(slot->obj, Py_NewRef(rv));
    }
    return rv;
}

PyObject *
typecast_date_cast(const char *s, Py_ssize_t len, const typecast_ctx *ctx,
                   PyObject *base)
{
    dt_parts dt = {0};
    const char *p = s, *end = s + len;

    if (s == NULL) {
        return Py_NewRef(Py_None);
    }
    if (len == 10 && dt_fast_date(s, &dt)) {
        return dt_make_date(ctx, (int)dt.year, (int)dt.month, (int)dt.day);
    }
    if (dt_is_word(s, len, "infinity")) {
        return PyDate_FromDate(9999, 12, 31);
    }
    if (dt_is_word(s, len, "-infinity")) {
        return PyDate_FromDate(1, 1, 1);
    }
    switch (dt_parse_date(&p, end, &dt)) {
    case DT_MALFORMED:
        return dt_parse_error(ctx, "date");
    case DT_RANGE:
        return dt_range_error(&dt, 1, 0);
    }
    if (p < end && (*p == ' ' || *p == 'T')) {
        /* what follows the date (a timestamp's time) is not read, as
         * psycopg2 does; only a final " BC" counts */
        if (end - p >= 3 && memcmp(end - 3, " BC", 3) == 0) {
            dt.bc = 1;
        }
        p = end;
    }
    if (p != end) {
        return dt_parse_error(ctx, "date");
    }
    if (dt_check_year(&dt) < 0) {
        return NULL;
    }
    return dt_make_date(ctx, (int)dt.year, (int)dt.month, (int)dt.day);
}

/* ---- time, timetz ----------------------------------------------------- */

PyObject *
typecast_time_cast(const char *s, Py_ssize_t len, const typecast_ctx *ctx,
                   PyObject *base)
{
    dt_parts dt = {0};
    const char *p = s, *end = s + len;
    PyObject *tz = NULL;
    PyObject *rv = NULL;
    long long secs;

    if (s == NULL) {
        return Py_NewRef(Py_None);
    }
    switch (dt_parse_time(&p, end, &dt)) {
    case DT_MALFORMED:
        return dt_parse_error(ctx, "time");
    case DT_RANGE:
        return dt_range_error(&dt, 0, 1);
    }
    if (dt_parse_tz(&p, end, &dt) < 0 || p != end) {
        return dt_parse_error(ctx, "time");
    }
    /* apply the carry within the day: 24:00:00 and 23:59:60 wrap to 0 */
    secs = dt.hour * 3600 + dt.minute * 60 + dt.second + dt.extra;
    secs %= 86400;
    if (dt.has_tz) {
        if ((tz = dt_make_tz(ctx, dt.tzoff)) == NULL) {
            goto exit;
        }
    }
    else {
        tz = Py_NewRef(Py_None);
    }
    rv = PyDateTimeAPI->Time_FromTime((int)(secs / 3600), (int)(secs / 60 % 60),
                                      (int)(secs % 60), (int)dt.usec, tz,
                                      PyDateTimeAPI->TimeType);

exit:
    Py_XDECREF(tz);
    return rv;
}

/* ---- timestamp, timestamptz ------------------------------------------- */

static PyObject *
dt_infinity(const typecast_ctx *ctx, int positive, int aware)
{
    PyObject *tz = NULL;
    PyObject *rv = NULL;

    if (aware) {
        if ((tz = dt_make_tz(ctx, 0)) == NULL) {
            goto exit;
        }
    }
    else {
        tz = Py_NewRef(Py_None);
    }
    if (positive) {
        rv = PyDateTimeAPI->DateTime_FromDateAndTime(
            9999, 12, 31, 23, 59, 59, 999999, tz, PyDateTimeAPI->DateTimeType);
    }
    else {
        rv = PyDateTimeAPI->DateTime_FromDateAndTime(
            1, 1, 1, 0, 0, 0, 0, tz, PyDateTimeAPI->DateTimeType);
    }

exit:
    Py_XDECREF(tz);
    return rv;
}

static PyObject *
dt_timestamp(const char *s, Py_ssize_t len, const typecast_ctx *ctx,
             int aware)
{
    dt_parts dt = {0};
    const char *p = s, *end = s + len;
    PyObject *tz = NULL;
    PyObject *rv = NULL;

    if (dt_fast_timestamp(s, len, &dt)) {
        goto make;
    }
    memset(&dt, 0, sizeof(dt));
    if (dt_is_word(s, len, "infinity")) {
        return dt_infinity(ctx, 1, aware);
    }
    if (dt_is_word(s, len, "-infinity")) {
        return dt_infinity(ctx, 0, aware);
    }
    switch (dt_parse_date(&p, end, &dt)) {
    case DT_MALFORMED:
        return dt_parse_error(ctx, "date");
    case DT_RANGE:
        return dt_range_error(&dt, 1, 1);
    }
    if (p + 1 == end && *p == ' ') {
        p = end; /* a date and one space, as psycopg2 reads it */
    }
    if (p == end) {
        /* a date alone (not BC): midnight, without tzinfo, as psycopg2 */
        if (dt_check_year(&dt) < 0) {
            return NULL;
        }
        return PyDateTimeAPI->DateTime_FromDateAndTime(
            (int)dt.year, (int)dt.month, (int)dt.day, 0, 0, 0, 0, Py_None,
            PyDateTimeAPI->DateTimeType);
    }
    if (dt_expect(&p, end, ' ') < 0 && dt_expect(&p, end, 'T') < 0) {
        return dt_parse_error(ctx, "time");
    }
    switch (dt_parse_time(&p, end, &dt)) {
    case DT_MALFORMED:
        return dt_parse_error(ctx, "time");
    case DT_RANGE:
        return dt_range_error(&dt, 1, 1);
    }
    if (dt_parse_tz(&p, end, &dt) < 0) {
        return dt_parse_error(ctx, "time");
    }
    dt_parse_bc(&p, end, &dt);
    if (p != end) {
        return dt_parse_error(ctx, "time");
    }
    if (dt_check_year(&dt) < 0) {
        goto exit;
    }
make:
    if (dt.has_tz) {
        if ((tz = dt_make_tz(ctx, dt.tzoff)) == NULL) {
            goto exit;
        }
    }
    else {
        tz = Py_NewRef(Py_None);
    }
    rv = PyDateTimeAPI->DateTime_FromDateAndTime(
        (int)dt.year, (int)dt.month, (int)dt.day, (int)dt.hour,
        (int)dt.minute, (int)dt.second, (int)dt.usec, tz,
        PyDateTimeAPI->DateTimeType);
    rv = dt_add_seconds(rv, dt.extra);

exit:
    Py_XDECREF(tz);
    return rv;
}

PyObject *
typecast_timestamp_cast(const char *s, Py_ssize_t len, const typecast_ctx *ctx,
                        PyObject *base)
{
    if (s == NULL) {
        return Py_NewRef(Py_None);
    }
    return dt_timestamp(s, len, ctx, 0);
}

PyObject *
typecast_timestamptz_cast(const char *s, Py_ssize_t len,
                          const typecast_ctx *ctx, PyObject *base)
{
    if (s == NULL) {
        return Py_NewRef(Py_None);
    }
    return dt_timestamp(s, len, ctx, 1);
}

/* ---- a value made again for another tzinfo_factory ------------------- */

PyObject *
typecast_retz(PyObject *v, const typecast_ctx *ctx)
{
    PyObject *tz, *off = NULL, *newtz = NULL, *rv = NULL;
    long long secs;

    if (PyDateTime_Check(v)) {
        PyDateTime_DateTime *d = (PyDateTime_DateTime *)v;
        tz = d->hastzinfo ? d->tzinfo : Py_None;
    }
    else if (PyTime_Check(v)) {
        PyDateTime_Time *t = (PyDateTime_Time *)v;
        tz = t->hastzinfo ? t->tzinfo : Py_None;
    }
    else {
        return Py_NewRef(v); /* None */
    }
    if (tz == Py_None) {
        return Py_NewRef(v); /* the text had no offset */
    }
    /* a datetime.timezone: its fixed offset */
    if ((off = PyObject_CallMethod(tz, "utcoffset", "O", Py_None)) == NULL) {
        goto exit;
    }
    if (!PyDelta_Check(off)) {
        PyErr_SetString(PyExc_TypeError, "utcoffset() must return a timedelta");
        goto exit;
    }
    secs = (long long)PyDateTime_DELTA_GET_DAYS(off) * 86400
           + PyDateTime_DELTA_GET_SECONDS(off);
    if ((newtz = dt_make_tz(ctx, secs)) == NULL) {
        goto exit;
    }
    if (PyDateTime_Check(v)) {
        rv = PyDateTimeAPI->DateTime_FromDateAndTime(
            PyDateTime_GET_YEAR(v), PyDateTime_GET_MONTH(v),
            PyDateTime_GET_DAY(v), PyDateTime_DATE_GET_HOUR(v),
            PyDateTime_DATE_GET_MINUTE(v), PyDateTime_DATE_GET_SECOND(v),
            PyDateTime_DATE_GET_MICROSECOND(v), newtz,
            PyDateTimeAPI->DateTimeType);
    }
    else {
        rv = PyDateTimeAPI->Time_FromTime(
            PyDateTime_TIME_GET_HOUR(v), PyDateTime_TIME_GET_MINUTE(v),
            PyDateTime_TIME_GET_SECOND(v), PyDateTime_TIME_GET_MICROSECOND(v),
            newtz, PyDateTimeAPI->TimeType);
    }

exit:
    Py_XDECREF(off);
    Py_XDECREF(newtz);
    return rv;
}

/* ---- interval --------------------------------------------------------- */

/* Postgres IntervalStyle: [+-]N year(s) [+-]N mon(s) [+-]N day(s)
 * [+-]HH:MM:SS[.ffffff], every part optional; a bare number is seconds. */
PyObject *
typecast_interval_cast(const char *s, Py_ssize_t len, const typecast_ctx *ctx,
                       PyObject *base)
{
    const char *p = s, *end = s + len;
    long long years = 0, months = 0, days = 0, secs = 0, usec = 0;
    long long total_days;
    int seen_time = 0, nparts = 0;

    if (s == NULL) {
        return Py_NewRef(Py_None);
    }
    if (len > 0 && (s[0] == 'P' || (len > 1 && s[0] == '-' && s[1] == 'P'))) {
        PyErr_SetString(ctx->st->NotSupportedError,
                        "iso_8601 IntervalStyle is not supported: "
                        "use SET IntervalStyle TO postgres");
        return NULL;
    }
    for (;;) {
        long long v, sign = 1;
        const char *w;

        while (p < end && *p == ' ') {
            p++;
        }
        if (p >= end) {
            break;
        }
        if (seen_time) {
            goto error; /* nothing may follow the time part */
        }
        if (*p == '+' || *p == '-') {
            sign = *p == '-' ? -1 : 1;
            p++;
        }
        if (p >= end) {
            goto error;
        }
        if (*p == '.') {
            v = 0; /* ".5" seconds */
        }
        else if (dt_number(&p, end, 12, &v) < 0) {
            goto error;
        }
        nparts++;
        if ((p < end && (*p == ':' || *p == '.')) || p >= end) {
            /* time part, or bare seconds */
            dt_parts dt = {0};
            long long h = 0, m = 0, sec = 0;
            if (p < end && *p == ':') {
                h = v;
                p++;
                if (dt_number(&p, end, 2, &m) < 0 || m > 59) {
                    goto error;
                }
                if (p < end && *p == ':') {
                    p++;
                    if (dt_number(&p, end, 2, &sec) < 0 || sec > 59) {
                        goto error;
                    }
                }
            }
            else if (nparts != 1) {
                goto error; /* a bare number only stands alone */
            }
            else {
                sec = v;
            }
            if (p < end && *p == '.') {
                /* microseconds, rounded half up on the 7th digit */
                const char *q = p + 1;
                int n = 0;
                long long us = 0;
                while (q < end && *q >= '0' && *q <= '9') {
                    if (n < 6) {
                        us = us * 10 + (*q - '0');
                    }
                    else if (n == 6 && *q >= '5') {
                        us++;
                    }
                    n++;
                    q++;
                }
                if (n == 0) {
                    goto error;
                }
                for (; n < 6; n++) {
                    us *= 10;
                }
                dt.usec = us;
                p = q;
            }
            secs += sign * (h * 3600 + m * 60 + sec);
            usec += sign * dt.usec;
            seen_time = 1;
            continue;
        }
        /* a unit word */
        while (p < end && *p == ' ') {
            p++;
        }
        w = p;
        while (p < end && *p >= 'a' && *p <= 'z') {
            p++;
        }
        if (dt_is_word(w, p - w, "year") || dt_is_word(w, p - w, "years")) {
            years += sign * v;
        }
        else if (dt_is_word(w, p - w, "mon") || dt_is_word(w, p - w, "mons") ||
                 dt_is_word(w, p - w, "month") ||
                 dt_is_word(w, p - w, "months")) {
            months += sign * v;
        }
        else if (dt_is_word(w, p - w, "day") || dt_is_word(w, p - w, "days")) {
            days += sign * v;
        }
        else {
            goto error;
        }
    }
    if (nparts == 0) {
        goto error;
    }
    total_days = years * 365 + months * 30 + days;
    if (usec <= -1000000 || usec >= 1000000) {
        secs += usec / 1000000;
        usec %= 1000000;
    }
    total_days += secs / 86400;
    secs %= 86400;
    if (total_days > INT_MAX || total_days < INT_MIN) {
        PyErr_SetString(PyExc_OverflowError,
                        "interval too large for a timedelta");
        return NULL;
    }
    return PyDelta_FromDSU((int)total_days, (int)secs, (int)usec);

error:
    return typecast_data_error(ctx, "interval", s, len);
}
