"""Adaptation (Python -> SQL): adapt(), register_adapter(), ISQLQuote and
the literal every builtin adapter writes."""

import datetime as dt
import enum
import math
from decimal import Decimal

import pytest

import psycopg2
from psycopg2 import extensions as ext
from psycopg2 import _psycopg


@pytest.fixture
def restore_adapters():
    """Undo any register_adapter() made by the test."""
    saved = dict(ext.adapters)
    try:
        yield
    finally:
        ext.adapters.clear()
        ext.adapters.update(saved)


def quoted(obj):
    """getquoted() of the adapter of obj, without a connection."""
    return ext.adapt(obj).getquoted()


def mogrify(cursor, obj):
    """The literal obj becomes in a query, for the cursor's connection."""
    return cursor.mogrify("%s", (obj,))


# ---- registry and protocol -------------------------------------------------


def test_adapters_registry_keys():
    assert isinstance(ext.adapters, dict)
    for key in ext.adapters:
        assert isinstance(key, tuple) and len(key) == 2
        assert key[1] is ext.ISQLQuote


@pytest.mark.parametrize(
    "pytype, adapter",
    [
        (bool, "Boolean"),
        (int, "Int"),
        (float, "Float"),
        (str, "QuotedString"),
        (bytes, "Binary"),
        (bytearray, "Binary"),
        (memoryview, "Binary"),
        (tuple, "SQL_IN"),
        (type(None), "NoneAdapter"),
    ],
)
def test_default_registrations(pytype, adapter):
    assert ext.adapters[(pytype, ext.ISQLQuote)] is getattr(ext, adapter)


def test_default_registrations_psycopg_types():
    assert ext.adapters[(list, ext.ISQLQuote)] is _psycopg.List
    assert ext.adapters[(Decimal, ext.ISQLQuote)] is _psycopg.Decimal
    for pytype, func in [
        (dt.date, "DateFromPy"),
        (dt.time, "TimeFromPy"),
        (dt.datetime, "TimestampFromPy"),
        (dt.timedelta, "IntervalFromPy"),
    ]:
        adapter = ext.adapters[(pytype, ext.ISQLQuote)]
        assert adapter.__name__ == func
        assert callable(adapter)


@pytest.mark.parametrize(
    "obj, adapter",
    [
        (True, "Boolean"),
        (1, "Int"),
        (1.0, "Float"),
        ("x", "QuotedString"),
        (b"x", "Binary"),
        (bytearray(b"x"), "Binary"),
        (memoryview(b"x"), "Binary"),
        ((1,), "SQL_IN"),
        (None, "NoneAdapter"),
    ],
)
def test_adapt_builtin_types(obj, adapter):
    a = ext.adapt(obj)
    assert type(a) is getattr(ext, adapter)
    assert a.adapted is obj


def test_adapt_list_and_decimal_types():
    assert type(ext.adapt([1])) is _psycopg.List
    assert type(ext.adapt(Decimal("1"))) is _psycopg.Decimal


def test_adapter_type_names():
    assert ext.QuotedString.__module__ == "psycopg2.extensions"
    assert ext.QuotedString.__name__ == "QuotedString"
    assert _psycopg.List.__module__ == "psycopg2._psycopg"
    assert _psycopg.Decimal.__module__ == "psycopg2._psycopg"


@pytest.mark.parametrize(
    "obj, name",
    [({}, "dict"), ({1, 2}, "set"), (object(), "object"), (frozenset(), "frozenset")],
)
def test_cant_adapt(obj, name):
    with pytest.raises(psycopg2.ProgrammingError) as exc:
        ext.adapt(obj)
    assert str(exc.value) == "can't adapt type '%s'" % name


def test_cant_adapt_in_query(cursor):
    with pytest.raises(psycopg2.ProgrammingError, match="can't adapt type 'dict'"):
        cursor.execute("select %s", ({"a": 1},))
    with pytest.raises(psycopg2.ProgrammingError, match="can't adapt type 'set'"):
        cursor.mogrify("select %s", ({1},))


