"""Tests for the row-shaping and logging cursors of psycopg2.extras."""

import io
import logging
import pickle
from collections import OrderedDict

import pytest

import psycopg2
import psycopg2.extras as extras
from psycopg2 import extensions as ext

QUERY = "select 1 as a, 'x' as b, null::int as c union all select 2, 'y', 3"


def named_query(cur):
    cur.execute(QUERY + " order by 1")


# DictCursorBase

def test_dictcursorbase_needs_row_factory(conn):
    with pytest.raises(NotImplementedError):
        extras.DictCursorBase(conn)


# DictCursor / DictRow

def test_dictcursor_fetchone(conn):
    cur = conn.cursor(cursor_factory=extras.DictCursor)
    assert isinstance(cur, ext.cursor)
    cur.execute(QUERY)
    row = cur.fetchone()
    assert isinstance(row, extras.DictRow)
    assert isinstance(row, list)
    assert row[0] == 1 and row["a"] == 1
    assert row[1] == "x" and row["b"] == "x"
    assert row["c"] is None
    assert row[-1] is None
    assert row[0:2] == [1, "x"]
    assert list(row) == [1, "x", None]
    assert row == [1, "x", None]
    assert cur.index == OrderedDict([("a", 0), ("b", 1), ("c", 2)])
    with pytest.raises(KeyError):
        row["nosuchcol"]
    with pytest.raises(IndexError):
        row[5]


def test_dictrow_mapping_methods(conn):
    cur = conn.cursor(cursor_factory=extras.DictCursor)
    cur.execute(QUERY)
    row = cur.fetchone()
    assert list(row.keys()) == ["a", "b", "c"]
    assert list(row.values()) == [1, "x", None]
    assert list(row.items()) == [("a", 1), ("b", "x"), ("c", None)]
    assert row.get("a") == 1
    assert row.get("zz") is None
    assert row.get("zz", 5) == 5
    assert row.get(1) == "x"
    assert "a" in row
    assert "zz" not in row
    d = row.copy()
    assert isinstance(d, OrderedDict)
    assert d == OrderedDict([("a", 1), ("b", "x"), ("c", None)])
    assert dict(row.items()) == {"a": 1, "b": "x", "c": None}


def test_dictrow_set_by_name(conn):
    cur = conn.cursor(cursor_factory=extras.DictCursor)
    cur.execute(QUERY)
    row = cur.fetchone()
    row["b"] = "z"
    assert row[1] == "z"


def test_dictrow_pickle(conn):
    cur = conn.cursor(cursor_factory=extras.DictCursor)
    cur.execute(QUERY)
    row = cur.fetchone()
    row2 = pickle.loads(pickle.dumps(row))
    assert row2 == row
    assert row2["b"] == "x"
    assert list(row2.keys()) == ["a", "b", "c"]


def test_dictrow_duplicate_names(conn):
    cur = conn.cursor(cursor_factory=extras.DictCursor)
    cur.execute("select 1 as x, 2 as x")
    row = cur.fetchone()
    assert row["x"] == 2
    assert list(row) == [1, 2]


def test_dictcursor_fetchmany_fetchall_iter(conn):
    cur = conn.cursor(cursor_factory=extras.DictCursor)
    cur.execute(QUERY)
    rows = cur.fetchmany(1)
    assert [r["a"] for r in rows] == [1]
    rows = cur.fetchall()
    assert [r["b"] for r in rows] == ["y"]
    cur.execute(QUERY)
    assert [r["a"] for r in cur] == [1, 2]


def test_dictcursor_reexecute_changes_index(conn):
    cur = conn.cursor(cursor_factory=extras.DictCursor)
    cur.execute("select 1 as foo")
    assert cur.fetchone()["foo"] == 1
    cur.execute("select 2 as bar, 3 as foo")
    row = cur.fetchone()
    assert row["bar"] == 2 and row["foo"] == 3
    assert list(cur.index) == ["bar", "foo"]


def test_dictcursor_callproc(conn):
    cur = conn.cursor(cursor_factory=extras.DictCursor)
    cur.callproc("generate_series", (1, 2))
    rows = cur.fetchall()
    assert [r["generate_series"] for r in rows] == [1, 2]


def test_dictcursor_named(conn):
    cur = conn.cursor("dictnamed", cursor_factory=extras.DictCursor)
    named_query(cur)
    row = cur.fetchone()
    assert row["a"] == 1 and row["b"] == "x"
    rows = cur.fetchall()
    assert rows[0]["c"] == 3


