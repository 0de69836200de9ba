"""ETL with COPY: load a CSV file fast, transform in SQL, export the result.

    PSYCOPG2_TESTDSN="dbname=test" python etl_copy.py [ROWS]

1. *extract*: make a CSV of fake sales (in real life: a file you were given);
2. *load*: ``COPY ... FROM STDIN`` into a staging table with ``copy_expert``,
   streaming the file in chunks (no row-by-row INSERTs);
3. *transform*: one ``INSERT ... SELECT`` aggregating into the target table;
4. *export*: ``COPY (query) TO STDOUT`` into another CSV file.

Everything runs in one transaction: if a step fails, nothing is left behind.
"""
from __future__ import annotations

import csv
import io
import os
import random
import shutil
import sys
import tempfile
import time

import psycopg2
from psycopg2 import sql

REGIONS = ["north", "south", "east", "west"]


def extract(path: str, rows: int) -> None:
    rnd = random.Random(42)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["sold_at", "region", "product", "qty", "price"])
        for i in range(rows):
            w.writerow([
                "2024-%02d-%02d 12:00:00" % (i % 12 + 1, i % 28 + 1),
                REGIONS[i % len(REGIONS)],
                "product, \"%d\"" % (i % 10),      # commas and quotes survive COPY CSV
                rnd.randint(1, 5),
                "%.2f" % (rnd.random() * 100),
            ])


def main() -> None:
    workdir = tempfile.mkdtemp(prefix="etl-")
    try:
        run(workdir)
    finally:
        shutil.rmtree(workdir)


def run(workdir: str) -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    dsn = os.environ.get("PSYCOPG2_TESTDSN", "")
    src = os.path.join(workdir, "sales.csv")
    dst = os.path.join(workdir, "monthly.csv")
    extract(src, rows)
    print("extracted %d rows to a CSV of %d bytes" % (rows, os.path.getsize(src)))

    conn = psycopg2.connect(dsn)
    try:
        with conn, conn.cursor() as cur:
            cur.execute("""
                CREATE TEMP TABLE staging_sales (
                    sold_at timestamp, region text, product text,
                    qty int, price numeric(10, 2)) ON COMMIT DROP""")
            cur.execute("""
                CREATE TEMP TABLE monthly_sales (
                    month date, region text, orders int, revenue numeric(14, 2),
                    PRIMARY KEY (month, region))""")

            t0 = time.perf_counter()
            with open(src, encoding="utf-8") as f:
                cur.copy_expert(
                    sql.SQL("COPY {} FROM STDIN WITH (FORMAT csv, HEADER true)")
                    .format(sql.Identifier("staging_sales")), f, size=64 * 1024)
            print("loaded %d rows with COPY" % cur.rowcount)
            load_s = time.perf_counter() - t0

            cur.execute("""
                INSERT INTO monthly_sales
                SELECT date_trunc('month', sold_at)::date, region,
                       count(*), sum(qty * price)
                FROM staging_sales GROUP BY 1, 2""")
            print("transformed into %d monthly rows" % cur.rowcount)

            with open(dst, "w", encoding="utf-8", newline="") as out:
                cur.copy_expert(
                    "COPY (SELECT * FROM monthly_sales ORDER BY month, region) "
                    "TO STDOUT WITH (FORMAT csv, HEADER true)", out)
            print("exported %d rows" % cur.rowcount)

            # the same export into memory, as bytes
            buf = io.BytesIO()
            cur.copy_to(buf, "monthly_sales", sep="|", columns=("region", "orders"))
            print("first line in memory:", buf.getvalue().split(b"\n")[0].decode())
    finally:
        conn.close()

    with open(dst, encoding="utf-8") as f:
        lines = f.read().splitlines()
    print("export header:", lines[0])
    print("export rows:", len(lines) - 1)
    total = sum(int(line.split(",")[2]) for line in lines[1:])
    print("orders in export:", total)
    print("load rate: %.0f rows/s" % (rows / load_s if load_s else 0))


if __name__ == "__main__":
    main()
