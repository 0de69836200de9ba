"""executemany()'s pipeline with rows sent as parameters (cursor_batch.c).

The values of plain rows are written without Python objects and the adapter
registry is looked up once per type while no Python code runs: these tests
check that every registration made before a row is adapted still counts,
and that the texts sent are those of the rows as they were given.
"""

import decimal

import pytest

import psycopg2
import psycopg2.extensions as ext


@pytest.fixture
def cur(conn):
    cur = conn.cursor()
    cur.execute("create temp table bp (i int, t text, f float8, n numeric)")
    conn.commit()
    return cur


def stored(cur):
    cur.execute("select i, t, f, n from bp order by i")
    return cur.fetchall()


@pytest.fixture
def restore_adapters():
    saved = dict(ext.adapters)
    yield
    ext.adapters.clear()
    ext.adapters.update(saved)


INSERT = "insert into bp (i, t, f, n) values (%s, %s, %s, %s)"


def test_plain_rows(cur):
    rows = [(i, "v%d" % i, i / 4, decimal.Decimal(i) / 8) for i in range(2500)]
    cur.executemany(INSERT, rows)
    assert cur.rowcount == 2500
    got = stored(cur)
    assert got == [(i, t, f, n) for i, t, f, n in rows]


def test_register_adapter_before_the_call(cur, restore_adapters):
    cur.executemany(INSERT, [(1, "a", 1.5, 1)])
    ext.register_adapter(str, lambda s: ext.AsIs("'up:' || upper(%s)" % (
        ext.QuotedString(s).getquoted().decode())))
    cur.executemany(INSERT, [(2, "b", 2.5, 2), (3, "c", 3.5, 3)])
    assert [r[1] for r in stored(cur)] == ["a", "up:B", "up:C"]


def test_adapters_dict_edited_before_the_call(cur, restore_adapters):
    cur.executemany(INSERT, [(1, "a", 1.5, 1)])
    ext.adapters[(float, ext.ISQLQuote)] = lambda f: ext.AsIs(repr(f * 2))
    cur.executemany(INSERT, [(2, "b", 2.5, 2)])
    ext.adapters[(float, ext.ISQLQuote)] = ext.Float
    cur.executemany(INSERT, [(3, "c", 3.5, 3)])
    assert [r[2] for r in stored(cur)] == [1.5, 5.0, 3.5]
    # without any float adapter: the loop's error
    del ext.adapters[(float, ext.ISQLQuote)]
    with pytest.raises(psycopg2.ProgrammingError, match="can't adapt"):
        cur.executemany(INSERT, [(4, "d", 4.5, 4)])
    cur.connection.rollback()


def test_generator_registering_mid_call(cur, restore_adapters):
    # as with a loop of execute(): the rows after the registration use it
    def rows():
        yield (1, "a", 1.0, 1)
        yield (2, "b", 2.0, 2)
        ext.register_adapter(int, lambda i: ext.AsIs(str(i * 10)))
        yield (3, "c", 3.0, 3)
        yield (4, "d", 4.0, 4)

    cur.executemany(INSERT, rows())
    ext.register_adapter(int, ext.Int)
    assert [(r[0], r[3]) for r in stored(cur)] == [
        (1, 1), (2, 2), (30, 30), (40, 40)]


def test_adapter_registering_for_later_rows(cur, restore_adapters):
    # an adapter run for one row (Python code) changes the registry: the
    # rows after it, from a plain list, see the change
    class Marker:
        pass

    def adapt_marker(m):
        ext.register_adapter(str, lambda s: ext.AsIs("'x' || %s" % (
            ext.QuotedString(s).getquoted().decode())))
        return ext.AsIs("0")

    ext.register_adapter(Marker, adapt_marker)
    cur.executemany(INSERT, [
        (1, "a", 1.0, 1), (2, "b", 2.0, Marker()), (3, "c", 3.0, 3)])
    assert [(r[1], r[3]) for r in stored(cur)] == [
        ("a", 1), ("b", 0), ("xc", 3)]


