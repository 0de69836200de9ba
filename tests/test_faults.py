"""Fault injection: the backend killed, the server restarted, the network
cut, while connecting, executing, fetching, copying or waiting for notifies.

Each fault must give an OperationalError, leave ``closed == 2`` (broken),
never hang (every wait is bounded), let a pool discard the dead connection,
and never report as committed what the server did not commit.

The network is cut through a small TCP proxy running in threads
(``pgsync.Proxy``); restarts and fail-over use clusters of their own
(scripts/cluster.py) so that the shared test server is never disturbed.
"""

import io
import select
import threading
import time

import pytest

import psycopg2
import psycopg2.errors
from psycopg2.pool import ThreadedConnectionPool
import pgsync
from pgsync import WATCHDOG, load_cluster, wait_backend_gone, when_backend

FAULTS = {"injected": 0}


@pytest.fixture
def admin(dsn):
    c = psycopg2.connect(dsn)
    c.autocommit = True
    yield c
    c.close()


def terminate(admin, pid):
    """pg_terminate_backend, returning once the backend has exited."""
    FAULTS["injected"] += 1
    cur = admin.cursor()
    cur.execute("SELECT pg_terminate_backend(%s, %s)",
                (pid, int(WATCHDOG * 1000)))
    assert cur.fetchone() == (True,)


def terminate_when(admin_dsn, pid, query, state="active"):
    """pg_terminate_backend from another thread and connection, once the
    backend shows *query* in *state* (no timing)."""
    def kill():
        c = psycopg2.connect(admin_dsn)
        try:
            c.autocommit = True
            terminate(c, pid)
        finally:
            c.close()

    return when_backend(admin_dsn, pid, query, kill, state)


def assert_broken(conn, exc_info):
    assert isinstance(exc_info.value, psycopg2.OperationalError), \
        repr(exc_info.value)
    assert conn.closed == 2
    # further use: a clean error, never a crash or a hang
    with pytest.raises(psycopg2.InterfaceError):
        conn.cursor().execute("SELECT 1")
    conn.close()
    assert conn.closed == 1


# -- pg_terminate_backend --------------------------------------------------------


def test_kill_mid_query(dsn):
    conn = psycopg2.connect(dsn)
    t = terminate_when(dsn, conn.get_backend_pid(), "pg_sleep(3600)")
    with pytest.raises(psycopg2.Error) as ei:
        conn.cursor().execute("SELECT pg_sleep(3600)")
    t.join(WATCHDOG)
    # as psycopg2: libpq's last word, not the server's FATAL message
    assert type(ei.value) is psycopg2.OperationalError
    assert ei.value.pgcode is None
    assert str(ei.value).startswith(
        "server closed the connection unexpectedly")
    assert ei.value.pgerror == str(ei.value)
    assert_broken(conn, ei)


def test_kill_between_queries(dsn, admin):
    conn = psycopg2.connect(dsn)
    cur = conn.cursor()
    cur.execute("SELECT 1")
    terminate(admin, conn.get_backend_pid())
    with pytest.raises(psycopg2.Error) as ei:
        cur.execute("SELECT 1")
    assert_broken(conn, ei)


def test_kill_mid_named_fetch(dsn, admin):
    conn = psycopg2.connect(dsn)
    cur = conn.cursor("faulty")
    cur.itersize = 10
    cur.execute("SELECT generate_series(1, 1000)")
    assert len(cur.fetchmany(10)) == 10
    terminate(admin, conn.get_backend_pid())
    with pytest.raises(psycopg2.Error) as ei:
        cur.fetchmany(10)
    assert_broken(conn, ei)
    cur.close()  # nothing to send on a dead connection: no error


def test_kill_mid_copy_from(dsn, admin):
    conn = psycopg2.connect(dsn)
    cur = conn.cursor()
    cur.execute("CREATE TEMP TABLE faulty (x int)")
    pid = conn.get_backend_pid()

    class Killer(io.RawIOBase):
        n = 0

        def read(self, size=-1):
            self.n += 1
            if self.n == 3:
                terminate(admin, pid)
            if self.n > 50:
                return ""
            return "".join("%d\n" % i for i in range(1000))

    with pytest.raises(psycopg2.Error) as ei:
        cur.copy_from(Killer(), "faulty", size=8192)
    assert_broken(conn, ei)


