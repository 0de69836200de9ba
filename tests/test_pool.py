"""Tests for psycopg2.pool."""

import threading

import pytest

import psycopg2
from psycopg2 import extensions as ext
from psycopg2 import errors, pool


@pytest.fixture(params=["simple", "threaded"])
def pool_class(request):
    return {
        "simple": pool.SimpleConnectionPool,
        "threaded": pool.ThreadedConnectionPool,
    }[request.param]


@pytest.fixture
def make_pool(dsn, pool_class):
    pools = []

    def make(minconn=1, maxconn=3, **kwargs):
        p = pool_class(minconn, maxconn, dsn, **kwargs)
        pools.append(p)
        return p

    yield make
    for p in pools:
        if not p.closed:
            p.closeall()


def test_pool_error_class():
    assert issubclass(pool.PoolError, psycopg2.Error)


def test_attributes(make_pool):
    p = make_pool(2, 5)
    assert p.minconn == 2
    assert p.maxconn == 5
    assert p.closed is False


def test_minconn_opened_at_once(make_pool):
    p = make_pool(2, 4)
    c1 = p.getconn()
    c2 = p.getconn()
    assert c1 is not c2
    # the two idle connections were opened by the constructor
    pids = {c1.get_backend_pid(), c2.get_backend_pid()}
    assert len(pids) == 2
    p.putconn(c1)
    p.putconn(c2)


def test_connections_work(make_pool):
    p = make_pool()
    conn = p.getconn()
    assert isinstance(conn, ext.connection)
    cur = conn.cursor()
    cur.execute("select 42")
    assert cur.fetchone() == (42,)
    conn.rollback()
    p.putconn(conn)


def test_connect_kwargs_passed(dsn, pool_class):
    p = pool_class(1, 2, dsn, application_name="pooltest")
    try:
        conn = p.getconn()
        cur = conn.cursor()
        cur.execute("show application_name")
        assert cur.fetchone()[0] == "pooltest"
        p.putconn(conn)
    finally:
        p.closeall()


def test_reuse_idle(make_pool):
    p = make_pool(1, 3)
    c1 = p.getconn()
    p.putconn(c1)
    c2 = p.getconn()
    assert c2 is c1
    p.putconn(c2)


def test_keyed(make_pool):
    p = make_pool(1, 3)
    c1 = p.getconn("a")
    assert p.getconn("a") is c1
    c2 = p.getconn("b")
    assert c2 is not c1
    p.putconn(c1, "a")
    p.putconn(c2)  # key found from the connection
    assert not c1.closed  # kept: fewer than minconn idle
    assert c2.closed      # closed: minconn already idle


def test_exhausted(make_pool):
    p = make_pool(0, 2)
    c1 = p.getconn()
    c2 = p.getconn()
    with pytest.raises(pool.PoolError) as exc:
        p.getconn()
    assert str(exc.value) == "connection pool exhausted"
    p.putconn(c1)
    c3 = p.getconn()  # a free slot again
    assert not c3.closed
    p.putconn(c2)
    p.putconn(c3)


def test_put_unkeyed(make_pool, conn):
    p = make_pool()
    with pytest.raises(pool.PoolError) as exc:
        p.putconn(conn)
    assert str(exc.value) == "trying to put unkeyed connection"
    assert not conn.closed


def test_put_close(make_pool):
    p = make_pool(1, 2)
    c = p.getconn()
    p.putconn(c, close=True)
    assert c.closed
    c2 = p.getconn()  # a new one is opened
    assert c2 is not c
    assert not c2.closed
    p.putconn(c2)


def test_put_rolls_back(make_pool, dsn):
    p = make_pool(1, 2)
    c = p.getconn()
    cur = c.cursor()
    cur.execute("select 1")
    assert c.get_transaction_status() == ext.TRANSACTION_STATUS_INTRANS
    p.putconn(c)
    assert not c.closed
    assert c.get_transaction_status() == ext.TRANSACTION_STATUS_IDLE


def test_put_failed_transaction(make_pool):
    p = make_pool(1, 2)
    c = p.getconn()
    cur = c.cursor()
    with pytest.raises(psycopg2.ProgrammingError):
        cur.execute("select * from nosuchtable_pooltest")
    assert c.get_transaction_status() == ext.TRANSACTION_STATUS_INERROR
    p.putconn(c)
    assert not c.closed
    assert c.get_transaction_status() == ext.TRANSACTION_STATUS_IDLE
    c2 = p.getconn()
    assert c2 is c
    c2.cursor().execute("select 1")
    p.putconn(c2)


def test_put_closed_connection_discarded(make_pool):
    p = make_pool(1, 2)
    c = p.getconn()
    c.close()
    p.putconn(c)
    c2 = p.getconn()
    assert c2 is not c
    assert not c2.closed
    p.putconn(c2)


def test_closeall(make_pool):
    p = make_pool(2, 4)
    used = p.getconn()
    idle = p.getconn()
    p.putconn(idle)
    p.closeall()
    assert p.closed is True
    assert used.closed
    assert idle.closed
    with pytest.raises(pool.PoolError) as exc:
        p.getconn()
    assert str(exc.value) == "connection pool is closed"
    with pytest.raises(pool.PoolError):
        p.putconn(used)
    with pytest.raises(pool.PoolError):
        p.closeall()


