#!/usr/bin/env python3
"""The side-by-side benchmark (BENCH.md): `make bench`, `make bench-quick`.

For every workload, each driver runs in its own process against the same
server, pinned with its backend to one CPU:

  floor            bench/floor.c, libpq only (built here with gcc + pg_config)
  this             this project, in place (PYTHONPATH=build/lib-inplace)
  psycopg2-binary  from PyPI, in .venv-peers/psycopg2-binary
  psycopg3         psycopg[binary] (C implementation), .venv-peers/psycopg3
  asyncpg          from PyPI, in .venv-peers/asyncpg

The peers' virtualenvs (and .venv-peers/bench for matplotlib) are created on
the first run.  A throwaway cluster is started with scripts/cluster.py unless
BENCH_DSN or PSYCOPG2_TESTDSN names a server.

Output: a table on stdout, bench/results/latest.json and latest.png (quick
runs write quick.json / quick.png instead, which git ignores).

Environment (or the matching options, see --help):
  BENCH_SECONDS   measured seconds per workload and driver (default 2)
  BENCH_QUICK=1   smoke mode: 0.2 s, 100,000 big rows, one pass of the big ones
  BENCH_DRIVERS   comma list, e.g. floor,this,psycopg2-binary
  BENCH_WORKLOADS comma list, e.g. batch,oneplusone
  BENCH_CPU       the CPU to pin to (default: the last one we may use)
  BENCH_BIG_ROWS  rows of bigfetch/stream (default 1,000,000)
  BENCH_BIG_REPS  fresh processes per big workload and driver (default 3)
  BENCH_DSN       server to use (else PSYCOPG2_TESTDSN, else a throwaway one)
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "bench")
INPLACE = os.path.join(ROOT, "build", "lib-inplace")
FLOOR_BIN = os.path.join(ROOT, "build", "bench", "floor")
VENVS = os.path.join(ROOT, ".venv-peers")

sys.path.insert(0, BENCH)
import common  # noqa: E402

DRIVERS = ["floor", "this", "psycopg2-binary", "psycopg3", "asyncpg"]
PEERS = {
    # name: (pip requirements, worker script)
    "psycopg2-binary": (["psycopg2-binary"], "drv_psycopg2.py"),
    "psycopg3": (["psycopg[binary]"], "drv_psycopg3.py"),
    "asyncpg": (["asyncpg"], "drv_asyncpg.py"),
}
PLOT_REQS = ["matplotlib"]

# name, unit, repeated-in-one-process (False: one op per fresh process)
WORKLOADS = [
    ("pg_type", "query", True),
    ("pg_type_dict", "query", True),
    ("generate_series", "query", True),
    ("large_object", "query", True),
    ("arrays", "query", True),
    ("copyfrom", "copy", True),
    ("batch", "batch", True),
    ("oneplusone", "query", True),
    ("connect", "connection", True),
    ("bigfetch", "query", False),
    ("stream", "query", False),
    ("stream_small", "query", False),
]

# BENCH.md targets for this module, as driver ÷ floor (min-based).
TARGETS = {
    ("pg_type", "time"): 1.10,
    ("pg_type_dict", "time"): 1.20,
    ("generate_series", "time"): 1.20,
    ("large_object", "time"): 0.90,
    ("arrays", "time"): 1.40,
    ("copyfrom", "time"): 1.05,
    ("batch", "time"): 1.15,
    ("oneplusone", "time"): 1.05,
    ("connect", "time"): 1.05,
    ("bigfetch", "time"): 1.50,
    ("bigfetch", "rss"): 2.0,
}

# The rows of the table: (key, workload, measure, label).  stream_small
# serves only the flatness check of stream's peak RSS.
METRICS = [(w, w, "time", w) for w, _, rep in WORKLOADS if rep] + [
    ("bigfetch", "bigfetch", "time", "bigfetch"),
    ("bigfetch_rss", "bigfetch", "rss", "bigfetch peak RSS"),
    ("stream", "stream", "time", "stream"),
    ("stream_rss", "stream", "rss", "stream peak RSS"),
    ("stream_small_rss", "stream_small", "rss", "stream peak RSS rows/10"),
]

LABELS = {
    "floor": "floor (libpq)",
    "this": "this (psycopg2)",
    "psycopg2-binary": "psycopg2-binary",
    "psycopg3": "psycopg3 (C)",
    "asyncpg": "asyncpg",
}


def log(*a):
    print(*a, file=sys.stderr, flush=True)


# -- setup -------------------------------------------------------------------


def options():
    env = os.environ.get
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", default=env("BENCH_QUICK", "") not in ("", "0"))
    p.add_argument("--seconds", type=float, default=env("BENCH_SECONDS"))
    p.add_argument("--drivers", default=env("BENCH_DRIVERS", ",".join(DRIVERS)))
    p.add_argument("--workloads",
                   default=env("BENCH_WORKLOADS", ",".join(w for w, _, _ in WORKLOADS)))
    p.add_argument("--cpu", type=int, default=env("BENCH_CPU"))
    p.add_argument("--rows", type=int, default=env("BENCH_BIG_ROWS"))
    p.add_argument("--reps", type=int, default=env("BENCH_BIG_REPS"))
    p.add_argument("--dsn", default=env("BENCH_DSN") or env("PSYCOPG2_TESTDSN"))
    p.add_argument("--out", default=os.path.join(BENCH, "results"))
    p.add_argument("--no-plot", action="store_true")
    o = p.parse_args()
    o.seconds = float(o.seconds) if o.seconds is not None else (0.2 if o.quick else 2.0)
    o.rows = int(o.rows) if o.rows is not None else (100000 if o.quick else 1000000)
    o.reps = int(o.reps) if o.reps is not None else (1 if o.quick else 3)
    if o.cpu is None:
        o.cpu = max(os.sched_getaffinity(0))
    o.cpu = int(o.cpu)
    o.drivers = [d.strip() for d in o.drivers.split(",") if d.strip()]
    o.workloads = [w.strip() for w in o.workloads.split(",") if w.strip()]
    for d in o.drivers:
        if d not in DRIVERS:
            p.error("unknown driver %r (known: %s)" % (d, ", ".join(DRIVERS)))
    for w in o.workloads:
        if w not in [x for x, _, _ in WORKLOADS]:
            p.error("unknown workload %r" % w)
    if "stream" in o.workloads and "stream_small" not in o.workloads:
        o.workloads.append("stream_small")
    return o


def pg_config(what):
    exe = os.environ.get("PG_CONFIG") or shutil.which("pg_config") or "pg_config"
    return subprocess.run([exe, what], capture_output=True, text=True, check=True).stdout.strip()


def build_floor():
    src = os.path.join(BENCH, "floor.c")
    os.makedirs(os.path.dirname(FLOOR_BIN), exist_ok=True)
    cc = os.environ.get("CC") or shutil.which("gcc") or "cc"
    cmd = [
        cc, "-O2", "-Wall", "-I" + pg_config("--includedir"), src,
        "-L" + pg_config("--libdir"), "-lpq", "-o", FLOOR_BIN,
    ]
    log("bench: building the floor:", " ".join(cmd))
    subprocess.run(cmd, check=True)


def ensure_venv(name, reqs):
    """A virtualenv in .venv-peers/NAME with reqs installed; its python."""
    d = os.path.join(VENVS, name)
    py = os.path.join(d, "bin", "python")
    marker = os.path.join(d, ".bench-reqs")
    want = "\n".join(reqs)
    if os.path.exists(marker) and open(marker).read() == want and os.path.exists(py):
        return py
    log("bench: creating %s with %s" % (os.path.relpath(d, ROOT), " ".join(reqs)))
    base = getattr(sys, "_base_executable", sys.executable)
    if not os.path.exists(py):
        subprocess.run([base, "-m", "venv", d], check=True)
    subprocess.run(
        [py, "-m", "pip", "install", "-q", "--disable-pip-version-check"] + reqs,
        check=True,
    )
    with open(marker, "w") as f:
        f.write(want)
    return py


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env.update(extra)
    return env


def driver_commands(o):
    """name -> (argv prefix, env) for every driver that can run."""
    cmds, missing = {}, {}
    for d in o.drivers:
        try:
            if d == "floor":
                build_floor()
                cmds[d] = ([FLOOR_BIN], clean_env())
            elif d == "this":
                env = clean_env(PYTHONPATH=INPLACE)
                chk = subprocess.run(
                    [sys.executable, "-c", "import psycopg2; print(psycopg2.__file__)"],
                    env=env, capture_output=True, text=True, cwd="/",
                )
                if chk.returncode != 0:
                    raise RuntimeError("cannot import psycopg2 from %s (run make): %s"
                                       % (INPLACE, chk.stderr.strip().splitlines()[-1:]))
                cmds[d] = ([sys.executable, os.path.join(BENCH, "drv_psycopg2.py")], env)
            else:
                reqs, script = PEERS[d]
                py = ensure_venv(d, reqs)
                cmds[d] = ([py, os.path.join(BENCH, script)], clean_env())
        except Exception as e:  # a driver that cannot run is reported, not fatal
            log("bench: %s unavailable: %s" % (d, e))
            missing[d] = str(e)
    return cmds, missing


def server_is_local(dsn):
    host = common.parse_dsn(dsn).get("host", "") if "://" not in dsn else ""
    if "://" in dsn:
        rest = dsn.split("://", 1)[1].split("/", 1)[0].rsplit("@", 1)[-1]
        host = rest.rsplit(":", 1)[0] if rest.count(":") == 1 else rest
    return host in ("", "localhost", "127.0.0.1", "::1", "[::1]") or host.startswith("/")


def setup_sql(rows):
    return [
        "SET client_min_messages TO warning",
        "DROP TABLE IF EXISTS bench_lo, bench_arrays, bench_copy, bench_batch, bench_big",
        "CREATE TABLE bench_lo (b bytea)",
        "INSERT INTO bench_lo SELECT decode(rpad('', 2000, md5(i::text)), 'hex') "
        "FROM generate_series(1, 100) i",
        "CREATE TABLE bench_arrays (a int[])",
        "INSERT INTO bench_arrays SELECT array(SELECT j * i FROM generate_series(1, 100) j) "
        "FROM generate_series(1, 100) i",
        "CREATE TABLE bench_copy (a int, b int, c int, d text, e float8, f int, g text)",
        "CREATE TABLE bench_batch (a int, b int, c int, d text, e float8, f int, g text)",
        "CREATE TABLE bench_big AS SELECT i::int4 AS a, i::int8 * 1000003 AS b, "
        "i / 7.0::float8 AS c, 'row number ' || i AS d, (i / 100.0)::numeric(12,2) AS e, "
        "timestamptz '2020-01-01 00:00:00+00' + i * interval '1 second' AS f, "
        "i %% 2 = 0 AS g, date '2000-01-01' + i %% 10000 AS h "
        "FROM generate_series(1, %d) i" % rows,
        "VACUUM ANALYZE bench_lo, bench_arrays, bench_copy, bench_batch, bench_big",
        "SELECT count(*) FROM bench_big",
    ]


def floor_exec(dsn, *sql):
    out = subprocess.run(
        [FLOOR_BIN, "--dsn", dsn] + [a for s in sql for a in ("--exec", s)],
        capture_output=True, text=True, env=clean_env(),
    )
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip())
    return out.stdout.strip()


# -- running -----------------------------------------------------------------


def run_worker(cmd, env, o, dsn, workload, rows, pin_backend):
    argv = list(cmd) + [
        "--dsn", dsn, "--workload", workload, "--seconds", str(o.seconds),
        "--cpu", str(o.cpu), "--rows", str(rows),
    ]
    if pin_backend:
        argv.append("--pin-backend")
    timeout = 60 + 10 * o.seconds + rows / 2000
    try:
        p = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout, cwd="/")
    except subprocess.TimeoutExpired:
        return {"error": "timed out after %d s" % timeout}
    for line in p.stdout.splitlines():
        if line.startswith("BENCH-RESULT "):
            return json.loads(line[len("BENCH-RESULT "):])
    err = (p.stderr.strip().splitlines() or ["exit %d, no result" % p.returncode])[-1]
    return {"error": err[:300]}


def combine(runs):
    """Several single-shot processes -> one result (time and RSS)."""
    ok = [r for r in runs if "error" not in r]
    if not ok:
        return runs[0]
    times = [r["min"] for r in ok]
    rss = [r["peak_rss_kb"] for r in ok]
    out = dict(ok[0])
    out.update(
        n=len(ok), median=statistics.median(times), min=min(times), max=max(times),
        mean=statistics.fmean(times), peak_rss_kb=statistics.median(rss),
        peak_rss_kb_min=min(rss), peak_rss_kb_max=max(rss),
    )
    return out


def run_all(o, cmds, dsn, pin_backend):
    results = {}
    for w, _unit, repeated in WORKLOADS:
        if w not in o.workloads:
            continue
        rows = max(1, o.rows // 10) if w == "stream_small" else o.rows
        results[w] = {}
        runs = {d: [] for d in cmds}
        for _rep in range(1 if repeated else o.reps):
            for d in DRIVERS:  # interleaved, so drift hits every driver alike
                if d not in cmds:
                    continue
                t0 = time.monotonic()
                r = run_worker(cmds[d][0], cmds[d][1], o, dsn, w, rows, pin_backend)
                runs[d].append(r)
                what = r.get("error") or "median %s min %s (n=%d)" % (
                    fmt_time(r["median"]), fmt_time(r["min"]), r["n"])
                log("bench: %-16s %-16s %s  [%.1fs]" % (w, d, what, time.monotonic() - t0))
        for d in runs:
            if runs[d]:
                results[w][d] = runs[d][0] if repeated else combine(runs[d])
    return results


def check_modules(results):
    """Make sure each Python driver ran the module it claims to be."""
    real_lib = os.path.realpath(os.path.join(ROOT, "lib"))
    for per in results.values():
        for d, r in per.items():
            mod = r.get("module")
            if not mod or "error" in r:
                continue
            real = os.path.realpath(mod)
            if d == "this":
                ok = real.startswith(real_lib + os.sep)
            else:
                ok = real.startswith(os.path.realpath(os.path.join(VENVS, d)) + os.sep)
            if not ok:
                per[d] = {"error": "ran the wrong module: %s" % mod}


# -- report ------------------------------------------------------------------


def fmt_time(s):
    if s is None:
        return "-"
    if s < 1e-3:
        return "%.1fµs" % (s * 1e6)
    if s < 1:
        return "%.2fms" % (s * 1e3)
    return "%.3fs" % s


def fmt_mb(kb):
    return "-" if kb is None else "%.1fMB" % (kb / 1024.0)


def value(r, measure):
    if not r or "error" in r:
        return None
    if measure == "time":
        return r["min"]
    return r.get("peak_rss_kb")


def build_table(results):
    """One row per (metric, driver) with the ratios."""
    rows = []
    for key, w, measure, label in METRICS:
        per = results.get(w)
        if not per:
            continue
        floor = value(per.get("floor"), measure)
        this = value(per.get("this"), measure)
        for d in DRIVERS:
            if d not in per:
                continue
            r = per[d]
            v = value(r, measure)
            row = {"metric": key, "workload": w, "measure": measure, "label": label, "driver": d}
            if v is None:
                row["error"] = r.get("error", "no result")
            else:
                if measure == "time":
                    row.update(median=r["median"], min=r["min"], max=r["max"], n=r["n"])
                else:
                    row.update(rss_kb=v, rss_kb_min=r.get("peak_rss_kb_min", v),
                               rss_kb_max=r.get("peak_rss_kb_max", v), n=r["n"])
                row["vs_floor"] = v / floor if floor else None
                if d not in ("floor", "this") and this:
                    row["peer_vs_this"] = v / this
            if d == "this":
                target = TARGETS.get((w, measure))
                if target is not None:
                    row["target"] = target
                    if row.get("vs_floor") is not None:
                        row["met"] = row["vs_floor"] <= target
            rows.append(row)
    # stream: peak RSS flat in the number of rows (rows/10 vs all rows)
    big = {(r["metric"], r["driver"]): r for r in rows}
    for d in DRIVERS:
        full, small = big.get(("stream_rss", d)), big.get(("stream_small_rss", d))
        if full and small and "rss_kb" in full and "rss_kb" in small:
            growth = full["rss_kb"] - small["rss_kb"]
            full["growth_kb"] = growth
            if d == "this":
                full["target"] = "flat"
                full["met"] = growth <= max(2048, 0.1 * small["rss_kb"])
    return rows


def render(rows, meta):
    out = []
    out.append("psycopg2, rebuilt: benchmark, %s" % meta["date"])
    out.append("source: %s" % meta["source"])
    out.append("machine: %s CPUs, %s, Linux %s; server PostgreSQL %s; floor libpq %s"
               % (meta["nproc"], meta["cpu_model"], meta["kernel"], meta["server_version"],
                  meta.get("libpq", "?")))
    out.append("method: %s s per workload and driver after warm-up, client and backend on CPU %d "
               "(backend pinned: %s); big workloads: %d rows, %d fresh process(es) each"
               % (meta["seconds"], meta["cpu"], meta["backend_pinned"], meta["big_rows"],
                  meta["big_reps"]))
    out.append("load average (1 min) over the run: %s (other work on the machine adds noise)"
               % meta["loadavg"])
    out.append("ratios use the min over passes; ÷floor = driver ÷ libpq-only C client; "
               "peer÷this > 1 means this module is faster")
    out.append("")
    head = "%-24s %-16s %10s %10s %21s %7s %9s  %s" % (
        "workload", "driver", "median", "min", "spread (min..max)", "÷floor", "peer÷this", "target")
    out.append(head)
    out.append("-" * len(head))
    last = None
    for r in rows:
        label = r["label"] if r["metric"] != last else ""
        if r["metric"] != last and last is not None:
            out.append("")
        last = r["metric"]
        name = LABELS[r["driver"]]
        if "error" in r:
            out.append("%-24s %-16s  error: %s" % (label, name, r["error"][:70]))
            continue
        if r["measure"] == "time":
            med, mn = fmt_time(r["median"]), fmt_time(r["min"])
            spread = "%s..%s" % (fmt_time(r["min"]), fmt_time(r["max"]))
        else:
            med, mn = fmt_mb(r["rss_kb"]), fmt_mb(r["rss_kb_min"])
            spread = "%s..%s" % (fmt_mb(r["rss_kb_min"]), fmt_mb(r["rss_kb_max"]))
        vf = "%.2f" % r["vs_floor"] if r.get("vs_floor") is not None else "-"
        pt = "%.2f" % r["peer_vs_this"] if r.get("peer_vs_this") is not None else ""
        tgt = ""
        if "target" in r:
            t = r["target"]
            tgt = ("≤ %.2f" % t) if not isinstance(t, str) else t
            if "met" in r:
                tgt += "  met" if r["met"] else "  MISSED"
            if r["metric"] == "stream_rss" and "growth_kb" in r:
                tgt += " (%+.1fMB from rows/10)" % (r["growth_kb"] / 1024.0)
        out.append("%-24s %-16s %10s %10s %21s %7s %9s  %s"
                   % (label, name, med, mn, spread, vf, pt, tgt))
    for d, why in sorted(meta.get("unavailable", {}).items()):
        out.append("%s: not measured: %s" % (LABELS[d], why))
    return "\n".join(out)


def machine_meta():
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "cpu_model": model,
        "kernel": platform.release(),
        "python": platform.python_version(),
    }


def git_describe():
    """The commit measured; '-dirty' when the work tree had local changes."""
    try:
        out = subprocess.run(["git", "-C", ROOT, "describe", "--always", "--dirty"],
                             capture_output=True, text=True, timeout=10)
        return out.stdout.strip() or "?"
    except (OSError, subprocess.SubprocessError):
        return "?"


def plot(json_path, png_path):
    try:
        py = ensure_venv("bench", PLOT_REQS)
    except Exception as e:
        log("bench: no chart (matplotlib unavailable: %s)" % e)
        return False
    p = subprocess.run([py, os.path.join(BENCH, "plot.py"), json_path, png_path], env=clean_env())
    return p.returncode == 0


# -- main --------------------------------------------------------------------


def main():
    o = options()
    t_start = time.monotonic()
    load_before = os.getloadavg()[0]
    cmds, missing = driver_commands(o)
    if "floor" not in cmds:
        log("bench: the floor is needed for every ratio and could not be built")
        return 1
    if not any(d != "floor" for d in cmds):
        log("bench: no driver to measure")
        return 1

    cluster = None
    dsn = o.dsn
    if not dsn:
        sys.path.insert(0, os.path.join(ROOT, "scripts"))
        from cluster import Cluster

        cluster = Cluster()
        log("bench: starting a throwaway cluster")
        cluster.start()
        dsn = cluster.dsn
    try:
        local = cluster is not None or server_is_local(dsn)
        pin_backend = local and shutil.which("taskset") is not None
        if cluster is not None and pin_backend:
            # New backends (connect) inherit the postmaster's affinity.
            with open(os.path.join(cluster.datadir, "postmaster.pid")) as f:
                pm = f.readline().strip()
            subprocess.call(["taskset", "-p", "-c", str(o.cpu), pm], stdout=subprocess.DEVNULL)
        log("bench: setting up tables (%d big rows)" % o.rows)
        floor_exec(dsn, *setup_sql(o.rows))
        server_version = floor_exec(dsn, "SHOW server_version")
        results = run_all(o, cmds, dsn, pin_backend)
    finally:
        if cluster is not None:
            cluster.stop()
    check_modules(results)

    meta = machine_meta()
    libpq = None
    versions = {}
    pinned = []
    for per in results.values():
        for d, r in per.items():
            if "version" in r:
                versions[d] = r["version"]
            if d == "floor" and "libpq" in r:
                libpq = r["libpq"]
            if "backend_pinned" in r:
                pinned.append(r["backend_pinned"])
    meta.update(
        server_version=server_version,
        libpq="%d.%d" % (libpq // 10000, libpq % 10000) if libpq else "?",
        seconds=o.seconds, cpu=o.cpu, quick=o.quick, big_rows=o.rows, big_reps=o.reps,
        backend_pinned=("yes" if pinned and all(pinned) else "partly" if any(pinned) else "no"),
        versions=versions, unavailable=missing, dsn_given=bool(o.dsn),
        loadavg="%.1f before, %.1f after" % (load_before, os.getloadavg()[0]),
        source=git_describe(),
    )
    rows = build_table(results)
    text = render(rows, meta)
    meta["elapsed_s"] = round(time.monotonic() - t_start, 1)
    print(text)

    os.makedirs(o.out, exist_ok=True)
    stem = "quick" if o.quick else "latest"
    json_path = os.path.join(o.out, stem + ".json")
    png_path = os.path.join(o.out, stem + ".png")
    with open(json_path, "w") as f:
        json.dump({"meta": meta, "table": rows, "results": results, "text": text}, f, indent=1)
        f.write("\n")
    drawn = False if o.no_plot else plot(json_path, png_path)
    log("bench: wrote %s%s; %.0f s in all" % (
        os.path.relpath(json_path), " and " + os.path.relpath(png_path) if drawn else "",
        time.monotonic() - t_start))
    return 0


if __name__ == "__main__":
    sys.exit(main())