def test_adapt_alternate_is_ignored():
    # as psycopg2 2.9: the third argument is accepted, never returned
    sentinel = object()
    with pytest.raises(psycopg2.ProgrammingError, match="can't adapt type 'object'"):
        ext.adapt(object(), ext.ISQLQuote, sentinel)
    assert type(ext.adapt(1, ext.ISQLQuote, sentinel)) is ext.Int


def test_adapt_arguments():
    with pytest.raises(TypeError, match=r"takes at least 1 argument \(0 given\)"):
        ext.adapt()
    with pytest.raises(TypeError, match="keyword"):
        ext.adapt(obj=1)


def test_register_adapter(restore_adapters):
    class Point:
        def __init__(self, x, y):
            self.x, self.y = x, y

    def adapt_point(p):
        return ext.AsIs("point(%s, %s)" % (p.x, p.y))

    ext.register_adapter(Point, adapt_point)
    assert ext.adapters[(Point, ext.ISQLQuote)] is adapt_point
    assert quoted(Point(1, 2)) == b"point(1, 2)"


def test_register_adapter_replaces(restore_adapters):
    class Thing:
        pass

    ext.register_adapter(Thing, lambda o: ext.AsIs("1"))
    ext.register_adapter(Thing, lambda o: ext.AsIs("2"))
    assert quoted(Thing()) == b"2"


def test_register_adapter_overrides_builtin(restore_adapters, cursor):
    ext.register_adapter(int, lambda i: ext.AsIs("(%d + 0)" % i))
    assert quoted(5) == b"(5 + 0)"
    # the query path must honour the override too (no stale fast path)
    assert cursor.mogrify("select %s", (5,)) == b"select (5 + 0)"
    cursor.execute("select %s", (5,))
    assert cursor.fetchone()[0] == 5


def test_register_adapter_str_override(restore_adapters, cursor):
    ext.register_adapter(str, lambda s: ext.AsIs("'overridden'"))
    assert cursor.mogrify("select %s", ("x",)) == b"select 'overridden'"


def test_adapter_mro_lookup(restore_adapters):
    class Base:
        pass

    class Middle(Base):
        pass

    class Leaf(Middle):
        pass

    ext.register_adapter(Base, lambda o: ext.AsIs("'base'"))
    assert quoted(Leaf()) == b"'base'"
    ext.register_adapter(Middle, lambda o: ext.AsIs("'middle'"))
    assert quoted(Leaf()) == b"'middle'"
    assert quoted(Base()) == b"'base'"


def test_builtin_subclasses_use_mro():
    class MyStr(str):
        pass

    class MyInt(int):
        pass

    class MyList(list):
        pass

    assert quoted(MyStr("it's")) == b"'it''s'"
    assert quoted(MyInt(-3)) == b" -3"
    assert quoted(MyList([1, 2])) == b"ARRAY[1,2]"


def test_intenum_renders_as_integer(cursor):
    class Color(enum.IntEnum):
        RED = 1
        NEG = -2

    assert quoted(Color.RED) == b"1"
    assert quoted(Color.NEG) == b" -2"
    assert cursor.mogrify("select %s", (Color.RED,)) == b"select 1"


def test_conform():
    class Conforming:
        def __conform__(self, proto):
            if proto is ext.ISQLQuote:
                return ext.AsIs("'conformed'")

    assert quoted(Conforming()) == b"'conformed'"


def test_conform_none_falls_through(restore_adapters):
    class Base:
        pass

    class Shy(Base):
        def __conform__(self, proto):
            return None

    with pytest.raises(psycopg2.ProgrammingError):
        ext.adapt(Shy())
    ext.register_adapter(Base, lambda o: ext.AsIs("'mro'"))
    assert quoted(Shy()) == b"'mro'"


