"""The differences listed in issue 11, one or more probes each (kN_...)."""

import io
import re
import select
import socket

import psycopg2
import psycopg2.extensions as ext
import psycopg2.extras as extras


INFO_ATTRS = (
    "dbname", "user", "password", "host", "hostaddr", "port", "options",
    "status", "transaction_status", "protocol_version",
    "server_version", "error_message", "socket", "backend_pid",
    "needs_password", "used_password", "ssl_in_use",
)


# 1. conn.info on a connection whose subclass skipped the base __init__.
def probe_k01_info_uninitialised(ctx):
    class Lazy(ext.connection):
        def __init__(self, *args, **kwargs):
            pass

    conn = Lazy("")
    info = ctx.call("info", lambda: conn.info)
    if info is None:
        return
    for attr in INFO_ATTRS:
        ctx.call(attr, getattr, info, attr)
    ctx.call("parameter_status", info.parameter_status, "TimeZone")
    ctx.call("ssl_attribute", info.ssl_attribute, "library")


def probe_k01_uninitialised_closed(ctx):
    class Lazy(ext.connection):
        def __init__(self, *args, **kwargs):
            pass

    ctx.call("closed", lambda: Lazy("").closed)


def probe_k01_info_closed(ctx):
    conn = ctx.connect()
    info = conn.info
    conn.close()
    for attr in INFO_ATTRS + ("dsn_parameters",):
        ctx.call(attr, getattr, info, attr)
    ctx.call("parameter_status", info.parameter_status, "TimeZone")
    ctx.call("info_after", lambda: conn.info.dbname)


# 2. lobject modes.
def probe_k02_lobject_new_default(ctx):
    conn = ctx.connect()
    lo = conn.lobject()
    ctx.state("state", lo)
    ctx.call("write", lo.write, b"hello")
    ctx.call("seek", lo.seek, 0)
    ctx.call("read", lo.read)
    lo.close()
    conn.rollback()


def _lo_modes(mode):
    def probe(ctx):
        conn = ctx.connect()
        lo = ctx.call("new", conn.lobject, 0, mode)
        if lo is None:
            return
        ctx.state("state_new", lo)
        ctx.call("write", lo.write, "abc")
        oid = lo.oid
        lo.close()
        lo2 = ctx.call("existing", conn.lobject, oid, mode)
        if lo2 is not None:
            ctx.state("state_existing", lo2)
            ctx.call("read", lo2.read)
            ctx.call("write2", lo2.write, b"x")
            lo2.close()
        conn.rollback()
    return probe


PROBES = [("k02_lobject_mode_%s" % (m if m else repr(m)), _lo_modes(m))
          for m in (None, "", "r", "w", "rw", "rb", "wb", "rwb", "rt", "wt",
                    "rwt", "n", "nb", "x", "rr", "bt", "b")]


# 4. parse_dsn(dsn=...) and the dsn of a failed URI connection.
def probe_k04_parse_dsn_keyword(ctx):
    ctx.call("kw", ext.parse_dsn, dsn="dbname=x user=y")
    ctx.call("uri", ext.parse_dsn, dsn="postgresql://u:secret@h:5/db")
    ctx.call("other_kw", ext.parse_dsn, dns="dbname=x")


def probe_k04_failed_uri_dsn(ctx):
    class Keep(ext.connection):
        instances = []

        def __init__(self, dsn, *args, **kwargs):
            Keep.instances.append(self)
            super().__init__(dsn, *args, **kwargs)

    # a port with nothing listening: the connection fails quickly
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    uri = "postgresql://bob:secret@127.0.0.1:%d/db?connect_timeout=2" % port
    try:
        psycopg2.connect(uri, connection_factory=Keep)
    except psycopg2.Error as ex:
        ctx.rec("error", str(ex).replace(str(port), "PORT"))
        ctx.rec("class", type(ex).__name__)
    c = Keep.instances[-1]
    ctx.call("dsn", lambda: c.dsn.replace(str(port), "PORT"))
    ctx.call("closed", lambda: c.closed)


