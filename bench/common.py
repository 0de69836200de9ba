"""What every Python benchmark worker shares: the workloads' statements and
data, argument parsing, CPU pinning, the timing loop and the JSON result.

Standard library only: each worker runs in its own interpreter/virtualenv
(this project in place, psycopg2-binary, psycopg 3, asyncpg), and all of them
import this file from bench/.  The C floor (floor.c) mirrors these constants;
keep the two in step.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

# -- the workloads (BENCH.md) -------------------------------------------------

PG_TYPE_SQL = (
    "select typname, typnamespace, typowner, typlen, typbyval, typcategory, "
    "typispreferred, typisdefined, typdelim, typrelid, typelem, typarray "
    "from pg_type where typtypmod = %s and typisdefined = %s"
)
PG_TYPE_ARGS = (-1, True)

GEN_SERIES_SQL = "SELECT i FROM generate_series(1, %s) AS i"
GEN_SERIES_ARGS = (1000,)

LARGE_OBJECT_SQL = "SELECT * FROM bench_lo"
ARRAYS_SQL = "SELECT * FROM bench_arrays"
ONEPLUSONE_SQL = "SELECT 1+1"

ROW = (10, 11, 10, "TESTTESTTEST", 10.333, 12341234, "123412341234")
COLUMNS = ("a", "b", "c", "d", "e", "f", "g")
COPY_TABLE = "bench_copy"
COPY_ROWS = 10000
COPY_LINE = "\t".join(str(v) for v in ROW) + "\n"
COPY_DATA = COPY_LINE * COPY_ROWS
COPY_SQL = "COPY bench_copy (a, b, c, d, e, f, g) FROM STDIN"
COPY_CHUNK = 8192

BATCH_TABLE = "bench_batch"
BATCH_ROWS = 1000
BATCH_SQL = "INSERT INTO bench_batch (a, b, c, d, e, f, g) VALUES (%s, %s, %s, %s, %s, %s, %s)"

BIG_COLUMNS = "a, b, c, d, e, f, g, h"
STREAM_ITERSIZE = 10000

# Each of these runs once per fresh process (time and peak RSS).
SINGLE_SHOT = ("bigfetch", "stream", "stream_small")


def big_sql(rows):
    return "SELECT %s FROM bench_big LIMIT %d" % (BIG_COLUMNS, rows)


def dollar(sql):
    """%s placeholders -> $1, $2, ... (asyncpg)."""
    parts = sql.split("%s")
    out = [parts[0]]
    for i, p in enumerate(parts[1:], 1):
        out.append("$%d" % i)
        out.append(p)
    return "".join(out)


def parse_dsn(dsn):
    """A libpq keyword/value DSN -> dict (simple quoting rules)."""
    out = {}
    i, n = 0, len(dsn)
    while i < n:
        while i < n and dsn[i].isspace():
            i += 1
        if i >= n:
            break
        j = dsn.index("=", i)
        key = dsn[i:j].strip()
        i = j + 1
        while i < n and dsn[i].isspace():
            i += 1
        val = []
        if i < n and dsn[i] == "'":
            i += 1
            while i < n and dsn[i] != "'":
                if dsn[i] == "\\" and i + 1 < n:
                    i += 1
                val.append(dsn[i])
                i += 1
            i += 1
        else:
            while i < n and not dsn[i].isspace():
                if dsn[i] == "\\" and i + 1 < n:
                    i += 1
                val.append(dsn[i])
                i += 1
        out[key] = "".join(val)
    return out


# -- process setup -----------------------------------------------------------


def parse_args(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("--workload", required=True)
    p.add_argument("--dsn", required=True)
    p.add_argument("--seconds", type=float, default=2.0)
    p.add_argument("--cpu", type=int, default=-1, help="pin client (and backend) to this CPU")
    p.add_argument("--pin-backend", action="store_true", help="taskset the backend too")
    p.add_argument("--rows", type=int, default=1000000, help="rows of the big workloads")
    p.add_argument("--label", default="")
    return p.parse_args(argv)


def pin_self(cpu):
    if cpu >= 0:
        os.sched_setaffinity(0, {cpu})


def pin_backend(pid, args):
    """Pin the server backend to the client's CPU; True if done."""
    if args.cpu < 0 or not args.pin_backend:
        return False
    rc = subprocess.call(
        ["taskset", "-p", "-c", str(args.cpu), str(pid)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return rc == 0


def current_rss_kb():
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
    except OSError:
        return None


def peak_rss_kb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


# -- timing ------------------------------------------------------------------


def _warmup_seconds(seconds):
    return max(0.25 * seconds, 0.02)


def _stats(times):
    return {
        "n": len(times),
        "median": statistics.median(times),
        "min": min(times),
        "max": max(times),
        "mean": statistics.fmean(times),
    }


def timed_loop(op, seconds):
    """Warm up, then run op() until `seconds` have elapsed (at least 3 times);
    return per-operation statistics in seconds."""
    clock = time.perf_counter
    end = clock() + _warmup_seconds(seconds)
    k = 0
    while k < 2 or clock() < end:
        op()
        k += 1
    times = []
    start = clock()
    while True:
        t0 = clock()
        op()
        t1 = clock()
        times.append(t1 - t0)
        if t1 - start >= seconds and len(times) >= 3:
            break
    return _stats(times)


async def atimed_loop(op, seconds):
    clock = time.perf_counter
    end = clock() + _warmup_seconds(seconds)
    k = 0
    while k < 2 or clock() < end:
        await op()
        k += 1
    times = []
    start = clock()
    while True:
        t0 = clock()
        await op()
        t1 = clock()
        times.append(t1 - t0)
        if t1 - start >= seconds and len(times) >= 3:
            break
    return _stats(times)


def single_shot(op):
    """One run, in this fresh process: time and peak RSS."""
    base = current_rss_kb()
    t0 = time.perf_counter()
    n = op()
    t = time.perf_counter() - t0
    return {
        "n": 1,
        "median": t,
        "min": t,
        "max": t,
        "mean": t,
        "rows": n,
        "base_rss_kb": base,
        "peak_rss_kb": peak_rss_kb(),
    }


async def asingle_shot(op):
    base = current_rss_kb()
    t0 = time.perf_counter()
    n = await op()
    t = time.perf_counter() - t0
    return {
        "n": 1,
        "median": t,
        "min": t,
        "max": t,
        "mean": t,
        "rows": n,
        "base_rss_kb": base,
        "peak_rss_kb": peak_rss_kb(),
    }


def emit(result, **extra):
    result = dict(result)
    result.update(extra)
    result["python"] = sys.version.split()[0]
    sys.stdout.write("BENCH-RESULT " + json.dumps(result) + "\n")
    sys.stdout.flush()
