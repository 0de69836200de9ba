"""Array typecasting: the array literal parser and the builtin array
casters."""

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
        ("select '{1,NULL,3}'::int[]", [1, None, 3]),
        ("select '{}'::int[]", []),
        ("select '[2:3]={1,2}'::int[]", [1, 2]),
        ("select '[0:1][1:2]={{1,2},{3,4}}'::int[]", [[1, 2], [3, 4]]),
        ("select '{{1,2},{3,4}}'::int2[]", [[1, 2], [3, 4]]),
        ("select '{{{1}},{{2}}}'::int8[]", [[[1]], [[2]]]),
        ("select '{1.5,NaN}'::float8[]", None),
        ("select '{1.5,-2}'::numeric[]", [Decimal("1.5"), Decimal("-2")]),
        ("select '{t,f,NULL}'::bool[]", [True, False, None]),
        ("select '{1,2}'::oid[]", [1, 2]),
        ("select array[NULL,NULL]::int[]", [None, None]),
    ],
)
def test_array(cursor, query, expected):
    value = fetch(cursor, query)
    if expected is None:
        assert value[0] == 1.5 and value[1] != value[1]
    else:
        assert value == expected


@pytest.mark.parametrize("typ", ["text", "varchar", "bpchar", "name", '"char"'])
def test_text_arrays(cursor, typ):
    value = fetch(cursor, "select array['a', null]::%s[]" % typ)
    assert value == ["a", None]


def test_quoting(cursor):
    items = ["", " ", "a b", 'x"y', "back\\slash", "NULL", "null", "{}", "a,b",
             "à€", "\t\n", "  lead", "trail  "]
    cursor.execute("select %s::text[]", (items,))
    assert cursor.fetchone()[0] == items


def test_text_array_with_null(cursor):
    cursor.execute("select array['NULL', null, 'x']::text[]")
    assert cursor.fetchone()[0] == ["NULL", None, "x"]


def test_nested_text(cursor):
    value = fetch(cursor, "select '{{a,\"b c\"},{NULL,\"}\"}}'::text[]")
    assert value == [["a", "b c"], [None, "}"]]


def test_unregistered_array_is_str(cursor):
    value = fetch(
        cursor, "select array['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11']::uuid[]"
    )
    assert value == "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}"
    value = fetch(cursor, "select '{1}'::money[]")
    assert type(value) is str and value.startswith("{")


def test_big_array(cursor):
    value = fetch(cursor, "select array_agg(i) from generate_series(1, 100000) i")
    assert value == list(range(1, 100001))


@pytest.mark.parametrize(
    "literal, expected",
    [
        ("{1,2,3}", [1, 2, 3]),
        (" { 1 , 2 } ", [1, 2]),
        ('{"1"}', [1]),
        ("{NULL}", [None]),
        ("{null}", [None]),
        ("[1:1]={5}", [5]),
        ("[-3:-2]={5,6}", [5, 6]),
        ("{{},{}}", [[], []]),
    ],
)
def test_direct(cursor, literal, expected):
    assert ext.INTEGERARRAY(literal, cursor) == expected


def test_direct_strings(cursor):
    assert ext.STRINGARRAY(r'{"a\"b",c\,d,"NULL",\NULL}', cursor) == [
        'a"b', "c,d", "NULL", "NULL"]
    assert ext.UNICODEARRAY("{ a b ,c}", cursor) == ["a b", "c"]


@pytest.mark.parametrize(
    "bad",
    ["", "{", "}", "{1,2", "{1,,2}", "1,2", "{1}x",
     "[1:2={1}", "[1:2]{1}", "[a:b]={1}", "{1,2}}", "{,}", "{1,}", "{\"1}",
     "{1\\", "{\"1\\", "{{1}", "{" * 100 + "}" * 100, "{a\"b\"}"],
)
def test_bad_literal(cursor, bad):
    with pytest.raises(psycopg2.DataError):
        ext.INTEGERARRAY(bad, cursor)


def test_mixed_levels(cursor):
    # the server never writes them; read as psycopg2 reads them
    assert ext.INTEGERARRAY("{1,{2}}", cursor) == [1, [2]]
    assert ext.INTEGERARRAY("{{1},2}", cursor) == [[1], 2]


def test_not_an_array(cursor):
    with pytest.raises(psycopg2.DataError, match="does not start with"):
        ext.INTEGERARRAY(b"1", cursor)


@pytest.mark.parametrize("bad, message", [
    ("{1}x", "unbalanced braces in array"),
    ("{1,2}}", "unbalanced braces in array"),
    ("[1:2]{1}", "array does not start with '{'"),
    ("1,2", "array does not start with '{'"),
])
def test_bad_literal_text(cursor, bad, message):
    # psycopg2's texts
    with pytest.raises(psycopg2.DataError) as exc:
        ext.INTEGERARRAY(bad, cursor)
    assert str(exc.value) == message


def test_bad_element(cursor):
    # the element caster's error, as psycopg2
    with pytest.raises(ValueError, match="invalid literal for int"):
        ext.INTEGERARRAY("{1,x}", cursor)
    with pytest.raises(ValueError, match="with base 10: '1 2'"):
        ext.INTEGERARRAY("{1 2}", cursor)
    with pytest.raises(ValueError, match="with base 10: 'NULL x'"):
        ext.INTEGERARRAY("{NULL x}", cursor)
    with pytest.raises(psycopg2.DataError, match="unable to parse date"):
        ext.DATEARRAY("{x}", cursor)
    # a field out of range: datetime's ValueError, as psycopg2
    with pytest.raises(ValueError, match="month must be in 1..12"):
        ext.DATEARRAY("{2020-13-01}", cursor)


