"""Fork safety: a connection used after fork() in the child raises
InterfaceError, and whatever the child does with it (close, garbage
collection, interpreter exit) sends nothing on the socket it shares with the
parent, whose session goes on undisturbed."""

import gc
import multiprocessing
import os
import sys

import pytest

import psycopg2
import psycopg2.extensions

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork()")


def run_in_child(func):
    """Fork, run func() in the child; return its exit status (0 = all ok).

    The child never returns into pytest: it leaves with os._exit, after
    collecting garbage so that deallocators run."""
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            code = func() or 0
            gc.collect()
        except BaseException as ex:  # report anything to the parent
            try:
                sys.stderr.write("child failed: %r\n" % (ex,))
            except Exception:
                pass
            code = 1
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def setup_session(conn):
    """State on the server that a stray message from the child would break:
    an open transaction, a temp table, a named cursor half read, a lobject."""
    cur = conn.cursor()
    cur.execute("CREATE TEMP TABLE fork_t (x int)")
    cur.execute("INSERT INTO fork_t SELECT generate_series(1, 100)")
    named = conn.cursor("fork_named")
    named.itersize = 10
    named.execute("SELECT x FROM fork_t ORDER BY x")
    assert named.fetchmany(10) == [(i,) for i in range(1, 11)]
    lobj = conn.lobject(0, "rwb")
    lobj.write(b"parent data")
    return cur, named, lobj


def check_session(conn, cur, named, lobj):
    """The parent's session is intact after the child did its worst."""
    assert conn.closed == 0
    assert named.fetchmany(5) == [(i,) for i in range(11, 16)]
    cur.execute("SELECT count(*) FROM fork_t")
    assert cur.fetchone() == (100,)
    lobj.seek(0)
    assert lobj.read() == b"parent data"
    assert conn.get_transaction_status() == \
        psycopg2.extensions.TRANSACTION_STATUS_INTRANS
    backend = conn.get_backend_pid()
    cur.execute("SELECT pg_backend_pid()")
    assert cur.fetchone()[0] == backend
    conn.rollback()
    cur.execute("SELECT 42")
    assert cur.fetchone() == (42,)


def expect_other_process(call):
    try:
        call()
    except psycopg2.InterfaceError as ex:
        assert "another process" in str(ex), str(ex)
        return
    raise AssertionError("no InterfaceError from %r" % call)


def test_use_in_child_raises(conn):
    cur, named, lobj = setup_session(conn)

    def child():
        expect_other_process(lambda: cur.execute("SELECT 1"))
        expect_other_process(lambda: conn.cursor().execute("SELECT 1"))
        expect_other_process(lambda: named.fetchone())
        expect_other_process(conn.commit)
        expect_other_process(conn.rollback)
        expect_other_process(conn.cancel)
        expect_other_process(conn.reset)
        expect_other_process(lambda: conn.lobject())
        expect_other_process(lambda: lobj.read())
        expect_other_process(lambda: conn.set_session(readonly=True))
        expect_other_process(
            lambda: cur.copy_expert("COPY fork_t TO STDOUT", sys.stdout))
        expect_other_process(lambda: psycopg2.extensions.quote_ident("x", conn))
        # a new connection in the child works
        c2 = psycopg2.connect(conn.dsn)
        c2.cursor().execute("SELECT 1")
        c2.close()
        return 0

    assert run_in_child(child) == 0
    check_session(conn, cur, named, lobj)


def test_close_in_child_sends_nothing(conn):
    cur, named, lobj = setup_session(conn)

    def child():
        lobj.close()
        named.close()
        cur.close()
        conn.close()
        conn.close()  # idempotent
        assert conn.closed == 1
        return 0

    assert run_in_child(child) == 0
    check_session(conn, cur, named, lobj)


def test_gc_in_child_sends_nothing(conn):
    cur, named, lobj = setup_session(conn)
    holder = [conn, cur, named, lobj]

    def child():
        del holder[:]
        return 0

    # The parent keeps its own references; the child drops the only ones it
    # has besides the test frame's, then exits through finalisation.
    pid = os.fork()
    if pid == 0:
        try:
            holder.clear()
            gc.collect()
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    check_session(conn, cur, named, lobj)


def test_interpreter_exit_in_child_sends_nothing(dsn):
    """A child exiting normally (atexit, module teardown) deallocates the
    connection it inherited: the parent's session survives."""
    conn = psycopg2.connect(dsn)
    try:
        cur, named, lobj = setup_session(conn)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            # drop the references pytest's frames would keep forever and
            # leave like a plain script would
            try:
                import psycopg2 as p

                del p
            finally:
                os._exit(0)
        os.waitpid(pid, 0)
        check_session(conn, cur, named, lobj)
    finally:
        conn.close()


