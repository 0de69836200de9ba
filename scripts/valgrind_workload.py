"""A representative workload for valgrind memcheck (scripts/valgrind.sh):
each public operation a few times, against PSYCOPG2_TESTDSN."""

import datetime
import decimal
import gc
import io
import os
import sys

import psycopg2
import psycopg2.extensions as ext
import psycopg2.extras

dsn = os.environ["PSYCOPG2_TESTDSN"]

TYPED = """SELECT 1::int2, 2::int8, 1.5::numeric, 2.5::float8, true, 'text',
 '\\x00ff'::bytea, '2020-01-02'::date, '12:34:56.7'::time,
 '2020-01-02 03:04:05+01'::timestamptz, '1 day 02:00'::interval,
 '{1,NULL}'::int4[], '{{a,b},{c,"d e"}}'::text[], '{"[1]"}'::json[],
 '{"a": 1}'::jsonb, NULL FROM generate_series(1, 3)"""

PARAMS = (None, True, 10**30, 1.5, decimal.Decimal("1.1"), "tèxt", b"\x00\xff",
          datetime.date(2020, 1, 2), datetime.datetime(2020, 1, 2, 3, 4, 5),
          datetime.timedelta(seconds=5), [1, None], [[1], [2]], (1, 2))


def workload():
    conn = psycopg2.connect(dsn)
    cur = conn.cursor()
    cur.execute(TYPED)
    cur.fetchall()
    cur.execute("SELECT " + ", ".join(["%s"] * len(PARAMS)), PARAMS)
    cur.fetchall()
    cur.mogrify("SELECT %(a)s", {"a": "x"})
    for q in ("SELECT 1/0", "SELEC", "SELECT * FROM nope"):
        try:
            cur.execute(q)
        except psycopg2.Error as ex:
            ex.diag.message_primary, ex.pgcode
        conn.rollback()
    cur.execute("CREATE TEMP TABLE vg (a int, b text)")
    cur.copy_from(io.StringIO("1\tx\n2\ty\n"), "vg")
    cur.copy_to(io.StringIO(), "vg")
    try:
        cur.copy_from(io.StringIO("bad\n"), "vg")
    except psycopg2.DataError:
        conn.rollback()
    named = conn.cursor("vg_named")
    named.itersize = 2
    named.execute("SELECT generate_series(1, 7)")
    list(named)
    named.close()
    lo = conn.lobject(0, "wb")
    lo.write(b"x" * 100)
    lo.unlink()
    conn.commit()
    conn.autocommit = True
    cur.execute("LISTEN vg; NOTIFY vg, 'p'")
    conn.poll()
    conn.notifies[:]
    cur.execute("DO $$BEGIN RAISE NOTICE 'n'; END$$")
    for f in (psycopg2.extras.DictCursor, psycopg2.extras.RealDictCursor,
              psycopg2.extras.NamedTupleCursor):
        c2 = conn.cursor(cursor_factory=f)
        c2.execute("SELECT 1 AS a")
        c2.fetchall()
    psycopg2.extras.execute_values(cur, "SELECT * FROM (VALUES %s) v",
                                   [(1, "a"), (2, "b")])
    for caster, s in ((ext.INTEGER, "1"), (ext.DATE, "2020-01-01"),
                      (ext.INTERVAL, "1 year"), (ext.INTEGERARRAY, "{1,2}"),
                      (ext.BINARY, "\\x00"), (ext.DECIMAL, "1.5")):
        caster(s, cur)
    try:
        ext.INTEGERARRAY("{1,", cur)
    except psycopg2.Error:
        pass
    ext.parse_dsn("host=a password=b")
    conn.close()
    try:
        psycopg2.connect("host=127.0.0.1 port=1")
    except psycopg2.OperationalError:
        pass


for _ in range(int(sys.argv[1]) if len(sys.argv) > 1 else 3):
    workload()
gc.collect()
print("valgrind workload: ok")
