"""The casters' fast paths give exactly what the general path gives."""

import datetime as dt
import math
import random
import struct
from decimal import Decimal

import pytest

import psycopg2.extensions as ext


def float_corpus(n=20000, seed=42):
    rnd = random.Random(seed)
    out = [
        "0", "-0", "-0.0", "1e22", "1e23", "-1e-22", "1e-23", "0.1", ".5",
        "5.", "000001.5000", "123456789012345", "1234567890123456",
        "9007199254740993", "0.30000000000000004", "1.7976931348623157e308",
        "2e308", "-2e308", "4.9e-324", "1e-400", "1E5", "1e+5", "10.333",
    ]
    for _ in range(n):
        k = rnd.random()
        if k < 0.3:
            out.append(repr(rnd.uniform(-1e6, 1e6)))
        elif k < 0.6:
            out.append("%.*g" % (rnd.randint(1, 17),
                                 rnd.uniform(-1, 1) * 10 ** rnd.randint(-30, 30)))
        elif k < 0.8:
            out.append("%de%d" % (rnd.randint(-10**15, 10**15),
                                  rnd.randint(-30, 30)))
        else:
            x = struct.unpack("d", struct.pack("Q", rnd.getrandbits(64)))[0]
            if math.isfinite(x):
                out.append(repr(x))
    return out


def test_float_same_as_python():
    for s in float_corpus():
        got = ext.FLOAT(s, None)
        want = float(s)
        assert type(got) is float
        assert got == want and math.copysign(1, got) == math.copysign(1, want), s


def test_float_from_server(cursor):
    values = [float(s) for s in float_corpus(2000, seed=7)]
    cursor.execute("select unnest(%s::float8[])", (values,))
    got = [r[0] for r in cursor.fetchall()]
    assert got == values


def test_decimal_same_as_python(cursor):
    strs = ["0", "-0.00", "123.45", "-9999999999.99", "1e-3", "NaN",
            "Infinity", "-Infinity", "3.14159265358979323846264338327950288"]
    for s in strs:
        got = ext.DECIMAL(s, None)
        assert type(got) is Decimal
        assert str(got) == str(Decimal(s))
    cursor.execute("select (i / 100.0)::numeric(12,2) from generate_series(-500, 500) i")
    assert [r[0] for r in cursor.fetchall()] == [
        Decimal(i) / 100 for i in range(-500, 501)]


def decimal_corpus(n=20000, seed=11):
    rnd = random.Random(seed)
    out = ["0", "-0", "0.0", "-0.000", "00012.3400", ".5", "5.", "-.25",
           "9" * 19, "1" + "0" * 19, "9" * 38, "1" + "0" * 38, "9" * 76,
           "1" + "0" * 76, "0." + "0" * 100 + "1", "1" * 40 + "." + "2" * 36,
           "1" * 40 + "." + "2" * 37]
    for _ in range(n):
        ip = str(rnd.randint(0, 10 ** rnd.randint(0, 45)))
        fp = "".join(rnd.choice("0123456789") for _ in range(rnd.randint(0, 40)))
        s = ip + ("." + fp if fp or rnd.random() < 0.1 else "")
        out.append(("-" if rnd.random() < 0.5 else "") + s)
    return out


def test_decimal_fast_path_same_as_python():
    # numeric text as the server writes it is read without Decimal(str):
    # the object must be the same in every way Python can see
    for s in decimal_corpus():
        got = ext.DECIMAL(s, None)
        want = Decimal(s)
        assert type(got) is Decimal
        assert got.as_tuple() == want.as_tuple(), s
        assert str(got) == str(want) and repr(got) == repr(want)
        assert hash(got) == hash(want) and got == want
        assert got + 1 == want + 1 and got * got == want * want
        assert got.adjusted() == want.adjusted()


def test_decimal_fast_path_from_server(cursor):
    strs = decimal_corpus(3000, seed=5)
    cursor.execute(
        "select x::numeric, x::numeric::text from unnest(%s::text[]) x", (strs,))
    rows = cursor.fetchall()
    assert [g.as_tuple() for g, _ in rows] == [Decimal(t).as_tuple() for _, t in rows]


TZ_QUERY = """
    select ts, ts::text from (
        select timestamptz '1880-01-01 12:00' + i * interval '1 month 7 hours' as ts
        from generate_series(0, 1999) i) x
"""


def test_timestamptz_tz_cache(conn):
    from datetime import timezone

    cur = conn.cursor()
    cur.execute("set timezone to 'America/New_York'")
    calls = []

    def factory(delta):
        calls.append(delta)
        return timezone(delta)

    cur.tzinfo_factory = factory
    cur.execute(TZ_QUERY)
    rows = cur.fetchall()
    # one factory call per distinct offset, values identical to casting
    # each literal on its own with the same factory
    offsets = {r[0].utcoffset() for r in rows}
    assert len(calls) == len(offsets) >= 3
    for ts, s in rows:
        other = ext.DATETIMETZ(s, cur)
        assert ts == other and ts.utcoffset() == other.utcoffset()
        assert type(ts.tzinfo) is type(other.tzinfo)


def test_timestamptz_factory_changed_between_fetches(conn):
    from datetime import timezone
    import psycopg2.tz

    cur = conn.cursor()
    cur.execute("set timezone to 'Asia/Kolkata'")
    cur.execute(TZ_QUERY)
    first = cur.fetchmany(10)
    assert all(type(r[0].tzinfo) is timezone for r in first)
    cur.tzinfo_factory = psycopg2.tz.FixedOffsetTimezone
    rest = cur.fetchall()
    assert all(type(r[0].tzinfo) is psycopg2.tz.FixedOffsetTimezone for r in rest)
    cur.tzinfo_factory = None
    cur.scroll(0, "absolute")
    assert cur.fetchone()[0].tzinfo is None