def test_exact_registration_beats_conform(restore_adapters):
    class Both:
        def __conform__(self, proto):
            return ext.AsIs("'conform'")

    assert quoted(Both()) == b"'conform'"
    ext.register_adapter(Both, lambda o: ext.AsIs("'registered'"))
    assert quoted(Both()) == b"'registered'"


def test_conform_beats_mro(restore_adapters):
    class Base:
        pass

    class Child(Base):
        def __conform__(self, proto):
            return ext.AsIs("'conform'")

    ext.register_adapter(Base, lambda o: ext.AsIs("'mro'"))
    assert quoted(Child()) == b"'conform'"


def test_proto_adapt():
    class Proto:
        @staticmethod
        def __adapt__(obj):
            return "adapted:%s" % obj

    assert ext.adapt(42, Proto) == "adapted:42"


def test_adapter_conform_returns_self():
    for obj in ["x", 1, 1.5, True, b"x", [1], (1,), None, Decimal(1), dt.date.today()]:
        a = ext.adapt(obj)
        assert a.__conform__(ext.ISQLQuote) is a
        assert a.__conform__(object) is None


def test_adapter_errors_propagate(restore_adapters):
    class Boom:
        pass

    def bad_adapter(obj):
        raise ZeroDivisionError("boom")

    ext.register_adapter(Boom, bad_adapter)
    with pytest.raises(ZeroDivisionError):
        ext.adapt(Boom())


def test_isqlquote():
    q = ext.ISQLQuote("x")
    assert q._wrapped == "x"
    assert q.getquoted() is None
    assert q.getbinary() is None
    assert q.getbuffer() is None


def test_isqlquote_subclass(cursor, restore_adapters):
    class Money:
        def __init__(self, cents):
            self.cents = cents

    class MoneyAdapter(ext.ISQLQuote):
        def getquoted(self):
            return b"%d.%02d" % divmod(self._wrapped.cents, 100)

    ext.register_adapter(Money, MoneyAdapter)
    assert cursor.mogrify("select %s", (Money(1234),)) == b"select 12.34"


def test_str_getquoted_result_is_encoded(cursor, restore_adapters):
    class Euro:
        pass

    class EuroAdapter:
        def __init__(self, obj):
            pass

        def getquoted(self):
            return "'\u20ac'"

    ext.register_adapter(Euro, EuroAdapter)
    cursor.connection.set_client_encoding("UTF8")
    assert cursor.mogrify("select %s", (Euro(),)) == "select '\u20ac'".encode()
    cursor.connection.set_client_encoding("LATIN9")
    assert cursor.mogrify("select %s", (Euro(),)) == b"select '\xa4'"


def test_prepare_called_with_connection(conn, restore_adapters):
    seen = []

    class Thing:
        pass

    class ThingAdapter:
        def __init__(self, obj):
            pass

        def prepare(self, c):
            seen.append(c)

        def getquoted(self):
            return b"42"

    ext.register_adapter(Thing, ThingAdapter)
    cur = conn.cursor()
    assert cur.mogrify("select %s", (Thing(),)) == b"select 42"
    assert seen == [conn]
    # containers forward prepare to their items
    del seen[:]
    assert cur.mogrify("select %s", ([Thing(), Thing()],)) == b"select ARRAY[42,42]"
    assert seen == [conn, conn]
    del seen[:]
    assert cur.mogrify("select %s", ((Thing(), [Thing()]),)) == b"select (42, ARRAY[42])"
    assert seen == [conn, conn]


def test_getquoted_without_prepare_is_not_required(cursor, restore_adapters):
    class Plain:
        pass

    class PlainAdapter:
        def __init__(self, obj):
            pass

        def getquoted(self):
            return b"7"

    ext.register_adapter(Plain, PlainAdapter)
    cursor.execute("select %s", (Plain(),))
    assert cursor.fetchone()[0] == 7


