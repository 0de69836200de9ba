"""A short tour of psycopg2: connect, create, insert, fetch, handle errors.

Run it with `make demo`, or directly with PSYCOPG2_TESTDSN set to a libpq
connection string, e.g. ``PSYCOPG2_TESTDSN="dbname=test" python tour.py``.
"""

import datetime as dt
import decimal
import os

import psycopg2
import psycopg2.errors
from psycopg2.extras import RealDictCursor


def section(title):
    print()
    print(title)
    print("-" * len(title))


def main():
    dsn = os.environ.get("PSYCOPG2_TESTDSN", "")
    conn = psycopg2.connect(dsn)
    print("psycopg2", psycopg2.__version__)
    print("connected to PostgreSQL %d (client encoding %s)"
          % (conn.server_version, conn.encoding))

    section("Create a table and insert rows with parameters")
    cur = conn.cursor()
    cur.execute("""
        CREATE TEMP TABLE book (
            id serial PRIMARY KEY,
            title text NOT NULL UNIQUE,
            price numeric(8, 2),
            published date,
            tags text[],
            cover bytea
        )""")
    books = [
        ("The C Programming Language", decimal.Decimal("45.50"),
         dt.date(1978, 2, 22), ["c", "classic"], b"\x89PNG"),
        ("Structure and Interpretation", decimal.Decimal("52.00"),
         dt.date(1985, 7, 1), ["lisp"], None),
        ("It's quoted: O'Reilly \\ backslash", None, None, [], None),
    ]
    cur.executemany(
        "INSERT INTO book (title, price, published, tags, cover) "
        "VALUES (%s, %s, %s, %s, %s)", books)
    print("inserted %d rows" % cur.rowcount)
    conn.commit()

    section("Fetch them back: Python types come back")
    cur.execute("SELECT id, title, price, published, tags, cover "
                "FROM book ORDER BY id")
    print("columns:", ", ".join(c.name for c in cur.description))
    for row in cur:
        id_, title, price, published, tags, cover = row
        print("%d  %-36s %8s  %-10s %-18s %s" % (
            id_, title, price, published, tags,
            bytes(cover) if cover is not None else None))
    cur.execute("SELECT price, published FROM book WHERE id = 1")
    price, published = cur.fetchone()
    print("types:", type(price).__name__, type(published).__name__)

    section("Named parameters and dictionaries")
    dcur = conn.cursor(cursor_factory=RealDictCursor)
    dcur.execute("SELECT title, price FROM book WHERE price > %(min)s",
                 {"min": 50})
    print(dcur.fetchall())

    section("An error rolls the transaction back")
    try:
        cur.execute("INSERT INTO book (title) VALUES (%s)",
                    ("The C Programming Language",))
    except psycopg2.errors.UniqueViolation as e:
        print("caught %s (pgcode %s)" % (type(e).__name__, e.pgcode))
        print("  message:   ", e.diag.message_primary)
        print("  detail:    ", e.diag.message_detail)
        print("  constraint:", e.diag.constraint_name)
        conn.rollback()
    cur.execute("SELECT count(*) FROM book")
    print("rows still there:", cur.fetchone()[0])

    section("A transaction as a with-block")
    try:
        with conn:
            cur.execute("UPDATE book SET price = price * 2")
            print("doubled %d prices, then..." % cur.rowcount)
            cur.execute("SELECT 1 / 0")
    except psycopg2.errors.DivisionByZero as e:
        print("...%s: the update was rolled back" % e.pgcode)
    cur.execute("SELECT price FROM book WHERE id = 1")
    print("price of book 1:", cur.fetchone()[0])

    conn.close()
    print()
    print("done; connection closed:", conn.closed)


if __name__ == "__main__":
    main()
