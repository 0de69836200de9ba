"""Thread stress: many threads on one shared connection, and threads with
their own connections from a ThreadedConnectionPool, running mixed queries,
COPY, errors and cancels for a bounded time.

No crash, no deadlock (every thread must finish within a timeout), no wrong
result: every query either returns exactly what its thread asked for or
raises QueryCanceledError (a cancel may hit any query of the shared
connection). STRESS_SECONDS (default 3) sets how long each test runs;
STRESS_THREADS (default 16) how many threads.
"""

import io
import os
import random
import threading
import time
import traceback


import psycopg2
import psycopg2.errors
import psycopg2.extensions as ext
from psycopg2.pool import ThreadedConnectionPool

SECONDS = float(os.environ.get("STRESS_SECONDS", "3"))
THREADS = int(os.environ.get("STRESS_THREADS", "16"))
JOIN_TIMEOUT = SECONDS + 60


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.ops = 0
        self.cancelled = 0
        self.errors = []

    def add(self, ops=0, cancelled=0):
        with self.lock:
            self.ops += ops
            self.cancelled += cancelled

    def fail(self, msg):
        with self.lock:
            self.errors.append(msg)


def run_threads(targets, stats):
    stop = time.monotonic() + SECONDS
    threads = []
    for i, target in enumerate(targets):
        def body(i=i, target=target):
            rnd = random.Random(i)
            try:
                # at least one round each, however loaded the machine
                while True:
                    target(i, rnd)
                    stats.add(ops=1)
                    if time.monotonic() >= stop:
                        break
            except BaseException:
                stats.fail("thread %d: %s" % (i, traceback.format_exc()))

        t = threading.Thread(target=body, daemon=True, name="stress-%d" % i)
        threads.append(t)
        t.start()
    for t in threads:
        t.join(max(0.1, stop + JOIN_TIMEOUT - time.monotonic()))
    hung = [t.name for t in threads if t.is_alive()]
    assert not hung, "threads still running (deadlock?): %s" % hung
    assert not stats.errors, "\n".join(stats.errors[:5])
    return len(threads)


def check_query(cur, i, rnd, stats):
    """A query whose result depends on the thread and the iteration."""
    n = rnd.randint(1, 200)
    tag = "t%d-%d" % (i, n)
    kind = rnd.randrange(6)
    try:
        if kind == 0:
            cur.execute("SELECT %s, %s::int + 1, repeat(%s, %s)",
                        (tag, n, "x", n))
            assert cur.fetchone() == (tag, n + 1, "x" * n), tag
        elif kind == 1:
            cur.execute("SELECT g, %s FROM generate_series(1, %s) g", (tag, n))
            rows = cur.fetchall()
            assert rows == [(g, tag) for g in range(1, n + 1)], tag
        elif kind == 2:
            cur.execute("SELECT %s::int[], %s::numeric, %s::bytea",
                        ([i, n, None], "%d.5" % n, tag.encode()))
            a, num, b = cur.fetchone()
            assert a == [i, n, None] and str(num) == "%d.5" % n, tag
            assert bytes(b) == tag.encode(), tag
        elif kind == 3:
            try:
                cur.execute("SELECT 1 / (%s - %s)", (n, n))
                raise AssertionError("no DivisionByZero")
            except psycopg2.errors.DivisionByZero:
                pass
        elif kind == 4:
            cur.execute("SELECT %s FROM pg_sleep(%s)",
                        (tag, rnd.random() / 100))
            assert cur.fetchone() == (tag,), tag
        else:
            cur.execute("SELECT %(t)s, %(n)s", {"t": tag, "n": n})
            assert cur.fetchone() == (tag, n), tag
    except ext.QueryCanceledError:
        stats.add(cancelled=1)


def copy_roundtrip(cur, table, i, rnd, stats):
    n = rnd.randint(1, 100)
    data = "".join("%d\trow %d of %d\n" % (k, k, i) for k in range(n))
    try:
        cur.execute("DELETE FROM %s" % table)
        cur.copy_from(io.StringIO(data), table)
        out = io.StringIO()
        cur.copy_to(out, table)
        assert sorted(out.getvalue().splitlines()) == \
            sorted(data.splitlines()), table
    except ext.QueryCanceledError:
        stats.add(cancelled=1)


