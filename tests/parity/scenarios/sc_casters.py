"""Every builtin typecaster fed good and malformed text, and every builtin
adapter fed unusual values (generated from the registries)."""

import datetime
import decimal
import uuid

BAD_TEXT = [
    None, "", " ", "x", "0", "1", "-1", "+1", " 1", "1 ", "1.5", "-0", "1e3",
    "1e400", "-1e400", "nan", "NaN", "inf", "Infinity", "-Infinity",
    "9" * 30, "-" + "9" * 30, "0x10", "1_000", "t", "f", "true", "TRUE", "yes",
    "{}", "{1,2}", "{{1,2},{3,4}}", "{1,{2}}", "{", "}", "{NULL}", '{"a"}',
    '{"a\\"b"}', "{a,b", "{1,2}x", "\\x", "\\x6", "\\x61", "\\xzz", "\\\\",
    "\\000", "\\001abc", "ab\\", "é", "\u20ac", "a\x00b" if False else "ab",
    "2020-01-01", "2020-13-01", "2020-02-30", "0001-01-01", "9999-12-31",
    "10000-01-01", "2020-01-01 BC", "infinity", "-infinity", "2020-01-01 10:00",
    "2020-01-01 10:00:00", "2020-01-01 10:00:00.123456",
    "2020-01-01 10:00:00.1234567", "2020-01-01 24:00:00",
    "2020-01-01 10:00:00+02", "2020-01-01 10:00:00+02:30",
    "2020-01-01 10:00:00+02:30:15", "2020-01-01 10:00:00-14",
    "2020-01-01 10:00:00 +02", "2020-01-01T10:00:00", "10:00", "10:00:00",
    "25:00:00", "10:60:00", "10:00:00.5", "10:00:00+05", "24:00:00",
    "1 day", "-1 days", "1 day 02:03:04", "1 year 2 mons", "-1 years -2 mons",
    "00:00:00.000001", "1 day -01:00:00", "P1D", "178956970 years",
    "2147483647 days", "12:00:00 junk", "(1,2)", "[1,2)", "empty",
    "127.0.0.1", "::1/128", "08:00:2b:01:02:03",
    "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "1.5.5", "--1", "1-", ".5", "5.",
]


def _caster_probe(label, caster):
    def probe(ctx):
        conn = ctx.connect()
        cur = conn.cursor()
        for s in BAD_TEXT:
            ctx.outcome(repr(s), caster, s, cur)
        ctx.call("no cursor", caster, "1")
        ctx.call("bytes", caster, b"1", cur)
        ctx.call("int", caster, 1, cur)
        ctx.call("too many", caster, "1", cur, 3)
    return probe


def PROBES():
    import psycopg2._psycopg as p
    import psycopg2.extensions as ext
    probes = []
    seen = set()
    casters = {}
    for name in dir(p):
        obj = getattr(p, name)
        if isinstance(obj, ext.new_type((1,), "x").__class__):
            casters[name] = obj
    for oid, c in ext.string_types.items():
        casters.setdefault("string_types[%d] %s" % (oid, c.name), c)
    for label in sorted(casters):
        c = casters[label]
        if id(c) in seen:
            continue
        seen.add(id(c))
        probes.append(("cast %s" % label, _caster_probe(label, c)))
    probes.append(("adapt values", _adapt_values))
    probes.append(("adapt classes", _adapt_classes))
    return probes


class _Weird:
    def __repr__(self):
        return "<_Weird>"


def _values():
    big = 10 ** 40
    return [
        None, True, False, 0, -1, big, -big, 2 ** 63, -2 ** 63 - 1,
        0.0, -0.0, 1.5, 1e300, 1e-300, float("nan"), float("inf"),
        float("-inf"), decimal.Decimal("1.10"), decimal.Decimal("-0"),
        decimal.Decimal("NaN"), decimal.Decimal("sNaN"),
        decimal.Decimal("Infinity"), decimal.Decimal("-Infinity"),
        decimal.Decimal("1E+400"), "", "a", "it's", 'dq"', "back\\slash",
        "é€", "\n\t\r", "%s", "%(x)s", "a\x00b", b"", b"\x00\xff",
        bytearray(b"ab"), memoryview(b"mv"), [], [1, 2], [None], [[1], [2]],
        [[1], [2, 3]], [[], []], ["a", None, "b"], [1, "a"], [1.5, None],
        [b"x"], [[[]]], (), (1,), (1, "a"), ((1, 2),),
        datetime.date(1, 1, 1), datetime.date(9999, 12, 31),
        datetime.date(2020, 2, 29), datetime.datetime(1, 1, 1),
        datetime.datetime(9999, 12, 31, 23, 59, 59, 999999),
        datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc),
        datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone(
            datetime.timedelta(hours=5, minutes=30, seconds=15))),
        datetime.time(0, 0), datetime.time(23, 59, 59, 999999),
        datetime.time(12, 0, tzinfo=datetime.timezone.utc),
        datetime.timedelta(0), datetime.timedelta(-1),
        datetime.timedelta(days=-1, seconds=1),
        datetime.timedelta(microseconds=1), datetime.timedelta.max,
        datetime.timedelta.min, uuid.UUID(int=0), {"a": 1}, {1, 2},
        _Weird(), type,
    ]