# 5. mogrify on a closed cursor.
def probe_k05_mogrify_closed(ctx):
    conn = ctx.connect()
    cur = conn.cursor()
    cur.close()
    ctx.call("mogrify", cur.mogrify, "select %s", (1,))
    ctx.call("mogrify_named", cur.mogrify, "select %(a)s", {"a": "x"})
    conn.close()
    ctx.call("mogrify_conn_closed", cur.mogrify, "select %s", (1,))
    ctx.call("execute", cur.execute, "select 1")


# 6. parameter count mismatches.
MISMATCH = [
    ("select %s, %s", (1,)),
    ("select %s", (1, 2)),
    ("select 1", (1,)),
    ("select 1", ()),
    ("select 1", []),
    ("select 1", {}),
    ("select 1", {"a": 1}),
    ("select %s", ()),
    ("select %s", []),
    ("select %(a)s", {}),
    ("select %(a)s", {"b": 1}),
    ("select %(a)s", {"a": 1, "b": 2}),
    ("select %(a)s", (1,)),
    ("select %s", {"a": 1}),
    ("select %s %(a)s", (1,)),
    ("select %s %(a)s", {"a": 1}),
    ("select 1 %%", (1,)),
    ("select 1 %%", ()),
    ("select %%s", (1,)),
    ("select %", (1,)),
    ("select %", ()),
    ("select %x", (1,)),
    ("select %(a", {"a": 1}),
    ("select %(a)x", {"a": 1}),
    ("select %s", None),
    ("select %s", 1),
    ("select %s", "ab"),
    ("select %s, %s", "ab"),
    ("select %s", b"a"),
]


def _mismatch(i, q, args):
    def probe(ctx):
        conn = ctx.connect()
        cur = conn.cursor()
        ctx.call("mogrify", cur.mogrify, q, args)
        ctx.call("execute", cur.execute, q, args)
        ctx.state("cur", cur)
    return ("k06_params_%02d" % i, probe)


PROBES += [_mismatch(i, q, a) for i, (q, a) in enumerate(MISMATCH)]


# 7. callproc with dict keys needing quoting.
def probe_k07_callproc_quoted_keys(ctx):
    ctx.sql('drop function if exists parity_k07(int, int, int, int)')
    ctx.sql('create function parity_k07("a""b" int, "c(d)" int, "e;f" int, '
            '"g%%h" int) returns int language sql as $$ select $1+$2+$3+$4 $$')
    conn = ctx.connect()
    conn.autocommit = True  # keep item 12 (BEGIN in errors) out of this
    cur = conn.cursor()
    ctx.call("callproc", cur.callproc, "parity_k07",
             {'a"b': 1, "c(d)": 2, "e;f": 3, "g%h": 4})
    ctx.call("fetch", cur.fetchall)
    ctx.call("query", lambda: cur.query)
    for key in ('a"b', "c(d)", "e;f", "g%h", "p%%q", "%s", "x)y", "é"):
        ctx.call("key %s" % key, cur.callproc, "parity_k07", {key: 1})
        ctx.call("key %s query" % key, lambda: cur.query)
    ctx.call("nonstr_key", cur.callproc, "parity_k07", {1: 2})
    ctx.call("bytes_key", cur.callproc, "parity_k07", {b"a": 2})
    ctx.call("empty_dict", cur.callproc, "now", {})
    ctx.call("none", cur.callproc, "now", None)
    ctx.call("list", cur.callproc, "abs", [-3])
    ctx.call("fetch2", cur.fetchall)


# 3. with-blocks call overridden methods.
def probe_k03_with_overrides(ctx):
    calls = []

    class Conn(ext.connection):
        def commit(self):
            calls.append("commit")
            super().commit()

        def rollback(self):
            calls.append("rollback")
            super().rollback()

    class Cur(ext.cursor):
        def close(self):
            calls.append("close")
            super().close()

    conn = ctx.track(psycopg2.connect(ctx.dsn, connection_factory=Conn))
    with conn:
        with conn.cursor(cursor_factory=Cur) as cur:
            cur.execute("select 1")
    ctx.rec("calls_ok", list(calls))
    del calls[:]
    try:
        with conn:
            raise ValueError("boom")
    except ValueError:
        pass
    ctx.rec("calls_err", list(calls))


# 8. async: cursor collected while running, COPY on async.
def _wait(conn):
    while True:
        state = conn.poll()
        if state == ext.POLL_OK:
            return
        elif state == ext.POLL_READ:
            select.select([conn.fileno()], [], [], 10)
        elif state == ext.POLL_WRITE:
            select.select([], [conn.fileno()], [], 10)


