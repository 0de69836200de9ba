"""The hex form of bytea is decoded eight digits at a time (a word-wide
check, typecast_bytea.c): every character in every position of such a
block must be accepted exactly when it is a hex digit, and decode to what
bytes.fromhex() gives.  The values are also read back from the server."""

import string

import pytest

import psycopg2

HEX = set(string.hexdigits)
BASE = "0123456789abcdefABCDEF0123456789"   # 32 digits: 4 words


def cast(text):
    return psycopg2.BINARY(text, None)


@pytest.mark.parametrize("pos", range(len(BASE) + 2))
def test_every_character_in_every_position(pos):
    # + 2: a tail shorter than a word goes through the byte loop
    base = BASE + "ab"
    for code in range(1, 256):
        ch = chr(code)
        text = base[:pos] + ch + base[pos + 1:]
        if ch in HEX:
            assert bytes(cast("\\x" + text)) == bytes.fromhex(text), text
        else:
            with pytest.raises(psycopg2.DataError):
                cast("\\x" + text)


@pytest.mark.parametrize("n", [0, 1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 1000])
def test_lengths_round_trip(conn, n):
    data = bytes((i * 37 + 11) % 256 for i in range(n))
    cur = conn.cursor()
    cur.execute("select %s::bytea, encode(%s::bytea, 'hex')",
                (psycopg2.Binary(data), psycopg2.Binary(data)))
    value, hexed = cur.fetchone()
    assert bytes(value) == data
    assert bytes(cast("\\x" + hexed.upper())) == data


def test_memoryview_like_psycopg2(conn):
    cur = conn.cursor()
    cur.execute("select '\\x6162'::bytea")
    mv = cur.fetchone()[0]
    assert (mv.format, mv.itemsize, mv.readonly) == ("c", 1, True)
    assert mv[0] == b"a" and mv.tobytes() == b"ab"
    assert type(mv.obj).__name__ == "chunk"
    assert repr(mv.obj).startswith("<memory chunk at ")
    with pytest.raises(TypeError):
        len(mv.obj)
    # the buffer can't be written through
    with pytest.raises(TypeError):
        mv[0] = b"z"