def test_shared_connection(dsn):
    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    stats = Stats()
    try:
        cur0 = conn.cursor()
        for i in range(THREADS):
            cur0.execute("CREATE TEMP TABLE stress_%d (k int, v text)" % i)

        def worker(i, rnd):
            cur = conn.cursor()
            if i == 0:
                # the canceller: interrupts whatever query runs right now
                # (the pause only paces it; nothing depends on its length)
                time.sleep(0.05)
                conn.cancel()
                return
            if rnd.random() < 0.2:
                copy_roundtrip(cur, "stress_%d" % i, i, rnd, stats)
            else:
                check_query(cur, i, rnd, stats)
            cur.close()

        nthreads = run_threads([worker] * THREADS, stats)
        # the connection is still usable and in a sane state
        conn.cancel()
        cur0.execute("SELECT 42")
        assert cur0.fetchone() == (42,)
    finally:
        conn.close()
    print("shared connection: %d threads x %.1f s, %d ops, %d cancelled"
          % (nthreads, SECONDS, stats.ops, stats.cancelled))
    assert stats.ops >= THREADS


def test_pool_connections(dsn):
    pool = ThreadedConnectionPool(2, THREADS, dsn)
    stats = Stats()
    try:
        setup = pool.getconn()
        setup.autocommit = True
        setup.cursor().execute(
            "DROP TABLE IF EXISTS stress_pool; "
            "CREATE TABLE stress_pool (k int, v text, owner int)")
        setup.autocommit = False
        pool.putconn(setup)

        def worker(i, rnd):
            conn = pool.getconn()
            discard = False
            try:
                cur = conn.cursor()
                r = rnd.random()
                if r < 0.15:
                    # COPY in a transaction, visible only after commit
                    data = "".join("%d\tv\t%d\n" % (k, i) for k in range(10))
                    cur.copy_from(io.StringIO(data), "stress_pool",
                                  columns=("k", "v", "owner"))
                    cur.execute("SELECT count(*) FROM stress_pool "
                                "WHERE owner = %s", (i,))
                    assert cur.fetchone()[0] == 10, i
                    cur.execute("DELETE FROM stress_pool WHERE owner = %s",
                                (i,))
                    conn.commit()
                elif r < 0.3:
                    # a named cursor read in pieces
                    named = conn.cursor("stress_named_%d" % i)
                    named.itersize = 7
                    named.execute("SELECT g FROM generate_series(1, 50) g")
                    assert [row[0] for row in named] == list(range(1, 51))
                    named.close()
                    conn.rollback()
                elif r < 0.4:
                    # cancel our own long query from a helper thread; a
                    # cancel arriving before the query starts is ignored by
                    # the server, so keep cancelling until it returns
                    done = threading.Event()

                    def canceller():
                        while not done.wait(0.02):
                            conn.cancel()

                    t = threading.Thread(target=canceller)
                    t.start()
                    try:
                        cur.execute("SELECT pg_sleep(%s)", (JOIN_TIMEOUT,))
                        raise AssertionError("pg_sleep not cancelled")
                    except ext.QueryCanceledError:
                        stats.add(cancelled=1)
                    finally:
                        done.set()
                        t.join()
                    # a cancel processed late could hit the next query on
                    # this session: do not give it to another thread
                    discard = True
                else:
                    check_query(cur, i, rnd, stats)
                    conn.rollback()
                cur.close()
            finally:
                pool.putconn(conn, close=discard)

        nthreads = run_threads([worker] * THREADS, stats)
        conn = pool.getconn()
        cur = conn.cursor()
        cur.execute("SELECT count(*) FROM stress_pool")
        assert cur.fetchone() == (0,)  # every COPY was cleaned up
        cur.execute("DROP TABLE stress_pool")
        conn.commit()
        pool.putconn(conn)
    finally:
        pool.closeall()
    print("pool: %d threads x %.1f s, %d ops, %d cancelled"
          % (nthreads, SECONDS, stats.ops, stats.cancelled))
    assert stats.ops >= THREADS
