"""Benchmark worker for the psycopg2 API: this project (run with
PYTHONPATH=build/lib-inplace) and psycopg2-binary (run from its virtualenv).
Only the public psycopg2 API is used."""

import io
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common as C  # noqa: E402


def main():
    args = C.parse_args()
    C.pin_self(args.cpu)

    import psycopg2
    import psycopg2.extras

    conn = psycopg2.connect(args.dsn)
    cur = conn.cursor()
    cur.execute("select pg_backend_pid()")
    pinned = C.pin_backend(cur.fetchone()[0], args)
    conn.commit()
    w = args.workload

    if w in ("pg_type", "pg_type_dict"):
        if w == "pg_type_dict":
            cur = conn.cursor(cursor_factory=psycopg2.extras.DictCursor)

        def op():
            cur.execute(C.PG_TYPE_SQL, C.PG_TYPE_ARGS)
            cur.fetchall()

    elif w == "generate_series":

        def op():
            cur.execute(C.GEN_SERIES_SQL, C.GEN_SERIES_ARGS)
            cur.fetchall()

    elif w in ("large_object", "arrays", "oneplusone"):
        sql = {
            "large_object": C.LARGE_OBJECT_SQL,
            "arrays": C.ARRAYS_SQL,
            "oneplusone": C.ONEPLUSONE_SQL,
        }[w]

        def op():
            cur.execute(sql)
            cur.fetchall()

    elif w == "copyfrom":
        cur.execute("TRUNCATE " + C.COPY_TABLE)
        conn.commit()
        f = io.StringIO(C.COPY_DATA)

        def op():
            f.seek(0)
            cur.copy_from(f, C.COPY_TABLE, columns=C.COLUMNS, size=C.COPY_CHUNK)
            conn.commit()

    elif w == "batch":
        cur.execute("TRUNCATE " + C.BATCH_TABLE)
        conn.commit()
        rows = [C.ROW] * C.BATCH_ROWS

        def op():
            cur.executemany(C.BATCH_SQL, rows)
            conn.commit()

    elif w == "connect":
        conn.close()

        def op():
            psycopg2.connect(args.dsn).close()

    elif w == "bigfetch":
        sql = C.big_sql(args.rows)

        def op():
            cur.execute(sql)
            rows = cur.fetchall()
            return len(rows)

    elif w in ("stream", "stream_small"):
        sql = C.big_sql(args.rows)

        def op():
            n = 0
            scur = conn.cursor("bench_stream")
            scur.itersize = C.STREAM_ITERSIZE
            scur.execute(sql)
            for _ in scur:
                n += 1
            scur.close()
            conn.commit()
            return n

    else:
        raise SystemExit("unknown workload %r" % w)

    if w in C.SINGLE_SHOT:
        res = C.single_shot(op)
    else:
        res = C.timed_loop(op, args.seconds)
    C.emit(
        res,
        backend_pinned=pinned,
        module=psycopg2.__file__,
        version=psycopg2.__version__,
    )


if __name__ == "__main__":
    main()