def test_none_never_calls_an_adapter(cursor, restore_adapters):
    def boom(obj):
        raise AssertionError("adapter called for None")

    ext.register_adapter(type(None), boom)
    assert cursor.mogrify("select %s", (None,)) == b"select NULL"
    assert cursor.mogrify("select %(x)s", {"x": None}) == b"select NULL"


def test_user_adapter_infinity_date(cursor, restore_adapters):
    class InfDateAdapter:
        def __init__(self, wrapped):
            self.wrapped = wrapped

        def getquoted(self):
            if self.wrapped == dt.date.max:
                return b"'infinity'::date"
            return ext.DateFromPy(self.wrapped).getquoted()

    assert quoted(dt.date.max) == b"'9999-12-31'::date"
    ext.register_adapter(dt.date, InfDateAdapter)
    cursor.execute("select %s::text, %s", (dt.date.max, dt.date(2020, 1, 2)))
    assert cursor.fetchone() == ("infinity", dt.date(2020, 1, 2))


# ---- numbers ---------------------------------------------------------------


@pytest.mark.parametrize(
    "obj, expected",
    [
        (True, b"true"),
        (False, b"false"),
        (0, b"0"),
        (42, b"42"),
        (-42, b" -42"),
        (2**63, b"9223372036854775808"),
        (-(2**100), b" -1267650600228229401496703205376"),
        (1.5, b"1.5"),
        (-1.5, b" -1.5"),
        (1e100, b"1e+100"),
        (0.1, b"0.1"),
        (float("nan"), b"'NaN'::float"),
        (float("inf"), b"'Infinity'::float"),
        (float("-inf"), b"'-Infinity'::float"),
        (Decimal("1.10"), b"1.10"),
        (Decimal("-0.5"), b" -0.5"),
        (Decimal("1E+3"), b"1E+3"),
        (Decimal("NaN"), b"'NaN'::numeric"),
        (Decimal("sNaN"), b"'NaN'::numeric"),
        (Decimal("Infinity"), b"'NaN'::numeric"),
        (Decimal("-Infinity"), b"'NaN'::numeric"),
    ],
)
def test_numeric_getquoted(obj, expected):
    assert quoted(obj) == expected


def test_numeric_adapter_classes():
    assert ext.Int(7).getquoted() == b"7"
    assert ext.Int(-7).getquoted() == b" -7"
    assert ext.Float(2.5).getquoted() == b"2.5"
    assert ext.Boolean(1).getquoted() == b"true"
    assert ext.Boolean(0).getquoted() == b"false"
    assert _psycopg.Decimal(Decimal("-2")).getquoted() == b" -2"
    assert ext.Int(7).adapted == 7
    assert str(ext.Int(-7)) == " -7"


def test_negative_numbers_cannot_form_comments(cursor):
    # "select 1-%s" with -1 must not become "select 1--1" (a comment)
    cursor.execute("select 1-%s, 1-%s, 1-%s", (-1, -1.5, Decimal("-2")))
    assert cursor.fetchone() == (2, 2.5, Decimal("3"))


@pytest.mark.parametrize(
    "obj",
    [0, 1, -1, 2**31, -(2**63), 2**63 - 1, 10**30, 1.5, -0.25, 1e300, 1e-300, True, False,
     Decimal("123.4500"), Decimal("-1E-10")],
)
def test_numeric_roundtrip(cursor, obj):
    cursor.execute("select %s", (obj,))
    got = cursor.fetchone()[0]
    if isinstance(obj, float):
        # a float literal such as 1e+300 is a numeric constant in SQL
        assert float(got) == obj
        cursor.execute("select %s::float8", (obj,))
        got = cursor.fetchone()[0]
    assert got == obj


def test_float_special_roundtrip(cursor):
    cursor.execute("select %s, %s, %s", (float("nan"), float("inf"), float("-inf")))
    nan, inf, ninf = cursor.fetchone()
    assert math.isnan(nan)
    assert inf == float("inf")
    assert ninf == float("-inf")