def probe_k08_async_cursor_gc(ctx):
    conn = ctx.track(psycopg2.connect(ctx.dsn, async_=True))
    _wait(conn)
    cur = conn.cursor()
    cur.execute("select pg_sleep(0.1)")
    del cur
    import gc
    gc.collect()
    ctx.call("wait", _wait, conn)
    cur = conn.cursor()
    ctx.call("execute2", cur.execute, "select 42")
    ctx.call("wait2", _wait, conn)
    ctx.call("fetch2", cur.fetchall)


def probe_k08_async_copy(ctx):
    conn = ctx.track(psycopg2.connect(ctx.dsn, async_=True))
    _wait(conn)
    cur = conn.cursor()
    ctx.call("copy_expert", cur.copy_expert, "copy (select 1) to stdout",
             io.StringIO())
    ctx.call("copy_to", cur.copy_to, io.StringIO(), "pg_class")
    cur.execute("copy (select 1) to stdout")
    ctx.call("wait", _wait, conn)
    ctx.state("cur", cur)
    ctx.call("usable", cur.execute, "select 1")
    ctx.call("wait2", _wait, conn)
    ctx.call("fetch", cur.fetchall)


# 9. green: backend terminated.
def probe_k09_green_terminated(ctx):
    extras.wait_select  # noqa: B018 (exists on both)
    ext.set_wait_callback(extras.wait_select)
    try:
        conn = ctx.connect()
        pid = conn.info.backend_pid
        ctx.sql("select pg_terminate_backend(%s)", (pid,))
        cur = conn.cursor()
        ctx.call("execute", cur.execute, "select 1")
        ctx.rec("closed", conn.closed)
    finally:
        ext.set_wait_callback(None)


def probe_k09_blocking_terminated(ctx):
    conn = ctx.connect()
    pid = conn.info.backend_pid
    ctx.sql("select pg_terminate_backend(%s)", (pid,))
    cur = conn.cursor()
    ctx.call("execute", cur.execute, "select 1")
    ctx.rec("closed", conn.closed)


# 10. copy_from with a file whose read() raises.
def probe_k10_copy_from_read_raises(ctx):
    class Bad:
        def read(self, size=-1):
            raise ZeroDivisionError("read failed here")

        def readline(self, size=-1):
            raise ZeroDivisionError("readline failed here")

    ctx.table("parity_k10", "a int")
    conn = ctx.connect()
    cur = conn.cursor()
    ctx.call("copy_from", cur.copy_from, Bad(), "parity_k10")
    ctx.state("conn", conn)
    ctx.call("copy_expert", cur.copy_expert, "copy parity_k10 from stdin",
             Bad())


# 11. executemany must not lose rows.
def probe_k11_executemany_iter_raises(ctx):
    ctx.table("parity_k11a", "a int")
    conn = ctx.connect()
    cur = conn.cursor()

    def rows():
        yield (1,)
        yield (2,)
        raise KeyError("iterator broke")

    ctx.call("executemany", cur.executemany,
             "insert into parity_k11a values (%s)", rows())
    ctx.state("cur", cur)
    conn.commit()
    ctx.seen("rows", "select a from parity_k11a order by a")


def probe_k11_executemany_bad_adapt(ctx):
    ctx.table("parity_k11b", "a int")
    conn = ctx.connect()
    cur = conn.cursor()
    ctx.call("executemany", cur.executemany,
             "insert into parity_k11b values (%s)", [(1,), (2,), (object(),)])
    conn.commit()
    ctx.seen("rows", "select a from parity_k11b order by a")


def probe_k11_executemany_server_error(ctx):
    ctx.table("parity_k11c", "a int primary key")
    conn = ctx.connect()
    cur = conn.cursor()
    ctx.call("executemany", cur.executemany,
             "insert into parity_k11c values (%s)", [(1,), (2,), (1,), (3,)])
    ctx.state("cur", cur)
    ctx.state("conn", conn)