def float_corpus_many_digits(n=30000, seed=7):
    # 16 to 19 significant digits with a fractional part: the exact path
    # (num_div_pow10), its ties and its range limits
    rnd = random.Random(seed)
    out = ["9007199254740993.0", "4503599627370497.5", "4503599627370496.5",
           "2251799813685248.25", "2251799813685248.75", "0.5000000000000000555",
           "9999999999999999999e-5", "0.00012345678901234567", "0.0001",
           "36028797018963967.5", "1844674407370955161.5"]
    for _ in range(n):
        k = rnd.random()
        if k < 0.4:
            out.append(repr(rnd.randint(1, 10**6) / 7.0))
        elif k < 0.7:
            digits = "".join(rnd.choice("0123456789")
                             for _ in range(rnd.randint(16, 19)))
            pt = rnd.randint(1, len(digits) - 1)
            out.append(digits[:pt] + "." + digits[pt:])
        else:
            j = rnd.randint(0, 2**40)
            out.append("%d.%s" % (2**52 + j, rnd.choice(["5", "25", "75"])))
    return out


def test_float_many_digits_same_as_python():
    for s in float_corpus_many_digits():
        for t in (s, "-" + s):
            got = ext.FLOAT(t, None)
            assert got == float(t) and math.copysign(1, got) == math.copysign(
                1, float(t)), t


def test_date_cache_of_a_big_result(cursor):
    # dates of a big result come from a per-result cache keyed by day: every
    # value must still be its own day, over more days than the cache holds
    # (slots shared by days 44 years apart) and with NULLs and infinities
    cursor.execute(
        "select case when i % 997 = 0 then null"
        " when i = 5 then 'infinity'::date when i = 6 then '-infinity'::date"
        " else date '1900-01-01' + (i * 7919) % 60000 end, i"
        " from generate_series(1, 120000) i"
    )
    rows = cursor.fetchall()
    base = dt.date(1900, 1, 1)
    for d, i in rows:
        if i % 997 == 0:
            assert d is None
        elif i == 5:
            assert d == dt.date.max
        elif i == 6:
            assert d == dt.date.min
        else:
            assert d == base + dt.timedelta(days=(i * 7919) % 60000), i
    cursor.execute(
        "select array[date '2001-02-03' + i % 3, null], date '2001-02-03' + i % 3"
        " from generate_series(1, 120000) i")
    for a, d in cursor.fetchall():
        assert a == [d, None] and type(d) is dt.date


@pytest.mark.parametrize("zone", [
    "UTC", "Asia/Kolkata", "America/St_Johns", "Europe/Amsterdam",
    "Pacific/Kiritimati", "America/Caracas"])
def test_timestamptz_fixed_positions(conn, zone):
    # the server's ISO text is read at fixed positions: every instant and
    # offset (with minutes, seconds of old local mean times, fractions
    # of any length, year 1) must be what the server means
    cur = conn.cursor()
    cur.execute("set timezone to %s", (zone,))
    cur.execute(
        "select ts, extract(epoch from ts)::numeric, extract(timezone from ts)::int,"
        " ts::text, ts::timestamp, ts::date"
        " from (select timestamptz '0001-01-03 00:00:00+00'"
        "  + i * interval '17 days 3 hours 17 minutes 0.1234567 second'"
        "  + (i % 7) * interval '0.00001 second' as ts"
        "  from generate_series(0, 43000) i) x")
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
    for ts, ep, off, text, naive, day in cur.fetchall():
        want = epoch + dt.timedelta(microseconds=int(ep * 1000000))
        assert ts == want, text
        assert ts.utcoffset() == dt.timedelta(seconds=off), text
        assert naive == ts.replace(tzinfo=None) and day == ts.date(), text
        assert ext.DATETIMETZ(text, cur) == ts


def test_int_array_digits_read_eight_at_a_time(cursor):
    # up to 7 digits are read as one 8-byte word when 8 bytes are left:
    # every length, sign and neighbour, and the end of the literal
    rnd = random.Random(3)
    for _ in range(3000):
        vals = [rnd.choice([None, rnd.randint(-10 ** rnd.randint(0, 18),
                                              10 ** rnd.randint(0, 18))])
                for _ in range(rnd.randint(0, 12))]
        text = "{%s}" % ",".join("NULL" if v is None else str(v) for v in vals)
        assert ext.LONGINTEGERARRAY(text, cursor) == vals, text
    vals = [rnd.randint(-10 ** (i % 19), 10 ** (i % 19)) for i in range(400)]
    cursor.execute("select %s::int8[], %s::int4[]", (vals, [v % 10 ** 9 for v in vals]))
    assert cursor.fetchone() == (vals, [v % 10 ** 9 for v in vals])


def test_ascii_text_made_directly(cursor):
    # ASCII text is copied into a str without the decoder: every length
    # around the 8-byte steps, a non-ASCII byte anywhere, empty and 1 char
    texts = ["", "a", "é", "ab"]
    for n in range(2, 40):
        base = "".join(chr(32 + (i * 7) % 95) for i in range(n))
        texts.append(base)
        for k in (0, n // 2, n - 1):
            texts.append(base[:k] + "é" + base[k + 1:])
            texts.append(base[:k] + "\u20ac" + base[k + 1:])
    cursor.execute("select x from unnest(%s::text[]) x", (texts,))
    got = [r[0] for r in cursor.fetchall()]
    assert got == texts
    assert all(type(g) is str for g in got)
    assert [ext.UNICODE(t.encode(), cursor) for t in texts[1:]] == texts[1:]
