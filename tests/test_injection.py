"""Quoting is injection-safe: hostile values come back identical and
nothing but the intended statement runs, under every client encoding
(including SJIS, BIG5, GBK, GB18030 and JOHAB, whose multibyte characters
can end in a 0x5c backslash byte) and with standard_conforming_strings on
and off."""

import pytest

import psycopg2
from psycopg2 import extensions as ext

# Statements a successful injection would run: each one makes itself seen.
ATTACKS = [
    "'; delete from victim; --",
    "'); delete from victim; --",
    "' or 1=1; delete from victim; --",
    "'; select 1/0; --",
    "'||(select 1/0)||'",
    "$$; delete from victim; $$",
    "*/; delete from victim; /*",
    "\n'; delete from victim;\n--",
]

PLAIN = [
    "",
    "'",
    "''",
    "'''",
    "\\",
    "\\\\",
    "\\'",
    "\\''",
    "\\\\'",
    "'\\",
    "\\x27",
    "\\047",
    "\\u0027",
    '"',
    '";--',
    "--",
    "/*",
    "$$",
    "$a$",
    "%s",
    "%(a)s",
    "%%",
    "E'",
    "U&'\\0027'",
    "\t\r\n\x0b\x0c\x1a\x1b\x7f",
    "a\\'b\\\\'c",
]

CORPUS = PLAIN + ATTACKS + [
    prefix + attack for prefix in ("\\", "\\\\", "x\\") for attack in ATTACKS
]

# Client encodings with multibyte characters whose bytes after the first
# can be 0x5c ('\\') or 0x27 ("'"); plus a few ordinary ones.
ENCODINGS = ["SJIS", "BIG5", "GBK", "GB18030", "JOHAB", "UHC", "EUC_JP",
             "EUC_CN", "UTF8", "LATIN1", "WIN1252", "SQL_ASCII"]

DANGEROUS_BYTES = (0x5C, 0x27)


def tricky_chars(codec, limit=12):
    """Characters whose encoding has a backslash or quote as non-lead byte."""
    found = []
    for cp in range(0x80, 0x10000):
        if 0xD800 <= cp < 0xE000:
            continue
        ch = chr(cp)
        try:
            b = ch.encode(codec)
        except UnicodeEncodeError:
            continue
        if len(b) >= 2 and any(x in DANGEROUS_BYTES for x in b[1:]):
            found.append(ch)
            if len(found) >= limit:
                break
    return found


def corpus_for(codec):
    """The hostile strings encodable in codec, multibyte tricks included."""
    values = []
    for s in CORPUS:
        try:
            s.encode(codec)
        except UnicodeEncodeError:
            continue
        values.append(s)
    for ch in tricky_chars(codec):
        for tail in ("", "'", "\\", "\\'", "''"):
            values.append(ch + tail)
        for attack in ATTACKS:
            values.append(ch + attack)
            values.append(ch + "\\" + attack)
        values.append(ch * 3)
        values.append("'" + ch + "'")
    return values


@pytest.fixture
def victim(conn):
    """A table any injected statement would empty."""
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("drop table if exists victim")
    cur.execute("create table victim (id int)")
    cur.execute("insert into victim values (1)")
    try:
        yield cur
    finally:
        if not conn.closed:
            conn.autocommit = True
            conn.cursor().execute("drop table if exists victim")


def set_scs(cur, on):
    cur.execute("set escape_string_warning = off")
    cur.execute("set standard_conforming_strings = %s" % ("on" if on else "off"))


def roundtrip(cur, value):
    cur.execute("select %s", (value,))
    assert cur.description is not None and len(cur.description) == 1
    rows = cur.fetchall()
    assert rows == [(value,)], (value, cur.query)
    cur.execute("select %(v)s, %(v)s", {"v": value})
    assert cur.fetchall() == [(value, value)], (value, cur.query)


def assert_victim_intact(cur):
    cur.execute("select count(*) from victim")
    assert cur.fetchone()[0] == 1


@pytest.mark.parametrize("scs", [True, False], ids=["scs_on", "scs_off"])
@pytest.mark.parametrize("encoding", ENCODINGS)
def test_corpus_roundtrip(conn, victim, encoding, scs):
    cur = victim
    conn.set_client_encoding(encoding)
    # shown normalised, as psycopg2 does ('EUC_JP' is 'EUCJP')
    assert conn.encoding == encoding.replace("_", "")
    set_scs(cur, scs)
    codec = ext.encodings[conn.encoding]
    values = corpus_for(codec)
    assert values
    for value in values:
        if encoding == "JOHAB" and rejected_by_libpq(cur, value):
            continue
        roundtrip(cur, value)
    assert_victim_intact(cur)


def rejected_by_libpq(cur, value):
    """Python's johab codec writes some characters (e.g. Greek) with a 0x5c
    trail byte that PostgreSQL's JOHAB does not accept: libpq refuses to
    escape them, and the value must then fail before anything is sent."""
    try:
        cur.mogrify("select %s", (value,))
    except psycopg2.DataError:
        return True
    return False