def test_same_list_yielded_again(cur):
    # a generator reusing one list: each row is sent as it was yielded
    def rows():
        row = [0, "", 0.0, 0]
        for i in range(1500):
            row[0] = i
            row[1] = "text %d " % i * 3
            row[2] = i + 0.5
            row[3] = decimal.Decimal(i)
            yield row

    cur.executemany(INSERT, rows())
    got = stored(cur)
    assert len(got) == 1500
    assert got[777] == (777, "text 777 " * 3, 777.5, 777)
    assert got == [(i, "text %d " % i * 3, i + 0.5, i) for i in range(1500)]


def test_non_utf8_client_encoding(conn, cur):
    conn.set_client_encoding("LATIN1")
    rows = [(i, "caf\xe9 %d" % i, 0.1 * i, None) for i in range(50)]
    cur.executemany(INSERT, rows)
    assert [(r[0], r[1]) for r in stored(cur)] == [
        (i, "caf\xe9 %d" % i) for i in range(50)]
    with pytest.raises(UnicodeEncodeError):
        cur.executemany(INSERT, [(99, "\u20ac", 1.0, 1)])
    conn.rollback()


def test_utf8_strings_and_errors(conn, cur):
    cur.executemany(INSERT, [(1, "\u20ac\U0001f600", 1.0, 1)])
    assert stored(cur)[0][1] == "\u20ac\U0001f600"
    with pytest.raises(UnicodeEncodeError):
        cur.executemany(INSERT, [(2, "\ud800", 1.0, 1)])
    conn.rollback()
    with pytest.raises(ValueError, match="NUL"):
        cur.executemany(INSERT, [(2, "a\x00", 1.0, 1)])
    conn.rollback()


def test_int_limits(cur):
    rows = [(0, str(v), float(v), v) for v in (
        0, -1, 2 ** 31 - 1, -(2 ** 31), 2 ** 63 - 1, -(2 ** 63), 2 ** 64,
        -(2 ** 90))]
    cur.executemany("insert into bp (i, t, f, n) values (0, %s, %s, %s)",
                    [r[1:] for r in rows])
    cur.execute("select n from bp order by n")
    assert sorted(r[3] for r in rows) == [r[0] for r in cur.fetchall()]


class Marker:
    """A value whose adapter registers a new str adapter (Python code run
    while a row is merged)."""


def _adapt_marker(m):
    ext.register_adapter(str, lambda s: ext.AsIs("'new:' || %s" % (
        ext.QuotedString(s).getquoted().decode())))
    return ext.AsIs("0")


def test_registration_seen_by_next_values_and_rows(cur, restore_adapters):
    # a row with a Marker goes through the merging path; the str after it
    # in the same row and the rows after it (sent as parameters) see the
    # new adapter
    ext.register_adapter(Marker, _adapt_marker)
    cur.executemany("insert into bp (i, t, n) values (%s, %s, %s)", [
        (1, "a", 1), (Marker(), "b", 2), (3, "c", 3)])
    assert [(r[0], r[1], r[3]) for r in stored(cur)] == [
        (0, "new:b", 2), (1, "a", 1), (3, "new:c", 3)]


def test_merged_rows_see_registrations(cur, restore_adapters):
    # statements that are not INSERT ... VALUES are merged: same rules
    cur.executemany(INSERT, [(i, "v", 1.0, 1) for i in range(4)])
    ext.register_adapter(Marker, _adapt_marker)
    cur.executemany("update bp set t = %s, n = %s where i = %s", [
        ("a", 7, 0), ("b", Marker(), 1), ("c", 7, 2)])
    cur.executemany("update bp set t = %(t)s where i = %(i)s", [
        {"t": "d", "i": 3}])
    assert [(r[1], r[3]) for r in stored(cur)] == [
        ("a", 7), ("b", 0), ("new:c", 7), ("new:d", 1)]


def test_merged_rows_plain(cur):
    rows = [(i, "v%d" % i, i / 4, decimal.Decimal(i)) for i in range(1200)]
    cur.executemany(INSERT, rows)
    cur.executemany(
        "update bp set t = %(t)s, f = %(f)s where i = %(i)s",
        [{"t": "w%d" % r[0], "f": -r[2], "i": r[0]} for r in rows])
    assert stored(cur) == [(i, "w%d" % i, -i / 4, n) for i, t, f, n in rows]