def test_kill_mid_copy_to(dsn, admin):
    conn = psycopg2.connect(dsn)
    cur = conn.cursor()
    pid = conn.get_backend_pid()

    class Killer:
        n = 0

        def write(self, data):
            self.n += 1
            if self.n == 2:
                terminate(admin, pid)

    with pytest.raises(psycopg2.Error) as ei:
        cur.copy_expert(
            "COPY (SELECT g, repeat('x', 100) FROM generate_series(1, 2000000)"
            " g) TO STDOUT", Killer())
    assert_broken(conn, ei)


def test_kill_during_notify_wait(dsn):
    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    conn.cursor().execute("LISTEN faulty")
    t = terminate_when(dsn, conn.get_backend_pid(), "LISTEN faulty", "idle")
    deadline = time.monotonic() + WATCHDOG
    with pytest.raises(psycopg2.Error) as ei:
        while time.monotonic() < deadline:
            select.select([conn], [], [], 1)
            conn.poll()
    t.join(WATCHDOG)
    assert_broken(conn, ei)


def test_kill_before_commit_is_not_committed(dsn, admin):
    admin.cursor().execute(
        "DROP TABLE IF EXISTS faulty_commit; CREATE TABLE faulty_commit (x int)")
    try:
        conn = psycopg2.connect(dsn)
        cur = conn.cursor()
        cur.execute("INSERT INTO faulty_commit VALUES (1)")
        terminate(admin, conn.get_backend_pid())
        with pytest.raises(psycopg2.Error) as ei:
            conn.commit()
        assert_broken(conn, ei)
        acur = admin.cursor()
        acur.execute("SELECT count(*) FROM faulty_commit")
        assert acur.fetchone() == (0,)
    finally:
        admin.cursor().execute("DROP TABLE IF EXISTS faulty_commit")


def test_with_block_on_dead_connection(dsn, admin):
    """`with conn:` ending on a dead connection raises, never 'commits'."""
    conn = psycopg2.connect(dsn)
    with pytest.raises(psycopg2.OperationalError):
        with conn:
            conn.cursor().execute("SELECT 1")
            terminate(admin, conn.get_backend_pid())
    assert conn.closed == 2
    conn.close()


def test_pool_discards_dead_connection(dsn, admin):
    pool = ThreadedConnectionPool(1, 2, dsn)
    try:
        conn = pool.getconn()
        dead_pid = conn.get_backend_pid()
        terminate(admin, dead_pid)
        with pytest.raises(psycopg2.OperationalError):
            conn.cursor().execute("SELECT 1")
        assert conn.closed == 2
        pool.putconn(conn)
        conn2 = pool.getconn()
        assert conn2 is not conn
        assert conn2.closed == 0
        cur = conn2.cursor()
        cur.execute("SELECT pg_backend_pid()")
        assert cur.fetchone()[0] != dead_pid
        pool.putconn(conn2)
    finally:
        pool.closeall()


def test_pool_discards_silently_dead_connection(dsn, admin):
    """Killed while idle in the pool: noticed at putconn of the next user."""
    pool = ThreadedConnectionPool(1, 1, dsn)
    try:
        conn = pool.getconn()
        pool.putconn(conn)
        terminate(admin, conn.get_backend_pid())
        conn = pool.getconn()
        with pytest.raises(psycopg2.OperationalError):
            conn.cursor().execute("SELECT 1")
        pool.putconn(conn)
        conn = pool.getconn()
        conn.cursor().execute("SELECT 1")
        pool.putconn(conn)
    finally:
        pool.closeall()


# -- the network cut: a TCP proxy --------------------------------------------------


class Proxy(pgsync.Proxy):
    """pgsync's proxy, counting its cuts as injected faults."""

    def cut(self):
        FAULTS["injected"] += 1
        super().cut()


@pytest.fixture
def proxy(dsn):
    with Proxy(dsn) as p:
        yield p


def test_cut_mid_query(dsn, proxy):
    conn = psycopg2.connect(proxy.proxied_dsn())
    pid = conn.get_backend_pid()
    t = when_backend(dsn, pid, "pg_sleep(3600)", proxy.cut)
    with pytest.raises(psycopg2.Error) as ei:
        conn.cursor().execute("SELECT pg_sleep(3600)")
    t.join(WATCHDOG)
    assert_broken(conn, ei)
    terminate_when(dsn, pid, "pg_sleep(3600)").join(WATCHDOG)


def test_cut_mid_named_fetch(dsn, proxy):
    conn = psycopg2.connect(proxy.proxied_dsn())
    cur = conn.cursor("cut")
    cur.execute("SELECT generate_series(1, 1000)")
    cur.fetchmany(5)
    proxy.cut()
    with pytest.raises(psycopg2.Error) as ei:
        cur.fetchmany(5)
    assert_broken(conn, ei)


