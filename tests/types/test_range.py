"""Tests for range types: Range classes, adapters, casters, register_range."""

import datetime
import pickle
from decimal import Decimal

import pytest

import psycopg2
from psycopg2 import extensions as ext
from psycopg2.extras import (
    DateRange,
    DateTimeRange,
    DateTimeTZRange,
    NumericRange,
    Range,
    RangeAdapter,
    RangeCaster,
    register_range,
)


# The Range object

def test_range_defaults():
    r = Range()
    assert r.lower is None and r.upper is None
    assert not r.isempty
    assert r.lower_inf and r.upper_inf
    assert not r.lower_inc and not r.upper_inc
    assert r


def test_range_bounds_properties():
    r = Range(10, 20)
    assert (r.lower, r.upper) == (10, 20)
    assert r.lower_inc and not r.upper_inc
    assert not r.lower_inf and not r.upper_inf
    r = Range(10, 20, "(]")
    assert not r.lower_inc and r.upper_inc
    r = Range(10, 20, "()")
    assert not r.lower_inc and not r.upper_inc
    r = Range(10, 20, "[]")
    assert r.lower_inc and r.upper_inc
    r = Range(None, 20, "[]")
    assert not r.lower_inc and r.lower_inf and r.upper_inc


def test_range_empty():
    r = Range(empty=True)
    assert r.isempty
    assert not r
    assert r.lower is None and r.upper is None
    assert not r.lower_inf and not r.upper_inf
    assert not r.lower_inc and not r.upper_inc
    assert 1 not in r


@pytest.mark.parametrize("bounds", ["xx", "[", "", "[[", "])", None])
def test_range_bad_bounds(bounds):
    with pytest.raises(ValueError):
        Range(1, 2, bounds)


def test_range_contains():
    r = Range(10, 20)
    assert 10 in r and 15 in r
    assert 20 not in r and 9 not in r
    r = Range(10, 20, "(]")
    assert 10 not in r and 20 in r
    r = Range(None, 20)
    assert -1000 in r and 20 not in r
    r = Range(10, None, "()")
    assert 10 not in r and 10 ** 9 in r
    assert 5 in Range()


def test_range_immutable():
    r = Range(1, 2)
    with pytest.raises(AttributeError):
        r.lower = 3
    with pytest.raises(AttributeError):
        r.foo = 3


def test_range_eq_hash():
    assert Range(1, 2) == Range(1, 2)
    assert Range(1, 2) != Range(1, 2, "[]")
    assert Range(1, 2) != Range(1, 3)
    assert Range(empty=True) == Range(empty=True)
    assert Range(1, 2) != (1, 2)
    assert not (Range(1, 2) == "x")
    assert hash(Range(1, 2)) == hash(Range(1, 2))
    assert len({Range(1, 2), Range(1, 2), Range(2, 3)}) == 2


def test_range_ordering():
    assert Range(1, 2) < Range(2, 3)
    assert Range(1, 2) < Range(1, 3)
    assert Range(None, 5) < Range(1, 2)
    assert Range(empty=True) < Range(1, 2)
    assert Range(1, 2) <= Range(1, 2)
    assert Range(2, 3) > Range(1, 2)
    assert Range(2, 3) >= Range(2, 3)
    assert sorted([Range(3, 4), Range(1, 2), Range(None, 1)]) == \
        [Range(None, 1), Range(1, 2), Range(3, 4)]
    with pytest.raises(TypeError):
        _ = Range(1, 2) < 1


def test_range_pickle():
    for r in (NumericRange(1, 10, "(]"), DateRange(empty=True), Range()):
        r2 = pickle.loads(pickle.dumps(r))
        assert r2 == r
        assert type(r2) is type(r)


def test_range_repr_str():
    assert repr(NumericRange(1, 10)) == "NumericRange(1, 10, '[)')"
    assert repr(DateRange(empty=True)) == "DateRange(empty=True)"
    assert str(NumericRange(1, 10)) == "[1, 10)"
    assert str(NumericRange(None, 10, "(]")) == "(, 10]"
    assert str(NumericRange(empty=True)) == "empty"


def test_subclasses():
    for cls in (NumericRange, DateRange, DateTimeRange, DateTimeTZRange):
        assert issubclass(cls, Range)


# Builtin casters

