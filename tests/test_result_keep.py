"""A fetch that takes every remaining row of a big result (fetchall(), or
fetchmany() reaching the end) as plain tuples of immutable values releases
the rows from the cursor's compact store as it builds them and keeps the
tuples instead (result.c, result_store.c).  Nothing a user can check may
change: fetching again after scroll(), rownumber, rowcount, a row factory
or tzinfo_factory set afterwards, the errors of bad values, mutable values.
Only memory does, and pgresult_ptr once the rows are gone."""

import datetime as dt
import gc
import os
import subprocess
import sys
import textwrap
from decimal import Decimal

import pytest

import psycopg2
import psycopg2.extras
import psycopg2.tz

# over the store's threshold (100,000 values)
N = 30000

BIG = (
    "select i as a, i::int8 * 1000003 as b, i / 7.0::float8 as c,"
    " 'row number ' || i as d, (i / 100.0)::numeric(12,2) as e,"
    " timestamptz '2020-01-01 00:00:00+00' + i * interval '1 second' as f,"
    " i %% 2 = 0 as g, date '2000-01-01' + i %% 1000 as h,"
    " case when i %% 5 = 0 then null else interval '1 hour' * i end as j,"
    " time with time zone '10:00+02' as k"
    " from generate_series(1, %s) i"
)


def expected(i, tz=dt.timezone.utc, ttz=dt.timezone(dt.timedelta(hours=2))):
    ts = dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(seconds=i)
    return (
        i, i * 1000003, i / 7.0, "row number %d" % i,
        Decimal(i) / 100,
        ts.astimezone(tz) if tz is not None else ts.replace(tzinfo=None),
        i % 2 == 0, dt.date(2000, 1, 1) + dt.timedelta(days=i % 1000),
        None if i % 5 == 0 else dt.timedelta(hours=i),
        dt.time(10, 0, tzinfo=ttz if tz is not None else None),
    )


@pytest.fixture
def big(conn):
    conn.cursor().execute("set timezone to 'UTC'")
    cur = conn.cursor()
    cur.execute(BIG, (N,))
    return cur


def test_fetch_again_after_scroll(big):
    rows = big.fetchall()
    assert rows == [expected(i) for i in range(1, N + 1)]
    assert big.rownumber == N and big.rowcount == N
    assert big.fetchall() == [] and big.fetchone() is None
    big.scroll(0, "absolute")
    assert big.rownumber == 0
    assert big.fetchone() == expected(1)
    assert big.fetchmany(2) == [expected(2), expected(3)]
    big.scroll(N - 4, "absolute")
    assert big.fetchall() == [expected(i) for i in range(N - 3, N + 1)]
    big.scroll(-N, "relative")
    assert big.fetchall() == rows
    assert list(big) == []
    big.scroll(10, "absolute")
    assert [r for r, _ in zip(big, range(3))] == [expected(i) for i in (11, 12, 13)]
    with pytest.raises(psycopg2.ProgrammingError):
        big.scroll(N, "absolute")


def test_fetchmany_to_the_end_and_rows_before(big):
    head = big.fetchmany(100)
    middle = big.fetchmany(N - 200)
    tail = big.fetchmany(1000)  # reaches the end: the rows are kept
    assert head + middle + tail == [expected(i) for i in range(1, N + 1)]
    big.scroll(0, "absolute")
    assert big.fetchall() == head + middle + tail


def test_row_factory_set_afterwards(conn, big):
    rows = big.fetchall()
    big.row_factory = psycopg2.extras.RealDictRow
    big.scroll(0, "absolute")
    d = big.fetchone()
    assert list(d.values()) == list(rows[0])

    cur = conn.cursor(cursor_factory=psycopg2.extras.DictCursor)
    cur.execute(BIG, (N,))
    assert cur.fetchall() == [list(r) for r in rows]  # not kept (DictRow)
    cur.scroll(N - 1, "absolute")
    assert list(cur.fetchone()) == list(expected(N))

    big.row_factory = lambda cur: [None] * 10
    big.scroll(N - 1, "absolute")
    assert big.fetchone() == list(expected(N))


@pytest.mark.parametrize("factory", [None, psycopg2.tz.FixedOffsetTimezone])
def test_tzinfo_factory_set_afterwards(conn, big, factory):
    rows = big.fetchall()
    assert rows[0][5].tzinfo is dt.timezone.utc
    big.tzinfo_factory = factory
    big.scroll(0, "absolute")
    again = big.fetchmany(3)
    # what a fresh cursor with this factory reads
    fresh = conn.cursor()
    fresh.tzinfo_factory = factory
    fresh.execute(BIG, (3,))
    want = fresh.fetchall()
    assert again == want
    for a, w in zip(again, want):
        assert type(a[5].tzinfo) is type(w[5].tzinfo)
        assert type(a[9].tzinfo) is type(w[9].tzinfo)
        assert a[9].tzinfo == w[9].tzinfo
    if factory is None:
        assert again[0][5] == expected(1, tz=None)[5]
        assert again[0][9] == dt.time(10, 0)
    big.tzinfo_factory = dt.timezone
    big.scroll(0, "absolute")
    assert big.fetchone()[5].tzinfo is dt.timezone.utc


