"""Date/time typecasting: date, time, timetz, timestamp, timestamptz,
interval, their arrays, tzinfo_factory and malformed input."""

from datetime import date, datetime, time, timedelta, timezone

import pytest

import psycopg2
from psycopg2 import extensions as ext


def fetch(cursor, query, *args):
    cursor.execute(query, *args)
    return cursor.fetchone()[0]


def tz(**kwargs):
    return timezone(timedelta(**kwargs))


# date

@pytest.mark.parametrize(
    "literal, expected",
    [
        ("2020-02-29", date(2020, 2, 29)),
        ("0001-01-01", date(1, 1, 1)),
        ("9999-12-31", date(9999, 12, 31)),
        ("infinity", date.max),
        ("-infinity", date.min),
    ],
)
def test_date(cursor, literal, expected):
    value = fetch(cursor, "select '%s'::date" % literal)
    assert type(value) is date
    assert value == expected


@pytest.mark.parametrize("literal", ["0044-03-15 BC", "10000-01-01"])
def test_date_out_of_range(cursor, literal):
    cursor.execute("select '%s'::date" % literal)
    with pytest.raises(ValueError):
        cursor.fetchone()


@pytest.mark.parametrize(
    "bad",
    [
        "2020-1-1x",
        "2020/01/01",
        "2020-01",
        "",
        "-",
        "infinityx",
        "2020-01-011",
        "99999999999-01-01",
    ],
)
def test_bad_date(cursor, bad):
    with pytest.raises(psycopg2.DataError, match="^unable to parse date$"):
        ext.DATE(bad, cursor)


@pytest.mark.parametrize(
    "bad, message",
    [
        ("2020-13-45", "month must be in 1..12"),
        ("2021-02-29", "day is out of range for month"),
        ("2020-00-10", "month must be in 1..12"),
        ("2020-01-00", "day is out of range for month"),
        ("0000-01-01", "year 0 is out of range"),
        ("2020-01-01 BC", "year -2020 is out of range"),
    ],
)
def test_date_field_out_of_range(cursor, bad, message):
    # datetime's ValueError, as psycopg2 raises it
    with pytest.raises(ValueError) as exc:
        ext.DATE(bad, cursor)
    assert type(exc.value) is ValueError
    assert str(exc.value) == message


def test_date_null(cursor):
    assert fetch(cursor, "select null::date") is None
    assert ext.DATE(None, cursor) is None


# time

@pytest.mark.parametrize(
    "literal, expected",
    [
        ("00:00:00", time(0, 0)),
        ("12:34:56", time(12, 34, 56)),
        ("12:34:56.789", time(12, 34, 56, 789000)),
        ("23:59:59.999999", time(23, 59, 59, 999999)),
        ("24:00:00", time(0, 0)),
    ],
)
def test_time(cursor, literal, expected):
    value = fetch(cursor, "select '%s'::time" % literal)
    assert value == expected
    assert value.tzinfo is None


def test_time_direct(cursor):
    assert ext.TIME("23:59:60", cursor) == time(0, 0)
    assert ext.TIME("12:30:60", cursor) == time(12, 31)
    assert ext.TIME("12:34:56.0000000", cursor) == time(12, 34, 56)
    # as psycopg2: an empty fraction, a final sign alone
    assert ext.TIME("12:34:56.", cursor) == time(12, 34, 56)
    assert ext.TIME("12:34:56+", cursor) == time(12, 34, 56)


@pytest.mark.parametrize(
    "text", ["12:34:56.1234567", "12:34:56.9999996", "12:34:56.1234560",
             "12:34:56.0000001"])
def test_time_seven_digits(cursor, text):
    with pytest.raises(ValueError, match="microsecond must be in 0..999999"):
        ext.TIME(text, cursor)


@pytest.mark.parametrize(
    "literal, offset",
    [
        ("12:34:56+05:30", tz(hours=5, minutes=30)),
        ("12:34:56-08", tz(hours=-8)),
        ("12:34:56+00", tz(hours=0)),
        ("12:34:56-05:53:28", tz(hours=-5, minutes=-53, seconds=-28)),
    ],
)
def test_timetz(cursor, literal, offset):
    value = fetch(cursor, "select '%s'::timetz" % literal)
    assert value.replace(tzinfo=None) == time(12, 34, 56)
    assert value.utcoffset() == offset.utcoffset(None)


