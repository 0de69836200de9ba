"""executemany: pipelined inside a transaction, same results as the loop."""

import pytest

import psycopg2
import psycopg2.errors
import psycopg2.extensions as ext


@pytest.fixture
def table(conn):
    cur = conn.cursor()
    cur.execute("create temp table tmany (id int primary key, v text)")
    conn.commit()
    return cur


def count(cur):
    cur.execute("select count(*), coalesce(sum(id), 0) from tmany")
    return cur.fetchone()


def test_rowcount_total_and_rows(table):
    rows = [(i, "v%d" % i) for i in range(2500)]  # three pipelines
    table.executemany("insert into tmany values (%s, %s)", rows)
    assert table.rowcount == 2500
    assert table.statusmessage == "INSERT 0 1"
    assert table.query == b"insert into tmany values (2499, 'v2499')"
    assert table.description is None
    assert count(table) == (2500, sum(range(2500)))
    table.executemany("update tmany set v = %s where id < %s",
                      [("x", 10), ("y", 5), ("z", -1)])
    assert table.rowcount == 15


def test_same_result_as_plain_loop(conn, table):
    # autocommit takes the plain loop: compare both paths' outcome
    rows = [(i, "it's %d" % i) for i in range(50)]
    table.executemany("insert into tmany values (%s, %s)", rows)
    conn.commit()
    table.execute("select * from tmany order by id")
    piped = table.fetchall()
    table.execute("delete from tmany")
    conn.commit()
    conn.autocommit = True
    table.executemany("insert into tmany values (%s, %s)", rows)
    assert table.rowcount == 50
    table.execute("select * from tmany order by id")
    assert table.fetchall() == piped


def test_error_stops_at_failing_row(conn, table):
    rows = [(1, "a"), (2, "b"), (1, "dup"), (3, "c")]
    with pytest.raises(psycopg2.errors.UniqueViolation) as exc:
        table.executemany("insert into tmany values (%s, %s)", rows)
    assert exc.value.cursor is table
    assert conn.get_transaction_status() == ext.TRANSACTION_STATUS_INERROR
    conn.rollback()
    assert count(table) == (0, 0)


def test_error_in_later_pipeline(conn, table):
    rows = [(i, "x") for i in range(1500)] + [(0, "dup")]
    with pytest.raises(psycopg2.IntegrityError):
        table.executemany("insert into tmany values (%s, %s)", rows)
    conn.rollback()
    assert count(table) == (0, 0)


def test_autocommit_keeps_rows_before_error(conn, table):
    conn.autocommit = True
    with pytest.raises(psycopg2.errors.UniqueViolation):
        table.executemany("insert into tmany values (%s, %s)",
                          [(1, "a"), (2, "b"), (1, "c"), (3, "d")])
    # rows 1 and 2 committed one by one; 3 never ran
    assert count(table) == (2, 3)


def test_multiple_statements_still_work(table):
    table.executemany(
        "insert into tmany values (%s, 'a'); "
        "update tmany set v = 'b' where id = %s",
        [(1, 1), (2, 2)])
    table.execute("select id, v from tmany order by id")
    assert table.fetchall() == [(1, "b"), (2, "b")]


def test_semicolons_inside_literals_are_one_statement(table):
    table.executemany("insert into tmany values (%s, 'a;b') -- c; d",
                      [(1,), (2,)])
    table.executemany("insert into tmany values (%s, $x$;$x$)", [(3,)])
    table.executemany('insert into tmany values (%s, E\'\\\';\')', [(4,)])
    table.execute("select v from tmany order by id")
    assert [r[0] for r in table.fetchall()] == ["a;b", "a;b", ";", "';"]


def test_returning_and_select(table):
    table.executemany("insert into tmany values (%s, 'r') returning id",
                      [(1,), (2,)])
    assert table.rowcount == 2
    with pytest.raises(psycopg2.ProgrammingError):
        table.fetchone()
    table.executemany("select * from tmany where id = %s", [(1,), (2,), (9,)])
    assert table.rowcount == 2


def test_server_error_classes(conn, table):
    with pytest.raises(psycopg2.errors.InvalidTextRepresentation):
        table.executemany("insert into tmany values (%s::int, 'x')",
                          [("1",), ("nope",)])
    conn.rollback()
    with pytest.raises(psycopg2.errors.UndefinedTable):
        table.executemany("insert into nosuchtable values (%s)", [(1,)])
    conn.rollback()


