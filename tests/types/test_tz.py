"""Tests for psycopg2.tz (deprecated but still importable)."""

import datetime
import pickle
import time

import pytest

from psycopg2 import tz


def test_zero():
    assert tz.ZERO == datetime.timedelta(0)


def test_fixed_offset_minutes():
    t = tz.FixedOffsetTimezone(5 * 60)
    assert t.utcoffset(None) == datetime.timedelta(hours=5)
    assert t.dst(None) == tz.ZERO
    assert t.tzname(None) == "+05"
    assert isinstance(t, datetime.tzinfo)


def test_fixed_offset_timedelta():
    t = tz.FixedOffsetTimezone(datetime.timedelta(hours=-3, minutes=-30))
    assert t.utcoffset(None) == datetime.timedelta(hours=-3, minutes=-30)
    assert t.tzname(None) == "-03:30"


def test_tzname_formats():
    assert tz.FixedOffsetTimezone(0).tzname(None) == "+00"
    assert tz.FixedOffsetTimezone(90).tzname(None) == "+01:30"
    off = datetime.timedelta(hours=1, minutes=2, seconds=3)
    assert tz.FixedOffsetTimezone(off).tzname(None) == "+01:02:03"
    off = -datetime.timedelta(hours=1, seconds=3)
    assert tz.FixedOffsetTimezone(off).tzname(None) == "-01:00:03"
    assert tz.FixedOffsetTimezone(60, "FOO").tzname(None) == "FOO"


def test_cached_instances():
    assert tz.FixedOffsetTimezone(60) is tz.FixedOffsetTimezone(60)
    assert tz.FixedOffsetTimezone(60, "X") is tz.FixedOffsetTimezone(60, "X")
    assert tz.FixedOffsetTimezone(60, "X") is not tz.FixedOffsetTimezone(60)
    assert tz.FixedOffsetTimezone(60).tzname(None) == "+01"
    assert tz.FixedOffsetTimezone(60, "X").tzname(None) == "X"


def test_equality_by_offset():
    assert tz.FixedOffsetTimezone(60, "A") == tz.FixedOffsetTimezone(60, "B")
    assert tz.FixedOffsetTimezone(60) == \
        tz.FixedOffsetTimezone(datetime.timedelta(hours=1))
    assert tz.FixedOffsetTimezone(60) != tz.FixedOffsetTimezone(120)
    assert hash(tz.FixedOffsetTimezone(60, "A")) == \
        hash(tz.FixedOffsetTimezone(60, "B"))


def test_repr():
    r = repr(tz.FixedOffsetTimezone(60, "X"))
    assert r.startswith("psycopg2.tz.FixedOffsetTimezone(offset=")
    assert "name='X'" in r


def test_pickle():
    t = tz.FixedOffsetTimezone(-90, "Q")
    t2 = pickle.loads(pickle.dumps(t))
    assert t2 == t
    assert t2.tzname(None) == "Q"
    assert t2.utcoffset(None) == datetime.timedelta(minutes=-90)
    dt = datetime.datetime(2020, 1, 1, 10, tzinfo=t)
    assert pickle.loads(pickle.dumps(dt)) == dt


def test_bad_offset():
    with pytest.raises(TypeError):
        tz.FixedOffsetTimezone("1h")


def test_aware_datetime_arithmetic():
    a = datetime.datetime(2020, 1, 1, 12, tzinfo=tz.FixedOffsetTimezone(60))
    b = datetime.datetime(2020, 1, 1, 11, tzinfo=tz.FixedOffsetTimezone(0))
    assert a == b


def test_as_tzinfo_factory(conn):
    cur = conn.cursor()
    cur.tzinfo_factory = tz.FixedOffsetTimezone
    cur.execute("set timezone to '+02:30'")  # POSIX sign: UTC-02:30
    cur.execute("select '2020-01-02 03:04:05-02:30'::timestamptz")
    dt = cur.fetchone()[0]
    assert isinstance(dt.tzinfo, tz.FixedOffsetTimezone)
    assert dt.utcoffset() == -datetime.timedelta(hours=2, minutes=30)
    assert dt == datetime.datetime(
        2020, 1, 2, 5, 34, 5, tzinfo=datetime.timezone.utc)


def test_roundtrip_fixed_offset(conn):
    cur = conn.cursor()
    dt = datetime.datetime(2020, 5, 6, 7, 8, 9,
                           tzinfo=tz.FixedOffsetTimezone(330))
    cur.execute("select %s", (dt,))
    assert cur.fetchone()[0] == dt


def test_local_timezone():
    assert isinstance(tz.LOCAL, tz.LocalTimezone)
    now = datetime.datetime.now()
    off = tz.LOCAL.utcoffset(now)
    assert off in (tz.STDOFFSET, tz.DSTOFFSET)
    assert tz.DSTDIFF == tz.DSTOFFSET - tz.STDOFFSET
    assert tz.STDOFFSET == datetime.timedelta(seconds=-time.timezone)
    assert tz.LOCAL.tzname(now) in time.tzname
    assert tz.LOCAL.dst(now) in (tz.ZERO, tz.DSTDIFF)
    aware = now.replace(tzinfo=tz.LOCAL)
    assert aware.utcoffset() == off