@pytest.mark.parametrize(
    "bad",
    ["", "12", "12:", "12:3x", "12:34", "12:00:00+5:", "12:00:00+24",
     "12:00:00 x", "12:00:00+05:30:", "1:2:3:4", "08:00:2b:01:02:03"],
)
def test_bad_time(cursor, bad):
    with pytest.raises(psycopg2.DataError, match="^unable to parse time$"):
        ext.TIME(bad, cursor)


@pytest.mark.parametrize(
    "bad, message",
    [("25:00:00", "hour must be in 0..23"), ("24:00:01", "hour must be in 0..23"),
     ("12:60:00", "minute must be in 0..59"),
     ("12:00:61", "second must be in 0..59")],
)
def test_time_field_out_of_range(cursor, bad, message):
    with pytest.raises(ValueError) as exc:
        ext.TIME(bad, cursor)
    assert type(exc.value) is ValueError
    assert str(exc.value) == message


# timestamp

@pytest.mark.parametrize(
    "literal, expected",
    [
        ("2020-01-02 03:04:05", datetime(2020, 1, 2, 3, 4, 5)),
        ("2020-01-02 03:04:05.5", datetime(2020, 1, 2, 3, 4, 5, 500000)),
        ("0001-01-01 00:00:00", datetime(1, 1, 1)),
        ("infinity", datetime.max),
        ("-infinity", datetime.min),
    ],
)
def test_timestamp(cursor, literal, expected):
    value = fetch(cursor, "select '%s'::timestamp" % literal)
    assert type(value) is datetime
    assert value == expected
    assert value.tzinfo is None


def test_timestamp_direct(cursor):
    assert ext.DATETIME("2020-12-31 23:59:60", cursor) == datetime(2021, 1, 1)
    assert ext.DATETIME("2020-12-31 24:00:00", cursor) == datetime(2021, 1, 1)
    with pytest.raises(ValueError, match="microsecond must be in 0..999999"):
        ext.DATETIME("2020-12-31 23:59:59.9999996", cursor)
    # as psycopg2: a space after a date alone, an empty fraction
    assert ext.DATETIME("2020-01-01 ", cursor) == datetime(2020, 1, 1)
    assert ext.DATETIME("2020-01-01 10:00:00.", cursor) == datetime(2020, 1, 1, 10)
    assert ext.DATETIME("2020-01-01T10:00:00", cursor) == datetime(2020, 1, 1, 10)
    assert ext.PYDATETIME("2020-01-01 10:00:00", cursor) == datetime(2020, 1, 1, 10)


@pytest.mark.parametrize("literal", ["2020-01-01 00:00:00 BC", "10000-01-01 00:00"])
def test_timestamp_out_of_range(cursor, literal):
    cursor.execute("select '%s'::timestamp" % literal)
    with pytest.raises(ValueError):
        cursor.fetchone()


@pytest.mark.parametrize(
    "bad, message",
    [("2020-01-01x10:00:00", "unable to parse time"),
     ("2020-01-01 10", "unable to parse time"),
     ("2020-01-01 10:00", "unable to parse time"),
     ("2020-01-01 10:00:00 AD", "unable to parse time"),
     ("2020-01-01  ", "unable to parse time"),
     ("infinit", "unable to parse date"), ("", "unable to parse date")],
)
def test_bad_timestamp(cursor, bad, message):
    # (a date alone is midnight: test_timestamp_date_only)
    for caster in (ext.DATETIME, ext.DATETIMETZ):
        with pytest.raises(psycopg2.DataError) as exc:
            caster(bad, cursor)
        assert str(exc.value) == message


def test_timestamp_field_out_of_range(cursor):
    for caster in (ext.DATETIME, ext.DATETIMETZ):
        with pytest.raises(ValueError, match="day is out of range for month"):
            caster("2020-02-30 10:00:00", cursor)
        with pytest.raises(ValueError, match="minute must be in 0..59"):
            caster("2020-02-01 10:60:00", cursor)
        with pytest.raises(ValueError, match="year -2020 is out of range"):
            caster("2020-01-01 10:00:00 BC", cursor)


