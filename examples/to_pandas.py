"""From a query to a pandas DataFrame, as you would in a notebook.

    PSYCOPG2_TESTDSN="dbname=test" python to_pandas.py

Three ways, from the simplest to the fastest for big results:

1. ``cursor.fetchall()`` plus the column names from ``cursor.description``;
2. ``pandas.read_sql`` on the psycopg2 connection (pandas warns that it only
   tests SQLAlchemy connectables; it works, see below to silence it);
3. ``COPY (query) TO STDOUT WITH CSV`` into a buffer read by ``read_csv``:
   the server formats the rows, no Python object per value.

Needs pandas (``pip install pandas``).
"""
from __future__ import annotations

import importlib
import io
import os
import sys
import warnings
from typing import Any

import psycopg2

QUERY = """
    SELECT g AS id,
           'item ' || g AS name,
           (g * 1.25)::numeric(10, 2) AS price,
           g %% 3 = 0 AS featured,
           timestamptz '2024-01-01 00:00+00' + g * interval '1 hour' AS added
    FROM generate_series(1, %(n)s) AS g
"""


def main() -> None:
    try:
        pd: Any = importlib.import_module("pandas")
    except ImportError:
        print("pandas is not installed: pip install pandas")
        sys.exit(0)
    dsn = os.environ.get("PSYCOPG2_TESTDSN", "")
    conn = psycopg2.connect(dsn)
    try:
        # 1. fetchall + description
        with conn.cursor() as cur:
            cur.execute(QUERY, {"n": 1000})
            assert cur.description is not None
            columns = [c.name for c in cur.description]
            df = pd.DataFrame(cur.fetchall(), columns=columns)
        print("fetchall:", df.shape, list(df.columns))
        print("  price is", type(df["price"][0]).__name__,
              "-> float:", df["price"].astype(float).sum())

        # 2. read_sql on the DB-API connection
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*SQLAlchemy.*")
            df2 = pd.read_sql(QUERY, conn, params={"n": 1000}, index_col="id")
        print("read_sql:", df2.shape, "featured:", int(df2["featured"].sum()))

        # 3. COPY to CSV, parsed by pandas
        buf = io.StringIO()
        with conn.cursor() as cur:
            q = cur.mogrify(QUERY, {"n": 100_000}).decode()
            cur.copy_expert("COPY (%s) TO STDOUT WITH (FORMAT csv, HEADER true)" % q, buf)
        buf.seek(0)
        df3 = pd.read_csv(buf, parse_dates=["added"], true_values=["t"], false_values=["f"])
        print("copy:", df3.shape, "dtypes:", ",".join(str(t) for t in df3.dtypes))
        print("  last added:", df3["added"].iloc[-1])

        # and back: a DataFrame into a table with COPY FROM
        out = io.StringIO()
        df3.head(500).to_csv(out, index=False, header=False)
        out.seek(0)
        with conn, conn.cursor() as cur:
            cur.execute("CREATE TEMP TABLE frame (id int, name text, price numeric,"
                        " featured bool, added timestamptz)")
            cur.copy_expert("COPY frame FROM STDIN WITH (FORMAT csv)", out)
            cur.execute("SELECT count(*), sum(price) FROM frame")
            print("written back:", cur.fetchone())
    finally:
        conn.close()


if __name__ == "__main__":
    main()