def _adapt_values(ctx):
    import psycopg2.extensions as ext
    conn = ctx.connect()
    for v in _values():
        label = repr(v) if not isinstance(v, (object,)) or v is None \
            else "%s %s" % (type(v).__name__, repr(v)[:60])
        label = label.replace(hex(id(v)), "0x?")
        a = ctx.call("adapt %s" % label, ext.adapt, v)
        if a is None:
            continue
        ctx.call("type %s" % label, lambda: type(a).__name__)
        if hasattr(a, "prepare"):
            ctx.call("prepare %s" % label, a.prepare, conn)
        ctx.call("getquoted %s" % label, a.getquoted)
        ctx.call("str %s" % label, str, a)
        cur = conn.cursor()
        ctx.call("mogrify %s" % label, cur.mogrify, "select %s", (v,))
        try:
            cur.execute("select %s", (v,))
            ctx.call("roundtrip %s" % label, cur.fetchone)
        except Exception as ex:
            ctx.rec("execute %s" % label, ex)
            conn.rollback()


def _adapt_classes(ctx):
    """The adapter classes built directly, with good and bad arguments."""
    import psycopg2
    import psycopg2.extensions as ext
    conn = ctx.connect()
    for cls_name in ("AsIs", "Binary", "Boolean", "Float", "Int",
                     "QuotedString", "DateFromPy", "TimeFromPy",
                     "TimestampFromPy", "IntervalFromPy", "Decimal"):
        cls = getattr(ext, cls_name, None)
        if cls is None:
            ctx.rec(cls_name, "missing")
            continue
        for arg in (None, 1, -1.5, "s", b"b", "é", [1], _Weird(),
                    datetime.date(2020, 1, 1), datetime.time(1, 2),
                    datetime.datetime(2020, 1, 1), datetime.timedelta(1),
                    decimal.Decimal("1.5")):
            if cls_name in ("Float", "Int", "Decimal") and not isinstance(
                    arg, (int, float, decimal.Decimal)):
                continue  # psycopg2 leaves an exception set (SystemError)
            if isinstance(arg, _Weird) and cls_name == "AsIs":
                continue  # its str() holds an address
            label = "%s(%s)" % (cls_name, type(arg).__name__)
            a = ctx.call(label, cls, arg)
            if a is None:
                continue
            if hasattr(a, "prepare"):
                ctx.call(label + " prepare", a.prepare, conn)
            ctx.call(label + " getquoted", a.getquoted)
            ctx.call(label + " adapted", lambda: a.adapted)
    qs = ext.QuotedString("x")
    ctx.call("QuotedString encoding", lambda: qs.encoding)
    ctx.call("QuotedString prepare bad", qs.prepare, "notaconn")
    ctx.call("Binary prepare bad", ext.Binary(b"x").prepare, 1)
    ctx.call("AsIs()", ext.AsIs)
    ctx.call("adapt()", ext.adapt)
    ctx.call("adapt(x, None)", ext.adapt, 1, None)
    ctx.call("adapt(x, proto, alt)", ext.adapt, _Weird(), ext.ISQLQuote,
             "alt")
    ctx.call("SQL_IN", lambda: ext.SQL_IN((1, "a")).getquoted())
    ctx.call("SQL_IN empty", lambda: ext.SQL_IN(()).getquoted())
    ctx.call("Binary None", lambda: psycopg2.Binary(None).getquoted())
    ctx.call("Date", lambda: psycopg2.Date(2020, 1, 2).getquoted())
    ctx.call("Date bad", psycopg2.Date, 2020, 13, 2)
    ctx.call("Time", lambda: psycopg2.Time(1, 2, 3.5).getquoted())
    ctx.call("Timestamp", lambda: psycopg2.Timestamp(2020, 1, 2, 3, 4,
                                                     5.25).getquoted())
    ctx.call("TimestampFromTicks type",
             lambda: type(psycopg2.TimestampFromTicks(0)).__name__)