def test_dictcursor_named_iter(conn):
    cur = conn.cursor("dictnamediter", cursor_factory=extras.DictCursor)
    cur.itersize = 1
    named_query(cur)
    assert [(r["a"], r["b"]) for r in cur] == [(1, "x"), (2, "y")]


def test_dictcursor_named_fetchmany(conn):
    cur = conn.cursor("dictnamedmany", cursor_factory=extras.DictCursor)
    named_query(cur)
    rows = cur.fetchmany(2)
    assert [r["a"] for r in rows] == [1, 2]


def test_dictconnection(dsn):
    conn = psycopg2.connect(dsn, connection_factory=extras.DictConnection)
    try:
        cur = conn.cursor()
        assert isinstance(cur, extras.DictCursor)
        cur.execute("select 1 as x")
        assert cur.fetchone()["x"] == 1
        # an explicit factory wins
        cur = conn.cursor(cursor_factory=ext.cursor)
        assert type(cur) is ext.cursor
        cur = conn.cursor("named")
        assert isinstance(cur, extras.DictCursor)
        assert cur.name == "named"
    finally:
        conn.close()


def test_cursor_factory_on_connect(conn_factory):
    conn = conn_factory(cursor_factory=extras.DictCursor)
    cur = conn.cursor()
    assert isinstance(cur, extras.DictCursor)


# RealDictCursor / RealDictRow

def test_realdictcursor(conn):
    cur = conn.cursor(cursor_factory=extras.RealDictCursor)
    cur.execute(QUERY)
    row = cur.fetchone()
    assert isinstance(row, extras.RealDictRow)
    assert isinstance(row, dict)
    assert isinstance(row, OrderedDict)
    assert row == {"a": 1, "b": "x", "c": None}
    assert list(row.keys()) == ["a", "b", "c"]
    assert list(row.values()) == [1, "x", None]
    with pytest.raises(KeyError):
        row[0]
    rows = cur.fetchall()
    assert rows == [{"a": 2, "b": "y", "c": 3}]
    cur.execute(QUERY)
    assert [r["a"] for r in cur] == [1, 2]


def test_realdictrow_pickle(conn):
    cur = conn.cursor(cursor_factory=extras.RealDictCursor)
    cur.execute(QUERY)
    row = cur.fetchone()
    row2 = pickle.loads(pickle.dumps(row))
    assert row2 == row
    assert list(row2.keys()) == ["a", "b", "c"]
    assert isinstance(row2, extras.RealDictRow)


def test_realdictrow_modifiable(conn):
    cur = conn.cursor(cursor_factory=extras.RealDictCursor)
    cur.execute(QUERY)
    row = cur.fetchone()
    row["d"] = 4
    row[0] = "zero"  # once filled, an int key is just a key
    assert row["d"] == 4 and row[0] == "zero"


def test_realdictcursor_reexecute(conn):
    cur = conn.cursor(cursor_factory=extras.RealDictCursor)
    cur.execute("select 1 as foo")
    assert cur.fetchone() == {"foo": 1}
    cur.execute("select 2 as bar")
    assert cur.fetchone() == {"bar": 2}


def test_realdictcursor_named(conn):
    cur = conn.cursor("realnamed", cursor_factory=extras.RealDictCursor)
    named_query(cur)
    assert cur.fetchone() == {"a": 1, "b": "x", "c": None}
    assert cur.fetchall() == [{"a": 2, "b": "y", "c": 3}]


def test_realdictcursor_named_iter(conn):
    cur = conn.cursor("realnamediter", cursor_factory=extras.RealDictCursor)
    cur.itersize = 1
    named_query(cur)
    assert [r["b"] for r in cur] == ["x", "y"]


def test_realdictconnection(dsn):
    conn = psycopg2.connect(dsn, connection_factory=extras.RealDictConnection)
    try:
        cur = conn.cursor()
        assert isinstance(cur, extras.RealDictCursor)
        cur.execute("select 1 as x")
        assert cur.fetchone() == {"x": 1}
    finally:
        conn.close()


# NamedTupleCursor

