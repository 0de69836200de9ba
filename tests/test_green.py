"""Green mode: with a wait callback installed every blocking operation of a
synchronous connection goes through callback(conn), which polls."""

import io
import select

import pytest

import psycopg2
from psycopg2 import errors, extensions as ext
from psycopg2.extras import wait_select


class Recorder:
    """A wait callback that counts its calls and the poll states seen."""

    def __init__(self):
        self.calls = 0
        self.states = []

    def __call__(self, conn):
        self.calls += 1
        while True:
            state = conn.poll()
            self.states.append(state)
            if state == ext.POLL_OK:
                return
            if state == ext.POLL_READ:
                select.select([conn.fileno()], [], [], 10)
            elif state == ext.POLL_WRITE:
                select.select([], [conn.fileno()], [], 10)
            else:
                raise AssertionError(state)


@pytest.fixture
def callback():
    rec = Recorder()
    ext.set_wait_callback(rec)
    try:
        yield rec
    finally:
        ext.set_wait_callback(None)


def test_set_get_callback():
    assert ext.get_wait_callback() is None
    ext.set_wait_callback(wait_select)
    try:
        assert ext.get_wait_callback() is wait_select
    finally:
        ext.set_wait_callback(None)
    assert ext.get_wait_callback() is None
    with pytest.raises(TypeError):
        ext.set_wait_callback(42)


def test_every_operation_uses_the_callback(callback, dsn):
    conn = psycopg2.connect(dsn)
    try:
        assert callback.calls >= 1  # connect (and maybe the DateStyle SET)
        assert conn.async_ == 0
        n = callback.calls
        cur = conn.cursor()
        cur.execute("select 1")  # BEGIN + SELECT (maybe one round trip)
        assert cur.fetchone() == (1,)
        assert callback.calls >= n + 1
        n = callback.calls
        conn.commit()
        assert callback.calls == n + 1
        n = callback.calls
        named = conn.cursor("green_named")
        named.execute("select generate_series(1, 10)")
        assert named.fetchmany(3) == [(1,), (2,), (3,)]
        assert list(named) == [(i,) for i in range(4, 11)]
        named.close()
        conn.rollback()
        assert callback.calls > n + 3
        assert ext.POLL_READ in callback.states
    finally:
        conn.close()


def test_no_callback_after_removal(dsn):
    rec = Recorder()
    ext.set_wait_callback(rec)
    ext.set_wait_callback(None)
    conn = psycopg2.connect(dsn)
    try:
        conn.cursor().execute("select 1")
        assert rec.calls == 0
    finally:
        conn.close()


def test_server_errors_after_callback(callback, dsn):
    conn = psycopg2.connect(dsn)
    try:
        cur = conn.cursor()
        with pytest.raises(errors.UndefinedTable) as exc:
            cur.execute("select * from nosuchtable_green")
        assert exc.value.cursor is cur
        assert not conn.closed
        conn.rollback()
        cur.execute("select 2")
        assert cur.fetchone() == (2,)
    finally:
        conn.close()


def test_connect_error(callback, dsn):
    with pytest.raises(psycopg2.OperationalError, match="nosuchdb_green"):
        psycopg2.connect(dsn + " dbname=nosuchdb_green")


def test_callback_raising_closes_connection(dsn):
    class Boom(Exception):
        pass

    calls = []

    def cb(conn):
        calls.append(conn)
        if len(calls) > 1:
            raise Boom("stop")
        wait_select(conn)

    conn = psycopg2.connect(dsn)  # no callback yet
    ext.set_wait_callback(cb)
    try:
        wait_select(conn)  # nothing in flight: poll() is POLL_OK
        cur = conn.cursor()
        conn.autocommit = True
        cur.execute("select 1")  # first call: fine
        with pytest.raises(Boom):
            cur.execute("select 2")
        assert conn.closed
        with pytest.raises(psycopg2.InterfaceError):
            cur.execute("select 3")
    finally:
        ext.set_wait_callback(None)
        conn.close()


def test_callback_returning_early(dsn):
    conn = psycopg2.connect(dsn)
    ext.set_wait_callback(lambda conn: None)
    try:
        with pytest.raises(psycopg2.OperationalError,
                           match="before the operation was complete"):
            conn.cursor().execute("select 1")
        assert conn.closed
    finally:
        ext.set_wait_callback(None)
        conn.close()


def test_concurrent_use_from_callback(dsn):
    """A second green thread using the connection while the first waits."""
    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    seen = []

    def cb(c):
        if not seen:
            # what another coroutine would do while this one is suspended
            try:
                c.cursor().execute("select 'intruder'")
            except psycopg2.ProgrammingError as ex:
                seen.append(str(ex))
        wait_select(c)

    ext.set_wait_callback(cb)
    try:
        cur = conn.cursor()
        cur.execute("select 'first'")
        assert cur.fetchone() == ("first",)
        assert seen == ["a single async query can be executed on the same "
                        "connection"]
        assert not conn.closed
    finally:
        ext.set_wait_callback(None)
        conn.close()


