"""Text typecasting: text family, "char", name, unknown, encodings, BYTES."""

import pytest

from psycopg2 import extensions as ext


def test_text_family(cursor):
    cursor.execute(
        "select 'a'::text, 'b'::varchar, 'c'::char(3), 'd'::name, 'e'::\"char\", "
        "'f'"
    )
    row = cursor.fetchone()
    assert row == ("a", "b", "c  ", "d", "e", "f")
    assert all(type(v) is str for v in row)


def test_unicode_roundtrip(conn, cursor):
    conn.set_client_encoding("UTF8")
    s = "àèìòù €  ☃ \U0001f600"
    cursor.execute("select %s::text", (s,))
    assert cursor.fetchone()[0] == s


def test_latin1(conn, cursor):
    conn.set_client_encoding("LATIN1")
    cursor.execute("select chr(224)::text")
    assert cursor.fetchone()[0] == "à"


def test_null(cursor):
    cursor.execute("select null::text")
    assert cursor.fetchone()[0] is None


def test_empty(cursor):
    cursor.execute("select ''::text")
    assert cursor.fetchone()[0] == ""


def test_bytes_caster(conn, cursor):
    ext.register_type(ext.BYTES, cursor)
    cursor.execute("select 'à'::text, null::text")
    assert cursor.fetchone() == ("à".encode("utf8"), None)


def test_bytes_array_caster(conn, cursor):
    ext.register_type(ext.BYTESARRAY, cursor)
    cursor.execute("select array['à', null, 'b c']::text[]")
    assert cursor.fetchone()[0] == ["à".encode(), None, b"b c"]


def test_bytes_not_registered():
    assert ext.string_types[25] is ext.STRING  # as psycopg2
    assert ext.BYTES.values == ext.UNICODE.values
    assert ext.BYTESARRAY.values == ext.UNICODEARRAY.values


def test_sql_ascii_undecodable(conn, cursor):
    # With a SQL_ASCII client the server sends its UTF-8 bytes unconverted:
    # they cannot be decoded as ascii...
    conn.set_client_encoding("SQL_ASCII")
    cursor.execute("select chr(224)::text")
    with pytest.raises(UnicodeDecodeError):
        cursor.fetchone()
    # ... but BYTES gets them untouched
    ext.register_type(ext.BYTES, cursor)
    cursor.execute("select chr(224)::text")
    assert cursor.fetchone()[0] == b"\xc3\xa0"


def test_invalid_utf8_direct(cursor):
    with pytest.raises(UnicodeDecodeError):
        ext.UNICODE(b"\xff\xfe", cursor)
    assert ext.BYTES(b"\xff\xfe", cursor) == b"\xff\xfe"


def test_unicode_direct(cursor):
    assert ext.UNICODE("abc", cursor) == "abc"
    assert ext.UNICODE("à€", cursor) == "à€"
    assert ext.UNICODE(None, cursor) is None
    assert ext.STRING("x", cursor) == "x"
    assert ext.BYTES("à", cursor) == "à".encode()


def test_unknown_and_other_types_are_str(cursor):
    cursor.execute(
        "select 'x', '1.2.3.4'::inet, "
        "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid, '<a/>'::xml, B'101'"
    )
    row = cursor.fetchone()
    assert row == (
        "x",
        "1.2.3.4",
        "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
        "<a/>",
        "101",
    )