def test_decimal_nan_roundtrip(cursor):
    cursor.execute("select %s", (Decimal("NaN"),))
    assert cursor.fetchone()[0].is_nan()


# ---- strings ---------------------------------------------------------------


@pytest.mark.parametrize(
    "obj, expected",
    [
        ("", b"''"),
        ("hello", b"'hello'"),
        ("it's", b"'it''s'"),
        ("''", b"''''''"),
        ("a\\b", None),  # depends on standard_conforming_strings, tested below
    ],
)
def test_qstring_unprepared(obj, expected):
    if expected is not None:
        assert quoted(obj) == expected


def test_qstring_attributes():
    q = ext.QuotedString("abc")
    assert q.adapted == "abc"
    assert q.encoding == "latin1"
    assert q.buffer is None
    assert q.getquoted() == b"'abc'"
    assert q.buffer == b"'abc'"
    assert str(q) == "'abc'"


def test_qstring_encoding_attribute(conn):
    # Unprepared quoting uses PQescapeString, which follows the encoding the
    # last connection reported: make it a single-byte one.
    conn.set_client_encoding("LATIN1")
    q = ext.QuotedString("\u00e8")
    assert q.getquoted() == b"'\xe8'"
    q = ext.QuotedString("\u00e8")
    q.encoding = "utf-8"
    assert q.getquoted() == b"'\xc3\xa8'"
    q = ext.QuotedString("\u20ac")
    with pytest.raises(UnicodeEncodeError):
        q.getquoted()


def test_qstring_bytes():
    assert ext.QuotedString(b"a'b").getquoted() == b"'a''b'"


def test_qstring_prepare_uses_connection_encoding(conn):
    conn.set_client_encoding("UTF8")
    q = ext.QuotedString("\u00e8\u20ac")
    q.prepare(conn)
    assert q.getquoted() == "'\u00e8\u20ac'".encode()
    conn.set_client_encoding("LATIN9")
    q = ext.QuotedString("\u00e8\u20ac")
    q.prepare(conn)
    assert q.getquoted() == b"'\xe8\xa4'"


def test_qstring_prepare_needs_connection():
    with pytest.raises(TypeError):
        ext.QuotedString("x").prepare("not a connection")


@pytest.mark.parametrize("obj", [5, 1.5, None, object()])
def test_qstring_non_string(obj):
    with pytest.raises(TypeError):
        ext.QuotedString(obj).getquoted()


@pytest.mark.parametrize("obj", ["a\x00b", "\x00", b"x\x00"])
def test_qstring_nul(obj):
    with pytest.raises(ValueError) as exc:
        ext.QuotedString(obj).getquoted()
    assert str(exc.value) == "A string literal cannot contain NUL (0x00) characters."


def test_nul_in_query(cursor):
    with pytest.raises(ValueError, match="NUL"):
        cursor.execute("select %s", ("a\x00b",))
    with pytest.raises(ValueError, match="NUL"):
        cursor.mogrify("select %s", (["ok", "a\x00"],))


def test_qstring_standard_conforming_strings(conn):
    cur = conn.cursor()
    cur.execute("set standard_conforming_strings = on")
    assert cur.mogrify("select %s", ("a\\b'c",)) == b"select 'a\\b''c'"
    cur.execute("set standard_conforming_strings = off")
    assert cur.mogrify("select %s", ("a\\b'c",)) == b"select E'a\\\\b''c'"
    cur.execute("select %s", ("a\\b'c",))
    assert cur.fetchone()[0] == "a\\b'c"


def test_string_roundtrip(cursor):
    s = "".join(chr(c) for c in range(1, 256)) + "\u20ac\U0001f600"
    cursor.connection.set_client_encoding("UTF8")
    cursor.execute("select %s", (s,))
    assert cursor.fetchone()[0] == s


def test_unencodable_string(cursor):
    cursor.connection.set_client_encoding("LATIN1")
    with pytest.raises(UnicodeEncodeError):
        cursor.execute("select %s", ("\u20ac",))


