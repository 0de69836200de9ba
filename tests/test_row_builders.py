"""The C-built rows of DictCursor, RealDictCursor and NamedTupleCursor give
the same results as the generic row_factory path (a subclass of the row
class is not registered with _set_row_builder, so it takes that path)."""

import copy
import datetime
import pickle
from collections import OrderedDict

import pytest

import psycopg2
from psycopg2 import extras

QUERY = """
    select i, i::int8 * 1000003 as big, i / 7.0::float8 as f, 'row ' || i as t,
        (i / 100.0)::numeric(12,2) as n,
        timestamptz '2020-01-01 00:00:00+00' + i * interval '1 hour' as ts,
        i %% 2 = 0 as b, date '2000-01-01' + i as d,
        case when i %% 3 = 0 then null else array[i, i + 1] end as a,
        null::text as nothing
    from generate_series(1, %s) i
"""


class SlowDictRow(extras.DictRow):
    pass


class SlowRealDictRow(extras.RealDictRow):
    pass


def fetch(cur, how, n=7):
    cur.execute(QUERY, (n,))
    if how == "all":
        return cur.fetchall()
    if how == "many":
        return cur.fetchmany(3) + cur.fetchmany(100)
    if how == "one":
        rows = []
        while True:
            r = cur.fetchone()
            if r is None:
                return rows
            rows.append(r)
    return list(cur)


HOWS = ["all", "many", "one", "iter"]


@pytest.mark.parametrize("how", HOWS)
def test_dictrow_same_as_slow_path(conn, how):
    fast = fetch(conn.cursor(cursor_factory=extras.DictCursor), how)
    cur = conn.cursor(cursor_factory=extras.DictCursor)
    cur.row_factory = SlowDictRow
    slow = fetch(cur, how)
    assert len(fast) == len(slow) == 7
    for f, s in zip(fast, slow):
        assert type(f) is extras.DictRow
        assert list(f) == list(s)
        assert [type(v) for v in f] == [type(v) for v in s]
        assert f._index == s._index
        assert list(f.keys()) == list(s.keys())
        assert list(f.items()) == list(s.items())
        assert f["t"] == s["t"] == f[3]
        assert f.get("nothing", 1) is None
        assert f.copy() == s.copy()


def test_dictrow_shares_the_cursor_index(conn):
    cur = conn.cursor(cursor_factory=extras.DictCursor)
    rows = fetch(cur, "all")
    assert all(r._index is cur.index for r in rows)


def test_dictrow_pickle_copy(conn):
    row = fetch(conn.cursor(cursor_factory=extras.DictCursor), "all")[0]
    for other in (pickle.loads(pickle.dumps(row)), copy.copy(row),
                  copy.deepcopy(row)):
        assert type(other) is extras.DictRow
        assert list(other) == list(row)
        assert other["n"] == row["n"]
        assert list(other.keys()) == list(row.keys())


def test_dictrow_on_plain_cursor(conn):
    # no index attribute on the cursor: built from the description
    cur = conn.cursor()
    cur.row_factory = extras.DictRow
    cur.execute("select 1 as a, 'x' as b")
    row = cur.fetchone()
    assert type(row) is extras.DictRow
    assert row["a"] == 1 and row["b"] == "x" and list(row) == [1, "x"]


@pytest.mark.parametrize("how", HOWS)
def test_realdictrow_same_as_slow_path(conn, how):
    fast = fetch(conn.cursor(cursor_factory=extras.RealDictCursor), how)
    cur = conn.cursor(cursor_factory=extras.RealDictCursor)
    cur.row_factory = SlowRealDictRow
    slow = fetch(cur, how)
    assert len(fast) == len(slow) == 7
    for f, s in zip(fast, slow):
        assert type(f) is extras.RealDictRow
        assert f == s
        assert list(f.items()) == list(s.items())
        assert [type(v) for v in f.values()] == [type(v) for v in s.values()]
        assert list(reversed(f)) == list(reversed(s))
        assert "_column_mapping" not in f.__dict__
        assert "_column_mapping" not in s.__dict__


def test_realdictrow_duplicate_names(conn):
    fast = conn.cursor(cursor_factory=extras.RealDictCursor)
    slow = conn.cursor(cursor_factory=extras.RealDictCursor)
    slow.row_factory = SlowRealDictRow
    q = "select 1 as a, 2 as b, 3 as a"
    fast.execute(q)
    slow.execute(q)
    f, s = fast.fetchone(), slow.fetchone()
    assert list(f.items()) == list(s.items()) == [("a", 3), ("b", 2)]


def test_realdictrow_behaves_as_ordereddict(conn):
    cur = conn.cursor(cursor_factory=extras.RealDictCursor)
    cur.execute("select 1 as a, 'x' as b")
    row = cur.fetchone()
    assert isinstance(row, OrderedDict)
    row.move_to_end("a")
    assert list(row) == ["b", "a"]
    row["c"] = 3
    del row["b"]
    assert list(row.items()) == [("a", 1), ("c", 3)]
    other = pickle.loads(pickle.dumps(row))
    assert type(other) is extras.RealDictRow and other == row
    assert copy.copy(row) == row


@pytest.mark.parametrize("how", HOWS)
def test_namedtuple_same_as_make(conn, how):
    cur = conn.cursor(cursor_factory=extras.NamedTupleCursor)
    fast = fetch(cur, how)
    plain = fetch(conn.cursor(), how)
    assert len(fast) == len(plain) == 7
    for f, p in zip(fast, plain):
        assert type(f) is cur.Record
        assert f == cur.Record._make(p)
        assert tuple(f) == p
        assert f._asdict() == cur.Record._make(p)._asdict()
        assert f.t == p[3]


