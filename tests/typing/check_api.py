"""Typed use of the public API: `mypy --strict` must accept this file.

Never executed by the tests (it would need a server); only type-checked by
tests/typing/test_typing.py.
"""
from __future__ import annotations

import datetime
import decimal
import io
import logging
import uuid
from typing import Any, NamedTuple

import psycopg2
import psycopg2.errorcodes
import psycopg2.errors
import psycopg2.extensions
import psycopg2.extras
import psycopg2.pool
import psycopg2.sql
import psycopg2.tz
from psycopg2 import sql
from psycopg2.extensions import (
    ISOLATION_LEVEL_SERIALIZABLE, AsIs, ISQLQuote, QuotedString, adapt,
    connection, cursor, new_array_type, new_type, register_adapter,
    register_type)
from psycopg2.extras import (
    DateTimeTZRange, DictCursor, Json, NumericRange, RealDictCursor,
    execute_batch, execute_values)


def module_level() -> None:
    level: str = psycopg2.apilevel
    safety: int = psycopg2.threadsafety
    style: str = psycopg2.paramstyle
    version: str = psycopg2.__version__
    libpq: int = psycopg2.__libpq_version__ + psycopg2.extensions.libpq_version()
    print(level, safety, style, version, libpq)
    d = psycopg2.Date(2024, 1, 2)
    t = psycopg2.Timestamp(2024, 1, 2, 3, 4, 5.5)
    b = psycopg2.Binary(b"\x00")
    print(d.getquoted(), t.getquoted(), b.getquoted(), psycopg2.TimeFromTicks(0.0))
    ok: bool = psycopg2.STRING == 25
    print(ok, psycopg2.NUMBER.values, psycopg2.DATETIME.name)


def connect_and_query(dsn: str) -> list[tuple[int, str]]:
    conn: connection = psycopg2.connect(dsn, application_name="typed")
    conn2 = psycopg2.connect(host="localhost", port=5432, dbname="x",
                             connect_timeout=3)
    conn2.close()
    conn.autocommit = False
    conn.isolation_level = ISOLATION_LEVEL_SERIALIZABLE
    conn.set_session(isolation_level="READ COMMITTED", readonly=True,
                     deferrable=None, autocommit=False)
    conn.readonly = None
    out: list[tuple[int, str]] = []
    with conn:
        with conn.cursor() as cur:
            cur.execute("SELECT %s, %s", (1, "a"))
            cur.execute("SELECT %(n)s", {"n": 1})
            cur.execute(sql.SQL("SELECT {}").format(sql.Literal(1)))
            cur.executemany("INSERT INTO t VALUES (%s)", [(1,), (2,)])
            row = cur.fetchone()
            if row is not None:
                out.append((int(row[0]), str(row[1])))
            for r in cur.fetchmany(10) + cur.fetchall():
                out.append((r[0], r[1]))
            for r in cur:
                print(r)
            if cur.description is not None:
                names = [c.name for c in cur.description]
                oids = [c.type_code for c in cur.description]
                print(names, oids, cur.description[0][1])
            rc: int = cur.rowcount
            q: bytes | None = cur.query
            msg: str | None = cur.statusmessage
            m: bytes = cur.mogrify("SELECT %s", [None])
            print(rc, q, msg, m, cur.rownumber, cur.lastrowid, cur.closed)
            cur.scroll(0, mode="absolute")
            cur.arraysize = 100
            cur.itersize = 500
            cur.tzinfo_factory = datetime.timezone
            print(cur.cast(25, "x"), cur.connection.dsn)
    print(conn.closed, conn.status, conn.encoding, conn.server_version,
          conn.protocol_version, conn.get_backend_pid(),
          conn.get_transaction_status(), conn.get_parameter_status("TimeZone"),
          conn.get_dsn_parameters().get("host"), conn.info.port,
          conn.info.transaction_status, conn.info.parameter_status("x"))
    conn.notices.clear()
    for n in conn.notifies:
        print(n.pid, n.channel, n.payload)
    conn.commit()
    conn.rollback()
    conn.close()
    return out


