"""Asynchronous connections: connect(async_=True), poll(), fileno(),
isexecuting(), the restrictions of async mode, cancel and notifies."""

import select

import pytest

import psycopg2
from psycopg2 import errors, extensions as ext
from pgsync import WATCHDOG, wait_backend


def wait(conn, timeout=10):
    """Poll *conn* until POLL_OK, as an event loop would."""
    while True:
        state = conn.poll()
        if state == ext.POLL_OK:
            return
        if state == ext.POLL_READ:
            select.select([conn.fileno()], [], [], timeout)
        elif state == ext.POLL_WRITE:
            select.select([], [conn.fileno()], [], timeout)
        else:
            raise AssertionError("bad poll state: %r" % state)


@pytest.fixture
def aconn(dsn):
    conn = psycopg2.connect(dsn, async_=True)
    wait(conn)
    try:
        yield conn
    finally:
        conn.close()


def test_connect_async_states(dsn):
    conn = psycopg2.connect(dsn, async_=True)
    try:
        assert conn.async_ == 1
        assert conn.isexecuting()
        assert conn.status == ext.STATUS_SETUP
        with pytest.raises(psycopg2.OperationalError,
                           match="asynchronous connection attempt underway"):
            conn.cursor()
        wait(conn)
        assert not conn.isexecuting()
        assert conn.status == ext.STATUS_READY
        assert conn.autocommit is True
        assert conn.encoding
        assert conn.server_version > 0
        assert isinstance(conn.fileno(), int)
    finally:
        conn.close()


def test_async_keyword_spelling(dsn):
    conn = psycopg2.connect(dsn, **{"async": True})
    try:
        assert conn.async_ == 1 and getattr(conn, "async") == 1
        wait(conn)
    finally:
        conn.close()


def test_sync_connection_flags(conn):
    assert conn.async_ == 0
    assert not conn.isexecuting()
    assert conn.poll() == ext.POLL_OK


def test_datestyle_iso_after_async_connect(dsn):
    conn = psycopg2.connect(dsn, options="-c DateStyle=German",
                            async_=True)
    try:
        wait(conn)
        assert conn.get_parameter_status("DateStyle").startswith("ISO")
        cur = conn.cursor()
        cur.execute("select '2020-01-02'::date")
        wait(conn)
        assert str(cur.fetchone()[0]) == "2020-01-02"
    finally:
        conn.close()


def test_execute_and_fetch(aconn):
    cur = aconn.cursor()
    cur.execute("select %s, %s", (10, "x"))
    assert aconn.isexecuting()
    wait(aconn)
    assert not aconn.isexecuting()
    assert cur.fetchone() == (10, "x")
    assert cur.rowcount == 1
    assert cur.description[0].name == "?column?"
    cur.execute("select generate_series(1, 5)")
    wait(aconn)
    assert cur.fetchmany(2) == [(1,), (2,)]
    assert cur.fetchall() == [(3,), (4,), (5,)]


def test_callproc(aconn):
    cur = aconn.cursor()
    cur.callproc("pg_sleep", (0,))
    wait(aconn)
    assert cur.fetchone() == ("",)


def test_second_query_while_running(aconn):
    cur = aconn.cursor()
    cur.execute("select pg_sleep(0.2)")
    with pytest.raises(psycopg2.ProgrammingError,
                       match="cannot be used while an asynchronous query"):
        cur.execute("select 1")
    other = aconn.cursor()
    with pytest.raises(psycopg2.ProgrammingError,
                       match="cannot be used while an asynchronous query"):
        other.execute("select 1")
    with pytest.raises(psycopg2.ProgrammingError,
                       match="cannot be used while an asynchronous query"):
        cur.fetchone()
    with pytest.raises(psycopg2.ProgrammingError,
                       match="cannot be used while an asynchronous query"):
        cur.close()
    wait(aconn)
    assert cur.fetchone() == ("",)
    cur.execute("select 2")
    wait(aconn)
    assert cur.fetchone() == (2,)


def test_errors_raised_from_poll(aconn):
    cur = aconn.cursor()
    cur.execute("select 1/0")
    with pytest.raises(errors.DivisionByZero) as exc:
        wait(aconn)
    assert exc.value.pgcode == "22012"
    assert exc.value.cursor is cur
    # the connection is still usable (autocommit: no failed transaction)
    cur.execute("select 3")
    wait(aconn)
    assert cur.fetchone() == (3,)


def test_connect_error_raised_from_poll(dsn):
    conn = psycopg2.connect(dsn + " dbname=nosuchdb_async", async_=True)
    try:
        with pytest.raises(psycopg2.OperationalError, match="nosuchdb_async"):
            wait(conn)
    finally:
        conn.close()


@pytest.mark.parametrize("method, args", [
    ("commit", ()), ("rollback", ()), ("reset", ()),
    ("set_session", ()), ("set_isolation_level", (1,)),
    ("set_client_encoding", ("LATIN1",)), ("tpc_begin", ("x",)),
    ("tpc_prepare", ()), ("tpc_commit", ()), ("tpc_rollback", ()),
    ("tpc_recover", ()), ("__enter__", ()),
])
def test_refused_in_async_mode(aconn, method, args):
    with pytest.raises(psycopg2.ProgrammingError,
                       match="cannot be used in asynchronous mode"):
        getattr(aconn, method)(*args)


def test_session_setters_refused(aconn):
    with pytest.raises(psycopg2.ProgrammingError):
        aconn.autocommit = False
    with pytest.raises(psycopg2.ProgrammingError):
        aconn.isolation_level = 1
    with pytest.raises(psycopg2.ProgrammingError):
        aconn.readonly = True


