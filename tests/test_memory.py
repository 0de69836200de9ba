"""Memory stays flat when streaming: named cursor iteration and COPY.

Each check runs in a fresh interpreter and compares the peak RSS
(``resource.getrusage(RUSAGE_SELF).ru_maxrss``) after a warm-up with the
peak at the end.  Materialising the data would cost hundreds of MB; the
bound allows a few tens.

On Linux a child process inherits the parent's peak RSS through fork/exec
(the pytest process may be bigger than the child ever gets), which would
hide growth below that peak: so the current RSS (/proc/self/statm) is also
sampled while streaming and its growth checked against the same bound.
"""

import os
import subprocess
import sys
import textwrap

import pytest

resource = pytest.importorskip("resource")

pytestmark = pytest.mark.rss

BOUND_MB = 50

PRELUDE = textwrap.dedent("""
    import os, resource, sys
    import psycopg2

    def peak_mb():
        # kilobytes on Linux, bytes on macOS
        r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return r / 1024.0 / (1024.0 if sys.platform == "darwin" else 1.0)

    def rss_mb():
        # current resident set size; the peak where /proc is missing
        try:
            with open("/proc/self/statm") as f:
                pages = int(f.read().split()[1])
            return pages * os.sysconf("SC_PAGE_SIZE") / 1048576.0
        except (OSError, ValueError):
            return peak_mb()

    class Mem:
        # baseline and maximum of both measures
        max_rss = 0.0
        def start(self):
            self.base_peak = peak_mb()
            self.base_rss = self.max_rss = rss_mb()
        def sample(self):
            self.max_rss = max(self.max_rss, rss_mb())
        def report(self, count):
            self.sample()
            print(self.base_peak, peak_mb(), self.base_rss, self.max_rss,
                  count)

    mem = Mem()
    conn = psycopg2.connect(os.environ["PSYCOPG2_TESTDSN"])
""")


def run(dsn, body, timeout=60):
    env = dict(os.environ, PSYCOPG2_TESTDSN=dsn)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in sys.path if p) + os.pathsep + env.get("PYTHONPATH", "")
    out = subprocess.run(
        [sys.executable, "-c", PRELUDE + textwrap.dedent(body)],
        env=env, capture_output=True, text=True, timeout=timeout)
    assert out.returncode == 0, out.stderr
    base_peak, peak, base_rss, max_rss, count = out.stdout.split()
    return (float(peak) - float(base_peak), float(max_rss) - float(base_rss),
            int(count))


@pytest.mark.skipif(sys.platform.startswith("win"), reason="no ru_maxrss")
def test_measure_detects_growth(dsn):
    # the method works: holding 200 MB shows up
    growth, rss_growth, n = run(dsn, """
        mem.start()
        blob = b"x" * (200 * 1024 * 1024)  # pages really touched
        mem.report(len(blob))
    """)
    assert rss_growth > 150


def test_named_cursor_iteration_is_flat(dsn):
    growth, rss_growth, n = run(dsn, """
        cur = conn.cursor("big")
        cur.execute(
            "SELECT x, 'row number ' || x, x * 1.5 "
            "FROM generate_series(1, 2000000) x")
        count = 0
        for row in cur:
            count += 1
            if count == 10000:
                mem.start()  # first batches fetched, caches warm
            elif count % 20000 == 0:
                mem.sample()
        mem.report(count)
    """)
    assert n == 2000000
    assert growth < BOUND_MB and rss_growth < BOUND_MB, (growth, rss_growth)


def test_named_cursor_fetchmany_is_flat(dsn):
    growth, rss_growth, n = run(dsn, """
        cur = conn.cursor("big")
        cur.execute("SELECT x, repeat('x', 100) "
                    "FROM generate_series(1, 1000000) x")
        count = len(cur.fetchmany(5000))
        mem.start()
        while True:
            rows = cur.fetchmany(5000)
            if not rows:
                break
            count += len(rows)
            mem.sample()
        mem.report(count)
    """)
    assert n == 1000000
    assert growth < BOUND_MB and rss_growth < BOUND_MB, (growth, rss_growth)


def test_copy_to_is_flat(dsn):
    # ~150 MB of COPY output into a file object that discards it
    growth, rss_growth, n = run(dsn, """
        cur = conn.cursor()
        cur.execute(
            "CREATE TEMP TABLE big AS SELECT x AS id, "
            "repeat(md5(x::text), 4) AS data "
            "FROM generate_series(1, 1000000) x")

        class Sink:
            total = 0
            def write(self, data):
                self.total += len(data)
                if self.total % 500 == 0:
                    mem.sample()

        sink = Sink()
        cur.copy_expert("COPY (SELECT * FROM big LIMIT 1000) TO STDOUT",
                        sink)
        mem.start()
        cur.copy_to(sink, "big")
        assert cur.rowcount == 1000000
        assert sink.total > 130 * 1000 * 1000, sink.total
        mem.report(cur.rowcount)
    """)
    assert n == 1000000
    assert growth < BOUND_MB and rss_growth < BOUND_MB, (growth, rss_growth)


def test_copy_from_is_flat(dsn):
    # ~140 MB generated on the fly and streamed in `size` chunks
    growth, rss_growth, n = run(dsn, """
        cur = conn.cursor()
        cur.execute("CREATE TEMP TABLE big (id int, data text)")

        class Source:
            def __init__(self, n):
                self.n = n
                self.i = 0
                self.buf = b""
            def read(self, size):
                while len(self.buf) < size and self.i < self.n:
                    self.i += 1
                    self.buf += b"%d\\t%s\\n" % (self.i, b"y" * 128)
                chunk, self.buf = self.buf[:size], self.buf[size:]
                mem.sample()
                return chunk

        cur.copy_from(Source(1000), "big")
        mem.start()
        cur.copy_from(Source(1000000), "big", size=65536)
        mem.report(cur.rowcount)
    """)
    assert n == 1000000
    assert growth < BOUND_MB and rss_growth < BOUND_MB, (growth, rss_growth)