def test_cast_numeric_ranges(conn):
    cur = conn.cursor()
    cur.execute("""select '[1,10)'::int4range, '(1,10]'::int8range,
        '[1.5,2.5]'::numrange, 'empty'::int4range, '(,5)'::int4range,
        '[3,)'::numrange, null::int4range""")
    r = cur.fetchone()
    assert r[0] == NumericRange(1, 10, "[)")
    assert isinstance(r[0], NumericRange)
    assert isinstance(r[0].lower, int)
    assert r[1] == NumericRange(2, 11, "[)")  # canonicalised by the server
    assert r[2] == NumericRange(Decimal("1.5"), Decimal("2.5"), "[]")
    assert isinstance(r[2].lower, Decimal)
    assert r[3] == NumericRange(empty=True)
    assert r[4] == NumericRange(None, 5, "()")
    assert r[5] == NumericRange(Decimal(3), None, "[)")
    assert r[6] is None


def test_cast_date_ranges(conn):
    cur = conn.cursor()
    cur.execute("""select '[2020-01-01,2020-02-01)'::daterange,
        '[2020-01-01 10:00,2020-01-01 11:00)'::tsrange,
        '[2020-01-01 10:00+00,)'::tstzrange""")
    d, ts, tstz = cur.fetchone()
    assert d == DateRange(datetime.date(2020, 1, 1), datetime.date(2020, 2, 1))
    assert isinstance(d, DateRange)
    assert ts == DateTimeRange(datetime.datetime(2020, 1, 1, 10),
                               datetime.datetime(2020, 1, 1, 11))
    assert isinstance(ts, DateTimeRange)
    assert isinstance(tstz, DateTimeTZRange)
    assert tstz.lower == datetime.datetime(
        2020, 1, 1, 10, tzinfo=datetime.timezone.utc)
    assert tstz.lower.tzinfo is not None
    assert tstz.upper is None


def test_cast_range_arrays(conn):
    cur = conn.cursor()
    cur.execute("""select array['[1,2)'::int4range, 'empty', null],
        array['[2020-01-01,2020-01-02)'::daterange]""")
    a, b = cur.fetchone()
    assert a == [NumericRange(1, 2), NumericRange(empty=True), None]
    assert b == [DateRange(datetime.date(2020, 1, 1),
                           datetime.date(2020, 1, 2))]


# Builtin adapters

def test_adapt_numeric_range(conn):
    cur = conn.cursor()
    assert cur.mogrify("%s", (NumericRange(1, 10),)) == b"'[1,10)'"
    assert cur.mogrify("%s", (NumericRange(None, 10, "(]"),)) == b"'(,10]'"
    assert cur.mogrify("%s", (NumericRange(empty=True),)) == b"'empty'"
    cur.execute("select %s::int4range, %s::int8range, %s::numrange", (
        NumericRange(1, 10), NumericRange(-5, None, "()"),
        NumericRange(Decimal("-2.5"), Decimal("1.5"), "[]")))
    r = cur.fetchone()
    assert r[0] == NumericRange(1, 10)
    assert r[1] == NumericRange(-4, None, "[)")
    assert r[2] == NumericRange(Decimal("-2.5"), Decimal("1.5"), "[]")


def test_adapt_numeric_range_untyped(conn):
    cur = conn.cursor()
    cur.execute("select int4range(1, 5) = %s", (NumericRange(1, 5),))
    assert cur.fetchone()[0] is True
    cur.execute("select numrange(1.5, 5) = %s", (NumericRange(Decimal("1.5"), 5),))
    assert cur.fetchone()[0] is True


def test_adapt_date_ranges_roundtrip(conn):
    cur = conn.cursor()
    d = DateRange(datetime.date(2020, 1, 1), datetime.date(2020, 3, 1))
    ts = DateTimeRange(datetime.datetime(2020, 1, 1, 1, 2, 3), None, "[)")
    tz = datetime.timezone(datetime.timedelta(hours=2))
    tstz = DateTimeTZRange(datetime.datetime(2020, 1, 1, tzinfo=tz),
                           datetime.datetime(2021, 1, 1, tzinfo=tz), "[]")
    assert cur.mogrify("%s", (d,)) == \
        b"daterange('2020-01-01'::date, '2020-03-01'::date, '[)')"
    cur.execute("select %s, %s, %s, %s", (
        d, ts, tstz, DateRange(empty=True)))
    r = cur.fetchone()
    assert r[0] == d
    assert r[1] == ts
    assert r[2] == tstz
    assert r[3] == DateRange(empty=True)
    assert cur.mogrify("%s", (DateRange(empty=True),)) == \
        b"'empty'::daterange"


def test_plain_range_not_adapted(conn):
    cur = conn.cursor()
    with pytest.raises(psycopg2.ProgrammingError):
        cur.execute("select %s", (Range(1, 2),))


def test_range_adapter_needs_name(conn):
    a = RangeAdapter(Range(1, 2))
    with pytest.raises(NotImplementedError):
        a.getquoted()