def test_parameter_errors_before_sending(conn, table):
    # the merging errors of execute(), as psycopg2's
    with pytest.raises(IndexError):
        table.executemany("insert into tmany values (%s, %s)", [(1,)])
    with pytest.raises(psycopg2.ProgrammingError):
        table.executemany("insert into tmany values (%s, %s)",
                          [(1, "a"), (2, object())])
    conn.rollback()


def test_empty_and_generator(table):
    table.executemany("insert into tmany values (%s, %s)", [])
    assert table.rowcount == 0
    table.executemany("insert into tmany values (%s, %s)",
                      ((i, str(i)) for i in range(3)))
    assert table.rowcount == 3


def test_iterator_raising_propagates(conn, table):
    def gen():
        yield (1, "a")
        raise RuntimeError("from the iterator")

    with pytest.raises(RuntimeError):
        table.executemany("insert into tmany values (%s, %s)", gen())
    conn.rollback()


def rows_seen(conn_factory):
    other = conn_factory()
    cur = other.cursor()
    cur.execute("select id from tmany_seen order by id")
    rows = [r[0] for r in cur.fetchall()]
    other.close()
    return rows


@pytest.fixture
def seen_table(conn):
    cur = conn.cursor()
    cur.execute("drop table if exists tmany_seen")
    cur.execute("create table tmany_seen (id int primary key)")
    conn.commit()
    yield cur
    conn.rollback()
    cur.execute("drop table tmany_seen")
    conn.commit()


@pytest.mark.parametrize("autocommit", [False, True])
@pytest.mark.parametrize("nrows", [2, 1500])  # one pipeline, two
def test_iterator_raising_keeps_earlier_rows(conn, conn_factory, seen_table,
                                             autocommit, nrows):
    # as the loop of psycopg2: the rows before the failure ran
    conn.autocommit = autocommit

    def gen():
        for i in range(nrows):
            yield (i,)
        raise ZeroDivisionError("boom")

    with pytest.raises(ZeroDivisionError, match="boom"):
        seen_table.executemany("insert into tmany_seen values (%s)", gen())
    assert seen_table.query == \
        b"insert into tmany_seen values (%d)" % (nrows - 1)
    assert seen_table.rowcount == nrows
    assert seen_table.statusmessage == "INSERT 0 1"
    conn.commit()
    assert rows_seen(conn_factory) == list(range(nrows))


@pytest.mark.parametrize("autocommit", [False, True])
def test_unadaptable_row_keeps_earlier_rows(conn, conn_factory, seen_table,
                                            autocommit):
    conn.autocommit = autocommit
    with pytest.raises(psycopg2.ProgrammingError, match="can't adapt"):
        seen_table.executemany("insert into tmany_seen values (%s)",
                               [(1,), (2,), (object(),), (4,)])
    # as a failed execute(): no query, the rowcount of the last statement
    assert seen_table.query is None
    assert seen_table.rowcount == 1
    conn.commit()
    assert rows_seen(conn_factory) == [1, 2]


def test_missing_key_keeps_earlier_rows(conn, conn_factory, seen_table):
    with pytest.raises(KeyError):
        seen_table.executemany("insert into tmany_seen values (%(a)s)",
                               [{"a": 1}, {"b": 2}, {"a": 3}])
    conn.commit()
    assert rows_seen(conn_factory) == [1]


@pytest.mark.parametrize("autocommit", [False, True])
def test_server_error_shows_failing_query(conn, seen_table, autocommit):
    conn.autocommit = autocommit
    with pytest.raises(psycopg2.errors.UniqueViolation):
        seen_table.executemany("insert into tmany_seen values (%s)",
                               [(1,), (2,), (2,), (3,)])
    assert seen_table.query == b"insert into tmany_seen values (2)"
    assert seen_table.rowcount == -1
    assert seen_table.statusmessage == ""


def test_server_error_in_merged_row_shows_query(conn, seen_table):
    # not "insert ... values (%s)": the rows are merged and sent as text
    with pytest.raises(psycopg2.errors.InvalidTextRepresentation):
        seen_table.executemany("insert into tmany_seen select %s::int",
                               [("1",), ("x",), ("3",)])
    assert seen_table.query == b"insert into tmany_seen select 'x'::int"
    conn.rollback()


def test_server_error_after_iterator_error_wins(conn, seen_table):
    # the loop would have failed on the server before asking for more
    def gen():
        yield (1,)
        yield (1,)
        raise ZeroDivisionError

    with pytest.raises(psycopg2.errors.UniqueViolation):
        seen_table.executemany("insert into tmany_seen values (%s)", gen())
    assert seen_table.query == b"insert into tmany_seen values (1)"


