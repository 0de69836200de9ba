"""Error paths of the libpq layer (issue 11): a backend that goes away in
each mode, an error followed by rows, the transaction status around COPY."""

import io
import os
import select
import sys

import psycopg2.extensions as ext
import psycopg2.extras as extras

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
from fakeserver import FakeServer  # noqa: E402


def _terminate(ctx, conn):
    ctx.sql("select pg_terminate_backend(%s)", (conn.info.backend_pid,))


def _wait(conn):
    while True:
        s = conn.poll()
        if s == ext.POLL_OK:
            return
        select.select([conn], [conn] if s == ext.POLL_WRITE else [], [], 10)


# The server terminates the backend before the next query.
def probe_e01_terminated_autocommit(ctx):
    conn = ctx.connect()
    conn.autocommit = True
    _terminate(ctx, conn)
    ctx.call("execute", conn.cursor().execute, "select 1")
    ctx.rec("closed", conn.closed)


def probe_e01_terminated_in_transaction(ctx):
    conn = ctx.connect()
    cur = conn.cursor()
    cur.execute("select 1")
    _terminate(ctx, conn)
    ctx.call("execute", cur.execute, "select 2")
    ctx.rec("closed", conn.closed)


def probe_e01_terminated_commit(ctx):
    conn = ctx.connect()
    conn.cursor().execute("select 1")
    _terminate(ctx, conn)
    ctx.call("commit", conn.commit)
    ctx.rec("closed", conn.closed)


def probe_e01_terminated_executemany(ctx):
    conn = ctx.connect()
    _terminate(ctx, conn)
    ctx.call("executemany", conn.cursor().executemany, "select %s",
             [(1,), (2,)])
    ctx.rec("closed", conn.closed)


def probe_e01_terminated_async(ctx):
    conn = ctx.connect(async_=True)
    _wait(conn)
    _terminate(ctx, conn)
    cur = conn.cursor()

    def run():
        cur.execute("select 1")
        _wait(conn)
    ctx.call("execute", run)
    ctx.rec("closed", conn.closed)


def probe_e01_terminated_green(ctx):
    ext.set_wait_callback(extras.wait_select)
    try:
        conn = ctx.connect()
        conn.autocommit = True
        _terminate(ctx, conn)
        ctx.call("execute", conn.cursor().execute, "select 1")
        ctx.rec("closed", conn.closed)
    finally:
        ext.set_wait_callback(None)


# An ErrorResponse followed by rows and a CommandComplete (a hostile or
# broken server): what the query reports.
def probe_e02_error_then_rows(ctx):
    def reply(s, sql):
        if b"fakeq" not in sql:
            s.command_complete(b"SELECT 0")
            return
        s.error(C=b"42000", M=b"fake error")
        s.row_description([(b"x", 23)])
        s.data_row([b"1"])
        s.command_complete(b"SELECT 1")

    with FakeServer(reply) as srv:
        conn = ctx.connect(srv.dsn)
        conn.autocommit = True
        cur = conn.cursor()
        ctx.call("execute", cur.execute, "select fakeq")
        ctx.call("fetchall", cur.fetchall)
        ctx.rec("rowcount", cur.rowcount)
        ctx.call("next", cur.execute, "select 1")
        ctx.rec("closed", conn.closed)


# The transaction status seen from the COPY file and after the COPY.
def probe_e03_copy_to_status(ctx):
    conn = ctx.connect()
    seen = []

    class Out(io.StringIO):
        def write(self, data):
            seen.append((conn.get_transaction_status(),
                         conn.info.transaction_status))
            return super().write(data)

    cur = conn.cursor()
    ctx.call("copy_expert", cur.copy_expert,
             "copy (select generate_series(1, 2)) to stdout", Out())
    ctx.rec("during", seen[:1])
    ctx.rec("after", (conn.get_transaction_status(),
                      conn.info.transaction_status, conn.status))
    conn.rollback()
    seen[:] = []
    conn.autocommit = True
    ctx.call("copy_to", cur.copy_to, Out(), "pg_catalog.pg_am")
    ctx.rec("during_ac", seen[:1])
    ctx.rec("after_ac", (conn.get_transaction_status(),
                         conn.info.transaction_status, conn.status))
