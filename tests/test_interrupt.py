"""Ctrl-C (or any exception from a signal handler) during a query cancels
it on the server; the cancel is sent again until the query ends; a second
Ctrl-C, or a server that stops answering, abandons the connection
(closed == 2) instead of hanging.

Every test waits for the server to be in the state it needs (the query
running, the cancel delivered) before it interrupts: no timing.
"""

import signal
import subprocess
import sys
import textwrap
import threading

import pytest

import psycopg2
from pgsync import (Proxy, WATCHDOG, can_stop_backends, stopped_backend,
                    wait_backend, wait_signal_pending)

needs_pthread_kill = pytest.mark.skipif(
    not hasattr(signal, "pthread_kill"), reason="needs signal.pthread_kill")
needs_stop = pytest.mark.skipif(
    not can_stop_backends(),
    reason="stopping a backend needs root and /proc")

# The child waits for its own query to show up in pg_stat_activity, from a
# thread with a second connection, before it interrupts itself.
CHILD_PRELUDE = textwrap.dedent("""
    import os, signal, sys, threading, time
    import psycopg2
    DSN = os.environ["PSYCOPG2_TESTDSN"]

    def when_running(pid, query, action):
        def run():
            mon = psycopg2.connect(DSN)
            mon.autocommit = True
            cur = mon.cursor()
            while True:
                cur.execute("select state, query from pg_stat_activity "
                            "where pid = %s", (pid,))
                state, q = cur.fetchone()
                if state == "active" and query in q:
                    break
                time.sleep(0.01)
            mon.close()
            action()
        threading.Thread(target=run, daemon=True).start()
""")


def run_child(child_env, body):
    p = subprocess.run([sys.executable, "-c", CHILD_PRELUDE + body],
                       env=child_env, capture_output=True, text=True,
                       timeout=WATCHDOG)
    assert p.returncode == 0, p.stdout + p.stderr
    return p.stdout.splitlines()


def test_ctrl_c_cancels_query(child_env):
    lines = run_child(child_env, textwrap.dedent("""
        conn = psycopg2.connect(DSN)
        cur = conn.cursor()
        pid = conn.get_backend_pid()
        when_running(pid, "pg_sleep(3600)",
                     lambda: os.kill(os.getpid(), signal.SIGINT))
        try:
            cur.execute("select pg_sleep(3600)")
        except KeyboardInterrupt:
            print("interrupted")
        else:
            print("not interrupted")
            sys.exit(1)
        print("closed:", conn.closed)
        # the server-side query is gone: nothing of ours still runs
        mon = psycopg2.connect(DSN)
        mc = mon.cursor()
        mc.execute("select state from pg_stat_activity where pid = %s",
                   (pid,))
        print("backend:", mc.fetchone()[0])
        # and the connection is usable again after a rollback
        conn.rollback()
        cur.execute("select 42")
        print("after:", cur.fetchone()[0])
    """))
    assert lines == ["interrupted", "closed: 0",
                     "backend: idle in transaction (aborted)", "after: 42"]


def test_signal_handler_exception_propagates(child_env):
    lines = run_child(child_env, textwrap.dedent("""
        class Timeout(Exception):
            pass
        def handler(sig, frame):
            raise Timeout()
        signal.signal(signal.SIGALRM, handler)
        conn = psycopg2.connect(DSN)
        when_running(conn.get_backend_pid(), "pg_sleep(3600)",
                     lambda: os.kill(os.getpid(), signal.SIGALRM))
        try:
            conn.cursor().execute("select pg_sleep(3600)")
        except Timeout:
            print("timeout raised")
        conn.rollback()
        cur = conn.cursor()
        cur.execute("select 1")
        print(cur.fetchone()[0])
    """))
    assert lines == ["timeout raised", "1"]


