"""A float's literal is repr(float), byte for byte.

The C adapter writes most floats without Python's dtoa (an exact fast path
for up to 15 significant digits in fixed notation, adapter_numeric.c), so a
silent difference would store another number: compare it with repr() over
many seeded random doubles of every shape.
"""

import math
import random
import struct

import pytest

from psycopg2.extensions import Float, adapt


def literal(x):
    """What the adapter must write for x (psycopg2's rules)."""
    if math.isnan(x):
        return "'NaN'::float"
    if math.isinf(x):
        return "'Infinity'::float" if x > 0 else "'-Infinity'::float"
    r = repr(x)
    return " " + r if r.startswith("-") else r


def check(values):
    # the List adapter quotes each element with the Float quote function:
    # one C call for many values
    got = adapt(list(values)).getquoted().decode("ascii")
    want = "ARRAY[%s]" % ",".join(literal(x) for x in values)
    if got != want:
        for x in values:
            assert Float(x).getquoted().decode("ascii") == literal(x), repr(x)
        assert got == want


def chunks(values, size=1000):
    for i in range(0, len(values), size):
        yield values[i:i + size]


def neighbours(x, n):
    out = []
    for direction in (0.0, math.inf):
        y = x
        for _ in range(n):
            out += [y, -y]
            y = math.nextafter(y, direction)
    return out


def from_bits(bits):
    return struct.unpack("<d", struct.pack("<Q", bits))[0]


N = 150_000


@pytest.mark.parametrize("seed", [1, 2])
def test_few_decimals(seed):
    rng = random.Random(seed)
    values = []
    for _ in range(N):
        lo = -10 ** rng.randint(0, 16)
        hi = 10 ** rng.randint(0, 16)
        values.append(round(rng.uniform(lo, hi), rng.randint(0, 8)))
    for c in chunks(values):
        check(c)


@pytest.mark.parametrize("seed", [1, 2])
def test_random_digits(seed):
    # 1 to 17 significant digits at every scale around the fast range
    rng = random.Random(seed)
    values = []
    for _ in range(N):
        nd = rng.randint(1, 17)
        digits = rng.randint(10 ** (nd - 1), 10 ** nd - 1)
        x = float("%de%d" % (digits, rng.randint(-24, 6)))
        values.append(x if rng.random() < 0.5 else -x)
    for c in chunks(values):
        check(c)


@pytest.mark.parametrize("seed", [1, 2])
def test_random_bits(seed):
    rng = random.Random(seed)
    values = [from_bits(rng.getrandbits(64)) for _ in range(N)]
    # and uniformly spread over the fast range, full precision
    values += [rng.uniform(1e-4, 1e15) * 10.0 ** -rng.randint(0, 10)
               for _ in range(N)]
    for c in chunks(values):
        check(c)


def test_powers_of_ten_and_boundaries():
    values = []
    for e in range(-325, 309):
        values += neighbours(float("1e%d" % e), 6)
    for b in (1e-4, 1e-5, 1e15, 1e16, 0.5, 1.0, 2.0 ** 50, 2.0 ** 53,
              999999999999999.9, 99999999999999.99, 0.1, 0.3):
        values += neighbours(b, 60)
    for c in chunks(values):
        check(c)


def test_special_values():
    rng = random.Random(3)
    values = [0.0, -0.0, 5e-324, -5e-324, 2.2250738585072014e-308,
              1.7976931348623157e308, math.inf, -math.inf, math.nan]
    # subnormals
    values += [from_bits(rng.getrandbits(52)) for _ in range(5000)]
    check(values)
    assert Float(-0.0).getquoted() == b" -0.0"
    assert Float(10.333).getquoted() == b"10.333"
    assert Float(0.0001).getquoted() == b"0.0001"
    assert Float(1e-5).getquoted() == b"1e-05"
    assert Float(1e15).getquoted() == b"1000000000000000.0"
    assert Float(1e16).getquoted() == b"1e+16"


def test_float_subclass():
    class F(float):
        def __repr__(self):
            return "nope"

    assert Float(F(2.5)).getquoted() == b"2.5"
    assert adapt(F(-0.125)).getquoted() == b" -0.125"


def test_sent_values_read_back(conn):
    # through execute() (literals) and executemany()'s pipeline
    # (parameters), the server stores exactly the double sent
    rng = random.Random(4)
    values = [round(rng.uniform(-1e6, 1e6), rng.randint(0, 6))
              for _ in range(300)]
    values += [from_bits(rng.getrandbits(64)) for _ in range(300)]
    values = [x for x in values if math.isfinite(x)]
    cur = conn.cursor()
    cur.execute("create temp table fr (i int, x float8)")
    cur.executemany("insert into fr values (%s, %s)", list(enumerate(values)))
    cur.execute("select x from fr order by i")
    assert [r[0] for r in cur.fetchall()] == values
    cur.execute("select %s::float8, %s::float8", (values[0], values[-1]))
    assert cur.fetchone() == (values[0], values[-1])


def test_int_literals_match_str():
    # ints are written without str() too (adapter_format_llong)
    rng = random.Random(5)
    values = [0, -1, 1, 9, 10, 99, 100, -100, 2 ** 63 - 1, -(2 ** 63),
              2 ** 63, -(2 ** 63) - 1, 2 ** 64, 10 ** 18, 10 ** 19 - 1]
    values += [rng.randint(-(2 ** 63), 2 ** 63 - 1) for _ in range(20000)]
    values += [rng.randint(-10 ** 6, 10 ** 6) for _ in range(20000)]
    got = adapt(values).getquoted().decode("ascii")
    want = "ARRAY[%s]" % ",".join(
        " %d" % v if v < 0 else "%d" % v for v in values)
    assert got == want
