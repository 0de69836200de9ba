"""A caster that raises on one row: the fetch raises, and the row is
consumed with the rows before it in the same call, as in psycopg2 (a loop of
fetchone() under try/except moves on instead of failing forever)."""

import pytest

import psycopg2.extensions as ext
import psycopg2.extras as extras

FACTORIES = [None, extras.DictCursor, extras.RealDictCursor,
             extras.NamedTupleCursor]


def _failing(cur):
    t = ext.new_type((25,), "FAILS_ON_7",
                     lambda s, c: 1 // 0 if s.endswith("7") else s)
    ext.register_type(t, cur)


def _first(row):
    return row["i"] if isinstance(row, dict) else row[0]


def _query(nrows):
    return ("select i, i::text as t from generate_series(1, %d) as g(i)"
            % nrows)


@pytest.mark.parametrize("factory", FACTORIES)
@pytest.mark.parametrize("nrows", [20, 60000])  # 60000: the compact store
def test_fetchone_moves_past_the_failing_row(conn, factory, nrows):
    cur = conn.cursor(cursor_factory=factory)
    _failing(cur)
    cur.execute(_query(nrows))
    got = [_first(cur.fetchone()) for _ in range(6)]
    assert got == [1, 2, 3, 4, 5, 6]
    with pytest.raises(ZeroDivisionError):
        cur.fetchone()
    assert cur.rownumber == 7
    assert _first(cur.fetchone()) == 8
    cur.scroll(6, "absolute")  # back to the failing row: fails again
    with pytest.raises(ZeroDivisionError):
        cur.fetchone()
    assert _first(cur.fetchone()) == 8


@pytest.mark.parametrize("factory", FACTORIES)
@pytest.mark.parametrize("nrows", [20, 60000])
def test_fetchmany_and_fetchall_consume_up_to_the_failing_row(
        conn, factory, nrows):
    cur = conn.cursor(cursor_factory=factory)
    _failing(cur)
    cur.execute(_query(nrows))
    assert len(cur.fetchmany(5)) == 5
    with pytest.raises(ZeroDivisionError):
        cur.fetchmany(5)  # rows 6, 7: 6 is lost with the failing 7
    assert cur.rownumber == 7
    with pytest.raises(ZeroDivisionError):
        cur.fetchall()  # rows 8..17: fails on 17
    assert cur.rownumber == 17
    assert _first(cur.fetchone()) == 18


def test_named_cursor_moves_past_the_failing_row(conn):
    cur = conn.cursor("failing_row")
    _failing(cur)
    cur.execute(_query(20))
    assert [_first(cur.fetchone()) for _ in range(6)] == [1, 2, 3, 4, 5, 6]
    with pytest.raises(ZeroDivisionError):
        cur.fetchone()
    assert _first(cur.fetchone()) == 8