def named_cursors(conn: connection) -> int:
    total = 0
    with conn.cursor("big", withhold=True, scrollable=False) as cur:
        cur.itersize = 10_000
        cur.execute("SELECT generate_series(1, 1000000)")
        for (n,) in cur:
            total += n
        print(cur.name, cur.withhold, cur.scrollable)
    return total


def row_factories(conn: connection) -> None:
    with conn.cursor(cursor_factory=DictCursor) as dc:
        dc.execute("SELECT 1 AS a")
        row = dc.fetchone()
        if row is not None:
            print(row["a"], row[0], list(row.keys()))
    with conn.cursor(cursor_factory=RealDictCursor) as rc:
        rc.execute("SELECT 1 AS a")
        for r in rc.fetchall():
            print(r["a"])
    cur = conn.cursor(cursor_factory=psycopg2.extras.NamedTupleCursor)
    cur.execute("SELECT 1 AS a")
    nt = cur.fetchone()
    if nt is not None:
        print(nt._asdict())
    dconn = psycopg2.connect("", connection_factory=psycopg2.extras.DictConnection)
    dcur: psycopg2.extras.DictConnection = dconn
    print(dcur)
    lconn = psycopg2.connect("", connection_factory=psycopg2.extras.LoggingConnection)
    lconn.initialize(logging.getLogger("sql"))


def copy_and_batches(conn: connection) -> None:
    cur = conn.cursor()
    buf = io.StringIO("1\ta\n2\tb\n")
    cur.copy_from(buf, "t", sep="\t", null="\\N", columns=("id", "name"))
    out = io.BytesIO()
    cur.copy_to(out, "t")
    cur.copy_expert(sql.SQL("COPY {} TO STDOUT WITH CSV").format(sql.Identifier("t")), out)
    execute_batch(cur, "INSERT INTO t VALUES (%s, %s)", [(1, "a"), (2, "b")], page_size=50)
    rows = execute_values(cur, "INSERT INTO t VALUES %s RETURNING id",
                          [(1, "a")], template="(%s, %s)", fetch=True)
    print(rows)


def adaptation() -> None:
    class Point(NamedTuple):
        x: float
        y: float

    def adapt_point(p: Point) -> AsIs:
        return AsIs("point(%s, %s)" % (adapt(p.x).getquoted().decode(),
                                       adapt(p.y).getquoted().decode()))

    register_adapter(Point, adapt_point)
    qs = QuotedString("it's")
    qs.encoding = "utf8"
    print(qs.getquoted(), ISQLQuote(1), Json({"a": 1}).getquoted())
    print(adapt(decimal.Decimal("1.5")), adapt(uuid.uuid4()))

    def cast_money(value: str | None, cur: cursor | None) -> decimal.Decimal | None:
        return None if value is None else decimal.Decimal(value.strip("$"))

    money = new_type((790,), "MONEY", cast_money)
    money_array = new_array_type((791,), "MONEY[]", money)
    register_type(money)
    register_type(money_array, None)
    print(money.name, money.values)


def ranges_and_types(conn: connection) -> None:
    r: NumericRange = NumericRange(1, 10, "[]")
    print(r.lower, r.upper, r.isempty, 5 in r, r.lower_inc, r.upper_inf)
    utc = datetime.timezone.utc
    tr = DateTimeTZRange(datetime.datetime(2024, 1, 1, tzinfo=utc), None)
    print(tr.upper_inf)
    psycopg2.extras.register_uuid(conn_or_curs=conn)
    psycopg2.extras.register_hstore(conn)
    psycopg2.extras.register_default_jsonb(conn, loads=lambda s: s)
    psycopg2.extras.register_ipaddress(conn)
    caster = psycopg2.extras.register_composite("card", conn)
    print(caster.attnames, caster.type)
    rc = psycopg2.extras.register_range("floatrange", "FloatRange", conn)
    print(rc.range)
    print(psycopg2.tz.FixedOffsetTimezone(offset=60), psycopg2.tz.LOCAL)