def test_child_script_exit(child_env, tmp_path):
    """A real script: opens a connection, forks, the child leaves through
    normal interpreter shutdown with the connection still referenced."""
    import subprocess

    script = tmp_path / "forker.py"
    script.write_text(
        "import os, sys, psycopg2\n"
        "conn = psycopg2.connect(os.environ['PSYCOPG2_TESTDSN'])\n"
        "cur = conn.cursor()\n"
        "cur.execute('CREATE TEMP TABLE t (x int)')\n"
        "n = conn.cursor('n')\n"
        "n.execute('SELECT generate_series(1, 10)')\n"
        "n.fetchone()\n"
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    try:\n"
        "        cur.execute('SELECT 1')\n"
        "    except psycopg2.InterfaceError as ex:\n"
        "        print('child:', ex)\n"
        "    sys.exit(0)  # normal shutdown: conn, cur, n deallocated\n"
        "os.waitpid(pid, 0)\n"
        "print('parent:', n.fetchone())\n"
        "cur.execute('SELECT count(*) FROM t')\n"
        "print('parent:', cur.fetchone())\n"
    )
    p = subprocess.run([sys.executable, str(script)], env=child_env,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert "child: connection created in another process" in p.stdout
    assert "parent: (2,)" in p.stdout
    assert "parent: (0,)" in p.stdout


_inherited = {}


def _mp_child(queue):
    conn = _inherited["conn"]
    out = []
    try:
        conn.cursor().execute("SELECT 1")
        out.append("no error")
    except psycopg2.InterfaceError as ex:
        out.append("InterfaceError: %s" % ex)
    conn.close()
    out.append(conn.closed)
    queue.put(out)


def test_multiprocessing_fork(conn):
    cur, named, lobj = setup_session(conn)
    _inherited["conn"] = conn
    try:
        ctx = multiprocessing.get_context("fork")
        q = ctx.Queue()
        p = ctx.Process(target=_mp_child, args=(q,))
        p.start()
        out = q.get(timeout=30)
        p.join(30)
        assert p.exitcode == 0
    finally:
        _inherited.clear()
    assert out[0].startswith("InterfaceError: connection created in another")
    assert out[1] == 1
    check_session(conn, cur, named, lobj)


def test_pool_in_child(dsn):
    """A pool inherited by a child: its connections refuse to work and
    closing the pool in the child leaves the parent's connections alive."""
    from psycopg2.pool import ThreadedConnectionPool

    pool = ThreadedConnectionPool(1, 2, dsn)
    try:
        c = pool.getconn()
        c.cursor().execute("SELECT 1")
        pool.putconn(c)

        def child():
            c = pool.getconn()
            expect_other_process(lambda: c.cursor().execute("SELECT 1"))
            pool.closeall()
            return 0

        assert run_in_child(child) == 0
        c = pool.getconn()
        cur = c.cursor()
        cur.execute("SELECT 7")
        assert cur.fetchone() == (7,)
        pool.putconn(c)
    finally:
        pool.closeall()


def test_fork_while_another_thread_holds_the_lock(dsn, conn, conn_factory):
    """A fork while a thread runs a query: the child must not block on the
    lock that thread held (it does not exist in the child)."""
    import threading
    from pgsync import WATCHDOG, wait_backend

    cur = conn.cursor()
    pid = conn.get_backend_pid()
    # the thread's query waits on a lock the test holds, so it is still
    # running (and its thread holds the connection lock) during the fork
    holder = conn_factory()
    holder.autocommit = True
    holder.cursor().execute("SELECT pg_advisory_lock(72102)")

    def long_query():
        conn.cursor().execute("SELECT pg_advisory_xact_lock(72102)")

    t = threading.Thread(target=long_query, daemon=True)
    t.start()
    wait_backend(dsn, pid, "pg_advisory_xact_lock")

    def child():
        import signal
        signal.alarm(10)  # a hang becomes a failure, not a stuck suite
        expect_other_process(lambda: cur.execute("SELECT 1"))
        expect_other_process(lambda: conn.lobject())
        expect_other_process(conn.commit)
        conn.close()
        return 0

    assert run_in_child(child) == 0
    holder.cursor().execute("SELECT pg_advisory_unlock(72102)")
    t.join(WATCHDOG)
    cur.execute("SELECT 1")
    assert cur.fetchone() == (1,)
    conn.rollback()
