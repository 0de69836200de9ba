"""A connection shared by threads; the GIL released while waiting."""

import threading

import psycopg2
from pgsync import WATCHDOG, wait_backend, wait_lock_waiters

LOCK_KEY = 72101


def test_gil_released_during_query(dsn, conn, conn_factory):
    # our query blocks on a lock that only another Python thread releases,
    # and only once it has seen the query waiting: if execute() kept the
    # GIL that thread could never run (the statement timeout is a watchdog)
    holder = conn_factory()
    holder.autocommit = True
    holder.cursor().execute("select pg_advisory_lock(%s)", (LOCK_KEY,))
    conn.cursor().execute("set statement_timeout = '%ds'" % WATCHDOG)
    pid = conn.get_backend_pid()
    seen = []

    def releaser():
        wait_backend(dsn, pid, "pg_advisory_xact_lock")
        seen.append(pid)
        holder.cursor().execute("select pg_advisory_unlock(%s)", (LOCK_KEY,))

    t = threading.Thread(target=releaser, daemon=True)
    t.start()
    try:
        conn.cursor().execute("select pg_advisory_xact_lock(%s)", (LOCK_KEY,))
    finally:
        t.join(WATCHDOG)
    assert seen == [pid]


def test_threads_share_connection(conn):
    errors = []
    results = {}

    def work(n):
        try:
            for i in range(50):
                cur = conn.cursor()
                cur.execute("select %s, repeat('x', %s)", (n * 1000 + i, n))
                row = cur.fetchone()
                assert row == (n * 1000 + i, "x" * n), row
            results[n] = True
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(results) == 16


def test_threads_own_connections(dsn, conn_factory):
    # eight threads block at once on a lock the test holds: their queries
    # run concurrently, not one after the other (which would deadlock
    # until the watchdog statement timeout)
    errors = []
    holder = conn_factory()
    holder.autocommit = True
    holder.cursor().execute("select pg_advisory_lock(%s)", (LOCK_KEY,))

    def work():
        try:
            conn = psycopg2.connect(
                dsn, options="-c statement_timeout=%ds" % WATCHDOG)
            cur = conn.cursor()
            cur.execute("select pg_advisory_xact_lock_shared(%s), 1",
                        (LOCK_KEY,))
            assert cur.fetchone() == ("", 1)
            conn.close()
        except Exception as e:  # pragma: no cover
            errors.append(e)

    threads = [threading.Thread(target=work, daemon=True) for _ in range(8)]
    for t in threads:
        t.start()
    try:
        pids = wait_lock_waiters(dsn, "pg_advisory_xact_lock_shared", 8)
    finally:
        holder.cursor().execute("select pg_advisory_unlock(%s)", (LOCK_KEY,))
        for t in threads:
            t.join(WATCHDOG)
    assert len(set(pids)) == 8
    assert not errors


def test_commit_while_other_thread_queries(conn):
    conn.autocommit = False
    done = threading.Event()

    def query():
        for _ in range(30):
            conn.cursor().execute("select 1")
        done.set()

    t = threading.Thread(target=query)
    t.start()
    for _ in range(30):
        conn.commit()
    t.join()
    assert done.is_set()
    conn.rollback()