# ---- AsIs, NoneAdapter -----------------------------------------------------


def test_asis():
    assert ext.AsIs(42).getquoted() == b"42"
    assert ext.AsIs("now()").getquoted() == b"now()"
    assert ext.AsIs(b"raw").getquoted() == b"b'raw'"  # str(), as psycopg2
    assert ext.AsIs(None).getquoted() == b"NULL"
    a = ext.AsIs("x")
    assert a.adapted == "x"
    assert str(a) == "x"


def test_asis_in_query(cursor):
    cursor.execute("select %s", (ext.AsIs("1 + 1"),))
    assert cursor.fetchone()[0] == 2


def test_none_adapter():
    assert ext.NoneAdapter(None).getquoted() == b"NULL"
    assert ext.NoneAdapter(None).adapted is None
    assert quoted(None) == b"NULL"


# ---- binary ----------------------------------------------------------------


def test_binary_class_identity():
    assert psycopg2.Binary is ext.Binary


def test_binary_prepared_hex(conn):
    cur = conn.cursor()
    cur.execute("set standard_conforming_strings = on")
    assert mogrify(cur, b"ab\\") == b"'\\x61625c'::bytea"
    assert mogrify(cur, bytearray(b"\x00\xff")) == b"'\\x00ff'::bytea"
    assert mogrify(cur, memoryview(b"A")) == b"'\\x41'::bytea"
    cur.execute("set standard_conforming_strings = off")
    assert mogrify(cur, b"ab") == b"E'\\\\x6162'::bytea"


def test_binary_empty_and_none(cursor):
    # as psycopg2: libpq's hex format with a connection, its escape
    # format without
    assert mogrify(cursor, b"") == b"'\\x'::bytea"
    assert ext.Binary(b"").getquoted() == b"''::bytea"
    assert ext.Binary(None).getquoted() == b"NULL"
    assert mogrify(cursor, ext.Binary(None)) == b"NULL"


def test_binary_attributes(conn):
    b = ext.Binary(b"xy")
    assert b.adapted == b"xy"
    assert b.buffer is None
    b.prepare(conn)
    q = b.getquoted()
    assert q.endswith(b"::bytea")
    assert b.buffer == q
    assert str(b) == q.decode()


@pytest.mark.parametrize("obj", ["text", 42, 1.5, object()])
def test_binary_non_buffer(obj):
    with pytest.raises(TypeError):
        ext.Binary(obj).getquoted()


@pytest.mark.parametrize(
    "data",
    [b"", b"\x00", bytes(range(256)), b"'\\\"", b"x" * 100000],
)
def test_binary_roundtrip(cursor, data):
    for obj in (data, bytearray(data), memoryview(data), psycopg2.Binary(data)):
        cursor.execute("select %s::bytea", (obj,))
        got = cursor.fetchone()[0]
        assert bytes(got) == data


def test_binary_roundtrip_scs_off(conn):
    cur = conn.cursor()
    cur.execute("set standard_conforming_strings = off")
    data = bytes(range(256)) + b"\\'"
    cur.execute("select %s", (data,))
    assert bytes(cur.fetchone()[0]) == data


def test_binary_noncontiguous_memoryview(cursor):
    data = memoryview(b"abcdef")[::2]
    cursor.execute("select %s", (data,))
    assert bytes(cursor.fetchone()[0]) == b"ace"


# ---- lists and tuples ------------------------------------------------------


@pytest.mark.parametrize(
    "obj, expected",
    [
        ([1, 2, 3], b"ARRAY[1,2,3]"),
        ([1, None], b"ARRAY[1,NULL]"),
        ([[1, 2], [3, 4]], b"ARRAY[ARRAY[1,2],ARRAY[3,4]]"),
        ([], b"'{}'"),
        ([None], b"'{NULL}'"),
        ([None, None], b"'{NULL,NULL}'"),
        ([[None, None], [None, None]], b"'{{NULL,NULL},{NULL,NULL}}'"),
        ([[], [1]], b"ARRAY[ARRAY[],ARRAY[1]]"),
        (["a", "b'c"], b"ARRAY['a','b''c']"),
        ([-1, 2], b"ARRAY[ -1,2]"),
        ([True, False], b"ARRAY[true,false]"),
    ],
)
def test_list_getquoted(obj, expected):
    assert quoted(obj) == expected


