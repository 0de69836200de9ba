"""Row factories, named cursors and two-phase commit, side by side."""

import psycopg2
import psycopg2.extensions as ext
import psycopg2.extras as extras

FACTORIES = ("DictCursor", "RealDictCursor", "NamedTupleCursor",
             "LoggingCursor", None)
QUERIES = (
    "select 1 as a, 'x' as b",
    "select 1 as a, 2 as a",               # duplicate names
    'select 1 as "A b", 2 as "1st", 3 as "_p", 4 as "select"',
    "select 1",                             # ?column?
    "select * from generate_series(1, 5) as g",
    "select 1 as a where false",
)


def _rows_probe(factory, named):
    def probe(ctx):
        conn = ctx.connect()
        if factory == "LoggingCursor":
            conn = ctx.track(psycopg2.connect(
                ctx.dsn, connection_factory=extras.LoggingConnection))
            import io
            conn.initialize(io.StringIO())
        cf = getattr(extras, factory) if factory else None
        for i, q in enumerate(QUERIES):
            name = ("parity_rows_%d" % i) if named else None
            cur = conn.cursor(name, cursor_factory=cf) if cf \
                else conn.cursor(name)
            ctx.call("%d execute" % i, cur.execute, q)
            ctx.call("%d fetchone" % i, cur.fetchone)
            ctx.call("%d fetchmany" % i, cur.fetchmany, 2)
            ctx.call("%d fetchall" % i, cur.fetchall)
            ctx.call("%d fetchone end" % i, cur.fetchone)
            ctx.state("%d state" % i, cur)
            ctx.call("%d scroll" % i, cur.scroll, 0, "absolute")
            ctx.call("%d after scroll" % i, cur.fetchone)
            if factory in ("DictCursor", "RealDictCursor"):
                cur2 = conn.cursor(cursor_factory=cf)
                cur2.execute(q)
                row = cur2.fetchone()
                if row is not None:
                    for k in ("a", "b", 0, 1, -1, "nope", 5):
                        ctx.call("%d row[%r]" % (i, k), lambda: row[k])
                    ctx.call("%d keys" % i, lambda: list(row.keys()))
                    ctx.call("%d values" % i, lambda: list(row.values()))
                    ctx.call("%d items" % i, lambda: list(row.items()))
                    ctx.call("%d get" % i, row.get, "a", "dflt")
                    ctx.call("%d get missing" % i, row.get, "zz", "dflt")
                    ctx.call("%d in" % i, lambda: "a" in row)
                    ctx.call("%d len" % i, len, row)
                    ctx.call("%d copy" % i, lambda: type(row.copy()).__name__)
                    ctx.call("%d eq" % i, lambda: row == row.copy())
                cur2.close()
            if factory == "NamedTupleCursor":
                cur2 = conn.cursor(cursor_factory=cf)
                cur2.execute(q)
                row = cur2.fetchone()
                if row is not None:
                    ctx.call("%d fields" % i, lambda: row._fields)
                    ctx.call("%d type" % i, lambda: type(row).__name__)
                cur2.close()
            try:
                cur.close()
            except psycopg2.Error as ex:
                ctx.rec("%d close" % i, ex)
            conn.rollback()
    return probe