def test_cut_mid_copy(dsn, proxy):
    conn = psycopg2.connect(proxy.proxied_dsn())
    cur = conn.cursor()
    cur.execute("CREATE TEMP TABLE cut (x int)")

    class Cutter:
        n = 0

        def read(self, size=-1):
            self.n += 1
            if self.n == 3:
                proxy.cut()
            if self.n > 50:
                return ""
            return "".join("%d\n" % i for i in range(1000))

    with pytest.raises(psycopg2.Error) as ei:
        cur.copy_from(Cutter(), "cut")
    assert_broken(conn, ei)


def test_cut_during_notify_wait(dsn, proxy):
    conn = psycopg2.connect(proxy.proxied_dsn())
    conn.autocommit = True
    conn.cursor().execute("LISTEN cut")
    proxy.cut()  # the wait below sees the socket at EOF
    deadline = time.monotonic() + WATCHDOG
    with pytest.raises(psycopg2.Error) as ei:
        while time.monotonic() < deadline:
            select.select([conn], [], [], 1)
            conn.poll()
    assert_broken(conn, ei)


def test_cut_before_commit_is_not_committed(dsn, proxy, admin):
    admin.cursor().execute(
        "DROP TABLE IF EXISTS cut_commit; CREATE TABLE cut_commit (x int)")
    try:
        conn = psycopg2.connect(proxy.proxied_dsn())
        pid = conn.get_backend_pid()
        conn.cursor().execute("INSERT INTO cut_commit VALUES (1)")
        proxy.cut()
        with pytest.raises(psycopg2.Error) as ei:
            conn.commit()
        assert_broken(conn, ei)
        wait_backend_gone(dsn, pid)  # it saw the EOF and aborted
        cur = admin.cursor()
        cur.execute("SELECT count(*) FROM cut_commit")
        assert cur.fetchone() == (0,)
    finally:
        admin.cursor().execute("DROP TABLE IF EXISTS cut_commit")


def test_cut_during_connect(dsn, proxy):
    """The server disappears during the startup exchange."""
    proxy.freeze()

    def cut():
        # once the client is connected to the proxy (which never answers)
        proxy.wait_connections(1)
        proxy.cut()

    t = threading.Thread(target=cut, daemon=True)
    t.start()
    with pytest.raises(psycopg2.OperationalError):
        psycopg2.connect(proxy.proxied_dsn(connect_timeout=str(int(WATCHDOG))))
    t.join(WATCHDOG)


def test_connect_timeout_unresponsive_server(dsn):
    """A server accepting TCP but never answering: connect_timeout holds."""
    with Proxy(dsn, hang=True) as p:
        FAULTS["injected"] += 1
        start = time.monotonic()
        with pytest.raises(psycopg2.OperationalError) as ei:
            psycopg2.connect(p.proxied_dsn(connect_timeout=2))
        elapsed = time.monotonic() - start
        assert elapsed > 1.5, elapsed  # not given up early; no upper bound
        assert "timeout" in str(ei.value)


@pytest.mark.parametrize("how", ["env", "service", "uri"])
def test_connect_timeout_from_elsewhere(dsn, how, tmp_path, monkeypatch):
    """connect_timeout set outside the keyword string holds as well: in
    PGCONNECT_TIMEOUT, in a service file, and in a URI parameter."""
    import psycopg2.extensions as ext

    with Proxy(dsn, hang=True) as p:
        FAULTS["injected"] += 1
        target = p.proxied_dsn()
        if how == "env":
            monkeypatch.setenv("PGCONNECT_TIMEOUT", "2")
        elif how == "service":
            services = tmp_path / "pg_service.conf"
            services.write_text("[hung]\nconnect_timeout=2\n")
            monkeypatch.setenv("PGSERVICEFILE", str(services))
            target += " service=hung"
        else:
            params = ext.parse_dsn(target)
            target = "postgresql://%s@%s:%s/%s?connect%%5Ftimeout=2" % (
                params["user"], params["host"], params["port"],
                params["dbname"])
        with pytest.raises(psycopg2.OperationalError) as ei:
            psycopg2.connect(target)
        assert "timeout" in str(ei.value)


def test_keepalive_options_accepted(dsn):
    conn = psycopg2.connect(dsn, keepalives=1, keepalives_idle=1,
                            keepalives_interval=1, keepalives_count=1,
                            tcp_user_timeout=2000)
    params = conn.get_dsn_parameters()
    assert params.get("keepalives_idle") == "1"
    conn.cursor().execute("SELECT 1")
    conn.close()


