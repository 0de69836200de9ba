"""Numeric typecasting: int2/int4/int8/oid, float4/float8, numeric, bool."""

import decimal
import math
from decimal import Decimal

import pytest

import psycopg2
from psycopg2 import extensions as ext


def fetch(cursor, query, *args):
    cursor.execute(query, *args)
    return cursor.fetchone()[0]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("select 1::int2", 1),
        ("select '-32768'::int2", -32768),
        ("select 2147483647::int4", 2147483647),
        ("select '-2147483648'::int4", -2147483648),
        ("select 9223372036854775807::int8", 9223372036854775807),
        ("select (-9223372036854775807 - 1)::int8", -9223372036854775808),
        ("select 0::int4", 0),
        ("select 4294967295::oid", 4294967295),
    ],
)
def test_integers(cursor, query, expected):
    value = fetch(cursor, query)
    assert type(value) is int
    assert value == expected


@pytest.mark.parametrize(
    "query, expected",
    [
        ("select 1.5::float8", 1.5),
        ("select -1.25::float4", -1.25),
        ("select 1e300::float8", 1e300),
        ("select 1e-300::float8", 1e-300),
        ("select 'Infinity'::float8", float("inf")),
        ("select '-Infinity'::float4", float("-inf")),
    ],
)
def test_floats(cursor, query, expected):
    value = fetch(cursor, query)
    assert type(value) is float
    assert value == expected


def test_float_nan(cursor):
    value = fetch(cursor, "select 'NaN'::float8")
    assert type(value) is float and math.isnan(value)


def test_float_roundtrip(cursor):
    cursor.execute("set extra_float_digits to 3")
    value = fetch(cursor, "select 0.1::float8 + 0.2::float8")
    assert value == 0.1 + 0.2


@pytest.mark.parametrize(
    "literal",
    ["1.5", "-0.000001", "123456789012345678901234567890.123456789", "0", "1e-10"],
)
def test_numeric(cursor, literal):
    value = fetch(cursor, "select %s::numeric" % ("'%s'" % literal))
    assert type(value) is Decimal
    assert value == Decimal(literal)


def test_numeric_nan(cursor):
    value = fetch(cursor, "select 'NaN'::numeric")
    assert type(value) is Decimal and value.is_nan()


def test_numeric_infinity(cursor):
    if cursor.connection.server_version < 140000:
        pytest.skip("numeric infinity needs PostgreSQL 14")
    cursor.execute("select 'Infinity'::numeric, '-Infinity'::numeric")
    assert cursor.fetchone() == (Decimal("Infinity"), Decimal("-Infinity"))


def test_numeric_scale_kept(cursor):
    assert str(fetch(cursor, "select 1.50::numeric(10,2)")) == "1.50"


def test_bool(cursor):
    cursor.execute("select true, false, null::bool")
    assert cursor.fetchone() == (True, False, None)
    cursor.execute("select true")
    assert cursor.fetchone()[0] is True


def test_nulls(cursor):
    cursor.execute("select null::int4, null::int8, null::float8, null::numeric")
    assert cursor.fetchone() == (None, None, None, None)


def test_money_is_str(cursor):
    cursor.execute("set lc_monetary to 'C'")
    value = fetch(cursor, "select 1234.5::money")
    assert type(value) is str
    assert value == "$1,234.50"


def test_huge_int_direct(cursor):
    # up to 23 characters, as psycopg2 (an int8 takes at most 20)
    big = "1" * 23
    assert ext.LONGINTEGER(big, cursor) == int(big)
    assert ext.INTEGER("-" + big[1:], cursor) == -int(big[1:])
    with pytest.raises(psycopg2.DataError, match="int64 representation"):
        ext.LONGINTEGER("1" * 24, cursor)


@pytest.mark.parametrize(
    "caster", ["INTEGER", "LONGINTEGER", "ROWID"],
)
@pytest.mark.parametrize(
    "bad, base",
    [("", 10), ("-", 10), ("+", 10), ("1.5", 10), ("12a", 10), ("0x", 16),
     ("1__0", 10), ("١٢", 10), ("010", 0), ("-07", 0)],
)
def test_bad_int(cursor, caster, bad, base):
    # int()'s own error, as psycopg2 (not a DB-API error)
    with pytest.raises(ValueError) as exc:
        getattr(ext, caster)(bad, cursor)
    assert type(exc.value) is ValueError
    assert str(exc.value) == (
        "invalid literal for int() with base %d: %r" % (base, bad))


