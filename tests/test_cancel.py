"""connection.cancel() and the other ways a statement gets cancelled: all
raise QueryCanceledError (SQLSTATE 57014) and leave the connection usable."""

import signal
import threading
import time

import pytest

import psycopg2
from psycopg2 import errors, extensions as ext


def assert_usable(conn):
    conn.rollback()
    cur = conn.cursor()
    cur.execute("select 1")
    assert cur.fetchone() == (1,)
    conn.rollback()


def test_cancel_from_thread(conn):
    cur = conn.cursor()
    timer = threading.Timer(0.3, conn.cancel)
    timer.start()
    t0 = time.monotonic()
    try:
        with pytest.raises(ext.QueryCanceledError) as exc:
            cur.execute("select pg_sleep(10)")
    finally:
        timer.cancel()
    assert time.monotonic() - t0 < 8
    assert exc.value.pgcode == "57014"
    assert isinstance(exc.value, errors.QueryCanceled)
    assert isinstance(exc.value, psycopg2.OperationalError)
    assert not conn.closed
    assert_usable(conn)


@pytest.mark.skipif(not hasattr(signal, "setitimer"),
                    reason="needs signal.setitimer")
def test_cancel_from_signal_handler(conn):
    cur = conn.cursor()
    old = signal.signal(signal.SIGALRM, lambda *args: conn.cancel())
    signal.setitimer(signal.ITIMER_REAL, 0.3)
    try:
        with pytest.raises(ext.QueryCanceledError):
            cur.execute("select pg_sleep(10)")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    assert_usable(conn)


def test_pg_cancel_backend(conn, conn_factory):
    other = conn_factory()
    other.autocommit = True
    pid = conn.get_backend_pid()

    def kill():
        time.sleep(0.3)
        other.cursor().execute("select pg_cancel_backend(%s)", (pid,))

    t = threading.Thread(target=kill)
    t.start()
    try:
        with pytest.raises(ext.QueryCanceledError) as exc:
            conn.cursor().execute("select pg_sleep(10)")
    finally:
        t.join()
    assert exc.value.pgcode == "57014"
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


def test_cancel_autocommit_then_continue(conn):
    conn.autocommit = True
    cur = conn.cursor()
    timer = threading.Timer(0.3, conn.cancel)
    timer.start()
    try:
        with pytest.raises(ext.QueryCanceledError):
            cur.execute("select pg_sleep(10)")
    finally:
        timer.cancel()
    cur.execute("select 2")  # no failed transaction to roll back
    assert cur.fetchone() == (2,)


def test_cancel_with_wait_callback(dsn):
    from psycopg2.extras import wait_select
    ext.set_wait_callback(wait_select)
    try:
        conn = psycopg2.connect(dsn)
        try:
            timer = threading.Timer(0.3, conn.cancel)
            timer.start()
            try:
                with pytest.raises(ext.QueryCanceledError):
                    conn.cursor().execute("select pg_sleep(10)")
            finally:
                timer.cancel()
            assert_usable(conn)
        finally:
            conn.close()
    finally:
        ext.set_wait_callback(None)