def test_list_adapter_attributes():
    a = _psycopg.List([1])
    assert a.adapted == [1]
    assert str(a) == "ARRAY[1]"


def test_list_recursive_is_an_error():
    lst = [1]
    lst.append(lst)
    with pytest.raises(RecursionError):
        quoted(lst)


@pytest.mark.parametrize(
    "obj",
    [
        [1, 2, 3],
        [[1, 2], [3, 4]],
        ["a", "b'c", "d\\e", None],
        [1.5, -2.5],
        [Decimal("1.1"), Decimal("-2")],
        [True, False, None],
        [dt.date(2020, 1, 2), dt.date(1999, 12, 31)],
    ],
)
def test_list_roundtrip(cursor, obj):
    cursor.execute("select %s", (obj,))
    assert cursor.fetchone()[0] == obj


def test_empty_list_roundtrip(cursor):
    cursor.execute("select %s::int[]", ([],))
    assert cursor.fetchone()[0] == []


def test_all_null_list_roundtrip(cursor):
    cursor.execute("select %s::int[], %s::text[]", ([None, None], [[None], [None]]))
    assert cursor.fetchone() == ([None, None], [[None], [None]])


@pytest.mark.parametrize(
    "obj, expected",
    [
        ((1, 2, 3), b"(1, 2, 3)"),
        ((1,), b"(1)"),
        (("a", None, 1.5), b"('a', NULL, 1.5)"),
        (((1, 2), 3), b"((1, 2), 3)"),
        ((), b"()"),
        (([1, 2], "x"), b"(ARRAY[1,2], 'x')"),
    ],
)
def test_sql_in_getquoted(obj, expected):
    assert quoted(obj) == expected


def test_sql_in_class():
    a = ext.SQL_IN([1, 2])
    assert a.getquoted() == b"(1, 2)"
    assert a.adapted == [1, 2]


def test_sql_in_query(cursor):
    cursor.execute("select x from generate_series(1, 5) x where x in %s order by x", ((2, 4, 9),))
    assert cursor.fetchall() == [(2,), (4,)]


def test_namedtuple_as_row(cursor):
    import collections

    Pair = collections.namedtuple("Pair", "a b")
    assert cursor.mogrify("select %s", (Pair(1, "x"),)) == b"select (1, 'x')"


# ---- dates and times -------------------------------------------------------


UTC = dt.timezone.utc
PLUS = dt.timezone(dt.timedelta(hours=5, minutes=30))


@pytest.mark.parametrize(
    "obj, expected",
    [
        (dt.date(2020, 1, 2), b"'2020-01-02'::date"),
        (dt.date(1, 1, 1), b"'0001-01-01'::date"),
        (dt.date.max, b"'9999-12-31'::date"),
        (dt.time(1, 2, 3), b"'01:02:03'::time"),
        (dt.time(1, 2, 3, 4), b"'01:02:03.000004'::time"),
        (dt.time(1, 2, 3, tzinfo=UTC), b"'01:02:03+00:00'::timetz"),
        (dt.datetime(2020, 1, 2, 3, 4, 5), b"'2020-01-02T03:04:05'::timestamp"),
        (dt.datetime(2020, 1, 2, 3, 4, 5, 600), b"'2020-01-02T03:04:05.000600'::timestamp"),
        (dt.datetime(2020, 1, 2, 3, 4, 5, tzinfo=PLUS),
         b"'2020-01-02T03:04:05+05:30'::timestamptz"),
        (dt.timedelta(0), b"'0 days 0.000000 seconds'::interval"),
        (dt.timedelta(days=1, seconds=2, microseconds=3), b"'1 days 2.000003 seconds'::interval"),
        (dt.timedelta(seconds=-1), b"'-1 days 86399.000000 seconds'::interval"),
    ],
)
def test_datetime_getquoted(obj, expected):
    a = ext.adapt(obj)
    assert a.getquoted() == expected
    assert a.adapted is obj