# In the child: a query that the monitor thread interrupts by sending
# SIGINT to itself, so that the main thread's poll() is not interrupted
# (no EINTR there).  True if KeyboardInterrupt reached the main thread.
OTHER_THREAD_SIGINT = textwrap.dedent("""
    def interrupted_from_another_thread(conn):
        when_running(conn.get_backend_pid(), "pg_sleep(3600)",
                     lambda: signal.pthread_kill(threading.get_ident(),
                                                 signal.SIGINT))
        try:
            conn.cursor().execute("select pg_sleep(3600)")
        except KeyboardInterrupt:
            return True
        return False
""")


@needs_pthread_kill
def test_signal_caught_by_another_thread_still_cancels(child_env):
    # The handler must still run and the query be cancelled.  The same
    # happens to a signal that arrives just before the main thread enters
    # poll(): the wait's periodic wake-up (the ticker in psycopg/wait.c)
    # is what notices both.
    lines = run_child(child_env, OTHER_THREAD_SIGINT + textwrap.dedent("""
        conn = psycopg2.connect(DSN)
        print("interrupted:", interrupted_from_another_thread(conn))
        conn.rollback()
        cur = conn.cursor()
        cur.execute("select 7")
        print(cur.fetchone()[0])
    """))
    assert lines == ["interrupted: True", "7"]


@needs_pthread_kill
def test_signal_caught_by_another_thread_in_a_forked_child(child_env):
    # the parent's timer is not the child's: after fork() the child makes
    # its own, and its waits still wake for a signal another thread caught
    lines = run_child(child_env, OTHER_THREAD_SIGINT + textwrap.dedent("""
        warm = psycopg2.connect(DSN)
        warm.cursor().execute("select 1")    # the parent's ticker exists
        pid = os.fork()
        if pid == 0:
            try:
                ok = interrupted_from_another_thread(psycopg2.connect(DSN))
                os._exit(0 if ok else 1)
            except BaseException:
                os._exit(2)
        _, status = os.waitpid(pid, 0)
        print("child exit:", os.waitstatus_to_exitcode(status))
        warm.cursor().execute("select 1")
        print("parent ok")
    """))
    assert lines == ["child exit: 0", "parent ok"]


def test_query_in_a_thread_is_not_sliced_but_cancels(dsn):
    # Threads other than the main one can't run signal handlers, so their
    # waits block without a timeout; conn.cancel() from elsewhere still
    # ends the query.
    conn = psycopg2.connect(dsn)
    errors = []

    def run():
        try:
            conn.cursor().execute("select pg_sleep(3600)")
        except psycopg2.extensions.QueryCanceledError as e:
            errors.append(e)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    try:
        wait_backend(dsn, conn.get_backend_pid(), "pg_sleep(3600)")
        conn.cancel()
        t.join(WATCHDOG)
        assert not t.is_alive(), "the cancelled query never returned"
        assert len(errors) == 1
        conn.rollback()
        cur = conn.cursor()
        cur.execute("select 1")
        assert cur.fetchone() == (1,)
    finally:
        conn.close()


class Interrupt(Exception):
    """Raised by the test's SIGUSR1 handler: a stand-in for Ctrl-C that
    can't escape into pytest."""


@pytest.fixture
def interrupter():
    """interrupt(): raise Interrupt(n) in the main thread, n counting from
    1, by a signal sent from any thread."""
    count = []

    def handler(sig, frame):
        count.append(1)
        raise Interrupt(len(count))

    main = threading.get_ident()
    old = signal.signal(signal.SIGUSR1, handler)
    try:
        yield lambda: signal.pthread_kill(main, signal.SIGUSR1)
    finally:
        signal.signal(signal.SIGUSR1, old)


def in_thread(fn):
    """Run *fn* in a thread; the returned join() re-raises its error."""
    errors = []

    def body():
        try:
            fn()
        except BaseException as e:  # reported by join()
            errors.append(e)

    t = threading.Thread(target=body, daemon=True)
    t.start()

    def join():
        t.join(WATCHDOG)
        assert not t.is_alive(), "helper thread hung"
        if errors:
            raise errors[0]

    return join


