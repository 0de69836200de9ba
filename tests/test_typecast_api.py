"""The typecasting API: caster objects, new_type, new_array_type,
register_type scopes, string_types, cursor.cast."""

import decimal
import pickle
from decimal import Decimal

import pytest

import psycopg2
from psycopg2 import extensions as ext

CASTER_NAMES = """
    BOOLEAN BYTES DATE DECIMAL FLOAT INTEGER INTERVAL LONGINTEGER TIME UNICODE
    BINARYARRAY BOOLEANARRAY BYTESARRAY DATEARRAY DATETIMEARRAY DECIMALARRAY
    FLOATARRAY INTEGERARRAY INTERVALARRAY LONGINTEGERARRAY ROWIDARRAY
    STRINGARRAY TIMEARRAY UNICODEARRAY PYDATE PYDATETIME PYDATETIMETZ
    PYINTERVAL PYTIME PYDATEARRAY PYDATETIMEARRAY PYDATETIMETZARRAY
    PYINTERVALARRAY PYTIMEARRAY
""".split()


@pytest.mark.parametrize("name", CASTER_NAMES)
def test_exported(name):
    caster = getattr(ext, name)
    assert type(caster).__name__ == "type"
    assert type(caster).__module__ == "psycopg2._psycopg"
    assert caster.name == name
    assert isinstance(caster.values, tuple)
    assert all(type(v) is int for v in caster.values)


def test_repr():
    r = repr(ext.INTEGER)
    assert r.startswith("<psycopg2._psycopg.type 'INTEGER' at 0x")
    assert r.endswith(">")


def test_attributes_read_only():
    with pytest.raises(AttributeError):
        ext.INTEGER.name = "x"
    with pytest.raises(AttributeError):
        ext.INTEGER.values = (1,)


def test_not_instantiable():
    with pytest.raises(TypeError):
        type(ext.INTEGER)()


@pytest.mark.parametrize(
    "name, values",
    [
        ("STRING", {18, 19, 25, 1042, 1043}),
        ("BINARY", {17}),
        ("NUMBER", {20, 21, 23, 700, 701, 1700}),
        ("DATETIME", {1114}),
        ("ROWID", {26}),
    ],
)
def test_dbapi_objects(name, values):
    obj = getattr(psycopg2, name)
    assert obj is getattr(ext, name, obj)
    assert set(obj.values) == values
    for v in values:
        assert obj == v
        assert v == obj
        assert not (obj != v)
    for v in (0, 16, 1082, 1184, 1083, 2950):
        if v not in values:
            assert obj != v
            assert not (obj == v)


def test_dbapi_description(cursor):
    cursor.execute("select 1::int4, 'a'::text, 1.5::float8, now()::timestamp, "
                   "'x'::bytea, 1::oid, now()")
    codes = [d[1] for d in cursor.description]
    assert codes[0] == psycopg2.NUMBER
    assert codes[1] == psycopg2.STRING
    assert codes[2] == psycopg2.NUMBER
    assert codes[3] == psycopg2.DATETIME
    assert codes[4] == psycopg2.BINARY
    assert codes[5] == psycopg2.ROWID
    assert codes[6] != psycopg2.DATETIME  # timestamptz: not in 2.9's DATETIME


def test_caster_equality():
    assert ext.STRING == ext.UNICODE
    assert ext.UNICODE == ext.BYTES
    assert ext.INTEGER != ext.LONGINTEGER
    assert psycopg2.NUMBER == ext.INTEGER
    assert ext.INTEGER != "23"
    assert not (ext.INTEGER == None)  # noqa: E711


def test_hash():
    assert hash(ext.STRING) == hash(ext.UNICODE)
    assert hash(ext.INTEGER) == hash(ext.INTEGER.values[0])
    d = {ext.INTEGER: 1}
    assert d[ext.INTEGER] == 1


