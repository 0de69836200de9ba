"""Cursor arguments and named-cursor rules as psycopg2 2.9 has them: what
is refused client-side, with which exception, and what goes to the server."""

import io

import pytest

import psycopg2
import psycopg2.errors
import psycopg2.extensions as ext


def test_named_execute_twice_refused(conn):
    cur = conn.cursor("ca_twice")
    cur.execute("SELECT 1")
    with pytest.raises(psycopg2.ProgrammingError) as exc:
        cur.execute("SELECT 2")
    assert "more than once" in str(exc.value)
    assert exc.value.cursor is cur
    assert cur.fetchone() == (1,)  # the first query is still there


def test_named_execute_after_failed_execute_refused(conn):
    # the DECLARE went to the server: the cursor counts as executed
    cur = conn.cursor("ca_failed")
    with pytest.raises(psycopg2.errors.UndefinedTable):
        cur.execute("SELECT * FROM ca_no_such_table")
    conn.rollback()
    with pytest.raises(psycopg2.ProgrammingError, match="more than once"):
        cur.execute("SELECT 1")


def test_named_execute_after_bad_parameters_allowed(conn):
    # nothing was sent: the cursor can still be used
    cur = conn.cursor("ca_badargs")
    with pytest.raises(IndexError):
        cur.execute("SELECT %s", [])
    cur.execute("SELECT %s", [1])
    assert cur.fetchone() == (1,)


def test_named_execute_empty_refused(conn):
    cur = conn.cursor("ca_empty")
    with pytest.raises(psycopg2.ProgrammingError) as exc:
        cur.execute("")
    assert exc.value.cursor is cur
    assert conn.info.transaction_status == ext.TRANSACTION_STATUS_IDLE
    cur.execute("SELECT 1")
    assert cur.fetchone() == (1,)


def test_named_in_autocommit_refused_with_cursor(conn):
    conn.autocommit = True
    cur = conn.cursor("ca_auto")
    with pytest.raises(psycopg2.ProgrammingError) as exc:
        cur.execute("SELECT 1")
    assert exc.value.cursor is cur


def test_named_made_before_a_transaction_ended(conn):
    cur = conn.cursor("ca_old")
    conn.cursor().execute("SELECT 1")
    conn.commit()
    with pytest.raises(psycopg2.ProgrammingError,
                       match="named cursor isn't valid anymore"):
        cur.execute("SELECT 1")


def test_named_close_after_commit_refused(conn):
    cur = conn.cursor("ca_close")
    cur.execute("SELECT generate_series(1, 3)")
    conn.commit()
    with pytest.raises(psycopg2.ProgrammingError,
                       match="named cursor isn't valid anymore"):
        cur.close()
    assert not cur.closed


def test_named_close_in_failed_transaction(conn):
    cur = conn.cursor("ca_failedtx")
    cur.execute("SELECT 1")
    with pytest.raises(psycopg2.errors.DivisionByZero):
        conn.cursor().execute("SELECT 1/0")
    cur.close()  # nothing can be sent: the cursor just closes
    assert cur.closed
    assert conn.info.transaction_status == ext.TRANSACTION_STATUS_INERROR


def test_withhold_after_commit_opens_no_transaction(conn):
    cur = conn.cursor("ca_hold", withhold=True)
    cur.execute("SELECT generate_series(1, 3)")
    conn.commit()
    assert cur.fetchone() == (1,)
    cur.scroll(0)
    assert conn.info.transaction_status == ext.TRANSACTION_STATUS_IDLE
    cur.close()
    assert cur.closed
    assert conn.info.transaction_status == ext.TRANSACTION_STATUS_IDLE
    check = conn.cursor()
    check.execute("SELECT count(*) FROM pg_cursors WHERE name = 'ca_hold'")
    assert check.fetchone() == (0,)


def test_close_never_executed_closes_server_cursor_of_that_name(conn):
    other = conn.cursor()
    other.execute('DECLARE "ca_sql" CURSOR FOR SELECT 1')
    cur = conn.cursor("ca_sql")
    cur.close()
    assert cur.closed
    other.execute("SELECT count(*) FROM pg_cursors WHERE name = 'ca_sql'")
    assert other.fetchone() == (0,)


def test_close_never_executed_without_server_cursor(conn):
    cur = conn.cursor("ca_none'quote")
    cur.close()
    assert cur.closed
    assert conn.info.transaction_status == ext.TRANSACTION_STATUS_IDLE


