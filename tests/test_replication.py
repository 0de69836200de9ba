"""Streaming replication over the throwaway cluster (wal_level=logical):
logical slots with test_decoding, a physical slot, the message objects,
feedback, async replication connections and the error cases."""

import datetime
import select
import time

import pytest

import psycopg2
from psycopg2 import extensions as ext
from pgsync import WATCHDOG
from psycopg2 import extras
from psycopg2._psycopg import (
    REPLICATION_LOGICAL, REPLICATION_PHYSICAL, ReplicationConnection,
    ReplicationCursor as _CReplicationCursor)
from psycopg2.extras import (
    LogicalReplicationConnection, PhysicalReplicationConnection,
    ReplicationCursor, ReplicationMessage, StopReplication)

SLOT = "psycopg2_test_slot"


@pytest.fixture
def repl(dsn):
    """Open replication connections; drop test slots and tables after."""
    opened = []

    def factory(kind=LogicalReplicationConnection, **kwargs):
        c = psycopg2.connect(dsn, connection_factory=kind, **kwargs)
        opened.append(c)
        return c

    yield factory
    for c in opened:
        c.close()
    admin = psycopg2.connect(dsn)
    admin.autocommit = True
    cur = admin.cursor()
    for _ in range(int(WATCHDOG * 10)):  # the walsender may take a moment
        cur.execute("select slot_name from pg_replication_slots "
                    "where slot_name like 'psycopg2_test%%' and active")
        if not cur.fetchall():
            break
        time.sleep(0.1)
    cur.execute("select pg_drop_replication_slot(slot_name) "
                "from pg_replication_slots "
                "where slot_name like 'psycopg2_test%%'")
    cur.execute("drop table if exists repl_test")
    admin.close()


@pytest.fixture
def admin(conn):
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("drop table if exists repl_test")
    cur.execute("create table repl_test (id int primary key, data text)")
    return cur


def test_constants():
    assert REPLICATION_PHYSICAL == 12345678
    assert REPLICATION_LOGICAL == 87654321
    assert extras.REPLICATION_LOGICAL == REPLICATION_LOGICAL
    assert issubclass(ReplicationConnection, ext.connection)
    assert issubclass(_CReplicationCursor, ext.cursor)
    assert issubclass(StopReplication, Exception)
    assert not issubclass(StopReplication, psycopg2.Error)


def test_connection_properties(repl):
    rc = repl()
    assert rc.replication_type == REPLICATION_LOGICAL
    assert "replication=database" in rc.dsn
    assert isinstance(rc.cursor(), ReplicationCursor)
    for name in ("autocommit", "isolation_level", "set_session",
                 "set_isolation_level", "reset"):
        with pytest.raises(AttributeError):
            getattr(rc, name)
    pc = repl(PhysicalReplicationConnection)
    assert pc.replication_type == REPLICATION_PHYSICAL
    assert "replication=true" in pc.dsn
    assert "dbname=replication" in pc.dsn


def test_bad_replication_type(dsn):
    with pytest.raises(TypeError):
        ReplicationConnection(dsn, replication_type=42)


def test_identify_system(repl):
    for kind in (LogicalReplicationConnection, PhysicalReplicationConnection):
        cur = repl(kind).cursor()
        cur.execute("IDENTIFY_SYSTEM")
        row = cur.fetchone()
        assert len(row) == 4
        assert "/" in row[2]


def test_logical_end_to_end(repl, admin):
    rc = repl()
    cur = rc.cursor()
    cur.create_replication_slot(SLOT, output_plugin="test_decoding")
    admin.execute("insert into repl_test values (1, 'one'), (2, 'two')")
    admin.execute("update repl_test set data = 'deux' where id = 2")

    cur.start_replication(SLOT, decode=True)
    got = []

    def consume(msg):
        got.append(msg)
        msg.cursor.send_feedback(flush_lsn=msg.data_start)
        if msg.payload.startswith("COMMIT") and any(
                "UPDATE" in m.payload for m in got):
            raise StopReplication()

    with pytest.raises(StopReplication):
        cur.consume_stream(consume)

    payloads = [m.payload for m in got]
    changes = [p for p in payloads if p.startswith("table")]
    assert changes == [
        "table public.repl_test: INSERT: id[integer]:1 data[text]:'one'",
        "table public.repl_test: INSERT: id[integer]:2 data[text]:'two'",
        "table public.repl_test: UPDATE: id[integer]:2 data[text]:'deux'",
    ]
    assert payloads[0].startswith("BEGIN")
    for m in got:
        assert isinstance(m, ReplicationMessage)
        assert isinstance(m.payload, str)
        assert m.data_size == len(m.payload.encode())
        assert m.data_start > 0 and m.wal_end > 0
        assert isinstance(m.send_time, datetime.datetime)
        assert abs(m.send_time - datetime.datetime.now()) < \
            datetime.timedelta(minutes=5)
        assert m.cursor is cur
    starts = [m.data_start for m in got]
    assert starts == sorted(starts)
    assert cur.wal_end >= got[-1].data_start
    assert isinstance(cur.io_timestamp, datetime.datetime)
    assert isinstance(cur.feedback_timestamp, datetime.datetime)
    assert "data_size" in repr(got[0])


