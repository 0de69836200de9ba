"""executemany() sends a statement only in the encoding it was built in.

An adapter may change the client encoding while a row is being merged
(here deterministically: its getquoted() calls set_client_encoding()).
Bytes made in the old encoding and read by the server in the new one would
be silently garbled; as execute() does, the autocommit loop builds the row
again in the new encoding, and the pipeline (in a transaction) refuses to
send what was built in the old one.
"""

import pytest

import psycopg2
import psycopg2.extensions as ext


class Switch:
    """A value whose adapter sets the client encoding to one of `encs`,
    in turn, each time it is quoted."""

    def __init__(self, conn, *encs):
        self.conn = conn
        self.encs = list(encs)
        self.calls = 0


class SwitchAdapter:
    def __init__(self, obj):
        self.obj = obj

    def getquoted(self):
        o = self.obj
        o.conn.set_client_encoding(o.encs[o.calls % len(o.encs)])
        o.calls += 1
        return b"'sw'"


@pytest.fixture
def switch_adapter():
    ext.register_adapter(Switch, SwitchAdapter)
    yield
    del ext.adapters[(Switch, ext.ISQLQuote)]


@pytest.fixture
def table(conn):
    cur = conn.cursor()
    cur.execute("create temp table enc_t (i int, s text, x text)")
    conn.commit()
    return cur


INSERT = "insert into enc_t values (%s, %s, %s)"


def stored(conn):
    cur = conn.cursor()
    cur.execute("select i, s, x from enc_t order by i")
    return cur.fetchall()


def test_autocommit_row_built_again(conn, table, switch_adapter):
    conn.autocommit = True
    sw = Switch(conn, "LATIN1")
    table.executemany(INSERT, [
        (1, "caf\xe9", "a"),
        # "\xfc" is merged (UTF-8) before the adapter switches to LATIN1
        (2, "\xfc", sw),
        (3, "\xe8", "b"),
    ])
    assert conn.encoding == "LATIN1"
    assert stored(conn) == [
        (1, "caf\xe9", "a"), (2, "\xfc", "sw"), (3, "\xe8", "b")]
    assert sw.calls == 2  # the row was built twice
    assert table.rowcount == 3


def test_autocommit_encoding_changing_again(conn, table, switch_adapter):
    conn.autocommit = True
    sw = Switch(conn, "LATIN1", "UTF8")
    with pytest.raises(psycopg2.InterfaceError, match="client encoding"):
        table.executemany(INSERT, [
            (1, "caf\xe9", "a"), (2, "\xfc", sw), (3, "\xe8", "b")])
    # the rows before it ran, that one and the rest did not
    assert stored(conn) == [(1, "caf\xe9", "a")]


def test_autocommit_ascii_row_sent(conn, table, switch_adapter):
    conn.autocommit = True
    sw = Switch(conn, "LATIN1", "UTF8")
    table.executemany(INSERT, [(1, "plain", sw), (2, "\xe9", "b")])
    assert stored(conn) == [(1, "plain", "sw"), (2, "\xe9", "b")]
    assert sw.calls == 1


def test_pipeline_refuses_stale_rows(conn, table, switch_adapter):
    # in a transaction the rows travel in a pipeline: built rows that are
    # not ASCII are not sent in another encoding
    sw = Switch(conn, "LATIN1")
    with pytest.raises(psycopg2.InterfaceError, match="client encoding"):
        table.executemany(INSERT, [
            (1, "caf\xe9", "a"), (2, "\xfc", sw), (3, "\xe8", "b")])
    conn.rollback()
    assert stored(conn) == []


def test_pipeline_ascii_rows_sent(conn, table, switch_adapter):
    sw = Switch(conn, "LATIN1")
    table.executemany(INSERT, [(1, "a", "a"), (2, "b", sw), (3, "c", "d")])
    conn.commit()
    assert stored(conn) == [(1, "a", "a"), (2, "b", "sw"), (3, "c", "d")]


def test_pipeline_same_encoding_again(conn, table, switch_adapter):
    # set_client_encoding() to the encoding already in use changes nothing
    sw = Switch(conn, "UTF8")
    table.executemany(INSERT, [
        (1, "caf\xe9", "a"), (2, "\xfc", sw), (3, "\xe8", "b")])
    conn.commit()
    assert stored(conn) == [
        (1, "caf\xe9", "a"), (2, "\xfc", "sw"), (3, "\xe8", "b")]


def test_pipeline_ascii_str_not_ascii_in_codec(conn, table, switch_adapter):
    # Python's shift_jis_2004 writes "\\" as b"\x81_": an ASCII str whose
    # bytes still depend on the encoding
    conn.set_client_encoding("SHIFT_JIS_2004")
    conn.commit()
    sw = Switch(conn, "LATIN1")
    with pytest.raises(psycopg2.InterfaceError, match="client encoding"):
        table.executemany(INSERT, [(1, "a\\b", "a"), (2, "c", sw)])
    conn.rollback()
    assert stored(conn) == []


def test_pipeline_same_text_as_execute(conn, table):
    # whatever the codec writes, the pipeline sends what execute() sends
    conn.set_client_encoding("SHIFT_JIS_2004")
    values = ["a\\b~c", "\u3042\u3044", "plain"]
    for i, v in enumerate(values):
        table.execute(INSERT, (i, v, "lit"))
    table.executemany(INSERT, [(i, v, "par") for i, v in enumerate(values)])
    table.execute(
        "select count(*) from enc_t a join enc_t b using (i, s) "
        "where a.x = 'lit' and b.x = 'par'")
    assert table.fetchone() == (3,)


def test_pipeline_encoding_changed_and_back(conn, table, switch_adapter):
    # the first row's adapter switches to LATIN1, the third's back to UTF8:
    # the second row's text is encoded while LATIN1 is in force and would be
    # read by the server as UTF-8 ("\xc3\xa9" in LATIN1 is the UTF-8 of
    # "\xe9"): the change must be seen even though the codec at the end is
    # the one the statement was built with
    sw = Switch(conn, "LATIN1", "UTF8")
    with pytest.raises(psycopg2.InterfaceError, match="client encoding"):
        table.executemany(INSERT, [
            (1, "a", sw), (2, "\xc3\xa9", "b"), (3, "c", sw)])
    conn.rollback()
    assert stored(conn) == []
