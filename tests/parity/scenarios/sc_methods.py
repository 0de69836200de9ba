"""Connection and cursor methods with normal and edge input, in each object
state (generated from tables: method x argument x state)."""

import psycopg2
import psycopg2.extensions as ext

EDGE = [
    ("none", None), ("empty", ""), ("bytes", b"select 1"), ("int", 1),
    ("neg", -1), ("huge", 2 ** 64), ("float", 1.5), ("list", [1]),
    ("nul", "select '\x00'"), ("nonascii", "select 'é€'"),
    ("object", object()),
]

# cursor methods: name -> list of argument tuples
CURSOR_CALLS = {
    "execute": [("select 1",), ("select %s", (None,)), ("",), (" ",),
                ("select 1; select 2",), ("-- only a comment",)],
    "fetchone": [()],
    "fetchmany": [(), (0,), (2,), (-1,), (None,), ("x",), (2 ** 64,)],
    "fetchall": [()],
    "scroll": [(0,), (1,), (-1,), (100,), (0, "absolute"), (0, "bad"),
               (-5, "absolute"), (None,), ("x",)],
    "setinputsizes": [(None,), ([1, 2],)],
    "setoutputsize": [(1,), (1, 2), ("x",)],
    "nextset": [()],
    "cast": [(23, "42"), (23, None), (99999, "x"), ("x", "1"), (25, b"x")],
    "mogrify": [("select %s", (1,)), ("select 1",), (None,), (b"x",)],
    "callproc": [("now",), ("abs", (-1,)), ("", ()), ("no_such_fn",),
                 (None,)],
    "close": [()],
}

CONN_CALLS = {
    "cursor": [(), ("named_a",), ("",), (None,), (1,), ("a\x00b",),
               (None, None), ("n2", None, None, True)],
    "commit": [()], "rollback": [()],
    "set_session": [(), ("serializable",), ("bad",), (5,), (-1,),
                    (None, True), (None, None, True), (None, None, None, True)],
    "set_isolation_level": [(0,), (1,), (4,), (5,), (-1,), (None,), ("x",)],
    "set_client_encoding": [("UTF8",), ("latin1",), ("",), ("bad",),
                            (None,), ("utf-8",), ("UNICODE",)],
    "get_parameter_status": [("TimeZone",), ("nope",), ("",), (None,)],
    "get_transaction_status": [()], "get_backend_pid": [()],
    "get_dsn_parameters": [()], "get_native_connection": [()],
    "fileno": [()], "isexecuting": [()], "cancel": [()], "reset": [()],
    "xid": [(1, "g", "b"), (-1, "g", "b"), (1, "x" * 65, "b"),
            (1, "g", "x" * 65), (2 ** 31, "g", "b"), ("x", "g", "b")],
    "tpc_recover": [()],
    "lobject": [(0, "r"), (-1,), (0, "zz"), (12345678,)],
    "close": [()],
}

STATES = ("fresh", "after_select", "after_commit", "autocommit", "in_with",
          "closed", "conn_closed", "named")


def _setup(ctx, state):
    conn = ctx.connect()
    cur = conn.cursor("parity_named") if state == "named" else conn.cursor()
    if state == "named":
        cur.execute("select generate_series(1, 5)")
    if state in ("after_select", "after_commit", "in_with"):
        cur.execute("select generate_series(1, 5) as g, 'x' as t")
    if state == "after_commit":
        conn.commit()
    if state == "autocommit":
        conn.autocommit = True
    if state == "closed":
        cur.close()
    if state == "conn_closed":
        conn.close()
    return conn, cur


def _cursor_probe(state, meth):
    def probe(ctx):
        for args in CURSOR_CALLS[meth]:
            conn, cur = _setup(ctx, state)
            if state == "in_with":
                with conn:
                    ctx.call("%r" % (args,), getattr(cur, meth), *args)
            else:
                ctx.call("%r" % (args,), getattr(cur, meth), *args)
            ctx.state("cur %r" % (args,), cur)
            try:
                if not conn.closed:
                    ctx.rec("tx %r" % (args,), conn.info.transaction_status)
                    conn.rollback()
            except psycopg2.Error as ex:
                ctx.rec("tx %r" % (args,), ex)
            conn.close()
    return probe


