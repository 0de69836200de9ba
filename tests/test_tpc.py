"""Two-phase commit: Xid objects and the tpc_* methods."""

import datetime

import pytest

import psycopg2
from psycopg2 import extensions as ext


@pytest.fixture
def tpc_table(dsn):
    admin = psycopg2.connect(dsn)
    admin.autocommit = True
    cur = admin.cursor()
    cur.execute("drop table if exists tpc_test")
    cur.execute("create table tpc_test (data text)")
    try:
        yield "tpc_test"
    finally:
        for x in admin.tpc_recover():
            if x.gtrid.startswith("tpctest"):
                admin.tpc_rollback(x)
        cur.execute("drop table if exists tpc_test")
        admin.close()


def count_rows(dsn):
    c = psycopg2.connect(dsn)
    try:
        cur = c.cursor()
        cur.execute("select count(*) from tpc_test")
        return cur.fetchone()[0]
    finally:
        c.close()


def count_prepared(conn, gid_prefix="%"):
    cur = conn.cursor()
    cur.execute("select count(*) from pg_prepared_xacts where gid like %s",
                (gid_prefix,))
    n = cur.fetchone()[0]
    conn.rollback()
    return n


# ---- Xid ----

def test_xid_fields_and_sequence(conn):
    x = conn.xid(42, "gtrid", "bqual")
    assert isinstance(x, ext.Xid)
    assert (x.format_id, x.gtrid, x.bqual) == (42, "gtrid", "bqual")
    assert len(x) == 3
    assert x[0] == 42 and x[1] == "gtrid" and x[2] == "bqual"
    assert x[-1] == "bqual"
    fid, g, b = x
    assert (fid, g, b) == (42, "gtrid", "bqual")
    assert x.prepared is None and x.owner is None and x.database is None
    with pytest.raises(IndexError):
        x[3]
    with pytest.raises(AttributeError):
        x.gtrid = "other"


def test_xid_str_roundtrip():
    x = ext.Xid(7, "gt", "bq")
    assert str(x) == "7_Z3Q=_YnE="
    y = ext.Xid.from_string(str(x))
    assert (y.format_id, y.gtrid, y.bqual) == (7, "gt", "bq")
    for g, b in [("", ""), ("a", "bc"), ("x" * 64, "y" * 64),
                 ("with_underscore", "sp ace"), ("~!@#$%^&*()", "'\"")]:
        s = str(ext.Xid(0x7FFFFFFF, g, b))
        z = ext.Xid.from_string(s)
        assert (z.format_id, z.gtrid, z.bqual) == (0x7FFFFFFF, g, b)


def test_xid_from_foreign_string():
    for s in ["foo", "42_notb64!_x", "1_2_3_4", "_Zm9v_YmFy", ""]:
        x = ext.Xid.from_string(s)
        assert x.format_id is None and x.bqual is None
        assert x.gtrid == s
        assert str(x) == s


@pytest.mark.parametrize("args", [
    (-1, "a", "b"), (2 ** 31, "a", "b"), (0, "x" * 65, "b"),
    (0, "a", "y" * 65), (0, "a\n", "b"), (0, "a", "\x7f"), (0, "é", "b"),
])
def test_xid_bad_values(conn, args):
    # psycopg2's classes: a format_id past 32 bits is an OverflowError
    with pytest.raises(OverflowError if args[0] == 2 ** 31 else ValueError):
        conn.xid(*args)


def test_xid_bad_types():
    with pytest.raises(TypeError):
        ext.Xid("1", "a", "b")
    with pytest.raises(TypeError):
        ext.Xid(1, b"a", "b")
    with pytest.raises(TypeError):
        ext.Xid(1, "a")


# ---- tpc ----

def test_two_phase_commit(conn, dsn, tpc_table):
    x = conn.xid(1, "tpctest-commit", "b")
    assert conn.status == ext.STATUS_READY
    conn.tpc_begin(x)
    assert conn.status == ext.STATUS_BEGIN
    cur = conn.cursor()
    cur.execute("insert into tpc_test values ('a')")
    assert count_rows(dsn) == 0
    conn.tpc_prepare()
    assert conn.status == ext.STATUS_PREPARED
    assert count_rows(dsn) == 0
    with pytest.raises(psycopg2.ProgrammingError,
                       match="prepared two-phase transaction"):
        cur.execute("select 1")
    conn.tpc_commit()
    assert conn.status == ext.STATUS_READY
    assert count_rows(dsn) == 1


def test_one_phase_commit(conn, dsn, tpc_table):
    conn.tpc_begin(conn.xid(1, "tpctest-1pc", "b"))
    conn.cursor().execute("insert into tpc_test values ('a')")
    conn.tpc_commit()  # not prepared: plain COMMIT
    assert conn.status == ext.STATUS_READY
    assert count_rows(dsn) == 1
    assert count_prepared(conn, "%tpctest%") == 0


def test_two_phase_rollback(conn, dsn, tpc_table):
    conn.tpc_begin(conn.xid(1, "tpctest-rb", "b"))
    conn.cursor().execute("insert into tpc_test values ('a')")
    conn.tpc_prepare()
    conn.tpc_rollback()
    assert conn.status == ext.STATUS_READY
    assert count_rows(dsn) == 0


def test_one_phase_rollback(conn, dsn, tpc_table):
    conn.tpc_begin(conn.xid(1, "tpctest-rb1", "b"))
    conn.cursor().execute("insert into tpc_test values ('a')")
    conn.tpc_rollback()
    assert conn.status == ext.STATUS_READY
    assert count_rows(dsn) == 0


