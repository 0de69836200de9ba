"""Edge texts through the numeric, boolean and date/time typecasters, with
the exception class and text (sc_casters records only that one was raised):
text a custom caster may meet in a text column, e.g. ``new_type((25,), 'X',
extensions.INTEGER)``."""

INT_TEXT = [
    "1", "-1", "+1", " 1", "1 ", "\t1", "1\n", "010", "07", "00", "-0",
    "0x1F", "0X10", "0b10", "0o10", "0x", "1_0", "_1", "1_", "1__0", "+-1",
    "--1", "", " ", "1e3", "1.0", "inf", "nan", "123abc", "\u0663",
    "\uff11", "2147483648", "-9223372036854775809", "9" * 23, "9" * 24,
    " " * 22 + "1",
]
FLOAT_TEXT = [
    "1.5", " 1.5 ", "1e3", "1_000", "inf", "-Infinity", "nan", "NaN", "",
    " ", "0x10", "1__0", "+-1", "123abc", "1e400",
]
BOOL_TEXT = ["t", "f", "true", "FALSE", "T", "Fx", "tr", "", " t", "x", "1",
             "0", "yes", "\u00e9"]
DATE_TEXT = [
    "2020-01-01", "2020-13-01", "2020-02-30", "2020-01-00", "0000-01-01",
    "10000-01-01", "2020-01-01 BC", "2020-01-01 10:00:00", "2020-01-01 junk",
    "2020-01-01 ", "2020-01", "x", "", "infinity", "-infinity",
]
TIME_TEXT = [
    "10:00:00", "10:00", "10", "25:00:00", "10:60:00", "24:00:00",
    "10:00:00.5", "10:00:00.1234567", "10:00:00.0000000", "10:00:00.",
    "10:00:00+", "10:00:00+05", "10:00:00-05:30", "10:00:00 +05", "x", "",
]
TIMESTAMP_TEXT = [
    "2020-01-01 10:00:00", "2020-01-01T10:00:00", "2020-01-01 10:00",
    "2020-01-01 10", "2020-01-01 10:60:00", "2020-02-30 10:00:00",
    "2020-13-01 10:00:00", "2020-01-01 10:00:00 BC", "2020-01-01 BC",
    "2020-01-01 ", "2020-01-01  ", "2020-01-01 x",
    "2020-01-01 10:00:00.1234567", "2020-01-01 10:00:00.", "x", "",
    "2020-01-01 10:00:00+02", "infinity",
]

# array text as the server writes it: must read the same
ARRAY_TEXT = [
    "{}", "{1,2}", "{{1,2},{3,4}}", "{NULL,1}", "{-3,0,7}", "[0:1]={1,2}",
    '{"a b","c\\"d",NULL,"NULL"}', "{t,f,NULL}", "{1.5,-2.25e3}",
]
# hand-written array text the server never sends (blanks, empty items,
# stray quotes): read as PostgreSQL reads it, see deliberate.py
ARRAY_ODD_TEXT = [
    " {}", "{} ", " {1}", "{1} ", "{ }", "{ 1 , 2 }", "{a, b}",
    '{ "a" , "b" }', "{ {1}, {2} }", "{ NULL }", "{NULL }", "{1,,2}",
    "{1,}", "{,1}", '{"a"b}', "{\ta\t}", "{x}", "{t ,f}", "{ t }",
]
ARRAYS = ["INTEGERARRAY", "UNICODEARRAY", "BOOLEANARRAY", "FLOATARRAY",
          "DECIMALARRAY"]


def _probe(names, texts, oid=None):
    def probe(ctx):
        import psycopg2.extensions as ext
        import psycopg2._psycopg as p
        conn = ctx.connect()
        cur = conn.cursor()
        for name in names:
            caster = getattr(p, name)
            if oid is not None:
                caster = ext.new_type((oid,), "X" + name, caster)
            for t in texts:
                ctx.call("%s %r" % (name, t), caster, t, cur)
                ctx.call("%s %r bytes" % (name, t), caster, t.encode(), cur)
    return probe


PROBES = [
    ("int", _probe(["INTEGER", "LONGINTEGER", "ROWID"], INT_TEXT)),
    ("int new_type", _probe(["INTEGER", "LONGINTEGER"], INT_TEXT, 25)),
    ("float", _probe(["FLOAT", "DECIMAL"], FLOAT_TEXT)),
    ("bool", _probe(["BOOLEAN"], BOOL_TEXT)),
    ("bool new_type", _probe(["BOOLEAN"], BOOL_TEXT, 25)),
    ("date", _probe(["DATE", "PYDATE"], DATE_TEXT)),
    ("time", _probe(["TIME", "PYTIME"], TIME_TEXT)),
    ("timestamp", _probe(["DATETIME", "DATETIMETZ"], TIMESTAMP_TEXT)),
    ("date new_type", _probe(["DATE", "TIME", "DATETIME"],
                             DATE_TEXT + TIME_TEXT, 25)),
    ("array", _probe(ARRAYS, ARRAY_TEXT)),
    ("array odd", _probe(ARRAYS, ARRAY_ODD_TEXT)),
]
