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
    with pytest.raises(psycopg2.ProgrammingError):
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
