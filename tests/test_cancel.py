"""connection.cancel() and the other ways a statement gets cancelled: all
raise QueryCanceledError (SQLSTATE 57014) and leave the connection usable."""

import signal
import threading

import pytest

import psycopg2
from psycopg2 import errors, extensions as ext
from pgsync import WATCHDOG, Proxy, wait_backend

SLEEP = "select pg_sleep(3600)"


def watchdog(conn):
    """A query that is never cancelled ends with a statement timeout (same
    SQLSTATE, other message) instead of hanging the suite."""
    autocommit = conn.autocommit
    conn.autocommit = True
    conn.cursor().execute("set statement_timeout = '%ds'" % WATCHDOG)
    conn.autocommit = autocommit


def when_running(dsn, conn, action):
    """Run *action* in a thread once *conn*'s backend runs SLEEP; returns
    a join() that re-raises what the thread raised."""
    pid = conn.get_backend_pid()
    errors_ = []

    def body():
        try:
            wait_backend(dsn, pid, SLEEP)
            action()
        except BaseException as e:  # re-raised by join()
            errors_.append(e)

    t = threading.Thread(target=body, daemon=True)
    t.start()

    def join():
        t.join(WATCHDOG)
        assert not t.is_alive()
        if errors_:
            raise errors_[0]

    return join


def assert_user_cancel(exc):
    assert exc.value.pgcode == "57014"
    assert "user request" in str(exc.value)  # not the watchdog


def assert_usable(conn):
    conn.rollback()
    cur = conn.cursor()
    cur.execute("select 1")
    assert cur.fetchone() == (1,)
    conn.rollback()


def test_cancel_from_thread(dsn, conn):
    watchdog(conn)
    cur = conn.cursor()
    join = when_running(dsn, conn, conn.cancel)
    with pytest.raises(ext.QueryCanceledError) as exc:
        cur.execute(SLEEP)
    join()
    assert_user_cancel(exc)
    assert isinstance(exc.value, errors.QueryCanceled)
    assert isinstance(exc.value, psycopg2.OperationalError)
    assert not conn.closed
    assert_usable(conn)


@pytest.mark.skipif(not hasattr(signal, "pthread_kill"),
                    reason="needs signal.pthread_kill")
def test_cancel_from_signal_handler(dsn, conn):
    watchdog(conn)
    cur = conn.cursor()
    main = threading.get_ident()
    old = signal.signal(signal.SIGALRM, lambda *args: conn.cancel())
    try:
        join = when_running(
            dsn, conn, lambda: signal.pthread_kill(main, signal.SIGALRM))
        with pytest.raises(ext.QueryCanceledError) as exc:
            cur.execute(SLEEP)
        join()
    finally:
        signal.signal(signal.SIGALRM, old)
    assert_user_cancel(exc)
    assert_usable(conn)


def test_pg_cancel_backend(dsn, conn, conn_factory):
    watchdog(conn)
    other = conn_factory()
    other.autocommit = True
    pid = conn.get_backend_pid()

    def kill():
        other.cursor().execute("select pg_cancel_backend(%s)", (pid,))

    join = when_running(dsn, conn, kill)
    with pytest.raises(ext.QueryCanceledError) as exc:
        conn.cursor().execute(SLEEP)
    join()
    assert_user_cancel(exc)
    assert_usable(conn)


def test_statement_timeout(conn):
    cur = conn.cursor()
    cur.execute("set statement_timeout = 100")
    with pytest.raises(ext.QueryCanceledError) as exc:
        cur.execute("select pg_sleep(10)")
    assert exc.value.pgcode == "57014"
    assert "statement timeout" in str(exc.value)
    conn.rollback()
    assert_usable(conn)


def test_cancel_idle_does_nothing(conn):
    conn.cancel()
    assert_usable(conn)
    conn.cursor().execute("select 1")
    conn.cancel()  # idle in transaction: nothing to cancel
    assert_usable(conn)


def test_cancel_closed(dsn):
    conn = psycopg2.connect(dsn)
    conn.close()
    with pytest.raises(psycopg2.InterfaceError):
        conn.cancel()


def test_cancel_autocommit_then_continue(dsn, conn):
    watchdog(conn)
    conn.autocommit = True
    cur = conn.cursor()
    join = when_running(dsn, conn, conn.cancel)
    with pytest.raises(ext.QueryCanceledError) as exc:
        cur.execute(SLEEP)
    join()
    assert_user_cancel(exc)
    cur.execute("select 2")  # no failed transaction to roll back
    assert cur.fetchone() == (2,)


def test_cancel_with_wait_callback(dsn):
    from psycopg2.extras import wait_select
    ext.set_wait_callback(wait_select)
    try:
        conn = psycopg2.connect(dsn)
        try:
            watchdog(conn)
            join = when_running(dsn, conn, conn.cancel)
            with pytest.raises(ext.QueryCanceledError) as exc:
                conn.cursor().execute(SLEEP)
            join()
            assert_user_cancel(exc)
            assert_usable(conn)
        finally:
            conn.close()
    finally:
        ext.set_wait_callback(None)


# ---- cancel() and close() from two threads (issue 12) ----

def test_cancel_in_flight_survives_close(dsn):
    # cancel() waits in PQcancel for the server's answer, without the GIL,
    # while another thread closes the connection: the cancel key it uses
    # must stay valid (it used to be freed by close()).
    proxy = Proxy(dsn)
    outcome = []
    try:
        conn = psycopg2.connect(proxy.proxied_dsn())
        proxy.freeze()  # the cancel request is accepted, never answered

        def cancel():
            try:
                outcome.append(conn.cancel())
            except BaseException as e:
                outcome.append(e)

        t = threading.Thread(target=cancel, daemon=True)
        t.start()
        proxy.wait_connections(2)  # the cancel request is connected
        conn.close()
        assert conn.closed == 1
    finally:
        proxy.close()  # the cancel request gets its answer (EOF)
    t.join(WATCHDOG)
    assert not t.is_alive()
    assert outcome == [None]


@pytest.mark.parametrize("call", [
    lambda c: c.cancel(),
    lambda c: c.get_backend_pid(),
    lambda c: c.fileno(),
    lambda c: c.get_parameter_status("TimeZone"),
    lambda c: c.info.parameter_status("TimeZone"),
    lambda c: (c.info.dbname, c.info.backend_pid, c.info.socket),
], ids=["cancel", "backend_pid", "fileno", "parameter_status",
        "info.parameter_status", "info"])
def test_calls_racing_close(dsn, call):
    # the call in a loop in one thread, close() in another: each call
    # either works or raises InterfaceError, never a crash
    def loop(conn, started, failures):
        try:
            while not conn.closed:
                started.set()
                call(conn)
        except psycopg2.InterfaceError:
            pass
        except BaseException as e:
            failures.append(e)

    for _ in range(20):
        conn = psycopg2.connect(dsn)
        started = threading.Event()
        failures = []
        t = threading.Thread(target=loop, args=(conn, started, failures),
                             daemon=True)
        t.start()
        started.wait(WATCHDOG)
        conn.close()
        t.join(WATCHDOG)
        assert not t.is_alive() and not failures, failures
