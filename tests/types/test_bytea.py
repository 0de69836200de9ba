"""bytea typecasting: hex and escape output formats -> memoryview."""

import pytest

import psycopg2
from psycopg2 import extensions as ext

ALL_BYTES = bytes(range(256))


@pytest.mark.parametrize("output", ["hex", "escape"])
def test_bytea_all_bytes(cursor, output):
    cursor.execute("set bytea_output to %s" % output)
    cursor.execute("select decode(%s, 'hex')", (ALL_BYTES.hex(),))
    value = cursor.fetchone()[0]
    assert type(value) is memoryview
    assert value.tobytes() == ALL_BYTES


@pytest.mark.parametrize("output", ["hex", "escape"])
def test_bytea_empty_and_null(cursor, output):
    cursor.execute("set bytea_output to %s" % output)
    cursor.execute("select ''::bytea, null::bytea")
    value, null = cursor.fetchone()
    assert value.tobytes() == b""
    assert null is None


@pytest.mark.parametrize("output", ["hex", "escape"])
def test_bytea_array(cursor, output):
    cursor.execute("set bytea_output to %s" % output)
    cursor.execute(
        "select array[decode('00ff5c22', 'hex'), null, ''::bytea]::bytea[]"
    )
    value = cursor.fetchone()[0]
    assert [v if v is None else v.tobytes() for v in value] == [
        b"\x00\xff\\\"", None, b""]


def test_bytea_large(cursor):
    data = bytes(range(256)) * 4096
    cursor.execute("select decode(%s, 'hex')", (data.hex(),))
    assert cursor.fetchone()[0].tobytes() == data


@pytest.mark.parametrize(
    "literal, expected",
    [
        (r"\x", b""),
        (r"\x00fF", b"\x00\xff"),
        ("abc", b"abc"),
        (r"a\\b", b"a\\b"),
        (r"\000\377\101", b"\x00\xffA"),
        ("", b""),
    ],
)
def test_bytea_direct(cursor, literal, expected):
    assert ext.BINARY(literal, cursor).tobytes() == expected


@pytest.mark.parametrize(
    "bad",
    [r"\x0", r"\x0g", r"\xzz", "\\", r"a\b", r"\400", r"\12", r"\1a2", r"\x 00",
     r"\\\\\x"],
)
def test_bad_bytea(cursor, bad):
    with pytest.raises(psycopg2.DataError):
        ext.BINARY(bad, cursor)