def test_other_thread_after_green_wait(dsn):
    """Another thread starting a command in the window where this thread's
    green command is over (its callback's poll() said so) but the callback
    has not returned yet: it is refused, as in psycopg2, and this command
    keeps its result and the connection (it used to find the other
    thread's command in flight, call its own callback early and close the
    connection under the other thread's wait)."""
    import threading

    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    ready = conn.cursor()
    ready.execute("select 42")
    sent = threading.Event()
    main = threading.get_ident()
    other = []

    def run(c):
        # reading a result already there is fine, as in psycopg2
        other.append(ready.fetchone())
        try:
            c.cursor().execute("select 'other'")
            other.append("ran")
        except psycopg2.Error as ex:
            other.append(ex)
        sent.set()

    def cb(c):
        if threading.get_ident() != main:
            sent.set()          # the other thread's command went out
            wait_select(c)
            return
        wait_select(c)          # this thread's command is over
        if not other:
            t = threading.Thread(target=run, args=(c,))
            other.append(t)
            t.start()
            sent.wait()

    ext.set_wait_callback(cb)
    try:
        cur = conn.cursor()
        cur.execute("select 'first'")
        other[0].join()
        assert cur.fetchone() == ("first",)
        assert not conn.closed
        assert len(other) == 3 and other[1] == (42,)
        assert isinstance(other[2], psycopg2.ProgrammingError)
        assert "asynchronous query is underway" in str(other[2])
        cur.execute("select 'after'")
        assert cur.fetchone() == ("after",)
    finally:
        ext.set_wait_callback(None)
        conn.close()


def test_poll_advances_sync_operation(dsn):
    """poll() on a sync connection drives the operation in flight."""
    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    states = []

    def cb(c):
        while True:
            s = c.poll()
            states.append(s)
            if s == ext.POLL_OK:
                break
            select.select([c.fileno()], [], [], 10)

    ext.set_wait_callback(cb)
    try:
        cur = conn.cursor()
        cur.execute("select pg_sleep(0.1), 5")
        assert cur.fetchone() == ("", 5)
        assert states[-1] == ext.POLL_OK and ext.POLL_READ in states
    finally:
        ext.set_wait_callback(None)
        conn.close()


def test_copy_refused(callback, dsn):
    conn = psycopg2.connect(dsn)
    try:
        cur = conn.cursor()
        with pytest.raises(psycopg2.ProgrammingError,
                           match="cannot be used with an asynchronous "
                                 "callback"):
            cur.copy_from(io.StringIO("1\n"), "t")
        with pytest.raises(psycopg2.ProgrammingError,
                           match="cannot be used with an asynchronous "
                                 "callback"):
            cur.copy_to(io.StringIO(), "t")
        with pytest.raises(psycopg2.ProgrammingError,
                           match="cannot be used with an asynchronous "
                                 "callback"):
            cur.copy_expert("copy t to stdout", io.StringIO())
    finally:
        conn.close()


def test_notifies(callback, dsn):
    conn = psycopg2.connect(dsn)
    other = psycopg2.connect(dsn)
    try:
        conn.autocommit = other.autocommit = True
        conn.cursor().execute("listen green_chan")
        other.cursor().execute("notify green_chan, 'p'")
        for _ in range(50):
            select.select([conn.fileno()], [], [], 0.1)
            conn.poll()
            if conn.notifies:
                break
        assert [(n.channel, n.payload) for n in conn.notifies] == [
            ("green_chan", "p")]
    finally:
        conn.close()
        other.close()


def test_transactions_and_status(callback, dsn):
    conn = psycopg2.connect(dsn)
    try:
        cur = conn.cursor()
        cur.execute("create temp table gt (id int)")
        assert conn.status == ext.STATUS_BEGIN
        conn.commit()
        with conn:
            cur.execute("insert into gt values (1)")
        cur.execute("select count(*) from gt")
        assert cur.fetchone() == (1,)
        conn.rollback()
        assert conn.status == ext.STATUS_READY
    finally:
        conn.close()


def _wait_gone(dsn, pid):
    """Wait until the server has no backend `pid` any more."""
    ext.set_wait_callback(None)
    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    try:
        cur = conn.cursor()
        cur.execute("select pg_terminate_backend(%s)", (pid,))
        assert cur.fetchone() == (True,)
        while True:
            cur.execute("select count(*) from pg_stat_activity "
                        "where pid = %s", (pid,))
            if cur.fetchone() == (0,):
                return
            cur.execute("select pg_sleep(0.05)")
    finally:
        conn.close()


def test_terminated_backend_is_broken(dsn):
    # as in blocking mode (and psycopg2): closed == 2
    ext.set_wait_callback(wait_select)
    try:
        conn = psycopg2.connect(dsn)
        pid = conn.info.backend_pid
        _wait_gone(dsn, pid)
        ext.set_wait_callback(wait_select)
        with pytest.raises(psycopg2.OperationalError):
            conn.cursor().execute("select 1")
        assert conn.closed == 2
        with pytest.raises(psycopg2.InterfaceError):
            conn.rollback()
        conn.close()
        assert conn.closed == 1
    finally:
        ext.set_wait_callback(None)


def test_failing_callback_leaves_connection_broken(dsn):
    def bad(conn):
        raise ZeroDivisionError("from the callback")

    ext.set_wait_callback(wait_select)
    try:
        conn = psycopg2.connect(dsn)
        ext.set_wait_callback(bad)
        with pytest.raises(ZeroDivisionError):
            conn.cursor().execute("select 1")
        assert conn.closed == 2
    finally:
        ext.set_wait_callback(None)
