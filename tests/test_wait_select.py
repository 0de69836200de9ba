"""Tests for extras.wait_select, the reference green wait callback."""

import signal
import threading

import pytest

import psycopg2
from psycopg2 import extensions as ext
from psycopg2.extras import wait_select
from pgsync import WATCHDOG, wait_backend


@pytest.fixture
def green():
    ext.set_wait_callback(wait_select)
    try:
        yield
    finally:
        ext.set_wait_callback(None)


def test_callback_installed(green):
    assert ext.get_wait_callback() is wait_select


def test_queries_work(green, dsn):
    conn = psycopg2.connect(dsn)
    try:
        cur = conn.cursor()
        cur.execute("select pg_sleep(0.05), 42")
        assert cur.fetchone() == ("", 42)
        conn.commit()
        cur = conn.cursor("named")
        cur.execute("select generate_series(1, 3)")
        assert cur.fetchall() == [(1,), (2,), (3,)]
        conn.rollback()
    finally:
        conn.close()


def test_errors_propagate(green, dsn):
    conn = psycopg2.connect(dsn)
    try:
        cur = conn.cursor()
        with pytest.raises(psycopg2.ProgrammingError):
            cur.execute("select * from nosuchtable_waittest")
        conn.rollback()
        cur.execute("select 1")
        assert cur.fetchone() == (1,)
    finally:
        conn.close()


@pytest.mark.skipif(not hasattr(signal, "pthread_kill"),
                    reason="needs signal.pthread_kill")
def test_ctrl_c_cancels(green, dsn):
    conn = psycopg2.connect(dsn)
    main = threading.get_ident()
    pid = conn.get_backend_pid()

    def ctrl_c():
        # only once the query runs: a cancel that arrives before it is lost
        wait_backend(dsn, pid, "pg_sleep(3600)")
        signal.pthread_kill(main, signal.SIGINT)

    t = threading.Thread(target=ctrl_c, daemon=True)
    try:
        # watchdog: a lost cancel ends in a statement timeout, not a hang
        conn.autocommit = True
        conn.cursor().execute("set statement_timeout = '%ds'" % WATCHDOG)
        conn.autocommit = False
        cur = conn.cursor()
        t.start()
        with pytest.raises(ext.QueryCanceledError) as exc:
            cur.execute("select pg_sleep(3600)")
        assert "user request" in str(exc.value)
        # the connection is still usable after a rollback
        conn.rollback()
        cur.execute("select 1")
        assert cur.fetchone() == (1,)
    finally:
        t.join(WATCHDOG)
        conn.close()


def test_async_connection(dsn):
    aconn = psycopg2.connect(dsn, async_=True)
    try:
        wait_select(aconn)
        cur = aconn.cursor()
        cur.execute("select 10")
        wait_select(aconn)
        assert cur.fetchone() == (10,)
    finally:
        aconn.close()