def test_array_of_user_type(cursor):
    caster = ext.new_type((705,), "UPPER", lambda s, cur: s.upper() if s else s)
    array = ext.new_array_type((1009,), "UPPERARRAY", caster)
    ext.register_type(array, cursor)
    cursor.execute("select array['a', null, 'b c']::text[]")
    assert cursor.fetchone()[0] == ["A", None, "B C"]


def test_user_type_called_with_cursor(cursor):
    seen = []

    def cast(s, cur):
        seen.append((s, cur))
        return s

    caster = ext.new_type((705,), "SPY", cast)
    array = ext.new_array_type((1009,), "SPYARRAY", caster)
    ext.register_type(array, cursor)
    cursor.execute("select array['x', null]::text[]")
    assert cursor.fetchone()[0] == ["x", None]
    assert seen == [("x", cursor), (None, cursor)]


@pytest.mark.parametrize(
    "encoding, text",
    [("SJIS", "ソ表{能}"), ("BIG5", "許功蓋"), ("GBK", "\u5f10\u72b5"),
     ("GB18030", "\u5f10\u72b5")],
)
def test_ascii_trail_bytes(conn, encoding, text):
    # trail bytes 0x5c/0x7b/0x7d in these encodings are not array syntax
    conn.set_client_encoding(encoding)
    cur = conn.cursor()
    items = [text, text + ",\\\"", None, "x" + text]
    cur.execute("select %s::text[]", (items,))
    assert cur.fetchone()[0] == items


def test_network_arrays_are_lists_of_str(cursor):
    cursor.execute(
        "select array['10.0.0.1/24', null]::inet[], array['10.0.0.0/8']::cidr[], "
        "array['08:00:2b:01:02:03']::macaddr[]"
    )
    assert cursor.fetchone() == (
        ["10.0.0.1/24", None], ["10.0.0.0/8"], ["08:00:2b:01:02:03"])


@pytest.mark.parametrize(
    "literal, expected",
    [
        # read in one pass while scanned, or by the general path
        ("{-1,0,-0,+5}", [-1, 0, 0, 5]),
        ("{999999999999999999,-999999999999999999}",
         [999999999999999999, -999999999999999999]),
        ("{1000000000000000000,-9223372036854775808}",
         [1000000000000000000, -9223372036854775808]),
        ("{12345678901234567890}", [12345678901234567890]),
        ("{1 ,2\t,\n3}", [1, 2, 3]),
        ("{NULL,1,nUlL}", [None, 1, None]),
        ('{"-7",8}', [-7, 8]),
        ("{{1,2},{3,-4}}", [[1, 2], [3, -4]]),
    ],
)
def test_int_elements(cursor, literal, expected):
    assert ext.INTEGERARRAY(literal, cursor) == expected


@pytest.mark.parametrize("bad", ["{1x}", "{-}", "{1-}", "{--1}", "{1,2x,3}"])
def test_bad_int_elements(cursor, bad):
    # int()'s ValueError for the element, as psycopg2
    with pytest.raises(ValueError, match="invalid literal for int"):
        ext.INTEGERARRAY(bad, cursor)


@pytest.mark.parametrize("n", [1, 31, 32, 33, 64, 65, 200])
def test_level_sizes(cursor, n):
    # items are gathered on the stack, then on the heap past 32
    assert fetch(cursor, "select array_agg(i) from generate_series(1, %s) i",
                 (n,)) == list(range(1, n + 1))
    assert fetch(cursor, "select array_agg(i::text) from generate_series(1, %s) i",
                 (n,)) == [str(i) for i in range(1, n + 1)]
    nested = fetch(
        cursor,
        "select array_agg(array[i, -i, null]) from generate_series(1, %s) i",
        (n,),
    )
    assert nested == [[i, -i, None] for i in range(1, n + 1)]


def test_elements_cast_in_place(cursor):
    # plain elements go to these casters without a copy: each must read
    # only its own bytes
    assert fetch(cursor, "select '{1.5,-2e3,NaN}'::float8[]")[:2] == [1.5, -2000.0]
    assert fetch(cursor, "select '{1.50,-2}'::numeric[]") == [
        Decimal("1.50"), Decimal("-2")]
    assert fetch(cursor, "select '{t,f,NULL}'::bool[]") == [True, False, None]
    assert fetch(cursor, "select '{ab,c,NULL,\"NULL\",d}'::text[]") == [
        "ab", "c", None, "NULL", "d"]


@pytest.mark.parametrize("text, shown", [
    ("{t,x}", "x}"), ('{t,"y"}', 'y"}'), ("{{t},{1,f}}", "1,f}}"),
])
def test_bad_bool_element_message(cursor, text, shown):
    # psycopg2 shows the literal from the bad element to its end
    with pytest.raises(psycopg2.InterfaceError) as exc:
        ext.BOOLEANARRAY(text, cursor)
    assert str(exc.value) == "can't parse boolean: '%s'" % shown
