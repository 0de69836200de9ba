"""A connection shared by threads; the GIL released while waiting."""

import threading
import time

import psycopg2


def test_gil_released_during_query(conn):
    ticks = []
    stop = threading.Event()

    def ticker():
        while not stop.is_set():
            ticks.append(1)
            time.sleep(0.01)

    t = threading.Thread(target=ticker)
    t.start()
    try:
        conn.cursor().execute("select pg_sleep(0.5)")
    finally:
        stop.set()
        t.join()
    # the other thread kept running while we waited on the server
    assert len(ticks) > 20


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


def test_threads_own_connections(dsn):
    errors = []

    def work():
        try:
            conn = psycopg2.connect(dsn)
            cur = conn.cursor()
            cur.execute("select pg_sleep(0.3), 1")
            assert cur.fetchone() == ("", 1)
            conn.close()
        except Exception as e:  # pragma: no cover
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(8)]
    t0 = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    # eight 0.3 s queries ran concurrently, not one after the other
    assert time.time() - t0 < 2.0


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