def test_namedtuplecursor(conn):
    cur = conn.cursor(cursor_factory=extras.NamedTupleCursor)
    cur.execute(QUERY)
    row = cur.fetchone()
    assert isinstance(row, tuple)
    assert type(row).__name__ == "Record"
    assert row.a == 1 and row.b == "x" and row.c is None
    assert row == (1, "x", None)
    rows = cur.fetchall()
    assert isinstance(rows, list)
    assert rows[0].c == 3
    assert cur.fetchall() == []
    assert cur.fetchone() is None


def test_namedtuple_fetchmany_and_iter(conn):
    cur = conn.cursor(cursor_factory=extras.NamedTupleCursor)
    cur.execute(QUERY)
    rows = cur.fetchmany(5)
    assert isinstance(rows, list)
    assert [r.b for r in rows] == ["x", "y"]
    assert cur.fetchmany(5) == []
    cur.execute(QUERY)
    assert [r.a for r in cur] == [1, 2]
    cur.execute("select 1 as a where false")
    assert list(cur) == []


def test_namedtuple_field_names(conn):
    cur = conn.cursor(cursor_factory=extras.NamedTupleCursor)
    cur.execute('select 1 as "foo-bar", 2 as "_x", 3 as "1st", 4 as "a b"')
    row = cur.fetchone()
    assert row._fields == ("foo_bar", "f_x", "f1st", "a_b")
    assert row.foo_bar == 1 and row.f_x == 2 and row.f1st == 3 and row.a_b == 4


def test_namedtuple_class_cached(conn):
    cur = conn.cursor(cursor_factory=extras.NamedTupleCursor)
    cur.execute("select 1 as x, 2 as y")
    r1 = cur.fetchone()
    cur.execute("select 3 as x, 4 as y")
    r2 = cur.fetchone()
    assert type(r1) is type(r2)
    cur.execute("select 3 as x, 4 as z")
    r3 = cur.fetchone()
    assert type(r3) is not type(r1)
    assert r3.z == 4


def test_namedtuple_named_cursor(conn):
    cur = conn.cursor("ntnamed", cursor_factory=extras.NamedTupleCursor)
    cur.itersize = 1
    named_query(cur)
    assert [(r.a, r.b) for r in cur] == [(1, "x"), (2, "y")]
    cur = conn.cursor("ntnamed2", cursor_factory=extras.NamedTupleCursor)
    named_query(cur)
    assert cur.fetchone().b == "x"
    assert cur.fetchmany(3)[0].c == 3


DUP = "select 1 as a, 2 as a union all select 3, 4 union all select 5, 6"
DUP_ERROR = "Encountered duplicate field name: 'a'"


def test_namedtuple_duplicate_names_take_the_rows(conn):
    # as psycopg2: each fetch takes its rows, then fails to make the class
    cur = conn.cursor(cursor_factory=extras.NamedTupleCursor)
    cur.execute(DUP)
    with pytest.raises(ValueError, match=DUP_ERROR):
        cur.fetchone()
    assert cur.rownumber == 1
    with pytest.raises(ValueError, match=DUP_ERROR):
        cur.fetchmany(1)
    assert cur.rownumber == 2
    with pytest.raises(ValueError, match=DUP_ERROR):
        next(iter(cur))
    assert cur.rownumber == 3
    assert cur.fetchone() is None  # no row: no class made
    with pytest.raises(ValueError, match=DUP_ERROR):
        cur.fetchall()  # even for no rows
    cur.execute(DUP)
    with pytest.raises(ValueError, match=DUP_ERROR):
        cur.fetchall()
    assert cur.rownumber == 3


def test_namedtuple_duplicate_names_named_cursor(conn):
    cur = conn.cursor("ntdup", cursor_factory=extras.NamedTupleCursor)
    cur.execute(DUP)
    with pytest.raises(ValueError, match=DUP_ERROR):
        cur.fetchall()
    assert cur.rownumber == 3
    assert cur.fetchone() is None


def test_namedtupleconnection(dsn):
    conn = psycopg2.connect(dsn, connection_factory=extras.NamedTupleConnection)
    try:
        cur = conn.cursor()
        assert isinstance(cur, extras.NamedTupleCursor)
        cur.execute("select 1 as x")
        assert cur.fetchone().x == 1
    finally:
        conn.close()


# LoggingConnection

@pytest.fixture
def logconn(dsn):
    conns = []

    def make(factory=extras.LoggingConnection):
        c = psycopg2.connect(dsn, connection_factory=factory)
        conns.append(c)
        return c

    yield make
    for c in conns:
        c.close()