# RangeCaster and register_range

def test_range_caster_parse():
    class FooRange(Range):
        pass

    c = RangeCaster("int4range", FooRange, oid=3904, subtype_oid=23)
    assert c.range is FooRange
    assert issubclass(c.adapter, RangeAdapter)
    assert c.adapter.name == "int4range"
    assert c.subtype_oid == 23
    assert c.array_typecaster is None
    # without a cursor the bounds stay strings
    assert c.parse("[1,2)") == FooRange("1", "2", "[)")
    assert c.parse("empty") == FooRange(empty=True)
    assert c.parse(None) is None
    assert c.parse('("a b","c\\"d"]') == FooRange("a b", 'c"d', "(]")
    assert c.parse('(,"x""y")') == FooRange(None, 'x"y', "()")
    with pytest.raises(psycopg2.InterfaceError):
        c.parse("[1,2")
    with pytest.raises(psycopg2.InterfaceError):
        c.parse("garbage")


def test_range_caster_bad_args():
    with pytest.raises(TypeError):
        RangeCaster(42, "FooRange", oid=3904, subtype_oid=23)
    with pytest.raises(TypeError):
        RangeCaster(RangeAdapter, "FooRange", oid=3904, subtype_oid=23)
    with pytest.raises(TypeError):
        RangeCaster("int4range", Range, oid=3904, subtype_oid=23)
    with pytest.raises(TypeError):
        RangeCaster("int4range", 42, oid=3904, subtype_oid=23)


def test_range_caster_makes_class():
    c = RangeCaster("int4range", "MyRange", oid=3904, subtype_oid=23)
    assert issubclass(c.range, Range)
    assert c.range.__name__ == "MyRange"


@pytest.fixture
def textrange(conn):
    """A custom range type over text, dropped after the test."""
    name = "textrange_%d" % conn.get_backend_pid()
    cur = conn.cursor()
    cur.execute("create type %s as range (subtype = text)" % name)
    conn.commit()
    yield name
    conn.rollback()
    cur = conn.cursor()
    cur.execute("drop type if exists %s cascade" % name)
    conn.commit()


def test_register_range(conn, textrange):
    caster = register_range(textrange, "TextRange", conn)
    assert isinstance(caster, RangeCaster)
    assert caster.range.__name__ == "TextRange"
    assert caster.subtype_oid == 25
    assert caster.array_typecaster is not None
    cur = conn.cursor()
    r = caster.range("a", "b c")
    cur.execute("select %s, %s::{0}, array[%s::{0}]".format(textrange),
                (r, caster.range("x", None, "(]"), caster.range(empty=True)))
    a, b, c = cur.fetchone()
    assert a == r and isinstance(a, caster.range)
    assert b == caster.range("x", None, "()")
    assert c == [caster.range(empty=True)]
    cur.execute("select '[\"\\\\\",\"q\"\"x\")'::%s" % textrange)
    assert cur.fetchone()[0] == caster.range("\\", 'q"x')
    cur.execute("select %s", (caster.range("a,b", "z)\\"),))
    assert cur.fetchone()[0] == caster.range("a,b", "z)\\")


def test_register_range_scope(conn, conn_factory, textrange):
    cur = conn.cursor()
    register_range(textrange, "TextRange2", cur)
    cur.execute("select '[a,b)'::%s" % textrange)
    assert cur.fetchone()[0].lower == "a"
    cur2 = conn.cursor()
    cur2.execute("select '[a,b)'::%s" % textrange)
    assert cur2.fetchone()[0] == "[a,b)"


def test_register_range_class(conn, textrange):
    class MyTextRange(Range):
        pass

    caster = register_range(textrange, MyTextRange, conn)
    assert caster.range is MyTextRange
    cur = conn.cursor()
    cur.execute("select %s", (MyTextRange("a", "z"),))
    assert cur.fetchone()[0] == MyTextRange("a", "z")


def test_register_range_schema(conn, textrange):
    caster = register_range("public." + textrange, "TR", conn)
    cur = conn.cursor()
    cur.execute("select '[a,b)'::%s" % textrange)
    assert cur.fetchone()[0] == caster.range("a", "b")


def test_register_range_not_found(conn):
    with pytest.raises(psycopg2.ProgrammingError):
        register_range("nosuchrange_test", "X", conn)
    # the connection is still usable
    conn.cursor().execute("select 1")


def test_register_range_restores_transaction(conn, textrange):
    assert conn.get_transaction_status() == ext.TRANSACTION_STATUS_IDLE
    register_range(textrange, "TR3", conn)
    assert conn.get_transaction_status() == ext.TRANSACTION_STATUS_IDLE
