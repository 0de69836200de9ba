"""Benchmark worker for asyncpg (plain asyncio event loop), run from its own
virtualenv.  Natural equivalents: fetch, executemany, copy_to_table from a
file-like object, a cursor inside a transaction.  asyncpg's Records are
already mappings, so the DictCursor workload is the same fetch."""

import asyncio
import io
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common as C  # noqa: E402


def connect_kwargs(dsn):
    if "://" in dsn:
        return {"dsn": dsn}
    d = C.parse_dsn(dsn)
    kw = {}
    for src, dst in (
        ("host", "host"),
        ("port", "port"),
        ("user", "user"),
        ("password", "password"),
        ("dbname", "database"),
    ):
        if src in d:
            kw[dst] = int(d[src]) if dst == "port" else d[src]
    return kw


async def amain(args):
    import asyncpg

    kw = connect_kwargs(args.dsn)
    conn = await asyncpg.connect(**kw)
    pinned = C.pin_backend(await conn.fetchval("select pg_backend_pid()"), args)
    w = args.workload

    if w in ("pg_type", "pg_type_dict"):
        sql = C.dollar(C.PG_TYPE_SQL)

        async def op():
            await conn.fetch(sql, *C.PG_TYPE_ARGS)

    elif w == "generate_series":
        sql = C.dollar(C.GEN_SERIES_SQL)

        async def op():
            await conn.fetch(sql, *C.GEN_SERIES_ARGS)

    elif w in ("large_object", "arrays", "oneplusone"):
        sql = {
            "large_object": C.LARGE_OBJECT_SQL,
            "arrays": C.ARRAYS_SQL,
            "oneplusone": C.ONEPLUSONE_SQL,
        }[w]

        async def op():
            await conn.fetch(sql)

    elif w == "copyfrom":
        await conn.execute("TRUNCATE " + C.COPY_TABLE)
        f = io.BytesIO(C.COPY_DATA.encode())

        async def op():
            f.seek(0)
            await conn.copy_to_table(C.COPY_TABLE, source=f, columns=list(C.COLUMNS))

    elif w == "batch":
        await conn.execute("TRUNCATE " + C.BATCH_TABLE)
        sql = C.dollar(C.BATCH_SQL)
        rows = [C.ROW] * C.BATCH_ROWS

        async def op():
            await conn.executemany(sql, rows)

    elif w == "connect":
        await conn.close()

        async def op():
            c = await asyncpg.connect(**kw)
            await c.close()

    elif w == "bigfetch":
        sql = C.big_sql(args.rows)

        async def op():
            rows = await conn.fetch(sql)
            return len(rows)

    elif w in ("stream", "stream_small"):
        sql = C.big_sql(args.rows)

        async def op():
            n = 0
            async with conn.transaction():
                async for _ in conn.cursor(sql, prefetch=C.STREAM_ITERSIZE):
                    n += 1
            return n

    else:
        raise SystemExit("unknown workload %r" % w)

    if w in C.SINGLE_SHOT:
        res = await C.asingle_shot(op)
    else:
        res = await C.atimed_loop(op, args.seconds)
    C.emit(res, backend_pinned=pinned, module=asyncpg.__file__, version=asyncpg.__version__)


def main():
    args = C.parse_args()
    C.pin_self(args.cpu)
    asyncio.run(amain(args))


if __name__ == "__main__":
    main()