def test_named_move_keeps_rowcount_unknown(conn):
    cur = conn.cursor("ca_move", scrollable=True)
    cur.execute("SELECT generate_series(1, 10)")
    cur.fetchmany(2)
    assert cur.rowcount == 2
    cur.scroll(3)
    assert cur.rowcount == -1
    assert cur.statusmessage == "MOVE 3"
    cur.scroll(8, "absolute")
    assert cur.fetchone() == (9,)


def test_scroll_errors(conn):
    cur = conn.cursor()
    with pytest.raises(psycopg2.ProgrammingError) as exc:
        cur.scroll(0)
    assert str(exc.value) == "scroll destination out of bounds"
    assert exc.value.cursor is cur
    cur.execute("SELECT 1")
    with pytest.raises(psycopg2.ProgrammingError) as exc:
        cur.scroll(0, "sideways")
    assert exc.value.cursor is cur
    with pytest.raises(OverflowError):
        cur.scroll(2 ** 40)
    with pytest.raises(TypeError):
        cur.scroll("x")


@pytest.mark.parametrize("value, exc", [
    ("x", TypeError), (1.5, TypeError), (None, TypeError),
    (2 ** 64, OverflowError),
])
def test_sizes_are_c_longs(conn, value, exc):
    cur = conn.cursor()
    with pytest.raises(exc):
        cur.arraysize = value
    with pytest.raises(exc):
        cur.itersize = value
    cur.execute("SELECT 1")
    if value is not None:  # fetchmany(None) is fetchmany()
        with pytest.raises(exc):
            cur.fetchmany(value)
    assert cur.fetchmany(True) == [(1,)]


def test_cast_oid_as_given(conn):
    cur = conn.cursor()
    assert cur.cast(23, "42") == 42
    assert cur.cast(23.0, "42") == 42  # equal to 23 as a dict key
    assert cur.cast("x", "42") == "42"  # unknown: the default caster
    assert cur.cast([23], "42") == "42"
    assert cur.cast(2 ** 32 + 23, "42") == "42"
    assert cur.cast(23, b"42") == 42
    with pytest.raises(TypeError):
        cur.cast(23, 42)
    with pytest.raises(TypeError):
        cur.cast(23, bytearray(b"42"))


def test_callproc_name_checked_first(conn):
    cur = conn.cursor()
    cur.close()
    with pytest.raises(TypeError):
        cur.callproc(None)
    with pytest.raises(psycopg2.InterfaceError):
        cur.callproc("now")


def test_callproc_name_is_str_or_bytes(conn):
    # as psycopg2: a sql.Composable is not a procedure name
    from psycopg2 import sql
    cur = conn.cursor()
    for name in (sql.Identifier("now"), sql.SQL("now")):
        with pytest.raises(TypeError, match="bytes-like object is required"):
            cur.callproc(name)
    for name in ("now", b"now"):
        cur.callproc(name)
        assert len(cur.fetchall()) == 1


def test_empty_query_statusmessage(conn):
    cur = conn.cursor()
    cur.execute("SELECT 1")
    with pytest.raises(psycopg2.ProgrammingError):
        cur.execute("-- only a comment")
    assert cur.statusmessage == ""
    assert cur.description is None


def test_copy_file_errors(conn):
    cur = conn.cursor()
    with pytest.raises(TypeError, match="must have a .read"):
        cur.copy_from(None, "t")
    with pytest.raises(TypeError, match="must have a .write"):
        cur.copy_to(None, "t")
    with pytest.raises(TypeError, match="readable file-like object"):
        cur.copy_expert("COPY (SELECT 1) TO STDOUT", 1)
    out = io.StringIO()
    cur.copy_expert("COPY (SELECT 1) TO STDOUT", out)
    assert out.getvalue() == "1\n"


def test_copy_leaves_no_command_tag(conn):
    # as psycopg2: statusmessage '' after a COPY, rowcount the rows copied
    cur = conn.cursor()
    cur.execute("CREATE TEMP TABLE ca_copy (a int)")
    cur.copy_from(io.StringIO("1\n2\n"), "ca_copy")
    assert (cur.statusmessage, cur.rowcount) == ("", 2)
    assert cur.query == (b"COPY \"ca_copy\" FROM stdin WITH DELIMITER AS "
                         b"'\t' NULL AS '\\N'")
    out = io.StringIO()
    cur.copy_expert("COPY ca_copy TO STDOUT", out)
    assert (cur.statusmessage, cur.rowcount) == ("", 2)
    assert out.getvalue() == "1\n2\n"
