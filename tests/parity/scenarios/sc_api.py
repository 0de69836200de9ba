"""The API surface: names, kinds and constants of every public module, class
and instance (generated from the modules themselves, not hand-picked)."""

import importlib

MODULES = (
    "psycopg2", "psycopg2.extensions", "psycopg2.extras", "psycopg2.errors",
    "psycopg2.errorcodes", "psycopg2.pool", "psycopg2.sql", "psycopg2.tz",
)

# The protocol methods a user relies on; other dunders (__dict__,
# __weakref__, __init_subclass__...) depend on how a class is implemented.
PROTOCOL = (
    "__enter__", "__exit__", "__iter__", "__next__", "__len__",
    "__getitem__", "__setitem__", "__delitem__", "__contains__", "__call__",
    "__conform__", "__lt__", "__bool__", "__add__", "__mul__", "__str__",
    "__repr__", "__hash__",
)


def kind(obj):
    """What a user sees of an attribute without calling it."""
    import types
    if isinstance(obj, types.ModuleType):
        return "module"
    if isinstance(obj, type):
        return "class"
    if callable(obj):
        return "callable"
    return "value"


def incidental(obj):
    """Names a module binds by importing from the standard library
    (OrderedDict, threading...): not part of its API."""
    import types
    if isinstance(obj, types.ModuleType):
        return True
    mod = getattr(obj, "__module__", None)
    return (isinstance(obj, type) or callable(obj)) and isinstance(mod, str) \
        and not mod.startswith("psycopg2")


def surface(obj, of):
    """{"surface": {name: kind}, "of": path}: compared by test_parity.py
    name by name; names only ours has are checked against EXTRA_NAMES."""
    import types
    names = [n for n in dir(obj) if not n.startswith("_") or n in PROTOCOL]
    out = {}
    for n in sorted(names):
        try:
            v = getattr(obj, n)
        except Exception as ex:
            out[n] = "raises %s" % type(ex).__name__
            continue
        if isinstance(obj, types.ModuleType) and incidental(v):
            continue
        out[n] = kind(v)
    return {"surface": out, "of": of}


def _module_probe(modname):
    def probe(ctx):
        mod = importlib.import_module(modname)
        ctx.rec("names", surface(mod, modname), raw=True)
        for n in sorted(dir(mod)):
            if n.startswith("_"):
                continue
            v = getattr(mod, n)
            if kind(v) != "value" or isinstance(v, dict):
                continue  # registries: probes of their own
            ctx.rec("value %s" % n, v)
    return probe


def _registry_probe(modname, name):
    def probe(ctx):
        mod = importlib.import_module(modname)
        reg = getattr(mod, name)
        ctx.rec("items", sorted((repr(k), repr(x)) for k, x in reg.items()))
    return probe


def _classes():
    seen = {}
    for modname in MODULES:
        mod = importlib.import_module(modname)
        for n in sorted(dir(mod)):
            if n.startswith("_"):
                continue
            v = getattr(mod, n)
            if isinstance(v, type) and not incidental(v):
                seen.setdefault("%s.%s" % (modname, n), v)
    return seen


def _class_probe(path, cls):
    def probe(ctx):
        ctx.rec("qualname", "%s.%s" % (cls.__module__, cls.__qualname__))
        ctx.rec("mro", ["%s.%s" % (c.__module__, c.__qualname__)
                        for c in cls.__mro__])
        ctx.rec("surface", surface(cls, path), raw=True)
    return probe


def PROBES():
    probes = [("module %s" % m, _module_probe(m)) for m in MODULES]
    probes += [("registry extensions.%s" % n,
                _registry_probe("psycopg2.extensions", n))
               for n in ("adapters", "encodings", "string_types",
                         "binary_types")]
    # the errors module holds ~250 generated classes: one probe for all
    classes = _classes()
    errors = {p: c for p, c in classes.items()
              if p.startswith("psycopg2.errors.")}

    def probe_errors(ctx):
        for p, c in sorted(errors.items()):
            ctx.rec(p, ["%s.%s" % (k.__module__, k.__qualname__)
                        for k in c.__mro__])
    probes.append(("errors classes", probe_errors))
    for p, c in sorted(classes.items()):
        if p not in errors:
            probes.append(("class %s" % p, _class_probe(p, c)))
    return probes


# ---- instances --------------------------------------------------------------

def probe_instances(ctx):
    import datetime
    import decimal
    import uuid
    import psycopg2
    import psycopg2.extensions as ext
    import psycopg2.extras as extras

    conn = ctx.connect()
    cur = conn.cursor()
    ctx.rec("connection", surface(conn, "connection()"), raw=True)
    ctx.rec("cursor", surface(cur, "cursor()"), raw=True)
    ctx.rec("info", surface(conn.info, "ConnectionInfo()"), raw=True)
    cur.execute("select 1 as a")
    ctx.rec("column", surface(cur.description[0], "Column()"), raw=True)
    try:
        cur.execute("select 1/0")
    except psycopg2.Error as ex:
        ctx.rec("error", surface(ex, "Error()"), raw=True)
        ctx.rec("diag", surface(ex.diag, "Diagnostics()"), raw=True)
    conn.rollback()
    ctx.rec("xid", surface(conn.xid(1, "a", "b"), "Xid()"),
            raw=True)
    lo = conn.lobject()
    ctx.rec("lobject", surface(lo, "lobject()"), raw=True)
    lo.close()
    conn.rollback()
    ctx.rec("typecaster", surface(psycopg2.STRING, "type()"), raw=True)
    for factory in (extras.DictCursor, extras.RealDictCursor,
                    extras.NamedTupleCursor, extras.LoggingCursor,
                    extras.MinTimeLoggingCursor):
        c = conn.cursor(cursor_factory=factory)
        ctx.rec(factory.__name__, surface(c, factory.__name__ + "()"),
                raw=True)
        c.execute("select 1 as a, 2 as b")
        ctx.rec(factory.__name__ + " row",
                surface(c.fetchone(), factory.__name__ + " row"), raw=True)
    for value in (None, True, 1, 1.5, decimal.Decimal("1"), "s", b"b",
                  bytearray(b"b"), memoryview(b"m"), [1], (1,),
                  datetime.date(2020, 1, 1), datetime.time(1, 2),
                  datetime.datetime(2020, 1, 1), datetime.timedelta(1),
                  uuid.UUID(int=1), {"a": "b"}):
        try:
            a = ext.adapt(value)
        except Exception as ex:
            ctx.rec("adapt %s" % type(value).__name__,
                    "raises %s" % type(ex).__name__)
            continue
        ctx.rec("adapt %s type" % type(value).__name__,
                "%s.%s" % (type(a).__module__, type(a).__qualname__))
        ctx.rec("adapt %s" % type(value).__name__,
                surface(a, "adapt(%s)" % type(value).__name__), raw=True)