def test_string_types_contents():
    st = ext.string_types
    assert isinstance(st, dict)
    assert st[21] is ext.INTEGER and st[23] is ext.INTEGER
    assert st[20] is ext.LONGINTEGER
    assert st[700] is ext.FLOAT and st[701] is ext.FLOAT
    assert st[1700] is ext.DECIMAL
    for oid in (18, 19, 25, 1042, 1043):
        assert st[oid] is ext.STRING  # as psycopg2 (same cast as UNICODE)
    assert st[16] is ext.BOOLEAN
    assert st[17] is psycopg2.BINARY
    assert st[26] is psycopg2.ROWID
    assert st[1082] is ext.DATE
    assert st[1083] is ext.TIME and st[1266] is ext.TIME
    assert st[1114] is psycopg2.DATETIME
    assert st[1186] is ext.INTERVAL and st[704] is ext.INTERVAL
    arrays = {
        1005: "INTEGERARRAY", 1006: "INTEGERARRAY", 1007: "INTEGERARRAY",
        1016: "LONGINTEGERARRAY", 1028: "ROWIDARRAY", 1013: "ROWIDARRAY",
        1021: "FLOATARRAY", 1022: "FLOATARRAY", 1231: "DECIMALARRAY",
        1009: "STRINGARRAY", 1015: "STRINGARRAY", 1014: "STRINGARRAY",
        1003: "STRINGARRAY", 1002: "STRINGARRAY", 1000: "BOOLEANARRAY",
        1001: "BINARYARRAY", 1182: "DATEARRAY", 1183: "TIMEARRAY",
        1270: "TIMEARRAY", 1115: "DATETIMEARRAY", 1187: "INTERVALARRAY",
    }
    for oid, name in arrays.items():
        assert st[oid] is getattr(ext, name), oid
    assert st[1184].name == "DATETIMETZ"
    assert st[1185].name == "DATETIMETZARRAY"
    for oid in (790, 791, 2950):
        assert oid not in st or st[oid].name in ("UNICODE", "STRING")
    # psycopg2's names, OID order and registration order
    assert st[705].name == "UNKNOWN" and st[705]("x", None) == "x"
    assert [st[o].name for o in (1041, 651, 1040)] == [
        "INETARRAY", "CIDRARRAY", "MACADDRARRAY"]
    assert st[1041]("{1.2.3.4,NULL}", None) == ["1.2.3.4", None]
    assert ext.INTEGER.values == (23, 21) and ext.FLOAT.values == (701, 700)
    assert list(st)[:6] == [20, 23, 21, 701, 700, 1700]
    assert isinstance(ext.binary_types, dict)


def test_decimal_values_reuse(cursor):
    dec2float = ext.new_type(
        ext.DECIMAL.values, "DEC2FLOAT",
        lambda value, curs: float(value) if value is not None else None)
    ext.register_type(dec2float, cursor)
    cursor.execute("select 1.5::numeric, null::numeric")
    assert cursor.fetchone() == (1.5, None)


# new_type

def test_new_type():
    caster = ext.new_type((1, 2), "MINE", lambda s, cur: (s, cur))
    assert caster.name == "MINE"
    assert caster.values == (1, 2)
    assert caster("x", None) == ("x", None)
    assert caster(None, None) == (None, None)
    assert caster == 1 and caster == 2 and caster != 3


def test_new_type_keywords():
    caster = ext.new_type(values=(1,), name="K", castobj=lambda s, c: 1)
    assert caster("a", None) == 1


@pytest.mark.parametrize(
    "args",
    [([1], "X", None), ((1, "2"), "X", None), (1, "X", None), ((1,), 1, None),
     ((1,), "X", 42)],
)
def test_new_type_bad_args(args):
    with pytest.raises(TypeError):
        ext.new_type(*args)


def test_new_array_type():
    caster = ext.new_type((1,), "BASE", lambda s, cur: s and s * 2)
    array = ext.new_array_type((2,), "BASEARRAY", caster)
    assert array.name == "BASEARRAY" and array.values == (2,)
    assert array("{a,NULL,{b}}".replace("{b}", "b"), None) == ["aa", None, "bb"]
    assert ext.new_array_type(values=(3,), name="K", baseobj=ext.INTEGER)(
        "{1}", None) == [1]