def test_logical_bytes_read_message(repl, admin):
    rc = repl()
    cur = rc.cursor()
    cur.create_replication_slot(SLOT, output_plugin="test_decoding")
    admin.execute("insert into repl_test values (10, 'x')")
    cur.start_replication(SLOT, options={"include-xids": 0},
                          status_interval=1)
    got = []
    deadline = time.monotonic() + WATCHDOG
    while time.monotonic() < deadline:
        msg = cur.read_message()
        if msg is None:
            select.select([cur], [], [], 0.5)
            continue
        got.append(msg)
        if msg.payload.startswith(b"COMMIT"):
            break
    assert [m.payload for m in got] == [
        b"BEGIN",
        b"table public.repl_test: INSERT: id[integer]:10 data[text]:'x'",
        b"COMMIT",
    ]
    assert all(m.data_size == len(m.payload) for m in got)


def test_feedback_advances_slot(repl, admin):
    rc = repl()
    cur = rc.cursor()
    cur.create_replication_slot(SLOT, output_plugin="test_decoding")
    admin.execute("insert into repl_test values (1, 'a')")
    cur.start_replication(SLOT)
    last = []

    def consume(msg):
        if msg.payload.startswith(b"COMMIT"):
            last.append(msg)
            msg.cursor.send_feedback(flush_lsn=msg.data_start, force=True)
            raise StopReplication

    with pytest.raises(StopReplication):
        cur.consume_stream(consume)
    lsn = last[0].data_start
    for _ in range(int(WATCHDOG * 10)):  # watchdog
        admin.execute("select confirmed_flush_lsn - '0/0'::pg_lsn "
                      "from pg_replication_slots where slot_name = %s",
                      (SLOT,))
        confirmed = int(admin.fetchone()[0])
        if confirmed >= lsn:
            break
        time.sleep(0.1)
    assert confirmed >= lsn


def test_consumer_exception_propagates(repl, admin):
    cur = repl().cursor()
    cur.create_replication_slot(SLOT, output_plugin="test_decoding")
    admin.execute("insert into repl_test values (1, 'a')")
    cur.start_replication(SLOT)

    def consume(msg):
        raise ZeroDivisionError("consumer failed")

    with pytest.raises(ZeroDivisionError):
        cur.consume_stream(consume)


def test_start_replication_expert(repl, admin):
    cur = repl().cursor()
    cur.create_replication_slot(SLOT, output_plugin="test_decoding")
    admin.execute("insert into repl_test values (3, 'c')")
    from psycopg2 import sql
    cur.start_replication_expert(
        sql.SQL("START_REPLICATION SLOT {} LOGICAL 0/0").format(
            sql.Identifier(SLOT)), decode=True)
    with pytest.raises(psycopg2.ProgrammingError, match="already"):
        cur.start_replication_expert("START_REPLICATION SLOT x LOGICAL 0/0")
    seen = []

    def consume(msg):
        seen.append(msg.payload)
        if msg.payload.startswith("COMMIT"):
            raise StopReplication

    with pytest.raises(StopReplication):
        cur.consume_stream(consume, keepalive_interval=1)
    assert any("id[integer]:3" in p for p in seen)


