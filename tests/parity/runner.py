"""Child side of the parity harness: run one scenario module, print a record.

    python -I runner.py SCENARIO [LIBDIR]

runs every probe of ``scenarios/SCENARIO.py`` with whatever ``psycopg2`` the
interpreter finds (LIBDIR, if given, is put first on ``sys.path``: the
in-place build for our side; nothing for the original's virtualenv) and
prints one JSON object: ``{"module": ..., "probes": {name: [[key, obs], ...]}}``.

A probe is a function ``probe(ctx)``. It records observations with
``ctx.rec(key, value)`` and ``ctx.call(key, fn, *args)`` (the result, or the
exception raised); its return value, if not None, is recorded as
``"return"``. An exception escaping the probe is recorded as ``"raised"``.
Observations describe what a user can see: values with their exact types,
exceptions with class, pgcode, pgerror, str() and diag fields. Values that
legitimately vary between runs (addresses, pids, OIDs) are normalised here
or by the probe.
"""

import datetime
import decimal
import json
import os
import re
import sys
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))

_ADDR = re.compile(r"0x[0-9a-fA-F]{4,}")
DIAG_FIELDS = (
    "column_name", "constraint_name", "context", "datatype_name",
    "internal_position", "internal_query", "message_detail", "message_hint",
    "message_primary", "schema_name", "severity", "severity_nonlocalized",
    "source_file", "source_function", "source_line", "sqlstate",
    "statement_position", "table_name",
)
# Where the server raised an error is not the client's business.
_DIAG_SKIP = {"source_file", "source_function", "source_line"}


def norm_text(s):
    return _ADDR.sub("0x?", s)


def typename(obj):
    t = type(obj)
    return "%s.%s" % (t.__module__, t.__qualname__)


def safe_repr(v):
    try:
        return norm_text(repr(v))
    except Exception as ex:  # a repr that raises is an observation too
        return "<repr raised %s: %s>" % (typename(ex), norm_text(str(ex)))


def describe_exc(ex):
    d = {"exc": typename(ex), "str": norm_text(str(ex))}
    for attr in ("pgcode", "pgerror"):
        if hasattr(ex, attr):
            v = getattr(ex, attr)
            d[attr] = norm_text(v) if isinstance(v, str) else safe_repr(v)
    diag = getattr(ex, "diag", None)
    if diag is not None and hasattr(ex, "pgcode"):
        fields = {}
        for f in DIAG_FIELDS:
            if f in _DIAG_SKIP:
                continue
            try:
                v = getattr(diag, f)
            except Exception as e2:
                v = "<%s>" % typename(e2)
            if v is not None:
                fields[f] = norm_text(v) if isinstance(v, str) else safe_repr(v)
        d["diag"] = fields
    if hasattr(ex, "cursor"):
        d["cursor"] = "None" if ex.cursor is None else typename(ex.cursor)
    return d


def describe(v, depth=0):
    """A JSON-able description of a value: its exact type and its content."""
    if depth > 6:
        return {"t": typename(v), "deep": True}
    if isinstance(v, BaseException):
        return describe_exc(v)
    t = typename(v)
    if v is None or isinstance(v, (bool, int)) and type(v) in (bool, int):
        return {"t": t, "v": v}
    if isinstance(v, float) and type(v) is float:
        return {"t": t, "v": repr(v)}
    if isinstance(v, str) and type(v) is str:
        return {"t": t, "v": norm_text(v)}
    if isinstance(v, (bytes, bytearray)) and type(v) in (bytes, bytearray):
        return {"t": t, "hex": bytes(v).hex()}
    if isinstance(v, memoryview):
        d = {"t": t, "format": v.format, "hex": v.tobytes().hex(),
             "readonly": v.readonly}
        if len(v):
            try:
                d["item0"] = describe(v[0], depth + 1)
            except Exception as ex:
                d["item0"] = describe_exc(ex)
        return d
    if isinstance(v, (list, tuple)) and type(v) in (list, tuple):
        return {"t": t, "items": [describe(x, depth + 1) for x in v]}
    if isinstance(v, dict) and type(v) is dict:
        return {"t": t, "items": [[safe_repr(k), describe(x, depth + 1)]
                                  for k, x in v.items()]}
    if isinstance(v, (decimal.Decimal, datetime.date, datetime.time,
                      datetime.timedelta, datetime.tzinfo)):
        d = {"t": t, "repr": safe_repr(v)}
        if isinstance(v, (datetime.datetime, datetime.time)) and v.tzinfo:
            d["utcoffset"] = safe_repr(v.utcoffset())
        return d
    d = {"t": t, "repr": safe_repr(v)}
    # Row-like objects (DictRow, namedtuples, RealDictRow...): their content.
    if isinstance(v, (list, tuple)):
        d["items"] = [describe(x, depth + 1) for x in v]
    if isinstance(v, dict):
        d["dict"] = [[safe_repr(k), describe(x, depth + 1)] for k, x in v.items()]
    return d


