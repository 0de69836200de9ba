"""The examples/ scripts beyond the tour, run as a user would run them."""
import os
import subprocess
import sys

import pytest

import psycopg2
import psycopg2.errors
import psycopg2.extensions
import psycopg2.extras

from .conftest import ROOT

EXAMPLES = os.path.join(ROOT, "examples")


def run_example(name, child_env, *args, timeout=120):
    p = subprocess.run([sys.executable, os.path.join(EXAMPLES, name)] + list(args),
                       env=child_env, capture_output=True, text=True, timeout=timeout)
    assert p.returncode == 0, p.stdout + p.stderr
    return p.stdout


def test_web_app(child_env, conn):
    out = run_example("web_app.py", child_env, "selftest")
    assert out.splitlines() == [
        "health: ok",
        "added: 8 notes",
        "listed: %s" % sorted("note %d" % i for i in range(8)),
        "empty note refused: 400 empty note",
        "pool closed: True",
    ]
    conn.autocommit = True
    conn.cursor().execute("DROP TABLE example_notes")


def test_etl_copy(child_env):
    out = run_example("etl_copy.py", child_env, "5000")
    assert "loaded 5000 rows with COPY" in out
    assert "transformed into 12 monthly rows" in out
    assert "exported 12 rows" in out
    assert "export header: month,region,orders,revenue" in out
    assert "orders in export: 5000" in out


def test_to_pandas(child_env):
    pytest.importorskip("pandas", reason="pandas is not installed")
    out = run_example("to_pandas.py", child_env)
    assert "fetchall: (1000, 5) ['id', 'name', 'price', 'featured', 'added']" in out
    assert "price is Decimal -> float: 625625.0" in out
    assert "read_sql: (1000, 4) featured: 333" in out
    assert "copy: (100000, 5)" in out and "bool" in out
    assert "written back: (500, Decimal('156562.50'))" in out


def test_listen_worker(child_env, dsn):
    worker = subprocess.Popen(
        [sys.executable, "-u", os.path.join(EXAMPLES, "listen_worker.py"), "it_jobs"],
        env=child_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = worker.stdout.readline()
        assert first.startswith("listening on 'it_jobs'"), first + worker.stderr.read()
        conn = psycopg2.connect(dsn)
        conn.autocommit = True
        cur = conn.cursor()
        cur.execute("NOTIFY it_jobs, 'job one'")
        with conn:  # delivered at commit, both together
            cur.execute("SELECT pg_notify('it_jobs', 'job two')")
            cur.execute("SELECT pg_notify('it_jobs', 'job three')")
        cur.execute("NOTIFY other_channel, 'not for us'")
        cur.execute("NOTIFY it_jobs, 'stop'")
        pid = conn.get_backend_pid()
        conn.close()
        out, err = worker.communicate(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert worker.returncode == 0, err
    assert out.splitlines() == [
        "job from backend %d: job one" % pid,
        "job from backend %d: job two" % pid,
        "job from backend %d: job three" % pid,
        "stopping after 3 jobs",
    ]


def _logical_replication_available(dsn):
    conn = psycopg2.connect(dsn)
    try:
        cur = conn.cursor()
        cur.execute("SHOW wal_level")
        level = cur.fetchone()[0]
        cur.execute("SELECT rolreplication OR rolsuper FROM pg_roles WHERE rolname = current_user")
        can = cur.fetchone()[0]
    finally:
        conn.close()
    return level == "logical" and can


def test_replication_consumer(child_env, dsn):
    try:
        from psycopg2.extras import LogicalReplicationConnection  # noqa: F401
    except ImportError:
        pytest.skip("this build has no replication support")
    if not _logical_replication_available(dsn):
        pytest.skip("the test server has no logical replication (wal_level, REPLICATION)")
    slot = "psycopg2_example_slot_%d" % os.getpid()
    try:
        out = run_example("replication_consumer.py", child_env, slot, "--demo", "--drop")
    finally:
        # if the example failed before dropping its slot: WAIT lets the
        # server wait for the example's walsender to release it
        conn = psycopg2.connect(
            dsn, connection_factory=psycopg2.extras.LogicalReplicationConnection)
        cur = conn.cursor()
        try:
            cur.execute("DROP_REPLICATION_SLOT %s WAIT"
                        % psycopg2.extensions.quote_ident(slot, cur))
        except psycopg2.errors.UndefinedObject:
            pass  # dropped by the example
        conn.close()
    lines = out.splitlines()
    assert lines[0] == "created slot %s" % slot
    changes = [line for line in lines if line.startswith("change:")]
    assert changes == [
        "change: table public.example_accounts: INSERT: id[integer]:1 owner[text]:'ann' "
        "balance[integer]:100",
        "change: table public.example_accounts: INSERT: id[integer]:2 owner[text]:'bob' "
        "balance[integer]:50",
        "change: table public.example_accounts: UPDATE: id[integer]:1 owner[text]:'ann' "
        "balance[integer]:70",
        "change: table public.example_accounts: UPDATE: id[integer]:2 owner[text]:'bob' "
        "balance[integer]:80",
        "change: table public.example_accounts: DELETE: id[integer]:2",
    ]
    assert sum(1 for line in lines if line.startswith("commit at ")) == 3
    assert lines[-2:] == ["stopped after 5 changes", "dropped slot %s" % slot]