def test_with_block_on_autocommit(conn, table):
    conn.autocommit = True
    with pytest.raises(psycopg2.IntegrityError):
        with conn:
            table.executemany("insert into tmany values (%s, %s)",
                              [(1, "a"), (1, "b")])
    assert count(table) == (0, 0)


def test_connection_usable_after(conn, table):
    with pytest.raises(psycopg2.Error):
        table.executemany("insert into tmany values (%s, %s)",
                          [(1, "a"), (1, "a")])
    conn.rollback()
    table.execute("select 1")
    assert table.fetchone() == (1,)


VALUES_ROWS = [
    (1, 2.5, 10 ** 12, 2 ** 70, "12", "x'y\\z", True, None),
    (-2147483648, float("inf"), -5, -(2 ** 63), "0", "", False, "{}"),
    (None, None, None, None, None, None, None, None),
    (7, float("nan"), 3, 1, "-3", "é€", None, '{"a": [1, 2]}'),
]


def values_table(cur, name):
    cur.execute(
        "create temp table %s (n int, f float8, b bigint, num numeric, "
        "i int, t text, flag bool, j jsonb)" % name)


def test_prepared_path_matches_literals(conn):
    import decimal
    cur = conn.cursor()
    values_table(cur, "tlit")
    values_table(cur, "tpar")
    rows = VALUES_ROWS + [
        (3, 1.25, 4, decimal.Decimal("1.50"), 5, "a", True, "[]"),
        (3, 1.0, 4, decimal.Decimal("NaN"), 5, "b", False, "1"),
        # a value without a plain parameter form goes as a literal
        (4, 0.5, 6, 7, 8, b"bytes".decode(), True, None),
    ]
    q = "insert into %s (n, f, b, num, i, t, flag, j) " \
        "values (%%s, %%s, %%s, %%s, %%s, %%s, %%s, %%s)"
    for r in rows:
        cur.execute(q % "tlit", r)
    cur.executemany(q % "tpar", rows)
    assert cur.rowcount == len(rows)
    cur.execute("select * from tlit except all select * from tpar")
    assert cur.fetchall() == []
    cur.execute("select count(*) from tpar")
    assert cur.fetchone() == (len(rows),)
    # float 2.5 went in as numeric 2.5: an int column would round it to 3
    cur.execute("create temp table tround (n int)")
    cur.executemany("insert into tround values (%s)", [(2.5,), (3.5,)])
    cur.execute("select n from tround")
    assert [r[0] for r in cur.fetchall()] == [3, 4]


def test_prepared_path_errors_like_literals(conn):
    cur = conn.cursor()
    cur.execute("create temp table terr (n int)")
    conn.commit()
    with pytest.raises(psycopg2.errors.InvalidTextRepresentation):
        cur.executemany("insert into terr values (%s)", [("12",), ("abc",)])
    conn.rollback()
    with pytest.raises(psycopg2.errors.NumericValueOutOfRange):
        cur.executemany("insert into terr values (%s)", [(2 ** 40,)])
    conn.rollback()
    with pytest.raises(ValueError):
        cur.executemany("insert into terr values (%s)", [("a\x00b",)])
    conn.rollback()
    # wrong arity: the merging error, as with the loop
    with pytest.raises(TypeError):
        cur.executemany("insert into terr values (%s)", [(1, 2)])
    conn.rollback()


def test_prepared_path_respects_custom_adapters(conn):
    import psycopg2.extensions as ext

    class Upper(str):
        pass

    def adapt_upper(s):
        return ext.QuotedString(s.upper())

    ext.register_adapter(Upper, adapt_upper)
    cur = conn.cursor()
    cur.execute("create temp table tca (t text)")
    cur.executemany("insert into tca values (%s)", [(Upper("abc"),), ("d",)])
    ext.register_adapter(str, lambda s: ext.AsIs("'str:' || " +
                                                 ext.QuotedString(s)
                                                 .getquoted().decode()))
    try:
        cur.executemany("insert into tca values (%s)", [("e",)])
    finally:
        del ext.adapters[(str, ext.ISQLQuote)]
        ext.register_adapter(str, ext.QuotedString)
    cur.execute("select t from tca order by t")
    assert [r[0] for r in cur.fetchall()] == ["ABC", "d", "str:e"]