@pytest.mark.parametrize("base", [None, 1, lambda s, c: s, "INTEGER"])
def test_new_array_type_bad_base(base):
    with pytest.raises(TypeError):
        ext.new_array_type((1,), "X", base)


def test_caster_built_on_base(cursor):
    def upper_date(value, cur):
        if value == "infinity":
            return "INF"
        return ext.DATE(value, cur)

    caster = ext.new_type((1082,), "MYDATE", upper_date)
    ext.register_type(caster, cursor)
    cursor.execute("select '2020-01-01'::date, 'infinity'::date, null::date")
    import datetime
    assert cursor.fetchone() == (datetime.date(2020, 1, 1), "INF", None)


def test_caster_exception_propagates(cursor):
    def boom(value, cur):
        raise ZeroDivisionError("boom")

    ext.register_type(ext.new_type((23,), "BOOM", boom), cursor)
    cursor.execute("select 1")
    with pytest.raises(ZeroDivisionError):
        cursor.fetchone()


def test_caster_call_args():
    # exactly (value, cursor), as psycopg2
    with pytest.raises(TypeError, match=r"exactly 2 arguments \(0 given\)"):
        ext.INTEGER()
    with pytest.raises(TypeError, match=r"exactly 2 arguments \(1 given\)"):
        ext.INTEGER("42")
    with pytest.raises(TypeError, match=r"exactly 2 arguments \(3 given\)"):
        ext.INTEGER("42", None, 3)
    with pytest.raises(TypeError, match="bytes-like object is required"):
        ext.INTEGER(42, None)
    with pytest.raises(TypeError, match="read-only bytes-like"):
        ext.INTEGER(bytearray(b"42"), None)
    assert ext.INTEGER(b"42", None) == 42
    assert ext.INTEGER("42", None) == 42
    # a Python castobj gets bytes decoded, and the value checked first
    caster = ext.new_type((1,), "X", lambda s, c: (s, c))
    assert caster(b"x", None) == ("x", None)
    with pytest.raises(TypeError, match="bytes-like object is required"):
        caster(1, None)


# register_type scopes

def test_register_bad_scope():
    caster = ext.new_type((705,), "X", lambda s, c: s)
    with pytest.raises(TypeError) as excinfo:
        ext.register_type(caster, 42)
    assert "argument 2 must be a connection, cursor or None" in str(excinfo.value)
    with pytest.raises(TypeError):
        ext.register_type(42)


def test_scopes_narrowest_wins(conn_factory):
    conn = conn_factory()
    other = conn_factory()
    oid = 869  # inet, a str by default
    glob = ext.new_type((oid,), "G", lambda s, c: "global")
    conn_caster = ext.new_type((oid,), "C", lambda s, c: "conn")
    curs_caster = ext.new_type((oid,), "K", lambda s, c: "curs")
    saved = ext.string_types.get(oid)
    try:
        ext.register_type(glob)
        assert ext.string_types[oid] is glob
        cur = conn.cursor()
        cur.execute("select '1.2.3.4'::inet")
        assert cur.fetchone()[0] == "global"

        ext.register_type(conn_caster, conn)
        assert conn.string_types[oid] is conn_caster
        cur.execute("select '1.2.3.4'::inet")
        assert cur.fetchone()[0] == "conn"

        ext.register_type(curs_caster, cur)
        assert cur.string_types[oid] is curs_caster
        cur.execute("select '1.2.3.4'::inet")
        assert cur.fetchone()[0] == "curs"

        # the other cursor of the same connection sees the connection one
        cur2 = conn.cursor()
        cur2.execute("select '1.2.3.4'::inet")
        assert cur2.fetchone()[0] == "conn"

        # another connection sees the global one
        cur3 = other.cursor()
        cur3.execute("select '1.2.3.4'::inet")
        assert cur3.fetchone()[0] == "global"
    finally:
        if saved is None:
            ext.string_types.pop(oid, None)
        else:
            ext.string_types[oid] = saved