def _conn_probe(state, meth):
    def probe(ctx):
        for args in CONN_CALLS[meth]:
            conn, cur = _setup(ctx, state)
            res = ctx.call("%r" % (args,), getattr(conn, meth), *args)
            if meth in ("get_backend_pid", "fileno",
                        "get_native_connection") and res is not None:
                ctx.rec("positive", isinstance(res, int) and res > 0)
                ctx.obs[-2][1] = {"t": type(res).__name__}
            if meth == "get_dsn_parameters" and isinstance(res, dict):
                # which keys libpq reports depends on its version
                ctx.obs[-1][1] = sorted(
                    k for k in res if k in ("dbname", "host", "port", "user"))
            if meth == "lobject" and res is not None:
                ctx.obs[-1][1] = type(res).__name__
            ctx.state("conn %r" % (args,), conn)
            try:
                conn.rollback()
            except psycopg2.Error:
                pass
            conn.close()
    return probe


def _edge_probe(target, nul):
    def probe(ctx):
        for label, arg in EDGE:
            if (label == "nul") != nul:
                continue
            conn = ctx.connect()
            cur = conn.cursor()
            if target == "execute":
                ctx.call(label, cur.execute, arg)
                ctx.call(label + " fetch", cur.fetchall)
            elif target == "execute_vars":
                ctx.call(label, cur.execute, "select %s", arg)
            elif target == "cursor_name":
                ctx.call(label, lambda: conn.cursor(arg).name)
            elif target == "arraysize":
                ctx.call(label, setattr, cur, "arraysize", arg)
                ctx.rec(label + " value", cur.arraysize)
            elif target == "itersize":
                ctx.call(label, setattr, cur, "itersize", arg)
                ctx.rec(label + " value", cur.itersize)
            elif target == "autocommit":
                ctx.call(label, setattr, conn, "autocommit", arg)
                ctx.rec(label + " value", conn.autocommit)
            elif target == "isolation_level":
                ctx.call(label, setattr, conn, "isolation_level", arg)
                ctx.rec(label + " value", conn.isolation_level)
            elif target == "readonly":
                ctx.call(label, setattr, conn, "readonly", arg)
                ctx.rec(label + " value", conn.readonly)
            elif target == "connect":
                ctx.call(label, lambda: psycopg2.connect(arg).closed)
            elif target == "quote_ident":
                ctx.call(label, ext.quote_ident, arg, conn)
            elif target == "make_dsn":
                ctx.call(label, ext.make_dsn, arg)
            elif target == "parse_dsn":
                ctx.call(label, ext.parse_dsn, arg)
            elif target == "notifies":
                ctx.call(label, setattr, conn, "notifies", arg)
            conn.close()
    return probe


def PROBES():
    probes = []
    for state in STATES:
        for meth in CURSOR_CALLS:
            if state in ("after_commit", "autocommit", "in_with") and \
                    meth not in ("execute", "fetchone", "fetchall",
                                 "scroll", "close"):
                continue  # the transaction state matters to these only
            probes.append(("cursor %s %s" % (state, meth),
                           _cursor_probe(state, meth)))
    for state in ("fresh", "after_select", "autocommit", "conn_closed"):
        for meth in CONN_CALLS:
            probes.append(("conn %s %s" % (state, meth),
                           _conn_probe(state, meth)))
    for target in ("execute", "execute_vars", "cursor_name", "arraysize",
                   "itersize", "autocommit", "isolation_level", "readonly",
                   "connect", "quote_ident", "make_dsn", "parse_dsn",
                   "notifies"):
        probes.append(("edge %s" % target, _edge_probe(target, False)))
        probes.append(("edge %s nul" % target, _edge_probe(target, True)))
    return probes


def probe_subclass_skipping_init(ctx):
    class C(ext.cursor):
        def __init__(self, *args, **kwargs):
            pass

    class K(ext.connection):
        def __init__(self, *args, **kwargs):
            pass

    conn = ctx.connect()
    cur = C(conn)
    for meth, args in (("execute", ("select 1",)), ("fetchone", ()),
                       ("close", ()), ("mogrify", ("select 1",)),
                       ("__iter__", ())):
        ctx.call("cursor %s" % meth, getattr(cur, meth), *args)
    for attr in ("closed", "rowcount", "description", "query", "name",
                 "connection"):
        ctx.call("cursor .%s" % attr, getattr, cur, attr)
    k = K("")
    for meth, args in (("cursor", ()), ("commit", ()), ("rollback", ()),
                       ("close", ()), ("get_transaction_status", ()),
                       ("set_session", ()), ("get_parameter_status", ("x",)),
                       ("fileno", ())):
        ctx.call("conn %s" % meth, getattr(k, meth), *args)
    for attr in ("status", "autocommit", "isolation_level", "encoding",
                 "dsn", "async_", "server_version", "protocol_version",
                 "notices", "notifies", "cursor_factory", "readonly"):
        ctx.call("conn .%s" % attr, getattr, k, attr)