def test_string_xid(conn, dsn, tpc_table):
    conn.tpc_begin("tpctest-plain")
    conn.cursor().execute("insert into tpc_test values ('a')")
    conn.tpc_prepare()
    other = psycopg2.connect(dsn)
    try:
        xids = [x for x in other.tpc_recover() if x.gtrid == "tpctest-plain"]
        assert len(xids) == 1
        assert xids[0].format_id is None and xids[0].bqual is None
    finally:
        other.close()
    conn.tpc_commit()
    assert count_rows(dsn) == 1


def test_recover_and_commit_from_another_connection(conn, dsn, tpc_table):
    x = conn.xid(77, "tpctest-recover", "branch")
    conn.tpc_begin(x)
    conn.cursor().execute("insert into tpc_test values ('r')")
    conn.tpc_prepare()
    conn.close()  # the prepared transaction survives

    other = psycopg2.connect(dsn)
    try:
        found = [r for r in other.tpc_recover()
                 if r.gtrid == "tpctest-recover"]
        assert len(found) == 1
        r = found[0]
        assert (r.format_id, r.bqual) == (77, "branch")
        assert isinstance(r.prepared, datetime.datetime)
        assert r.prepared.tzinfo is not None
        assert r.owner == other.info.user
        assert r.database == other.info.dbname
        assert other.status == ext.STATUS_READY  # left as found
        other.tpc_commit(r)
        assert other.status == ext.STATUS_READY
        assert count_rows(dsn) == 1
        with pytest.raises(psycopg2.ProgrammingError):
            other.tpc_commit(r)  # gone: server error
    finally:
        other.close()


def test_rollback_recovered_by_str(conn, dsn, tpc_table):
    x = conn.xid(5, "tpctest-rbs", "q")
    conn.tpc_begin(x)
    conn.cursor().execute("insert into tpc_test values ('r')")
    conn.tpc_prepare()
    conn.close()
    other = psycopg2.connect(dsn)
    try:
        other.tpc_rollback(str(x))
        assert count_rows(dsn) == 0
        assert not [r for r in other.tpc_recover()
                    if r.gtrid == "tpctest-rbs"]
    finally:
        other.close()


def test_recover_in_transaction_keeps_it(conn, tpc_table):
    cur = conn.cursor()
    cur.execute("select 1")
    assert conn.status == ext.STATUS_BEGIN
    conn.tpc_recover()
    assert conn.status == ext.STATUS_BEGIN
    conn.rollback()
    conn.tpc_recover()
    assert conn.status == ext.STATUS_READY


def test_misuse(conn, tpc_table):
    cur = conn.cursor()
    with pytest.raises(psycopg2.ProgrammingError):
        conn.tpc_prepare()  # no tpc
    with pytest.raises(psycopg2.ProgrammingError):
        conn.tpc_commit()  # no tpc
    with pytest.raises(psycopg2.ProgrammingError):
        conn.tpc_rollback()
    cur.execute("select 1")
    with pytest.raises(psycopg2.ProgrammingError,
                       match="tpc_begin cannot be used inside a transaction"):
        conn.tpc_begin(conn.xid(1, "tpctest-x", "y"))
    with pytest.raises(psycopg2.ProgrammingError,
                       match="outside a transaction"):
        conn.tpc_commit(conn.xid(1, "tpctest-x", "y"))
    conn.rollback()

    conn.tpc_begin(conn.xid(1, "tpctest-mix", "y"))
    with pytest.raises(psycopg2.ProgrammingError,
                       match="commit cannot be used during a two-phase"):
        conn.commit()
    with pytest.raises(psycopg2.ProgrammingError,
                       match="rollback cannot be used during a two-phase"):
        conn.rollback()
    with pytest.raises(psycopg2.ProgrammingError):
        conn.tpc_begin(conn.xid(1, "tpctest-again", "y"))
    conn.tpc_prepare()
    with pytest.raises(psycopg2.ProgrammingError):
        conn.tpc_prepare()
    with pytest.raises(psycopg2.ProgrammingError):
        conn.commit()
    conn.tpc_rollback()
    assert conn.status == ext.STATUS_READY
    with pytest.raises(TypeError):
        conn.tpc_begin(42)


def test_autocommit_interplay(conn, tpc_table):
    conn.autocommit = True
    with pytest.raises(psycopg2.ProgrammingError, match="autocommit"):
        conn.tpc_begin(conn.xid(1, "tpctest-ac", "y"))
    conn.autocommit = False
    conn.tpc_begin(conn.xid(1, "tpctest-ac", "y"))
    with pytest.raises(psycopg2.ProgrammingError):
        conn.autocommit = True
    conn.tpc_rollback()
    conn.autocommit = True  # fine again


def test_reset_ends_tpc(conn, dsn, tpc_table):
    conn.tpc_begin(conn.xid(1, "tpctest-reset", "y"))
    conn.cursor().execute("insert into tpc_test values ('a')")
    conn.reset()
    assert conn.status == ext.STATUS_READY
    conn.cursor().execute("select 1")
    conn.commit()  # no longer a TPC
    assert count_rows(dsn) == 0


def test_unknown_xid_is_server_error(conn):
    with pytest.raises(psycopg2.ProgrammingError):
        conn.tpc_commit(conn.xid(1, "tpctest-nonexistent", "x"))
    with pytest.raises(psycopg2.ProgrammingError):
        conn.tpc_rollback("tpctest-nonexistent-plain")