def test_bad_value_raises_again(conn):
    # 'year 20000 is out of range' from row 20001 on, as psycopg2
    cur = conn.cursor()
    cur.execute(
        "select i, case when i > 20000 then date '20000-01-01'"
        " else date '2000-01-01' end, 'x' || i from generate_series(1, %s) i",
        (N,),
    )
    with pytest.raises(ValueError):
        cur.fetchall()
    cur.scroll(0, "absolute")
    first = cur.fetchmany(20000)
    assert first[-1] == (20000, dt.date(2000, 1, 1), "x20000")
    assert first == [(i, dt.date(2000, 1, 1), "x%d" % i) for i in range(1, 20001)]
    for _ in range(2):
        cur.scroll(20000, "absolute")
        with pytest.raises(ValueError):
            cur.fetchone()
        cur.scroll(20000, "absolute")
        with pytest.raises(ValueError):
            cur.fetchall()


def test_mutable_values_are_new_each_time(conn):
    cur = conn.cursor()
    cur.execute(
        "select array[i, 1], decode('ff', 'hex'), '{\"a\": 1}'::json"
        " from generate_series(1, %s) i",
        (N * 2,),
    )
    rows = cur.fetchall()
    rows[0][0].append(99)
    rows[0][2]["b"] = 2
    cur.scroll(0, "absolute")
    again = cur.fetchone()
    assert again[0] == [1, 1] and again[2] == {"a": 1}
    assert bytes(again[1]) == b"\xff"
    assert again[1] is not rows[0][1]


def test_pgresult_ptr(big):
    big.fetchone()
    assert isinstance(big.pgresult_ptr, int)  # the rows are all there
    big.execute(BIG, (N,))
    big.fetchall()
    with pytest.raises(psycopg2.NotSupportedError):
        big.pgresult_ptr
    big.execute("select 1")
    assert isinstance(big.pgresult_ptr, int)


def test_small_result_unchanged(cursor):
    cursor.execute(BIG, (100,))
    rows = cursor.fetchall()
    cursor.scroll(0, "absolute")
    assert cursor.fetchall() == rows
    assert isinstance(cursor.pgresult_ptr, int)


def test_nested_fetch_from_the_collector(big):
    # a gc callback (Python code run by an allocation in the middle of a
    # row) fetching the same rows: the chunks under the outer fetch stay
    seen = []

    def cb(phase, info):
        if phase == "start" and len(seen) < 3:
            seen.append(None)
            pos = big.rownumber
            big.scroll(0, "absolute")
            seen[-1] = big.fetchall()
            big.scroll(pos, "absolute")

    thresholds = gc.get_threshold()
    gc.callbacks.append(cb)
    gc.set_threshold(50)
    try:
        rows = big.fetchall()
    finally:
        gc.callbacks.remove(cb)
        gc.set_threshold(*thresholds)
    want = [expected(i) for i in range(1, N + 1)]
    assert seen and all(s == want for s in seen)
    assert rows == want[-len(rows):]
    big.scroll(0, "absolute")
    assert big.fetchall() == want


def test_threads_fetching_the_same_rows(conn):
    import threading

    cur = conn.cursor()
    cur.execute(BIG, (N,))
    want = [expected(i) for i in range(1, N + 1)]
    out, errors = [], []

    def work():
        try:
            for _ in range(3):
                cur.scroll(0, "absolute")
                out.append(cur.fetchall())
        except Exception as e:  # scroll/fetch interleaving: positions move
            errors.append(e)

    ts = [threading.Thread(target=work) for _ in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert not errors
    # each fetchall took the rows from wherever the position was
    assert all(rows == want[N - len(rows):] for rows in out)
    cur.scroll(0, "absolute")
    assert cur.fetchall() == want


@pytest.mark.rss
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc")
def test_store_not_kept_beside_the_rows(dsn):
    # after fetchall() of a big result the cursor holds the rows it built,
    # not also the copy of the values they came from
    body = textwrap.dedent("""
        import os, sys
        import psycopg2
        def rss():
            with open("/proc/self/statm") as f:
                return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        conn = psycopg2.connect(os.environ["PSYCOPG2_TESTDSN"])
        cur = conn.cursor()
        cur.execute("select 1")
        r0 = rss()
        cur.execute("select repeat('x', 200) || i, i from generate_series(1, 300000) i")
        r1 = rss()
        rows = cur.fetchall()
        r2 = rss()
        objs = sum(sys.getsizeof(r) + sys.getsizeof(r[0]) + sys.getsizeof(r[1]) for r in rows)
        objs += sys.getsizeof(rows)
        print(r1 - r0, r2 - r0, objs)
    """)
    env = dict(os.environ, PSYCOPG2_TESTDSN=dsn)
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    out = subprocess.run([sys.executable, "-c", body], env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    store, total, objs = map(int, out.stdout.split())
    assert store > 50 << 20  # the store of 300,000 values of 200 bytes
    # the rows and a few MB: not the rows and the store
    assert total < objs + (16 << 20), (store, total, objs)