# 12. the implicit BEGIN must not leak into errors.
def probe_k12_first_statement_error(ctx):
    conn = ctx.connect()
    cur = conn.cursor()
    ctx.call("execute", cur.execute, "select 1 from parity_no_such_table")
    conn.rollback()
    ctx.call("execute_syntax", cur.execute, "select 1 frm x where")
    conn.rollback()
    ctx.call("execute_div", cur.execute, "select 1/0")
    conn.rollback()
    ctx.call("multi", cur.execute, "select 1; select 1 from nope_k12")
    conn.rollback()


# 13. SQL-level COMMIT/ROLLBACK through execute().
def probe_k13_sql_commit(ctx):
    ctx.table("parity_k13", "a int")
    conn = ctx.connect()
    cur = conn.cursor()
    cur.execute("insert into parity_k13 values (1)")
    cur.execute("commit")
    ctx.state("after_commit", conn)
    cur.execute("insert into parity_k13 values (2)")
    ctx.state("after_insert", conn)
    conn.rollback()
    ctx.seen("rows", "select a from parity_k13 order by a")
    cur.execute("rollback")
    ctx.state("after_sql_rollback", conn)


# 14. register_composite / register_range with qualified names.
def probe_k14_qualified_names(ctx):
    conn = ctx.connect()
    cur = conn.cursor()
    cur.execute('drop schema if exists "Sch" cascade')
    cur.execute('drop schema if exists "qux.quux" cascade')
    cur.execute('create schema "Sch"')
    cur.execute('create schema "qux.quux"')
    cur.execute("create type pg_temp.ct as (a int, b text)")
    cur.execute('create type "Sch".rt as range (subtype = int4)')
    cur.execute('create type "qux.quux"."foo.bar" as (x int)')
    cur.execute('create type "Sch"."Ct" as (x int)')
    for name in ("pg_temp.ct", '"Sch".rt', '"qux.quux"."foo.bar"', "ct",
                 '"Sch"."Ct"', "Sch.Ct", "no_such_type", '"unterminated'):
        c = ctx.call("composite %s" % name, extras.register_composite, name,
                     cur)
        if c is not None:
            ctx.rec("composite %s name" % name, c.name)
            ctx.rec("composite %s schema" % name,
                    re.sub(r"pg_temp_\d+", "pg_temp_N", c.schema))
            ctx.rec("composite %s attnames" % name, c.attnames)
        r = ctx.call("range %s" % name, extras.register_range, name,
                     "RangeX", cur)
        if r is not None:
            ctx.rec("range %s caster" % name, r.typecaster.name)
            ctx.rec("range %s range" % name, r.range.__name__)
            ctx.rec("range %s attrs" % name,
                    sorted(a for a in vars(r) if not a.startswith("_")))
    cur.execute("select row(1, 'x')::pg_temp.ct, '[1,3)'::\"Sch\".rt")
    ctx.call("fetch", cur.fetchone)
    conn.rollback()


# 16. bytea memoryview indexing.
def probe_k16_bytea(ctx):
    conn = ctx.connect()
    cur = conn.cursor()
    cur.execute("select 'xyz'::bytea, ''::bytea, null::bytea, "
                "array['ab'::bytea, 'c']")
    row = ctx.call("row", cur.fetchone)
    mv = row[0]
    ctx.call("slice", lambda: mv[1:])
    ctx.call("eq", lambda: mv[0] == b"x")
    ctx.call("len", len, mv)
    ctx.call("bytes", bytes, mv)
    ctx.call("list", list, mv)
    ctx.call("cast", psycopg2.BINARY, "\\x6162", cur)
    ctx.call("cast_escape", psycopg2.BINARY, "ab\\\\c\\000", cur)


# 15. multi-host DSN, first host accepts TCP but never answers.
def probe_k15_multihost_timeout(ctx):
    import re
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(5)
    port = silent.getsockname()[1]
    params = ext.parse_dsn(ctx.dsn)
    real_port = params.get("port", "5432")
    real_host = params.get("host", "127.0.0.1")
    try:
        dsn = ext.make_dsn(ctx.dsn, host="127.0.0.1,%s" % real_host,
                           port="%d,%s" % (port, real_port),
                           connect_timeout=2)
        # (the repr of the connection would show the random silent port)
        conns = []
        ctx.call("connect", lambda: conns.append(ctx.connect(dsn)))
        if conns:
            ctx.rec("port", conns[0].info.port == int(real_port))
        dsn = ext.make_dsn(ctx.dsn, host="127.0.0.1", port=port,
                           connect_timeout=2)
        try:
            ctx.connect(dsn)
        except psycopg2.OperationalError as ex:
            ctx.rec("error", re.sub(r"port \d+", "port N", str(ex)))
            ctx.rec("class", type(ex).__name__)
    finally:
        silent.close()


