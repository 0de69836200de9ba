"""Ctrl-C during a query cancels it on the server and raises promptly."""

import os
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import os, signal, sys, threading, time
    import psycopg2

    conn = psycopg2.connect(os.environ["PSYCOPG2_TESTDSN"])
    cur = conn.cursor()
    threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT)).start()
    t0 = time.time()
    try:
        cur.execute("select pg_sleep(30)")
    except KeyboardInterrupt:
        print("interrupted after %.1f" % (time.time() - t0))
    else:
        print("not interrupted")
        sys.exit(1)
    # the server-side query is gone: nothing of ours still runs
    mon = psycopg2.connect(os.environ["PSYCOPG2_TESTDSN"])
    mc = mon.cursor()
    mc.execute("select state, query from pg_stat_activity where pid = %s",
               (conn.get_backend_pid(),))
    print("backend:", mc.fetchone())
    # and the connection is usable again after a rollback
    conn.rollback()
    cur.execute("select 42")
    print("after:", cur.fetchone()[0])
""")


def test_ctrl_c_cancels_query(child_env):
    env = child_env
    p = subprocess.run([sys.executable, "-c", SCRIPT], env=env,
                       capture_output=True, text=True, timeout=25)
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert lines[0].startswith("interrupted after")
    assert float(lines[0].split()[-1]) < 5
    assert "pg_sleep" not in lines[1] or "idle" in lines[1]
    assert lines[1].startswith("backend: ('idle in transaction")
    assert lines[2] == "after: 42"


def test_signal_handler_exception_propagates(child_env):
    script = textwrap.dedent("""
        import os, signal, threading
        import psycopg2
        class Timeout(Exception):
            pass
        def handler(sig, frame):
            raise Timeout()
        signal.signal(signal.SIGALRM, handler)
        conn = psycopg2.connect(os.environ["PSYCOPG2_TESTDSN"])
        signal.setitimer(signal.ITIMER_REAL, 0.3)
        try:
            conn.cursor().execute("select pg_sleep(30)")
        except Timeout:
            print("timeout raised")
        conn.rollback()
        cur = conn.cursor()
        cur.execute("select 1")
        print(cur.fetchone()[0])
    """)
    env = child_env
    p = subprocess.run([sys.executable, "-c", script], env=env,
                       capture_output=True, text=True, timeout=25)
    assert p.returncode == 0, p.stderr
    assert p.stdout.split() == ["timeout", "raised", "1"]