# timestamptz

def test_timestamptz(cursor):
    cursor.execute("set timezone to 'Asia/Kolkata'")
    value = fetch(cursor, "select '2020-01-02 03:04:05+00'::timestamptz")
    assert value == datetime(2020, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    assert value.utcoffset() == timedelta(hours=5, minutes=30)
    assert isinstance(value.tzinfo, timezone)
    assert (value.hour, value.minute) == (8, 34)


def test_timestamptz_seconds_offset(cursor):
    # Before railway time the zone had a local mean time offset
    cursor.execute("set timezone to 'Asia/Kolkata'")
    value = fetch(cursor, "select '0001-01-01 00:00:00+05:53:28'::timestamptz")
    assert value.utcoffset() == timedelta(hours=5, minutes=53, seconds=28)
    assert value.replace(tzinfo=None) == datetime(1, 1, 1)


def test_timestamptz_negative_offset(cursor):
    cursor.execute("set timezone to 'America/New_York'")
    value = fetch(cursor, "select '2020-07-01 12:00:00+00'::timestamptz")
    assert value.utcoffset() == timedelta(hours=-4)
    assert value == datetime(2020, 7, 1, 12, tzinfo=timezone.utc)


def test_timestamptz_infinity(cursor):
    value = fetch(cursor, "select 'infinity'::timestamptz")
    assert value == datetime.max.replace(tzinfo=timezone.utc)
    assert value.utcoffset() == timedelta(0)
    value = fetch(cursor, "select '-infinity'::timestamptz")
    assert value == datetime.min.replace(tzinfo=timezone.utc)


def test_tzinfo_factory_none(cursor):
    cursor.tzinfo_factory = None
    cursor.execute("set timezone to 'UTC'")
    value = fetch(cursor, "select '2020-01-02 03:04:05+00'::timestamptz")
    assert value == datetime(2020, 1, 2, 3, 4, 5)
    assert value.tzinfo is None
    assert fetch(cursor, "select 'infinity'::timestamptz") == datetime.max
    assert fetch(cursor, "select '10:00+02'::timetz") == time(10)


def test_tzinfo_factory_custom(cursor):
    calls = []

    def factory(offset):
        calls.append(offset)
        return timezone(offset, "custom")

    cursor.tzinfo_factory = factory
    cursor.execute("set timezone to 'Europe/Rome'")
    value = fetch(cursor, "select '2020-01-02 03:04:05+00'::timestamptz")
    assert calls == [timedelta(hours=1)]
    assert value.tzname() == "custom"


def test_tzinfo_factory_default(cursor):
    assert cursor.tzinfo_factory is timezone


def test_timestamptz_direct(cursor):
    v = ext.DATETIMETZ("2020-01-01 00:00:00-03:30", cursor)
    assert v.utcoffset() == timedelta(hours=-3, minutes=-30)
    v = ext.DATETIMETZ("2020-01-01 00:00:00+0530", cursor)
    assert v.utcoffset() == timedelta(hours=5, minutes=30)


# interval

@pytest.mark.parametrize(
    "literal, expected",
    [
        ("1 year 2 mons 3 days 04:05:06.789",
         timedelta(days=365 + 60 + 3, hours=4, minutes=5, seconds=6,
                   microseconds=789000)),
        ("-1 days +02:00:00", timedelta(days=-1, hours=2)),
        ("00:00:00", timedelta(0)),
        ("-00:00:01", timedelta(seconds=-1)),
        ("1 day", timedelta(days=1)),
        ("3 mons", timedelta(days=90)),
        ("-1 years -2 mons +3 days -04:05:06",
         timedelta(days=-365 - 60 + 3, hours=-4, minutes=-5, seconds=-6)),
        ("100:00:00", timedelta(hours=100)),
        ("00:00:00.000001", timedelta(microseconds=1)),
        ("-00:00:00.5", timedelta(microseconds=-500000)),
        ("2 years", timedelta(days=730)),
    ],
)
def test_interval(cursor, literal, expected):
    cursor.execute("set intervalstyle to postgres")
    value = fetch(cursor, "select '%s'::interval" % literal)
    assert type(value) is timedelta
    assert value == expected


def test_interval_direct(cursor):
    assert ext.INTERVAL("10", cursor) == timedelta(seconds=10)
    assert ext.INTERVAL("0.5", cursor) == timedelta(microseconds=500000)
    assert ext.INTERVAL("1 day 00:00:00.0000005", cursor) == timedelta(
        days=1, microseconds=1
    )


def test_interval_too_big(cursor):
    cursor.execute("select '-178000000 years'::interval")
    with pytest.raises(OverflowError):
        cursor.fetchone()


def test_interval_iso_8601(cursor):
    cursor.execute("set intervalstyle to iso_8601")
    cursor.execute("select '1 day'::interval")
    with pytest.raises(psycopg2.NotSupportedError):
        cursor.fetchone()


@pytest.mark.parametrize(
    "bad",
    ["", "x", "-", "1 foo", "1 day 2", "1 days 10:00:00 1 day", "10:", "10:00:",
     "10:61:00", "@ 1 day", "1-2", "1 day ago", "1 day 10:00:00.",
     "1" * 20 + " days"],
)
def test_bad_interval(cursor, bad):
    with pytest.raises(psycopg2.DataError):
        ext.INTERVAL(bad, cursor)


# arrays

def test_arrays(cursor):
    cursor.execute(
        "select array['2020-01-01', null, 'infinity']::date[], "
        "array['10:00', '24:00']::time[], "
        "array['10:00+02']::timetz[], "
        "array['2020-01-01 10:00']::timestamp[], "
        "array['1 day', '-00:00:01']::interval[]"
    )
    row = cursor.fetchone()
    assert row[0] == [date(2020, 1, 1), None, date.max]
    assert row[1] == [time(10), time(0)]
    assert row[2][0].utcoffset() == timedelta(hours=2)
    assert row[3] == [datetime(2020, 1, 1, 10)]
    assert row[4] == [timedelta(days=1), timedelta(seconds=-1)]


def test_timestamptz_array(cursor):
    cursor.execute("set timezone to 'UTC'")
    value = fetch(cursor, "select array['2020-01-01 10:00+00', null]::timestamptz[]")
    assert value == [datetime(2020, 1, 1, 10, tzinfo=timezone.utc), None]
    assert value[0].utcoffset() == timedelta(0)


def test_pytypes_exported():
    assert ext.PYDATE.values == ext.DATE.values
    assert ext.PYTIME.values == ext.TIME.values
    assert ext.PYDATETIME.values == (1114,)
    assert ext.PYDATETIMETZ.values == (1184,)
    assert ext.PYINTERVAL.values == ext.INTERVAL.values
    for name in ("PYDATEARRAY", "PYTIMEARRAY", "PYDATETIMEARRAY",
                 "PYDATETIMETZARRAY", "PYINTERVALARRAY"):
        assert isinstance(getattr(ext, name), type(ext.DATE))


def test_timestamp_date_only(cursor):
    # a date alone is midnight, without tzinfo, as psycopg2 reads it
    for caster in (ext.DATETIME, ext.DATETIMETZ):
        assert caster("2020-01-01", cursor) == datetime(2020, 1, 1)
        assert caster("0001-01-01", cursor) == datetime(1, 1, 1)
    with pytest.raises(psycopg2.DataError):
        ext.DATETIME("2020-01-01 BC", cursor)


def test_date_of_timestamp_text(cursor):
    assert ext.DATE("2020-01-01 10:00:00.5+02", cursor) == date(2020, 1, 1)
    assert ext.DATE("2020-01-01T10:00", cursor) == date(2020, 1, 1)
    # what follows the date is not read, as psycopg2
    assert ext.DATE("2020-01-01 junk", cursor) == date(2020, 1, 1)
    assert ext.DATE("2020-01-01 ", cursor) == date(2020, 1, 1)


def test_space_before_offset(cursor):
    dt = ext.DATETIMETZ("2020-01-01 10:00:00 +02", cursor)
    assert dt.utcoffset() == timedelta(hours=2)
    assert ext.TIME("10:00:00 -05", cursor).utcoffset() == timedelta(hours=-5)