def test_register_overrides_builtin(cursor):
    ext.register_type(ext.new_type((23,), "I2S", lambda s, c: "<%s>" % s), cursor)
    cursor.execute("select 42::int4, 42::int8")
    assert cursor.fetchone() == ("<42>", 42)


def test_register_unicode_on_connection(conn):
    # what SQLAlchemy does
    ext.register_type(ext.UNICODE, conn)
    ext.register_type(ext.UNICODEARRAY, conn)
    cur = conn.cursor()
    cur.execute("select 'a'::text, array['b']::text[]")
    assert cur.fetchone() == ("a", ["b"])


def test_inet_array_like_django(cursor):
    caster = ext.new_array_type((1041,), "INETARRAY", ext.UNICODE)
    ext.register_type(caster, cursor)
    cursor.execute("select array['1.2.3.4', '::1']::inet[]")
    assert cursor.fetchone()[0] == ["1.2.3.4", "::1"]


def test_cursor_cast(cursor):
    assert cursor.cast(23, "42") == 42
    assert cursor.cast(1700, "1.5") == Decimal("1.5")
    assert cursor.cast(25, None) is None
    assert cursor.cast(999999, "x") == "x"
    ext.register_type(ext.new_type((23,), "X", lambda s, c: "mine"), cursor)
    assert cursor.cast(23, "42") == "mine"


def test_casters_not_picklable_crash():
    # no requirement to pickle, but it must fail cleanly
    try:
        pickle.dumps(ext.INTEGER)
    except Exception:
        pass


# text the server never writes, accepted as psycopg2 does

@pytest.mark.parametrize("caster, text, expected", [
    ("INTEGER", " 1", 1), ("INTEGER", "1 ", 1), ("INTEGER", "0x10", 16),
    ("INTEGER", "1_000", 1000), ("LONGINTEGER", "-9" * 1 + "9" * 18,
                                 -10 ** 19 + 1),
    ("FLOAT", " 1.5 ", 1.5), ("FLOAT", "1_000", 1000.0),
    ("FLOAT", "infinity", float("inf")), ("FLOAT", "-inf", float("-inf")),
    ("DECIMAL", " 1 ", Decimal("1")), ("DECIMAL", "1_000", Decimal("1000")),
    ("DECIMAL", "inf", Decimal("Infinity")),
    ("NUMBER", "1", 1.0), ("NUMBER", "-0", -0.0),
    ("BOOLEAN", "true", True), ("BOOLEAN", "FALSE", False),
    ("BOOLEAN", "T", True), ("BOOLEAN", "f", False),
])
def test_lenient_numeric_text(caster, text, expected):
    rv = getattr(ext, caster)(text, None)
    assert rv == expected and type(rv) is type(expected)


@pytest.mark.parametrize("caster, text", [
    ("INTEGER", "1.5"), ("INTEGER", "x"), ("INTEGER", "0x"),
    ("INTEGER", "010"), ("FLOAT", "0x10"), ("FLOAT", "1__0"),
    ("DECIMAL", "0x10"), ("DECIMAL", "1.2.3"),
])
def test_malformed_numeric_text(caster, text):
    # the error of int(), float() or Decimal(), as psycopg2
    with pytest.raises((ValueError, decimal.InvalidOperation)) as exc:
        getattr(ext, caster)(text, None)
    assert not isinstance(exc.value, psycopg2.Error)


def test_numeric_text_with_nul():
    with pytest.raises(psycopg2.DataError):
        ext.INTEGER("a\x00b", None)


@pytest.mark.parametrize("text", ["yes", "", "1"])
def test_malformed_boolean_text(text):
    # InterfaceError, as psycopg2
    with pytest.raises(psycopg2.InterfaceError, match="can't parse boolean"):
        ext.BOOLEAN(text, None)


def test_int_text_too_long():
    # an int8 is at most 20 characters; psycopg2 refuses beyond 23
    assert ext.INTEGER("9" * 23, None) == int("9" * 23)
    for caster in (ext.INTEGER, ext.LONGINTEGER, ext.ROWID):
        with pytest.raises(psycopg2.DataError, match="int64 representation"):
            caster("9" * 24, None)