@pytest.mark.parametrize("scs", [True, False], ids=["scs_on", "scs_off"])
@pytest.mark.parametrize("encoding", ["SJIS", "BIG5", "GBK", "GB18030"])
def test_corpus_in_containers(conn, victim, encoding, scs):
    cur = victim
    conn.set_client_encoding(encoding)
    set_scs(cur, scs)
    values = corpus_for(ext.encodings[conn.encoding])
    # a row literal: the server sees every item as one value
    cur.execute("select %s::text", (tuple(values[:50]),))
    assert cur.fetchone()[0]
    cur.execute("select (%s::text[]) = %s::text[]", (values, values))
    assert cur.fetchone()[0] is True
    cur.execute("select array_length(%s::text[], 1)", (values,))
    assert cur.fetchone()[0] == len(values)
    assert_victim_intact(cur)


@pytest.mark.parametrize("encoding", ["SJIS", "BIG5", "GBK", "GB18030"])
def test_array_of_tricky_strings_roundtrip(conn, encoding):
    """Arrays come back parsed from the client-encoded text, where a 0x5c
    trail byte must not be read as an escape."""
    conn.set_client_encoding(encoding)
    cur = conn.cursor()
    values = corpus_for(ext.encodings[conn.encoding])
    cur.execute("select %s", (values,))
    assert cur.fetchone()[0] == values


@pytest.mark.parametrize("scs", [True, False], ids=["scs_on", "scs_off"])
@pytest.mark.parametrize("encoding", ["SJIS", "BIG5", "GBK", "GB18030"])
def test_trailing_backslash_byte_not_doubled(conn, victim, encoding, scs):
    """The 0x5c inside a multibyte character is not an escape: it must not
    be doubled, and a quote after it must still be doubled."""
    cur = victim
    conn.set_client_encoding(encoding)
    set_scs(cur, scs)
    codec = ext.encodings[conn.encoding]
    ch = [c for c in tricky_chars(codec) if c.encode(codec)[-1] == 0x5C][0]
    enc = ch.encode(codec)
    q = cur.mogrify("select %s", (ch + "'",))
    prefix = b"select '" if scs else b"select E'"
    assert q == prefix + enc + b"'''"
    roundtrip(cur, ch + "'")
    assert_victim_intact(cur)


@pytest.mark.parametrize("scs", [True, False], ids=["scs_on", "scs_off"])
def test_backslash_quoting_matches_server_setting(conn, victim, scs):
    cur = victim
    set_scs(cur, scs)
    q = cur.mogrify("select %s", ("\\'",))
    if scs:
        assert q == b"select '\\'''"
    else:
        assert q == b"select E'\\\\'''"
    roundtrip(cur, "\\'")


def test_scs_changed_midway(conn, victim):
    """Quoting follows standard_conforming_strings as the session changes."""
    cur = victim
    for scs in (True, False, True, False):
        set_scs(cur, scs)
        for value in ATTACKS + ["\\'" + a for a in ATTACKS]:
            roundtrip(cur, value)
    assert_victim_intact(cur)


def test_encoding_changed_midway(conn, victim):
    cur = victim
    for encoding in ("UTF8", "SJIS", "UTF8", "GBK", "BIG5", "LATIN1"):
        conn.set_client_encoding(encoding)
        codec = ext.encodings[conn.encoding]
        for value in corpus_for(codec)[:200]:
            roundtrip(cur, value)
    assert_victim_intact(cur)


@pytest.mark.parametrize("encoding", ["SJIS", "BIG5", "GBK", "GB18030", "JOHAB"])
@pytest.mark.parametrize("scs", [True, False], ids=["scs_on", "scs_off"])
def test_invalid_multibyte_bytes(conn, victim, encoding, scs):
    """Raw bytes with a lead byte swallowing the quote (the classic 0xbf27
    attack) must fail or round-trip, never escape their literal."""
    cur = victim
    conn.set_client_encoding(encoding)
    set_scs(cur, scs)
    attacks = []
    for lead in (0x81, 0x95, 0xA1, 0xBF, 0xE0, 0xFE):
        for attack in ATTACKS:
            attacks.append(bytes([lead]) + attack.encode("ascii"))
            attacks.append(bytes([lead]) + b"\\" + attack.encode("ascii"))
        attacks.append(bytes([lead]))
        attacks.append(b"x" + bytes([lead]))
    for raw in attacks:
        try:
            cur.execute("select %s", (ext.QuotedString(raw),))
        except (psycopg2.Error, ValueError):
            if conn.get_transaction_status() == ext.TRANSACTION_STATUS_INERROR:
                conn.rollback()
            continue
        rows = cur.fetchall()
        assert len(rows) == 1 and len(rows[0]) == 1
        assert "delete" not in (cur.statusmessage or "").lower()
    assert_victim_intact(cur)


def test_binary_is_safe(conn, victim):
    cur = victim
    data = bytes(range(256)) + b"'\\'; delete from victim; --"
    for scs in (True, False):
        set_scs(cur, scs)
        for enc in ("UTF8", "SJIS", "GBK"):
            conn.set_client_encoding(enc)
            cur.execute("select %s", (data,))
            assert bytes(cur.fetchone()[0]) == data
    assert_victim_intact(cur)


def test_identifiers_in_values_stay_values(cursor):
    """A value is always one literal, never SQL text."""
    cursor.execute("select %s", ("1); select (2",))
    assert cursor.fetchall() == [("1); select (2",)]
