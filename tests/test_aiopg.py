"""aiopg (asyncio over psycopg2's asynchronous connections) used as a user
would: connect, execute, fetch, explicit transactions, LISTEN/NOTIFY, a
pool, cancellation by timeout."""

import asyncio

import pytest

try:
    import aiopg
except ImportError as ex:  # pragma: no cover
    pytest.skip("aiopg cannot be imported (%s): pip install aiopg "
                "async-timeout --no-deps" % ex, allow_module_level=True)

import psycopg2
from psycopg2 import errors
from psycopg2 import extensions as ext


@pytest.fixture(autouse=True)
def keep_adapters():
    # aiopg registers hstore (a global adapter for dict) when the server has
    # the extension: don't let it leak into the other tests
    saved = dict(ext.adapters)
    yield
    ext.adapters.clear()
    ext.adapters.update(saved)


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 30))


def test_connect_execute_fetch(dsn):
    async def main():
        async with aiopg.connect(dsn) as conn:
            assert conn.raw.async_ == 1
            async with conn.cursor() as cur:
                await cur.execute("select %s::int, %s::text", (42, "hi"))
                assert await cur.fetchone() == (42, "hi")
                await cur.execute("select generate_series(1, 5)")
                assert await cur.fetchmany(2) == [(1,), (2,)]
                assert await cur.fetchall() == [(3,), (4,), (5,)]
                rows = []
                await cur.execute("select generate_series(1, 3)")
                async for row in cur:
                    rows.append(row)
                assert rows == [(1,), (2,), (3,)]
                assert cur.description[0].name == "generate_series"
    run(main())


def test_errors(dsn):
    async def main():
        async with aiopg.connect(dsn) as conn:
            async with conn.cursor() as cur:
                with pytest.raises(errors.UndefinedTable):
                    await cur.execute("select * from nosuchtable_aiopg")
                await cur.execute("select 1")
                assert await cur.fetchone() == (1,)
    run(main())


def test_explicit_transactions(dsn):
    async def main():
        async with aiopg.connect(dsn) as conn:
            async with conn.cursor() as cur:
                await cur.execute("create temp table ta (id int)")
                await cur.execute("BEGIN")
                await cur.execute("insert into ta values (1)")
                await cur.execute("ROLLBACK")
                await cur.execute("BEGIN")
                await cur.execute("insert into ta values (2)")
                await cur.execute("COMMIT")
                await cur.execute("select id from ta")
                assert await cur.fetchall() == [(2,)]
                # aiopg's transaction helper
                async with cur.begin():
                    await cur.execute("insert into ta values (3)")
                await cur.execute("select count(*) from ta")
                assert await cur.fetchone() == (2,)
    run(main())


def test_listen_notify(dsn):
    async def main():
        async with aiopg.connect(dsn) as listener, \
                aiopg.connect(dsn) as sender:
            async with listener.cursor() as cur:
                await cur.execute("LISTEN aiopg_chan")
            async with sender.cursor() as cur:
                await cur.execute("NOTIFY aiopg_chan, 'payload 1'")
            msg = await asyncio.wait_for(listener.notifies.get(), 10)
            assert msg.channel == "aiopg_chan"
            assert msg.payload == "payload 1"
            assert msg.pid == await sender.get_backend_pid()
    run(main())


def test_pool(dsn):
    async def main():
        async with aiopg.create_pool(dsn, minsize=1, maxsize=3) as pool:
            async def one(i):
                async with pool.acquire() as conn:
                    async with conn.cursor() as cur:
                        await cur.execute("select %s, pg_sleep(0.05)", (i,))
                        return (await cur.fetchone())[0]
            results = await asyncio.gather(*[one(i) for i in range(6)])
            assert sorted(results) == list(range(6))
            assert pool.size <= 3
            with (await pool.cursor()) as cur:
                await cur.execute("select 'pooled'")
                assert await cur.fetchone() == ("pooled",)
            assert pool.freesize >= 1
    run(main())


def test_timeout(dsn):
    async def main():
        async with aiopg.connect(dsn, timeout=0.5) as conn:
            async with conn.cursor() as cur:
                with pytest.raises(asyncio.TimeoutError):
                    await cur.execute("select pg_sleep(10)")
            # aiopg gives up on the connection after a timeout
            assert conn.closed
        async with aiopg.connect(dsn) as conn:
            async with conn.cursor() as cur:
                await cur.execute("select 7")
                assert await cur.fetchone() == (7,)
    run(main())


def test_cancel_running_task(dsn):
    async def main():
        async with aiopg.connect(dsn) as conn:
            async with conn.cursor() as cur:
                task = asyncio.ensure_future(
                    cur.execute("select pg_sleep(10)"))
                await asyncio.sleep(0.2)
                assert conn.raw.isexecuting()
                task.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await task
            assert conn.closed
    run(main())


def test_closed_connection(dsn):
    async def main():
        conn = await aiopg.connect(dsn)
        await conn.close()
        assert conn.closed
        with pytest.raises(psycopg2.InterfaceError):
            await conn.cursor()
    run(main())