def test_physical_slot(repl, admin):
    pc = repl(PhysicalReplicationConnection)
    cur = pc.cursor()
    cur.execute("IDENTIFY_SYSTEM")
    xlogpos = cur.fetchone()[2]
    cur.create_replication_slot(SLOT + "_phys")
    cur.start_replication(SLOT + "_phys", start_lsn=xlogpos)
    admin.execute("insert into repl_test values (5, 'physical')")
    got = []
    deadline = time.monotonic() + WATCHDOG
    while time.monotonic() < deadline and not got:
        msg = cur.read_message()
        if msg is None:
            select.select([cur], [], [], 0.5)
            continue
        got.append(msg)
    assert got
    msg = got[0]
    assert isinstance(msg.payload, bytes) and msg.data_size > 0
    hi, lo = xlogpos.split("/")
    assert msg.data_start >= (int(hi, 16) << 32) + int(lo, 16)
    cur.send_feedback(write_lsn=msg.data_start, flush_lsn=msg.data_start,
                      apply_lsn=msg.data_start, reply=True)


def test_async_replication(repl, admin):
    rc = repl(async_=True)
    extras.wait_select(rc)
    cur = rc.cursor()
    cur.create_replication_slot(SLOT, output_plugin="test_decoding")
    extras.wait_select(rc)
    admin.execute("insert into repl_test values (7, 'async')")
    cur.start_replication(SLOT, decode=True)
    extras.wait_select(rc)
    with pytest.raises(psycopg2.ProgrammingError,
                       match="consume_stream cannot be used in "
                             "asynchronous mode"):
        cur.consume_stream(lambda msg: None)
    got = []
    deadline = time.monotonic() + WATCHDOG
    while time.monotonic() < deadline:
        msg = cur.read_message()
        if msg is None:
            select.select([cur], [], [], 0.5)
            continue
        got.append(msg.payload)
        if msg.payload.startswith("COMMIT"):
            break
    assert any("data[text]:'async'" in p for p in got)


def test_slot_creation_errors(repl):
    cur = repl().cursor()
    with pytest.raises(psycopg2.ProgrammingError):
        cur.create_replication_slot(SLOT)  # logical needs a plugin
    with pytest.raises(psycopg2.ProgrammingError):
        cur.create_replication_slot(SLOT, slot_type=REPLICATION_PHYSICAL,
                                    output_plugin="test_decoding")
    with pytest.raises(psycopg2.ProgrammingError):
        cur.create_replication_slot(SLOT, slot_type=42)
    with pytest.raises(psycopg2.ProgrammingError):
        cur.drop_replication_slot("psycopg2_test_no_such_slot")


def test_start_replication_errors(repl):
    cur = repl().cursor()
    with pytest.raises(psycopg2.ProgrammingError):
        cur.start_replication()  # logical needs a slot
    with pytest.raises(psycopg2.ProgrammingError):
        cur.start_replication(SLOT, timeline=1)
    with pytest.raises(psycopg2.ProgrammingError):
        cur.start_replication(SLOT, status_interval=0.5)
    with pytest.raises(psycopg2.ProgrammingError):
        cur.start_replication(SLOT, start_lsn="nonsense")
    pcur = repl(PhysicalReplicationConnection).cursor()
    with pytest.raises(psycopg2.ProgrammingError):
        pcur.start_replication(options={"a": 1})
    with pytest.raises(psycopg2.ProgrammingError):
        cur.start_replication("psycopg2_test_no_such_slot")  # server error


def test_not_started(repl):
    cur = repl().cursor()
    with pytest.raises(psycopg2.ProgrammingError, match="not in progress"):
        cur.read_message()
    with pytest.raises(psycopg2.ProgrammingError, match="not in progress"):
        cur.consume_stream(lambda m: None)
    with pytest.raises(psycopg2.ProgrammingError, match="not in progress"):
        cur.send_feedback(flush_lsn=1)


def test_replication_on_normal_connection(conn):
    conn.autocommit = True
    cur = _CReplicationCursor(conn)
    with pytest.raises(psycopg2.ProgrammingError):
        cur.start_replication_expert(
            "START_REPLICATION SLOT psycopg2_test_x LOGICAL 0/0")
    with pytest.raises(psycopg2.ProgrammingError):
        cur.read_message()
    # the connection is fine afterwards
    cur.execute("select 1")
    assert cur.fetchone() == (1,)


def test_replication_message_constructor(conn):
    cur = conn.cursor()
    msg = ReplicationMessage(cur, b"payload")
    assert msg.cursor is cur and msg.payload == b"payload"
    assert msg.data_size == 7