def test_cursor_restrictions(aconn):
    cur = aconn.cursor()
    with pytest.raises(psycopg2.ProgrammingError,
                       match="executemany cannot be used in asynchronous"):
        cur.executemany("select %s", [(1,), (2,)])
    with pytest.raises(psycopg2.ProgrammingError):
        aconn.cursor("named")
    import io
    with pytest.raises(psycopg2.ProgrammingError,
                       match="cannot be used in asynchronous mode"):
        cur.copy_from(io.StringIO(""), "t")
    with pytest.raises(psycopg2.ProgrammingError,
                       match="cannot be used in asynchronous mode"):
        cur.copy_expert("copy t to stdout", io.StringIO())


def test_explicit_transaction(aconn):
    cur = aconn.cursor()
    for q in ["create temp table at (id int)", "begin",
              "insert into at values (1)", "rollback",
              "insert into at values (2)", "select id from at"]:
        cur.execute(q)
        wait(aconn)
    assert cur.fetchall() == [(2,)]


def test_cancel(dsn, aconn):
    cur = aconn.cursor()
    # watchdog: a lost cancel ends in a statement timeout, not a hang
    cur.execute("set statement_timeout = '%ds'" % WATCHDOG)
    wait(aconn)
    cur.execute("select pg_sleep(3600)")
    # a cancel that reaches the server before the query is ignored
    wait_backend(dsn, aconn.get_backend_pid(), "pg_sleep(3600)")
    aconn.cancel()
    with pytest.raises(ext.QueryCanceledError) as exc:
        wait(aconn)
    assert "user request" in str(exc.value)
    cur.execute("select 1")
    wait(aconn)
    assert cur.fetchone() == (1,)


def test_cancel_idle_is_noop(aconn):
    aconn.cancel()
    cur = aconn.cursor()
    cur.execute("select 1")
    wait(aconn)
    assert cur.fetchone() == (1,)


def test_notifies_collected_by_poll(aconn, conn):
    cur = aconn.cursor()
    cur.execute("listen async_chan")
    wait(aconn)
    conn.autocommit = True
    conn.cursor().execute("notify async_chan, 'hello'")
    for _ in range(50):
        select.select([aconn.fileno()], [], [], 0.1)
        assert aconn.poll() == ext.POLL_OK
        if aconn.notifies:
            break
    n = aconn.notifies.pop()
    assert (n.channel, n.payload) == ("async_chan", "hello")
    assert n.pid == conn.get_backend_pid()


def test_poll_after_close(dsn):
    conn = psycopg2.connect(dsn, async_=True)
    wait(conn)
    conn.close()
    with pytest.raises(psycopg2.InterfaceError, match="connection already"):
        conn.poll()
    assert not conn.isexecuting()


def test_close_while_executing(dsn):
    conn = psycopg2.connect(dsn, async_=True)
    wait(conn)
    cur = conn.cursor()
    cur.execute("select pg_sleep(5)")
    conn.close()
    assert conn.closed
    with pytest.raises(psycopg2.InterfaceError):
        conn.poll()


def test_cursor_gone_before_results(aconn):
    cur = aconn.cursor()
    cur.execute("select 1")
    del cur
    # as psycopg2: the results are dropped, and poll() says why
    with pytest.raises(psycopg2.InterfaceError):
        wait(aconn)
    cur = aconn.cursor()
    cur.execute("select 2")
    wait(aconn)
    assert cur.fetchone() == (2,)


def test_connection_factory_gets_async_flag(dsn):
    seen = []

    class Conn(ext.connection):
        def __init__(self, *args, **kwargs):
            seen.append(args)
            super().__init__(*args, **kwargs)

    conn = psycopg2.connect(dsn, connection_factory=Conn, async_=True)
    try:
        assert len(seen) == 1 and seen[0][1] == 1
        wait(conn)
        assert isinstance(conn, Conn)
    finally:
        conn.close()


# ---- parity with psycopg2: lost cursors, COPY ----

def test_cursor_collected_while_running(aconn):
    import gc

    cur = aconn.cursor()
    cur.execute("select pg_sleep(0.1)")
    del cur
    gc.collect()
    with pytest.raises(psycopg2.InterfaceError,
                       match="the asynchronous cursor has disappeared"):
        wait(aconn)
    assert aconn.closed == 0
    assert not aconn.isexecuting()
    cur = aconn.cursor()
    cur.execute("select 1")
    wait(aconn)
    assert cur.fetchone() == (1,)


@pytest.mark.parametrize("query, message", [
    ("copy acopy from stdin",
     "can't execute COPY FROM: use the copy_from() method instead"),
    ("copy acopy to stdout",
     "can't execute COPY TO: use the copy_to() method instead"),
    ("copy (select generate_series(1, 100000)) to stdout",
     "can't execute COPY TO: use the copy_to() method instead"),
])
def test_copy_through_execute(aconn, query, message):
    cur = aconn.cursor()
    cur.execute("create temp table acopy (x int); "
                "insert into acopy values (1), (2)")
    wait(aconn)
    cur.execute(query)
    with pytest.raises(psycopg2.ProgrammingError) as exc:
        wait(aconn)
    assert type(exc.value) is psycopg2.ProgrammingError
    assert str(exc.value) == message
    # the COPY was ended: the connection goes on (psycopg2 stays stuck)
    assert not aconn.isexecuting()
    assert aconn.info.transaction_status == ext.TRANSACTION_STATUS_IDLE
    cur.execute("select count(*) from acopy")
    wait(aconn)
    assert cur.fetchone() == (2,)