def _failing_row_probe(factory, named, nrows):
    """A caster that fails on some rows: where the position goes, and what
    the next fetches give (psycopg2 consumes the row that failed)."""
    def probe(ctx):
        conn = ctx.connect()
        cf = getattr(extras, factory) if factory else None
        bad = ext.new_type((25,), "PARITY_FAILING",
                           lambda s, cur: 1 // 0 if s.endswith("7") else s)
        q = ("select i, i::text as t from generate_series(1, %d) as g(i)"
             % nrows)
        for meth, args in (("fetchone", ()), ("fetchmany", (5,)),
                           ("fetchall", ()), ("iter", ())):
            name = "parity_fail_%s" % meth if named else None
            cur = conn.cursor(name, cursor_factory=cf) if cf \
                else conn.cursor(name)
            ext.register_type(bad, cur)
            ctx.call("%s execute" % meth, cur.execute, q)
            for k in range(4):
                if meth == "iter":
                    ctx.call("%s %d" % (meth, k),
                             lambda: [r[0] for r in cur][-3:])
                else:
                    ctx.call("%s %d" % (meth, k),
                             lambda: _firsts(getattr(cur, meth)(*args)))
                ctx.call("%s %d rownumber" % (meth, k),
                         lambda: cur.rownumber)
            conn.rollback()
    return probe


def _firsts(r):
    if r is None:
        return None
    if isinstance(r, list) and r and not isinstance(r[0], (int, str)):
        return [x[0] if not isinstance(x, dict) else x["i"] for x in r][-3:]
    return r[0] if not isinstance(r, dict) else r["i"]


def PROBES():
    probes = []
    for f in FACTORIES:
        for named in (False, True):
            probes.append(("rows %s%s" % (f, " named" if named else ""),
                           _rows_probe(f, named)))
    for f in (None, "DictCursor", "RealDictCursor", "NamedTupleCursor"):
        for named in (False, True):
            for nrows in (20, 60000):
                probes.append(("failing row %s%s %d" % (
                    f, " named" if named else "", nrows),
                    _failing_row_probe(f, named, nrows)))
    return probes


def probe_named_cursor_lifecycle(ctx):
    ctx.table("parity_rows_t", "id int")
    ctx.sql("insert into parity_rows_t select generate_series(1, 10)")
    conn = ctx.connect()
    cur = conn.cursor("parity_nc")
    ctx.state("fresh", cur)
    ctx.call("fetch before", cur.fetchone)
    cur.itersize = 3
    ctx.call("execute", cur.execute,
             "select id from parity_rows_t order by id")
    ctx.state("executed", cur)
    ctx.call("iter", lambda: [r for _, r in zip(range(4), cur)])
    ctx.call("rownumber", lambda: cur.rownumber)
    ctx.call("scroll rel", cur.scroll, 2)
    ctx.call("fetchone", cur.fetchone)
    ctx.call("scroll back", cur.scroll, -1)
    ctx.call("scroll abs", cur.scroll, 0, "absolute")
    ctx.call("fetchmany", cur.fetchmany, 3)
    ctx.call("fetchall", cur.fetchall)
    ctx.state("end", cur)
    ctx.call("execute twice", cur.execute, "select 1")
    ctx.call("callproc", cur.callproc, "now")
    ctx.call("executemany", cur.executemany, "select %s", [(1,)])
    ctx.call("copy_expert", cur.copy_expert, "copy (select 1) to stdout",
             None)
    conn.commit()
    ctx.state("after commit", cur)
    ctx.call("fetch after commit", cur.fetchone)
    ctx.call("close", cur.close)
    ctx.call("close twice", cur.close)
    ctx.state("closed", cur)
    w = conn.cursor("parity_wh", withhold=True, scrollable=True)
    ctx.call("withhold", w.execute, "select id from parity_rows_t order by id")
    conn.commit()
    ctx.call("withhold after commit", w.fetchmany, 2)
    ctx.call("withhold scroll back", w.scroll, -2)
    ctx.call("withhold again", w.fetchone)
    ctx.state("withhold", w)
    w.close()
    conn.commit()
    ctx.seen("cursors left", "select count(*) from pg_cursors")
    bad = conn.cursor("parity_bad")
    ctx.call("bad query", bad.execute, "select * from nope_parity_rows")
    ctx.state("bad", bad)
    conn.rollback()
    ctx.call("describe", lambda: conn.cursor("x y").name)
    c3 = conn.cursor("parity_set")
    ctx.call("set withhold", setattr, c3, "withhold", True)
    ctx.call("set scrollable", setattr, c3, "scrollable", False)
    c3.execute("select 1")
    ctx.call("set withhold late", setattr, c3, "withhold", False)
    ctx.call("set scrollable late", setattr, c3, "scrollable", True)
    conn.rollback()


def probe_tpc(ctx):
    conn = ctx.connect()
    ctx.call("max_prepared", lambda: conn.cursor().execute(
        "show max_prepared_transactions"))
    x = conn.xid(42, "parity_gtrid", "parity_bqual")
    for attr in ("format_id", "gtrid", "bqual", "prepared", "owner",
                 "database"):
        ctx.call("xid.%s" % attr, getattr, x, attr)
    ctx.call("xid[0]", lambda: x[0])
    ctx.call("xid len", len, x)
    ctx.call("xid str", str, x)
    ctx.call("from_string", lambda: tuple(ext.Xid.from_string(str(x))))
    ctx.call("from_string bad", lambda: tuple(ext.Xid.from_string("zz")))
    ctx.call("tpc_begin", conn.tpc_begin, x)
    ctx.state("begun", conn)
    ctx.call("tpc_begin twice", conn.tpc_begin, x)
    ctx.call("commit inside", conn.commit)
    ctx.call("rollback inside", conn.rollback)
    ctx.call("set_session inside", conn.set_session, readonly=True)
    ctx.call("autocommit inside", setattr, conn, "autocommit", True)
    ctx.call("tpc_commit", conn.tpc_commit)
    ctx.state("committed", conn)
    ctx.call("tpc_prepare outside", conn.tpc_prepare)
    ctx.call("tpc_commit unknown", conn.tpc_commit, "parity_unknown_xid")
    ctx.call("tpc_rollback unknown", conn.tpc_rollback,
             conn.xid(1, "parity_none", "b"))
    ctx.call("tpc_begin str", conn.tpc_begin, "parity_plain")
    ctx.call("tpc_rollback", conn.tpc_rollback)
    ctx.call("tpc_begin bad", conn.tpc_begin, 42)
    ctx.state("end", conn)
    conn.autocommit = True
    ctx.call("tpc_begin autocommit", conn.tpc_begin, x)
    conn.rollback()


def probe_description_lifetime(ctx):
    """cursor.description is built when first read: what it shows after
    other commands, after close() before it was ever read, and for names
    sent in another client encoding."""
    conn = ctx.connect()
    cur = conn.cursor()
    ctx.call("execute", cur.execute, "select 1 as a, 'x'::text as b")
    ctx.call("ddl", cur.execute, "create temp table parity_desc (x int)")
    ctx.call("after ddl", lambda: cur.description)
    ctx.call("select", cur.execute, "select x from parity_desc")
    ctx.call("after select", lambda: cur.description)
    ctx.call("executemany", cur.executemany,
             "insert into parity_desc values (%s)", [(1,), (2,)])
    ctx.call("after executemany", lambda: cur.description)
    cur.execute("select 1 as unread")
    cur.close()
    ctx.call("closed, never read", lambda: cur.description)
    cur = conn.cursor()
    cur.execute("select 2 as unread2")
    conn.rollback()
    ctx.call("after rollback", lambda: cur.description)
    conn.set_client_encoding("LATIN1")
    cur.execute('select 1 as "caf\u00e9"')
    conn.set_client_encoding("UTF8")
    ctx.call("latin1 name", lambda: cur.description[0].name)
    ctx.call("statusmessage", lambda: cur.statusmessage)
    cur.execute('select 2 as "b"')
    ctx.call("statusmessage again", lambda: cur.statusmessage)
    conn2 = ctx.connect()
    cur2 = conn2.cursor()
    cur2.execute("select 3 as c")
    conn2.close()
    ctx.call("connection closed, never read", lambda: cur2.description)


def probe_bytea_memoryview(ctx):
    """What a bytea value is: the memoryview and the object behind it."""
    conn = ctx.connect()
    cur = conn.cursor()
    for text in ("", "ab", "0123456789abcdef" * 3 + "ff"):
        cur.execute("select decode(%s, 'hex')", (text,))
        mv = cur.fetchone()[0]
        key = "len %d" % (len(text) // 2)
        ctx.call(key + " bytes", mv.tobytes)
        ctx.call(key + " view", lambda: (mv.format, mv.itemsize,
                                         mv.readonly, mv.shape, mv.nbytes))
        ctx.call(key + " obj type", lambda: type(mv.obj).__name__)
        ctx.call(key + " obj repr", lambda: repr(mv.obj).split(" at ")[0])
        ctx.call(key + " obj len", len, mv.obj)
        if len(text):
            ctx.call(key + " [0]", lambda: mv[0])
            ctx.call(key + " write", mv.__setitem__, 0, b"z")
    for text in ("\\x4142", "\\x41424344454647", "AB", "a\\\\b\\101"):
        ctx.call("cast %r" % text, lambda: bytes(psycopg2.BINARY(text, cur)))


def probe_bytea_malformed(ctx):
    """Hex text PostgreSQL never sends (a deliberate difference: DataError
    here, an empty or partial value in psycopg2)."""
    conn = ctx.connect()
    cur = conn.cursor()
    for text in ("\\x4g", "\\x414", "\\x41424344454g47", "\\xzz"):
        ctx.outcome("cast %r" % text,
                    lambda: bytes(psycopg2.BINARY(text, cur)))


def probe_callproc_names(ctx):
    from psycopg2 import sql
    conn = ctx.connect()
    cur = conn.cursor()
    for name in ("now", b"now", sql.Identifier("now"), sql.SQL("now"), 42):
        ctx.call("callproc %r" % (name,),
                 lambda: (cur.callproc(name), len(cur.fetchall())))
        conn.rollback()