def test_namedtuple_record_when_rows_or_lists(conn):
    # as psycopg2: fetchone() makes the class only for a row, fetchmany()
    # and fetchall() always
    cur = conn.cursor(cursor_factory=extras.NamedTupleCursor)
    cur.execute("select 1 as a where false")
    assert cur.fetchone() is None
    assert cur.Record is None
    assert list(cur) == []
    assert cur.Record is None
    assert cur.fetchall() == []
    assert cur.Record._fields == ("a",)


def test_namedtuple_custom_make_nt(conn):
    # a _make_nt returning something that is not a plain namedtuple class
    # goes through its _make(), whose errors surface as before
    class Pair(tuple):
        @classmethod
        def _make(cls, t):
            return cls(reversed(t))

    class Cur(extras.NamedTupleCursor):
        def _make_nt(self):
            return Pair

    cur = conn.cursor(cursor_factory=Cur)
    cur.execute("select 1, 2")
    row = cur.fetchone()
    assert type(row) is Pair and row == (2, 1)

    class Short(extras.NamedTupleCursor):
        def _make_nt(self):
            from collections import namedtuple
            return namedtuple("Record", "x")

    cur = conn.cursor(cursor_factory=Short)
    cur.execute("select 1, 2")
    with pytest.raises(TypeError):
        cur.fetchone()


@pytest.mark.parametrize("factory", [
    extras.DictCursor, extras.RealDictCursor, extras.NamedTupleCursor])
def test_named_cursor_batches(conn, factory):
    cur = conn.cursor("rb_named", cursor_factory=factory)
    cur.itersize = 3
    cur.execute(QUERY, (10,))
    rows = list(cur)
    plain = conn.cursor()
    plain.execute(QUERY, (10,))
    expected = plain.fetchall()
    assert len(rows) == 10
    for r, e in zip(rows, expected):
        vals = tuple(r.values()) if factory is extras.RealDictCursor else tuple(r)
        assert vals == e


def test_row_factory_set_after_execute(conn):
    cur = conn.cursor()
    cur.execute("select 1 as a, 2 as b from generate_series(1, 3)")
    assert cur.fetchone() == (1, 2)
    cur.row_factory = extras.RealDictRow
    assert cur.fetchone() == {"a": 1, "b": 2}
    cur.row_factory = extras.DictRow
    row = cur.fetchone()
    assert type(row) is extras.DictRow and row["b"] == 2
    cur.row_factory = None
    cur.scroll(0, "absolute")
    assert cur.fetchone() == (1, 2)


def test_caster_error_surfaces_at_fetch(conn):
    def bad(value, cur):
        if value == "2":
            raise ZeroDivisionError("boom")
        return value

    t = psycopg2.extensions.new_type((23,), "BADINT", bad)
    for factory in (extras.DictCursor, extras.RealDictCursor,
                    extras.NamedTupleCursor, None):
        cur = conn.cursor(cursor_factory=factory)
        psycopg2.extensions.register_type(t, cur)
        cur.execute("select i from generate_series(1, 3) i")
        assert cur.fetchone()[0 if factory is not extras.RealDictCursor
                              else "i"] == "1"
        with pytest.raises(ZeroDivisionError):
            cur.fetchall()


def test_caster_replacing_the_result(conn):
    # a Python caster running a query on the cursor being fetched from
    def evil(value, cur):
        cur.execute("select 'other'")
        return value

    t = psycopg2.extensions.new_type((23,), "EVIL", evil)
    cur = conn.cursor()
    psycopg2.extensions.register_type(t, cur)
    cur.execute("select i, i from generate_series(1, 3) i")
    with pytest.raises(psycopg2.InterfaceError):
        cur.fetchall()


def test_dictrow_bad_value_in_the_middle(conn):
    # a DictRow is filled in place: a value failing after others leaves
    # no half-built row behind, and the next rows still come
    cur = conn.cursor(cursor_factory=extras.DictCursor)
    cur.execute(
        "select i as a, case when i = 2 then date '20000-01-01'"
        " else date '2000-01-01' end as b, 'x' || i as c"
        " from generate_series(1, 3) i")
    assert list(cur.fetchone()) == [1, datetime.date(2000, 1, 1), "x1"]
    with pytest.raises(ValueError):
        cur.fetchone()
    cur.scroll(2, "absolute")
    row = cur.fetchone()
    assert type(row) is extras.DictRow and row["c"] == "x3" and row._index is cur.index


def test_dictrow_with_a_setattr_of_its_own(conn):
    # DictRow is filled in place only while setting _index runs nothing of
    # its own: with a __setattr__ added to the class, that one runs
    seen = []

    def watch(self, name, value):
        seen.append(name)
        list.__setattr__(self, name, value)

    cur = conn.cursor(cursor_factory=extras.DictCursor)
    extras.DictRow.__setattr__ = watch
    try:
        cur.execute("select 1 as a, 2 as b")
        row = cur.fetchone()
    finally:
        del extras.DictRow.__setattr__
    assert type(row) is extras.DictRow and row["b"] == 2 and seen == ["_index"]
    cur.execute("select 1 as a, 2 as b")
    assert cur.fetchone()["a"] == 1 and seen == ["_index"]
