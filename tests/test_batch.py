"""Tests for extras.execute_batch and extras.execute_values."""

import pytest

import psycopg2
import psycopg2.extensions
from psycopg2 import sql
from psycopg2.extras import execute_batch, execute_values


@pytest.fixture
def table(conn):
    cur = conn.cursor()
    cur.execute(
        "create temp table batchtest (id int primary key, val text, n int)")
    return cur


def rows(cur):
    cur.execute("select id, val, n from batchtest order by id")
    return cur.fetchall()


class LogCursor(psycopg2.extensions.cursor):
    """A cursor recording the queries passed to execute() (round trips)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.queries = []

    def execute(self, query, vars=None):
        self.queries.append(query)
        return super().execute(query, vars)


# execute_batch

def test_execute_batch(table):
    cur = table
    rv = execute_batch(cur, "insert into batchtest values (%s, %s, %s)",
                       [(i, "v%d" % i, None) for i in range(10)])
    assert rv is None
    assert rows(cur) == [(i, "v%d" % i, None) for i in range(10)]


def test_execute_batch_named_args(table):
    cur = table
    execute_batch(cur, "insert into batchtest values (%(id)s, %(v)s, %(id)s)",
                  [{"id": 1, "v": "a"}, {"id": 2, "v": "b'c"}])
    assert rows(cur) == [(1, "a", 1), (2, "b'c", 2)]


def test_execute_batch_pages(conn, table):
    cur = table
    args = [(i, str(i), i) for i in range(25)]
    execute_batch(cur, "insert into batchtest values (%s, %s, %s)", args,
                  page_size=10)
    assert len(rows(cur)) == 25


def test_execute_batch_round_trips(conn):
    cur = conn.cursor(cursor_factory=LogCursor)
    cur.execute("create temp table batchtrips (id int)")
    log = cur
    del cur.queries[:]
    execute_batch(cur, "insert into batchtrips values (%s)",
                  [(i,) for i in range(25)], page_size=10)
    assert len(log.queries) == 3
    assert log.queries[0].count(b";") == 9
    # rowcount covers only the last page
    assert cur.rowcount == 1


def test_execute_batch_generator_and_empty(table):
    cur = table
    execute_batch(cur, "insert into batchtest values (%s, %s, %s)",
                  ((i, None, None) for i in range(3)), page_size=2)
    assert len(rows(cur)) == 3
    execute_batch(cur, "insert into batchtest values (%s, %s, %s)", [])
    assert len(rows(cur)) == 3


def test_execute_batch_composable(table):
    cur = table
    q = sql.SQL("insert into {} values (%s, %s, %s)").format(
        sql.Identifier("batchtest"))
    execute_batch(cur, q, [(1, "a", 2)])
    assert rows(cur) == [(1, "a", 2)]


def test_execute_batch_error(conn, table):
    cur = table
    with pytest.raises(psycopg2.IntegrityError):
        execute_batch(cur, "insert into batchtest values (%s, %s, %s)",
                      [(1, "a", 1), (1, "b", 2)])
    conn.rollback()


# execute_values

def test_execute_values(table):
    cur = table
    rv = execute_values(cur, "insert into batchtest (id, val, n) values %s",
                        [(1, "a", None), (2, "b", 20), (3, None, 30)])
    assert rv is None
    assert rows(cur) == [(1, "a", None), (2, "b", 20), (3, None, 30)]


def test_execute_values_pages(conn):
    cur = conn.cursor(cursor_factory=LogCursor)
    cur.execute("create temp table valtrips (id int)")
    log = cur
    del cur.queries[:]
    execute_values(cur, "insert into valtrips values %s",
                   [(i,) for i in range(25)], page_size=10)
    assert len(log.queries) == 3
    assert cur.rowcount == 5  # the last page only
    cur.execute("select count(*), sum(id) from valtrips")
    assert cur.fetchone() == (25, sum(range(25)))


def test_execute_values_template(table):
    cur = table
    execute_values(cur, "insert into batchtest values %s",
                   [(1, "a"), (2, "b")], template="(%s, %s, 99)")
    assert rows(cur) == [(1, "a", 99), (2, "b", 99)]


def test_execute_values_dict_template(table):
    cur = table
    execute_values(
        cur, "insert into batchtest values %s",
        [{"id": 1, "v": "x"}, {"id": 2, "v": "y"}],
        template="(%(id)s, %(v)s, %(id)s * 10)")
    assert rows(cur) == [(1, "x", 10), (2, "y", 20)]


def test_execute_values_fetch(table):
    cur = table
    rv = execute_values(
        cur, "insert into batchtest (id, val) values %s returning id, val",
        [(i, "v%d" % i) for i in range(7)], page_size=3, fetch=True)
    assert rv == [(i, "v%d" % i) for i in range(7)]


def test_execute_values_fetch_empty(table):
    cur = table
    assert execute_values(cur, "insert into batchtest values %s returning id",
                          [], fetch=True) == []


def test_execute_values_update_from(table):
    cur = table
    execute_values(cur, "insert into batchtest values %s",
                   [(1, "a", 1), (2, "b", 2)])
    execute_values(
        cur,
        "update batchtest set val = data.v "
        "from (values %s) as data (id, v) where batchtest.id = data.id",
        [(1, "A"), (2, "B")])
    assert rows(cur) == [(1, "A", 1), (2, "B", 2)]


def test_execute_values_percent_escapes(table):
    cur = table
    execute_values(
        cur,
        "insert into batchtest select id, val || '%%', n from (values %s) "
        "as t (id, val, n) where val like 'a%%'",
        [(1, "ab", 1), (2, "b", 2)])
    assert rows(cur) == [(1, "ab%", 1)]


def test_execute_values_bytes_and_composable(table):
    cur = table
    execute_values(cur, b"insert into batchtest values %s", [(1, "a", 1)])
    q = sql.SQL("insert into {} values %s").format(sql.Identifier("batchtest"))
    execute_values(cur, q, [(2, "b", 2)])
    assert rows(cur) == [(1, "a", 1), (2, "b", 2)]


def test_execute_values_unicode(table):
    cur = table
    execute_values(cur, "insert into batchtest values %s -- \u20ac",
                   [(1, "\u00e8\u20ac", 1)])
    assert rows(cur) == [(1, "\u00e8\u20ac", 1)]


@pytest.mark.parametrize("query", [
    "insert into batchtest values %s, %s",
    "insert into batchtest values (1, 'a', 1)",
    "insert into batchtest values %s where x = %d",
    "insert into batchtest values %(name)s",
    "insert into batchtest values %s %",
])
def test_execute_values_bad_query(table, query):
    with pytest.raises(ValueError):
        execute_values(table, query, [(1, "a", 1)])