class Context:
    """What a probe gets: the DSN, connections closed at the end, a recorder."""

    def __init__(self, dsn):
        self.dsn = dsn
        self.obs = []
        self._conns = []
        self._observer = None

    # -- recording
    def rec(self, key, value, raw=False):
        self.obs.append([key, value if raw else describe(value)])
        return value

    def call(self, key, fn, *args, **kwargs):
        """Call fn; record its result (described) or the exception it raised.
        Returns the result, or None if it raised."""
        try:
            res = fn(*args, **kwargs)
        except Exception as ex:
            self.obs.append([key, {"raised": describe_exc(ex)}])
            return None
        self.obs.append([key, describe(res)])
        return res

    def outcome(self, key, fn, *args, **kwargs):
        """Like call(), but an exception is recorded only as "raised": for
        inputs where which exception is raised is a documented difference
        (the builtin casters on malformed text, migration.rst)."""
        try:
            res = fn(*args, **kwargs)
        except Exception:
            self.obs.append([key, "raised"])
            return None
        self.obs.append([key, describe(res)])
        return res

    def state(self, key, obj):
        """The user-visible attributes of a connection, cursor or lobject."""
        import psycopg2.extensions as ext
        attrs = {}
        if isinstance(obj, ext.connection):
            names = ("closed", "status", "autocommit", "isolation_level",
                     "readonly", "deferrable", "encoding", "async_",
                     "protocol_version", "notices")
            extra = [("tx_status", lambda: obj.get_transaction_status())]
        elif isinstance(obj, ext.cursor):
            names = ("closed", "rowcount", "rownumber", "statusmessage",
                     "query", "lastrowid", "name", "withhold", "scrollable",
                     "arraysize", "itersize")
            extra = [("description", lambda: obj.description)]
        elif isinstance(obj, ext.lobject):
            names = ("closed", "mode")
            extra = [("oid>0", lambda: obj.oid > 0)]
        else:
            names = ()
            extra = []
        for n in names:
            try:
                attrs[n] = describe(getattr(obj, n))
            except Exception as ex:
                attrs[n] = {"raised": describe_exc(ex)}
        for n, fn in extra:
            try:
                attrs[n] = describe(fn())
            except Exception as ex:
                attrs[n] = {"raised": describe_exc(ex)}
        self.obs.append([key, attrs])

    # -- resources
    def connect(self, *args, **kwargs):
        import psycopg2
        if not args and "dsn" not in kwargs:
            args = (self.dsn,)
        conn = psycopg2.connect(*args, **kwargs)
        self._conns.append(conn)
        return conn

    def track(self, conn):
        self._conns.append(conn)
        return conn

    def observer(self):
        """A second, autocommit connection: what other sessions see."""
        if self._observer is None or self._observer.closed:
            import psycopg2
            self._observer = psycopg2.connect(self.dsn)
            self._observer.autocommit = True
        return self._observer

    def sql(self, query, args=None):
        """Run on the observer connection; the rows (or None)."""
        cur = self.observer().cursor()
        cur.execute(query, args)
        rows = cur.fetchall() if cur.description else None
        cur.close()
        return rows

    def seen(self, key, query, args=None):
        """Record what a second session sees."""
        self.rec(key, self.sql(query, args))

    def table(self, name, columns="id int primary key, val text"):
        self.sql("drop table if exists %s cascade" % name)
        self.sql("create table %s (%s)" % (name, columns))
        return name

    def close(self):
        for c in reversed(self._conns):
            try:
                c.close()
            except Exception:
                pass
        if self._observer is not None:
            try:
                self._observer.close()
            except Exception:
                pass


def collect(module):
    """The probes of a scenario module: PROBES (a dict or list of pairs) and
    every function named probe_*."""
    probes = []
    extra = getattr(module, "PROBES", None)
    if callable(extra):
        extra = extra()
    if isinstance(extra, dict):
        extra = list(extra.items())
    for name in sorted(vars(module)):
        if name.startswith("probe_") and callable(getattr(module, name)):
            probes.append((name[len("probe_"):], getattr(module, name)))
    probes.extend(extra or ())
    return probes


def main(argv):
    name = argv[1]
    if len(argv) > 2 and argv[2]:
        sys.path.insert(0, argv[2])
    sys.path.insert(0, os.path.join(HERE, "scenarios"))
    sys.path.insert(0, HERE)
    dsn = os.environ["PSYCOPG2_TESTDSN"]
    import psycopg2
    import importlib
    module = importlib.import_module(name)
    out = {"module": name, "psycopg2": os.path.dirname(psycopg2.__file__),
           "probes": {}}
    only = os.environ.get("PARITY_ONLY")
    for pname, fn in collect(module):
        if only and only not in pname:
            continue
        ctx = Context(dsn)
        try:
            res = fn(ctx)
            if res is not None:
                ctx.rec("return", res)
        except Exception as ex:
            ctx.obs.append(["raised", describe_exc(ex)])
            if os.environ.get("PARITY_TRACE"):
                traceback.print_exc()
        finally:
            ctx.close()
        if pname in out["probes"]:
            raise SystemExit("duplicate probe name %s in %s" % (pname, name))
        out["probes"][pname] = ctx.obs
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv)