def test_frompy_functions():
    d = dt.date(2020, 5, 6)
    assert ext.DateFromPy(d).getquoted() == b"'2020-05-06'::date"
    assert ext.TimeFromPy(dt.time(10, 0)).getquoted() == b"'10:00:00'::time"
    assert ext.TimestampFromPy(dt.datetime(2020, 5, 6)).getquoted() == (
        b"'2020-05-06T00:00:00'::timestamp"
    )
    assert ext.IntervalFromPy(dt.timedelta(hours=1)).getquoted() == (
        b"'0 days 3600.000000 seconds'::interval"
    )
    assert ext.DateFromPy(d).adapted is d
    with pytest.raises(TypeError):
        ext.DateFromPy("2020-01-01")
    with pytest.raises(TypeError):
        ext.IntervalFromPy(3)


def test_dbapi_constructors():
    d = psycopg2.Date(2020, 1, 2)
    assert d.adapted == dt.date(2020, 1, 2)
    assert d.getquoted() == b"'2020-01-02'::date"
    t = psycopg2.Time(1, 2, 3.5)
    assert t.adapted == dt.time(1, 2, 3, 500000)
    assert t.getquoted() == b"'01:02:03.500000'::time"
    ts = psycopg2.Timestamp(2020, 1, 2, 3, 4, 5)
    assert ts.adapted == dt.datetime(2020, 1, 2, 3, 4, 5)
    assert psycopg2.Timestamp(2020, 1, 2).adapted == dt.datetime(2020, 1, 2)
    tz = psycopg2.Timestamp(2020, 1, 2, 3, 4, 5, UTC)
    assert tz.getquoted().endswith(b"::timestamptz")


def test_ticks_constructors():
    ticks = 1_600_000_000.25
    local = dt.datetime.fromtimestamp(ticks)
    assert psycopg2.DateFromTicks(ticks).adapted == local.date()
    assert psycopg2.TimeFromTicks(ticks).adapted == local.time()
    ts = psycopg2.TimestampFromTicks(ticks).adapted
    assert ts.tzinfo is not None
    assert ts.timestamp() == ticks
    assert psycopg2.TimestampFromTicks(ticks).getquoted().endswith(b"::timestamptz")


@pytest.mark.parametrize(
    "obj",
    [
        dt.date(2020, 2, 29),
        dt.date(1, 1, 1),
        dt.date.max,
        dt.time(23, 59, 59, 999999),
        dt.datetime(2020, 1, 2, 3, 4, 5, 678901),
        dt.datetime(2020, 1, 2, 3, 4, 5, tzinfo=PLUS),
        dt.timedelta(days=-3, seconds=5, microseconds=6),
        dt.timedelta(days=10000),
    ],
)
def test_datetime_roundtrip(cursor, obj):
    cursor.execute("select %s", (obj,))
    got = cursor.fetchone()[0]
    assert got == obj


def test_timetz_roundtrip(cursor):
    cursor.execute("select %s", (dt.time(1, 2, 3, tzinfo=PLUS),))
    got = cursor.fetchone()[0]
    assert got.replace(tzinfo=None) == dt.time(1, 2, 3)
    assert got.utcoffset() == dt.timedelta(hours=5, minutes=30)


def test_datetime_subclass_bad_isoformat():
    class Evil(dt.date):
        def isoformat(self):
            return "2020-01-01'; drop table x; --"

    with pytest.raises(ValueError):
        ext.DateFromPy(Evil(2020, 1, 1)).getquoted()