# -- server restart and fail-over: clusters of our own ---------------------------


@pytest.fixture(scope="module")
def own_cluster():
    c = load_cluster().Cluster()
    c.start()
    yield c
    c.stop()


def test_server_restart(own_cluster):
    conn = psycopg2.connect(own_cluster.dsn)
    named = conn.cursor("restart")
    named.execute("SELECT generate_series(1, 100)")
    named.fetchone()
    other = psycopg2.connect(own_cluster.dsn)
    other.autocommit = True
    other.cursor().execute("LISTEN restart")
    FAULTS["injected"] += 1
    own_cluster.restart("fast")
    with pytest.raises(psycopg2.Error) as ei:
        named.fetchone()
    assert_broken(conn, ei)
    with pytest.raises(psycopg2.OperationalError):
        select.select([other], [], [], 5)
        other.poll()
        other.cursor().execute("SELECT 1")
    assert other.closed == 2
    other.close()
    # the server is back: new connections work
    conn = psycopg2.connect(own_cluster.dsn)
    cur = conn.cursor()
    cur.execute("SELECT 1")
    assert cur.fetchone() == (1,)
    conn.close()


def test_server_down_then_up(own_cluster):
    conn = psycopg2.connect(own_cluster.dsn)
    FAULTS["injected"] += 1
    own_cluster.stop_server("immediate")
    try:
        with pytest.raises(psycopg2.Error) as ei:
            conn.cursor().execute("SELECT 1")
        assert_broken(conn, ei)
        with pytest.raises(psycopg2.OperationalError):
            psycopg2.connect(own_cluster.dsn, connect_timeout=3)
    finally:
        own_cluster.start_server()
    psycopg2.connect(own_cluster.dsn).close()


def test_reset_after_restart(own_cluster):
    conn = psycopg2.connect(own_cluster.dsn)
    FAULTS["injected"] += 1
    own_cluster.restart("fast")
    with pytest.raises(psycopg2.OperationalError):
        conn.cursor().execute("SELECT 1")
    assert conn.closed == 2
    conn.close()


@pytest.mark.slow
def test_multihost_failover():
    """host=a,b with target_session_attrs=read-write: the writable one is
    chosen, before and after a standby is promoted."""
    mod = load_cluster()
    primary = mod.Cluster()
    primary.start()
    standby = None
    try:
        standby = mod.Cluster(primary=primary)
        standby.start()
        dsn = ("host=127.0.0.1,127.0.0.1 port=%d,%d dbname=%s user=postgres "
               "target_session_attrs=read-write connect_timeout=5"
               % (standby.port, primary.port, primary.dbname))
        conn = psycopg2.connect(dsn)
        assert conn.info.port == primary.port
        cur = conn.cursor()
        cur.execute("SELECT pg_is_in_recovery()")
        assert cur.fetchone() == (False,)
        cur.execute("CREATE TABLE failover (x int); INSERT INTO failover "
                    "VALUES (1)")
        conn.commit()
        # the standby alone is read-only: refused for read-write
        only_standby = ("host=127.0.0.1 port=%d dbname=%s user=postgres "
                        "target_session_attrs=read-write"
                        % (standby.port, primary.dbname))
        deadline = time.monotonic() + WATCHDOG
        while True:  # wait for the row to be replayed
            s = psycopg2.connect(only_standby.replace("read-write", "any"))
            scur = s.cursor()
            scur.execute("SELECT to_regclass('failover') IS NOT NULL")
            ok = scur.fetchone()[0]
            s.close()
            if ok or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        with pytest.raises(psycopg2.OperationalError):
            psycopg2.connect(only_standby)
        # the primary dies, the standby is promoted
        FAULTS["injected"] += 1
        primary.stop_server("immediate")
        with pytest.raises(psycopg2.Error):
            cur.execute("SELECT 1")
        assert conn.closed == 2
        standby.promote()
        conn = psycopg2.connect(dsn)
        assert conn.info.port == standby.port
        cur = conn.cursor()
        cur.execute("SELECT pg_is_in_recovery(), count(*) FROM failover")
        assert cur.fetchone() == (False, 1)
        cur.execute("INSERT INTO failover VALUES (2)")
        conn.commit()
        conn.close()
    finally:
        if standby is not None:
            standby.stop()
        primary.stop()


def test_report_faults():
    """Not a check: prints how many faults this module injected."""
    print("faults injected: %d" % FAULTS["injected"])