def test_closeall_ignores_errors(make_pool):
    p = make_pool(1, 2)
    c = p.getconn()
    c.close()  # already closed: closing again is harmless anyway
    p.closeall()
    assert p.closed


def test_threaded_putconn_by_key(dsn):
    p = pool.ThreadedConnectionPool(1, 2, dsn)
    try:
        c = p.getconn("k")
        p.putconn(key="k")
        assert p.getconn("k") is c
        with pytest.raises(pool.PoolError):
            p.putconn(key="nosuchkey")
    finally:
        p.closeall()


def test_threaded_many_threads(dsn):
    nthreads = 8
    maxconn = 4
    p = pool.ThreadedConnectionPool(1, maxconn, dsn)
    errors = []
    results = []
    exhausted = []
    lock = threading.Lock()

    def worker(n):
        try:
            for i in range(5):
                try:
                    conn = p.getconn()
                except pool.PoolError as e:
                    assert str(e) == "connection pool exhausted"
                    with lock:
                        exhausted.append(n)
                    continue
                try:
                    cur = conn.cursor()
                    cur.execute("select %s, pg_sleep(0.01)", (n * 100 + i,))
                    val = cur.fetchone()[0]
                    conn.rollback()
                    with lock:
                        results.append(val)
                finally:
                    p.putconn(conn)
        except Exception as e:  # pragma: no cover - reported below
            with lock:
                errors.append(e)

    threads = [threading.Thread(target=worker, args=(n,))
               for n in range(nthreads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    try:
        assert not errors
        assert len(results) + len(exhausted) == nthreads * 5
        assert len(results) == len(set(results))
        assert len(results) >= maxconn
        # every connection came back: maxconn can be taken again, no more
        conns = [p.getconn() for _ in range(maxconn)]
        with pytest.raises(pool.PoolError):
            p.getconn()
        for c in conns:
            p.putconn(c)
    finally:
        p.closeall()


# -- broken connections never cost a slot (issue 15 item 5) -------------------

def _kill_backend(dsn, pid):
    """Terminate backend *pid* and wait until the server has reaped it."""
    killer = psycopg2.connect(dsn)
    killer.autocommit = True
    try:
        cur = killer.cursor()
        cur.execute("select pg_terminate_backend(%s)", (pid,))
        assert cur.fetchone()[0] is True
        while True:  # synchronise with the server, not with a sleep
            cur.execute("select count(*) from pg_stat_activity where pid = %s",
                        (pid,))
            if cur.fetchone()[0] == 0:
                break
    finally:
        killer.close()


@pytest.mark.parametrize("minconn", [0, 1])
def test_putconn_backend_killed_in_transaction(dsn, make_pool, minconn):
    # more rounds than slots: each lost slot would show as "exhausted"
    p = make_pool(minconn, 2)
    for _ in range(5):
        conn = p.getconn()
        cur = conn.cursor()
        cur.execute("select pg_backend_pid()")  # opens a transaction
        pid = cur.fetchone()[0]
        assert conn.get_transaction_status() == ext.TRANSACTION_STATUS_INTRANS
        _kill_backend(dsn, pid)
        p.putconn(conn)  # the rollback fails: discarded, not raised
        assert conn.closed
        assert not p._used
    conn = p.getconn()
    cur = conn.cursor()
    cur.execute("select 1")
    assert cur.fetchone() == (1,)
    p.putconn(conn)


def test_putconn_backend_killed_inerror(dsn, make_pool):
    p = make_pool(1, 1)
    for _ in range(3):
        conn = p.getconn()
        cur = conn.cursor()
        cur.execute("select pg_backend_pid()")
        pid = cur.fetchone()[0]
        with pytest.raises(errors.DivisionByZero):
            cur.execute("select 1/0")
        assert conn.get_transaction_status() == ext.TRANSACTION_STATUS_INERROR
        _kill_backend(dsn, pid)
        p.putconn(conn)
        assert conn.closed
    conn = p.getconn()
    assert not conn.closed
    p.putconn(conn)


def test_putconn_broken_connection(dsn, make_pool):
    # the client already knows the connection is broken (closed == 2)
    p = make_pool(1, 1)
    for _ in range(3):
        conn = p.getconn()
        cur = conn.cursor()
        cur.execute("select pg_backend_pid()")
        pid = cur.fetchone()[0]
        _kill_backend(dsn, pid)
        with pytest.raises(psycopg2.OperationalError):
            cur.execute("select 1")
        assert conn.closed == 2
        p.putconn(conn)
    conn = p.getconn()
    assert not conn.closed
    p.putconn(conn)


def test_putconn_frees_slot_on_any_exception(make_pool):
    # an exception out of the cleanup (here a stand-in for Ctrl-C during
    # the rollback) is raised, and the slot is freed all the same
    class Interrupted(BaseException):
        pass

    def recycle(conn):
        raise Interrupted()

    p = make_pool(1, 1)
    conn = p.getconn()
    p._recycle = recycle
    with pytest.raises(Interrupted):
        p.putconn(conn)
    del p._recycle
    assert not p._used
    conn.close()
    conn2 = p.getconn()
    assert not conn2.closed
    p.putconn(conn2)


def test_getconn_skips_closed_pooled_connection(make_pool):
    p = make_pool(1, 2)
    conn = p.getconn()
    p.putconn(conn)
    conn.close()  # closed behind the pool's back while idle
    conn2 = p.getconn()
    assert not conn2.closed
    assert conn2 is not conn
    p.putconn(conn2)