def errors_and_diagnostics(conn: connection) -> str | None:
    try:
        conn.cursor().execute("SELECT 1/0")
    except psycopg2.errors.DivisionByZero as ex:
        assert ex.pgcode == psycopg2.errorcodes.DIVISION_BY_ZERO
        print(ex.diag.message_primary, ex.diag.sqlstate, ex.pgerror, ex.cursor)
        return psycopg2.errorcodes.lookup(ex.pgcode)
    except psycopg2.extensions.QueryCanceledError:
        pass
    except psycopg2.OperationalError as ex:
        print(ex.pgcode)
    cls: type[psycopg2.Error] = psycopg2.errors.lookup("23505")
    print(cls)
    return None


def pools(dsn: str) -> None:
    pool = psycopg2.pool.ThreadedConnectionPool(1, 5, dsn)
    conn = pool.getconn()
    try:
        conn.cursor().execute("SELECT 1")
    finally:
        pool.putconn(conn)
    keyed = pool.getconn(key="k")
    pool.putconn(keyed, key="k", close=True)
    pool.closeall()
    try:
        psycopg2.pool.SimpleConnectionPool(0, 1, dsn).getconn()
    except psycopg2.pool.PoolError:
        pass


def sql_composition(conn: connection) -> str:
    q = sql.SQL("INSERT INTO {table} ({cols}) VALUES ({vals})").format(
        table=sql.Identifier("schema", "table"),
        cols=sql.SQL(", ").join(map(sql.Identifier, ["a", "b"])),
        vals=sql.SQL(", ").join(sql.Placeholder() * 2),
    )
    composed: sql.Composed = q + sql.SQL(" RETURNING ") + sql.DEFAULT
    return composed.as_string(conn)


def large_objects_and_tpc(conn: connection) -> int:
    lo = conn.lobject(0, "wb")
    n = lo.write(b"data")
    lo.seek(0)
    lo.close()
    xid = conn.xid(1, "gtrid", "bqual")
    conn.tpc_begin(xid)
    conn.tpc_prepare()
    conn.tpc_commit()
    for x in conn.tpc_recover():
        print(x.gtrid, x.format_id, x.prepared)
    return n + lo.oid


def asynchronous(dsn: str) -> None:
    aconn = psycopg2.connect(dsn, async_=True)
    psycopg2.extras.wait_select(aconn)
    state: int = aconn.poll()
    if state == psycopg2.extensions.POLL_OK:
        print(aconn.fileno(), aconn.isexecuting())
    psycopg2.extensions.set_wait_callback(psycopg2.extras.wait_select)
    print(psycopg2.extensions.get_wait_callback())


def replication(dsn: str) -> None:
    rconn = psycopg2.connect(
        dsn, connection_factory=psycopg2.extras.LogicalReplicationConnection)
    rcur = rconn.cursor()
    assert isinstance(rcur, psycopg2.extras.ReplicationCursor)
    rcur.create_replication_slot("slot", output_plugin="test_decoding")
    rcur.start_replication(slot_name="slot", decode=True, options={"x": 1})

    def consume(msg: psycopg2.extras.ReplicationMessage) -> None:
        print(msg.payload, msg.data_start, msg.send_time)
        msg.cursor.send_feedback(flush_lsn=msg.data_start)
        raise psycopg2.extras.StopReplication()

    try:
        rcur.consume_stream(consume, keepalive_interval=5.0)
    except psycopg2.extras.StopReplication:
        pass


def dsn_helpers() -> dict[str, Any]:
    dsn = psycopg2.extensions.make_dsn("dbname=x", user="u", password=None)
    params: dict[str, Any] = dict(psycopg2.extensions.parse_dsn(dsn))
    params["enc"] = psycopg2.extensions.encodings["UTF8"]
    return params