@pytest.mark.parametrize("caster", ["INTEGER", "LONGINTEGER", "ROWID"])
def test_int_too_long(cursor, caster):
    with pytest.raises(psycopg2.DataError, match="int64 representation"):
        getattr(ext, caster)("9" * 24, cursor)


@pytest.mark.parametrize("text, value", [("00", 0), ("-0", 0), ("0", 0)])
def test_int_zeros(cursor, text, value):
    assert ext.INTEGER(text, cursor) == value


@pytest.mark.parametrize(
    "bad", ["", "-", "1.2.3", "abc", "1e", "e5", ".", "nanx", "0x10", "1,5",
            "1__5"],
)
def test_bad_float(cursor, bad):
    with pytest.raises(ValueError) as exc:
        ext.FLOAT(bad, cursor)
    assert type(exc.value) is ValueError
    assert str(exc.value) == "could not convert string to float: %r" % bad


@pytest.mark.parametrize(
    "bad", ["", "-", "1.2.3", "abc", "1e", ".", "0x10", "Infx", "1,0"],
)
def test_bad_numeric(cursor, bad):
    # Decimal()'s own error, as psycopg2
    with pytest.raises(decimal.InvalidOperation):
        ext.DECIMAL(bad, cursor)


@pytest.mark.parametrize("caster, text, value", [
    # text the server never writes, read as psycopg2 reads it
    ("INTEGER", " 1", 1), ("INTEGER", "1 ", 1), ("INTEGER", "0x10", 16),
    ("ROWID", "1_000", 1000), ("FLOAT", " 1.5", 1.5), ("FLOAT", "1_0", 10.0),
    ("DECIMAL", " 1", Decimal(1)), ("DECIMAL", "1_0", Decimal(10)),
    ("BOOLEAN", "true", True), ("BOOLEAN", "T", True),
])
def test_lenient_text(cursor, caster, text, value):
    assert getattr(ext, caster)(text, cursor) == value


def test_special_float_text(cursor):
    assert math.isnan(ext.FLOAT("nan", cursor))
    assert ext.FLOAT("inf", cursor) == float("inf")
    assert ext.DECIMAL("Inf", cursor) == Decimal("Infinity")
    assert ext.DECIMAL("snan", cursor).is_snan()


def test_float_direct(cursor):
    assert ext.FLOAT("1e400", cursor) == float("inf")
    assert ext.FLOAT("-1.5E+10", cursor) == -1.5e10
    assert ext.FLOAT(" 1" * 0 + "1" * 200, cursor) == float("1" * 200)


def test_decimal_direct_long(cursor):
    s = "9" * 2000 + "." + "1" * 2000
    assert ext.DECIMAL(s, cursor) == Decimal(s)


@pytest.mark.parametrize("bad", ["", "1", "yes", " t", "é"])
def test_bad_bool(cursor, bad):
    # psycopg2's error, class and text
    with pytest.raises(psycopg2.InterfaceError) as exc:
        ext.BOOLEAN(bad, cursor)
    assert str(exc.value) == "can't parse boolean: '%s'" % bad


@pytest.mark.parametrize("text, expected", [
    ("tt", True), ("truex", True), ("Tx", True), ("fals", False),
    ("F ", False),
])
def test_bool_first_letter(cursor, text, expected):
    # the first letter decides, as psycopg2 reads it
    assert ext.BOOLEAN(text, cursor) is expected


def test_null_direct(cursor):
    for name in ("INTEGER", "LONGINTEGER", "FLOAT", "DECIMAL", "BOOLEAN"):
        assert getattr(ext, name)(None, cursor) is None


def test_number_object(cursor):
    assert ext.NUMBER("12", cursor) == 12
    assert ext.NUMBER("1.5", cursor) == 1.5