def test_logging_needs_initialize(logconn):
    conn = logconn()
    with pytest.raises(psycopg2.ProgrammingError):
        conn.cursor()


def test_logging_to_file(logconn):
    conn = logconn()
    f = io.StringIO()
    conn.initialize(f)
    cur = conn.cursor()
    assert isinstance(cur, extras.LoggingCursor)
    cur.execute("select %s", ("hello",))
    assert f.getvalue().splitlines() == ["select 'hello'"]
    cur.callproc("abs", (-3,))
    assert cur.fetchone() == (3,)
    assert len(f.getvalue().splitlines()) == 2


def test_logging_logs_failed_query(logconn):
    conn = logconn()
    f = io.StringIO()
    conn.initialize(f)
    cur = conn.cursor()
    with pytest.raises(psycopg2.ProgrammingError):
        cur.execute("select * from nosuchtable_logtest")
    assert "nosuchtable_logtest" in f.getvalue()


def test_logging_filter(logconn):
    class Filtered(extras.LoggingConnection):
        def filter(self, msg, curs):
            if b"secret" in msg:
                return None
            return b"[" + msg + b"]"

    conn = logconn(Filtered)
    f = io.StringIO()
    conn.initialize(f)
    cur = conn.cursor()
    cur.execute("select 'secret'")
    cur.execute("select 1")
    assert f.getvalue().splitlines() == ["[select 1]"]


def test_logging_to_logger(logconn, caplog):
    conn = logconn()
    logger = logging.getLogger("psycopg2.test.logging")
    conn.initialize(logger)
    cur = conn.cursor()
    with caplog.at_level(logging.DEBUG, logger="psycopg2.test.logging"):
        cur.execute("select 42")
    msgs = [r.getMessage() for r in caplog.records
            if r.name == "psycopg2.test.logging"]
    assert len(msgs) == 1
    assert "select 42" in msgs[0]
    assert caplog.records[0].levelno == logging.DEBUG


def test_logging_named_and_explicit_factory(logconn):
    conn = logconn()
    f = io.StringIO()
    conn.initialize(f)
    cur = conn.cursor(cursor_factory=ext.cursor)
    assert type(cur) is ext.cursor
    cur.execute("select 1")
    assert f.getvalue() == ""


def test_mintime_logging(logconn):
    conn = logconn(extras.MinTimeLoggingConnection)
    f = io.StringIO()
    conn.initialize(f, mintime=100)
    cur = conn.cursor()
    assert isinstance(cur, extras.MinTimeLoggingCursor)
    cur.execute("select 1")
    assert f.getvalue() == ""
    cur.execute("select pg_sleep(0.2)")
    lines = f.getvalue().splitlines()
    assert lines[0] == "select pg_sleep(0.2)"
    assert lines[1].startswith("  (execution time: ")
    assert lines[1].endswith(" ms)")
    ms = int(lines[1].split(":")[1].split()[0])
    assert ms >= 100


def test_mintime_logging_default_logs_all(logconn):
    conn = logconn(extras.MinTimeLoggingConnection)
    f = io.StringIO()
    conn.initialize(f)
    cur = conn.cursor()
    cur.execute("select pg_sleep(0.01)")
    assert "execution time" in f.getvalue()


# The extras namespace

def test_extras_reexports():
    names = """DictCursorBase DictConnection DictCursor DictRow
        RealDictConnection RealDictCursor RealDictRow NamedTupleConnection
        NamedTupleCursor LoggingConnection LoggingCursor
        MinTimeLoggingConnection MinTimeLoggingCursor REPLICATION_PHYSICAL
        REPLICATION_LOGICAL StopReplication Json register_json
        register_default_json register_default_jsonb json register_hstore
        HstoreAdapter register_composite CompositeCaster Range NumericRange
        DateRange DateTimeRange DateTimeTZRange register_range RangeAdapter
        RangeCaster register_ipaddress register_uuid UUID_adapter Inet
        register_inet execute_batch execute_values wait_select
        quote_ident""".split()
    missing = [n for n in names if not hasattr(extras, n)]
    assert not missing
    assert extras.quote_ident is ext.quote_ident
    assert extras.REPLICATION_PHYSICAL == 12345678
    assert extras.REPLICATION_LOGICAL == 87654321
    assert issubclass(extras.StopReplication, Exception)
    assert not issubclass(extras.StopReplication, psycopg2.Error)