@needs_pthread_kill
def test_cancel_is_sent_again_when_the_first_is_lost(dsn, interrupter):
    """The first cancel reaches the server before the query does: the
    server ignores it (nothing runs yet).  The query must still be
    cancelled, by a cancel sent again while it runs."""
    proxy = Proxy(dsn)
    conn = psycopg2.connect(proxy.proxied_dsn())
    conn.autocommit = True  # one query, no BEGIN before it
    try:
        # watchdog: without a second cancel the query would run an hour
        conn.cursor().execute("set statement_timeout = '%ds'" % WATCHDOG)

        def script():
            proxy.held.wait(WATCHDOG)  # the query is on its way...
            interrupter()              # ...Ctrl-C
            proxy.wait_connections(2)  # the cancel reached the server
            proxy.cancels[0].wait(WATCHDOG)
            proxy.release()            # and only now the query

        proxy.hold()
        join = in_thread(script)
        with pytest.raises(Interrupt):
            conn.cursor().execute("select pg_sleep(3600)")
        join()
        assert len(proxy.cancels) >= 2
        assert conn.closed == 0
        cur = conn.cursor()
        cur.execute("select 1")
        assert cur.fetchone() == (1,)
    finally:
        conn.close()
        proxy.close()


@needs_pthread_kill
@needs_stop
def test_second_interrupt_abandons_the_connection(dsn, conn_factory,
                                                  interrupter):
    conn = psycopg2.connect(dsn)
    pid = conn.get_backend_pid()
    resumed = threading.Event()
    try:
        def script():
            wait_backend(dsn, pid, "pg_sleep(3600)")
            with stopped_backend(pid):
                interrupter()
                # the cancel reached the stopped backend: still no answer
                wait_signal_pending(pid, signal.SIGINT)
                interrupter()
                resumed.wait(WATCHDOG)  # without the fix: unblocks it

        join = in_thread(script)
        try:
            with pytest.raises(Interrupt) as exc:
                conn.cursor().execute("select pg_sleep(3600)")
        finally:
            resumed.set()
        join()
        assert exc.value.args == (1,)  # the first one is raised
        assert conn.closed == 2
        with pytest.raises(psycopg2.InterfaceError):
            conn.cursor().execute("select 1")
    finally:
        conn.close()
        terminate(conn_factory, pid)
    assert conn.closed == 1


@needs_pthread_kill
@needs_stop
def test_unanswered_cancel_abandons_the_connection(dsn, conn_factory,
                                                   interrupter):
    conn = psycopg2.connect(dsn)
    pid = conn.get_backend_pid()
    resumed = threading.Event()
    try:
        def script():
            wait_backend(dsn, pid, "pg_sleep(3600)")
            with stopped_backend(pid):
                interrupter()
                resumed.wait(WATCHDOG)  # without the fix: unblocks it

        join = in_thread(script)
        try:
            with pytest.raises(Interrupt):
                conn.cursor().execute("select pg_sleep(3600)")
        finally:
            resumed.set()
        join()
        assert conn.closed == 2
    finally:
        conn.close()
        terminate(conn_factory, pid)


@needs_pthread_kill
def test_unreachable_server_abandons_the_connection(dsn, conn_factory,
                                                    interrupter):
    """The whole server stops answering, the cancel request included (it
    can't even be delivered): Ctrl-C still returns."""
    proxy = Proxy(dsn)
    conn = psycopg2.connect(proxy.proxied_dsn())
    pid = conn.get_backend_pid()
    try:
        def script():
            wait_backend(dsn, pid, "pg_sleep(3600)")
            proxy.freeze()
            interrupter()

        join = in_thread(script)
        with pytest.raises(Interrupt):
            conn.cursor().execute("select pg_sleep(3600)")
        join()
        assert conn.closed == 2
        conn.close()
        assert conn.closed == 1
    finally:
        conn.close()
        proxy.close()
        terminate(conn_factory, pid)


def terminate(conn_factory, pid):
    """End a backend left running by a test."""
    other = conn_factory()
    other.autocommit = True
    other.cursor().execute("select pg_terminate_backend(%s)", (pid,))
