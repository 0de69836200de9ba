"""Draw bench/results/*.json as a bar chart: each driver ÷ the libpq floor
(min-based), per workload, with this module's BENCH.md target marked.
Run by bench/run.py with the python of .venv-peers/bench (matplotlib)."""

import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

DRIVERS = ["this", "psycopg2-binary", "psycopg3", "asyncpg"]
LABELS = {
    "this": "this (psycopg2, rebuilt)",
    "psycopg2-binary": "psycopg2-binary",
    "psycopg3": "psycopg 3 (C)",
    "asyncpg": "asyncpg",
}
COLORS = {
    "this": "#d62728",
    "psycopg2-binary": "#1f77b4",
    "psycopg3": "#2ca02c",
    "asyncpg": "#9467bd",
}


def main(json_path, png_path):
    with open(json_path) as f:
        data = json.load(f)
    rows = data["table"]
    meta = data["meta"]
    metrics = []
    for r in rows:
        if r["metric"] not in metrics and r["metric"] != "stream_small_rss":
            metrics.append(r["metric"])
    by = {(r["metric"], r["driver"]): r for r in rows}
    names = {r["metric"]: r["label"].replace(" peak RSS", "\npeak RSS") for r in rows}

    fig, ax = plt.subplots(figsize=(13, 5.5))
    width = 0.8 / len(DRIVERS)
    for i, d in enumerate(DRIVERS):
        xs, ys = [], []
        for j, m in enumerate(metrics):
            r = by.get((m, d))
            if r and r.get("vs_floor"):
                xs.append(j - 0.4 + width * (i + 0.5))
                ys.append(r["vs_floor"])
        if xs:
            ax.bar(xs, ys, width, label=LABELS[d], color=COLORS[d])
    for j, m in enumerate(metrics):
        r = by.get((m, "this"))
        t = r.get("target") if r else None
        if isinstance(t, (int, float)):
            ax.hlines(t, j - 0.45, j + 0.45, colors="black", linestyles="dashed", linewidth=1.2)
    ax.axhline(1.0, color="grey", linewidth=1)
    ax.set_yscale("log")
    vals = [r["vs_floor"] for r in rows if r.get("vs_floor")] or [1.0]
    lo = min(0.5, min(vals) * 0.8)
    hi = max(2.0, max(vals) * 1.25)
    ax.set_ylim(lo, hi)
    ticks = [t for t in (0.2, 0.3, 0.5, 0.7, 1, 1.5, 2, 3, 5, 10, 20, 50, 100) if lo <= t <= hi]
    ax.set_yticks([t for t in ticks])
    ax.set_yticklabels(["%g" % t for t in ticks])
    ax.set_xticks(range(len(metrics)))
    ax.set_xticklabels([names[m] for m in metrics], rotation=30, ha="right", fontsize=9)
    ax.set_ylabel("driver time (or peak RSS) ÷ libpq floor, lower is better")
    ax.set_title(
        "psycopg2, rebuilt vs peers, ÷ a libpq-only C client (min over passes); "
        "dashed: our target\n"
        "%s; %s CPUs %s; PostgreSQL %s"
        % (meta["date"], meta["nproc"], meta["cpu_model"], meta["server_version"]),
        fontsize=10,
    )
    ax.legend(fontsize=9, loc="upper left")
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(png_path, dpi=90)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