# 17. connection.encoding spellings: the name asked for, or the server's,
# normalised ('SQL_ASCII' -> 'SQLASCII'); a bytes cursor name.
def probe_k17_encoding_names(ctx):
    conn = ctx.connect()
    ctx.rec("default", conn.encoding)
    for name in ("latin1", "iso8859-1", "SQL_ASCII", "euc_jp", "KOI8",
                 "alt", "unicode", "UTF-8", "euc_tw", "bad"):
        ctx.call(name, conn.set_client_encoding, name)
        ctx.rec(name + " shown", conn.encoding)
        conn.rollback()
    conn.close()
    conn = ctx.connect(ctx.dsn, options="-c client_encoding=SQL_ASCII")
    ctx.rec("from server", conn.encoding)
    conn.close()


def probe_k17_cursor_bytes_name(ctx):
    conn = ctx.connect()
    cur = ctx.call("bytes", conn.cursor, b"k17 cursor")
    if cur is not None:
        ctx.rec("name", cur.name)
        ctx.call("execute", cur.execute, "select 1")
        ctx.call("fetch", cur.fetchall)
    conn.close()


# 18. Session characteristics in autocommit: what reaches the server's
# default_transaction_* settings, set_isolation_level(0) keeping the level.
def probe_k18_session_gucs(ctx):
    conn = ctx.connect()
    cur = conn.cursor()

    def show(tag):
        values = []
        for guc in ("transaction_isolation", "default_transaction_isolation",
                    "default_transaction_read_only",
                    "default_transaction_deferrable"):
            cur.execute("show " + guc)
            values.append(cur.fetchone()[0])
        conn.rollback()
        ctx.rec(tag, [conn.isolation_level, conn.readonly, conn.deferrable,
                      conn.autocommit] + values)

    steps = [
        ("set_session all", lambda: conn.set_session(
            isolation_level=3, readonly=True, deferrable=True,
            autocommit=True)),
        ("autocommit off", lambda: setattr(conn, "autocommit", False)),
        ("autocommit on", lambda: setattr(conn, "autocommit", True)),
        ("isolation_level 2", lambda: setattr(conn, "isolation_level", 2)),
        ("readonly None", lambda: setattr(conn, "readonly", None)),
        ("set_isolation_level 0", lambda: conn.set_isolation_level(0)),
        ("set_isolation_level 1", lambda: conn.set_isolation_level(1)),
        ("set_session autocommit", lambda: conn.set_session(autocommit=True)),
        ("set_session default", lambda: conn.set_session("default")),
    ]
    for tag, step in steps:
        ctx.call(tag, step)
        show(tag + " state")
    conn.close()


# 19. connection method arguments and read-only attributes.
def probe_k19_conn_arguments(ctx):
    conn = ctx.connect()
    for value in (0, None, False, True):
        ctx.call("withhold unnamed %r" % (value,),
                 lambda: conn.cursor(withhold=value).withhold)
        ctx.call("scrollable unnamed %r" % (value,),
                 lambda: conn.cursor(scrollable=value).scrollable)
    seen = []

    def factory(*args):
        seen.append(len(args))
        return ext.cursor(*args)

    ctx.call("factory", lambda: conn.cursor(cursor_factory=factory).name)
    ctx.rec("factory args", seen)
    ctx.call("tpc_commit 2 args", conn.tpc_commit, "x", "y")
    ctx.call("set_isolation_level no arg", conn.set_isolation_level)
    ctx.call("set_isolation_level kw", lambda: conn.set_isolation_level(
        level=1))
    ctx.call("exit", conn.__exit__, None, None, None)
    for attr in ("closed", "status", "async_", "dsn", "server_version",
                 "protocol_version", "encoding", "string_types"):
        ctx.call("set " + attr, setattr, conn, attr, None)
        ctx.call("del " + attr, delattr, conn, attr)
    conn.close()
