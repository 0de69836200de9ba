"""Named (server-side) cursors."""

import pytest

import psycopg2
import psycopg2.errors
import psycopg2.extensions as ext
import psycopg2.extras


def server_cursors(conn):
    """{name: (is_holdable, is_scrollable)} of the session's cursors."""
    cur = conn.cursor()
    cur.execute("SELECT name, is_holdable, is_scrollable FROM pg_cursors")
    return {r[0]: (r[1], r[2]) for r in cur.fetchall()}


def test_declares_on_execute(conn):
    cur = conn.cursor("nc")
    assert cur.name == "nc"
    assert "nc" not in server_cursors(conn)
    cur.execute("SELECT generate_series(1, 5)")
    assert "nc" in server_cursors(conn)
    assert cur.query.startswith(b'DECLARE "nc" CURSOR WITHOUT HOLD FOR ')
    assert cur.query.endswith(b"SELECT generate_series(1, 5)")
    assert cur.rowcount == -1
    assert cur.statusmessage == "DECLARE CURSOR"
    assert conn.status == ext.STATUS_BEGIN


def test_parameters(conn):
    cur = conn.cursor("np")
    cur.execute("SELECT %s || x FROM generate_series(1, 2) x", ("a",))
    assert b"'a' || x" in cur.query
    assert cur.fetchall() == [("a1",), ("a2",)]


def test_fetch_methods(conn):
    cur = conn.cursor("nf")
    cur.execute("SELECT x, 'r' || x FROM generate_series(1, 10) x")
    assert cur.fetchone() == (1, "r1")
    assert cur.fetchmany(2) == [(2, "r2"), (3, "r3")]
    cur.arraysize = 3
    assert [r[0] for r in cur.fetchmany()] == [4, 5, 6]
    assert [r[0] for r in cur.fetchall()] == [7, 8, 9, 10]
    assert cur.fetchone() is None
    assert cur.fetchmany(5) == []
    assert cur.fetchall() == []


def test_fetchmany_zero_and_negative(conn):
    # as psycopg2, the size goes to the server as given: FETCH FORWARD 0
    # is the current row (none before the first), a negative size goes
    # backwards, which a NO SCROLL cursor refuses
    cur = conn.cursor("nz")
    cur.execute("SELECT generate_series(1, 5)")
    assert cur.fetchmany(0) == []
    assert cur.fetchone() == (1,)
    with pytest.raises(psycopg2.errors.ObjectNotInPrerequisiteState):
        cur.fetchmany(-1)
    conn.rollback()
    cur = conn.cursor("nz2", scrollable=True)
    cur.execute("SELECT generate_series(1, 5)")
    assert cur.fetchmany(2) == [(1,), (2,)]
    assert cur.fetchmany(0) == []  # the server sent row 2 again
    assert cur.rowcount == 1
    assert cur.fetchmany(-1) == [(1,)]
    assert cur.fetchone() == (2,)


def test_description_after_fetch(conn):
    cur = conn.cursor("nd")
    cur.execute("SELECT 1 AS a, 'x'::text AS b")
    cur.fetchone()
    assert [d.name for d in cur.description] == ["a", "b"]
    assert cur.description[0].type_code == 23
    assert cur.description[1].type_code == 25


def test_rowcount_rownumber_are_per_batch(conn):
    cur = conn.cursor("nr")
    cur.execute("SELECT generate_series(1, 10)")
    cur.fetchmany(4)
    assert cur.rowcount == 4
    assert cur.rownumber == 4
    cur.fetchone()
    assert cur.rowcount == 1
    assert cur.rownumber == 1
    cur.fetchall()
    assert cur.rowcount == 5
    assert cur.rownumber == 5


def test_iteration_itersize_batches(conn):
    cur = conn.cursor()
    cur.execute("CREATE TEMP SEQUENCE sq")
    nc = conn.cursor("ni")
    assert nc.itersize == 2000
    nc.itersize = 3
    nc.execute("SELECT nextval('sq') FROM generate_series(1, 10)")
    it = iter(nc)
    assert it is nc
    assert next(it) == (1,)
    # one batch of 3 fetched from the server, nothing more computed
    assert nc.rowcount == 3
    assert nc.rownumber == 1
    cur.execute("SELECT last_value FROM sq")
    assert cur.fetchone() == (3,)
    assert next(it) == (2,)
    assert next(it) == (3,)
    assert nc.rownumber == 3
    assert next(it) == (4,)  # second batch
    assert nc.rownumber == 1
    cur.execute("SELECT last_value FROM sq")
    assert cur.fetchone() == (6,)
    assert [r[0] for r in it] == [5, 6, 7, 8, 9, 10]
    assert nc.rowcount == 0  # the last, empty, batch
    with pytest.raises(StopIteration):
        next(it)


def test_iteration_whole(conn):
    cur = conn.cursor("nw")
    cur.itersize = 7
    cur.execute("SELECT generate_series(1, 100)")
    assert [r[0] for r in cur] == list(range(1, 101))


def test_iteration_mixed_with_fetch(conn):
    cur = conn.cursor("nm")
    cur.itersize = 4
    cur.execute("SELECT generate_series(1, 10)")
    assert cur.fetchone() == (1,)
    assert next(cur) == (2,)
    assert next(cur) == (3,)
    assert cur.fetchmany(2) == [(6,), (7,)]  # the batch held 2..5
    assert [r[0] for r in cur] == [8, 9, 10]


def test_itersize_zero_does_not_loop(conn):
    cur = conn.cursor("n0")
    cur.itersize = 0
    cur.execute("SELECT generate_series(1, 3)")
    assert [r[0] for r in cur] == [1, 2, 3]


def test_scrollable_default(conn):
    cur = conn.cursor("ns")
    assert cur.scrollable is None
    cur.execute("SELECT 1")
    assert b"SCROLL" not in cur.query


def test_scrollable_true(conn):
    cur = conn.cursor("ns", scrollable=True)
    assert cur.scrollable is True
    cur.execute("SELECT generate_series(0, 9)")
    assert b'"ns" SCROLL CURSOR' in cur.query
    assert server_cursors(conn)["ns"] == (False, True)
    cur.scroll(5, mode="absolute")
    assert cur.fetchone() == (5,)
    cur.scroll(-3)
    assert cur.fetchone() == (3,)
    cur.scroll(2, "relative")
    assert cur.fetchone() == (6,)
    cur.scroll(0, "absolute")
    assert cur.fetchone() == (0,)
    # no client-side bounds check: the server positions past the end
    cur.scroll(100, "absolute")
    assert cur.fetchone() is None


def test_scrollable_false(conn):
    cur = conn.cursor("nn")
    cur.scrollable = False
    cur.execute("SELECT generate_series(0, 9)")
    assert b'"nn" NO SCROLL CURSOR' in cur.query
    assert server_cursors(conn)["nn"] == (False, False)
    cur.scroll(3)  # forward is fine
    assert cur.fetchone() == (3,)
    with pytest.raises(psycopg2.errors.ObjectNotInPrerequisiteState):
        cur.scroll(-1)
    conn.rollback()


def test_scroll_discards_buffered_batch(conn):
    cur = conn.cursor("nb", scrollable=True)
    cur.itersize = 5
    cur.execute("SELECT generate_series(0, 9)")
    assert next(cur) == (0,)
    cur.scroll(8, "absolute")
    assert next(cur) == (8,)


def test_scroll_bad_mode(conn):
    # as psycopg2: a named cursor takes any mode but 'absolute' as relative
    cur = conn.cursor("nbm", scrollable=True)
    cur.execute("SELECT generate_series(1, 3)")
    cur.scroll(1, "sideways")
    assert cur.fetchone() == (2,)
    cur = conn.cursor()
    cur.execute("SELECT 1")
    with pytest.raises(psycopg2.ProgrammingError) as exc:
        cur.scroll(0, "sideways")
    assert exc.value.cursor is cur


def test_scroll_options_on_unnamed(conn):
    cur = conn.cursor()
    with pytest.raises(psycopg2.ProgrammingError):
        cur.scrollable = True
    with pytest.raises(psycopg2.ProgrammingError):
        cur.withhold = True
    cur.withhold = False


def test_withhold_survives_commit(conn):
    cur = conn.cursor("nh", withhold=True)
    assert cur.withhold is True
    cur.execute("SELECT generate_series(1, 5)")
    assert b"WITH HOLD" in cur.query
    assert cur.fetchone() == (1,)
    conn.commit()
    assert server_cursors(conn)["nh"] == (True, False)
    assert cur.fetchmany(2) == [(2,), (3,)]
    conn.commit()
    assert cur.fetchall() == [(4,), (5,)]
    cur.close()
    assert "nh" not in server_cursors(conn)


def test_withhold_attribute_before_execute(conn):
    cur = conn.cursor("nh2")
    cur.withhold = True
    cur.execute("SELECT 1")
    conn.commit()
    assert cur.fetchone() == (1,)
    cur.close()


def test_withhold_autocommit(conn):
    conn.autocommit = True
    cur = conn.cursor("nha", withhold=True)
    cur.execute("SELECT generate_series(1, 3)")
    assert conn.get_transaction_status() == ext.TRANSACTION_STATUS_IDLE
    assert [r[0] for r in cur] == [1, 2, 3]
    cur.close()
    assert "nha" not in server_cursors(conn)


def test_no_withhold_autocommit_refused(conn):
    conn.autocommit = True
    cur = conn.cursor("nac")
    with pytest.raises(psycopg2.ProgrammingError) as exc:
        cur.execute("SELECT 1")
    assert str(exc.value) == \
        "can't use a named cursor outside of transactions"


def test_autocommit_inside_with_block(conn):
    conn.autocommit = True
    with conn:
        cur = conn.cursor("nwb")
        cur.execute("SELECT generate_series(1, 3)")
        assert cur.fetchall() == [(1,), (2,), (3,)]


@pytest.mark.parametrize("end", ["commit", "rollback", "reset"])
def test_invalid_after_transaction_end(conn, end):
    cur = conn.cursor("ninv")
    cur.execute("SELECT generate_series(1, 5)")
    assert cur.fetchone() == (1,)
    getattr(conn, end)()
    for call in (cur.fetchone, cur.fetchall, lambda: cur.fetchmany(2),
                 lambda: next(cur), lambda: cur.scroll(1)):
        with pytest.raises(psycopg2.ProgrammingError) as exc:
            call()
        assert str(exc.value) == "named cursor isn't valid anymore"
    # as psycopg2, close() refuses too, and the cursor stays open
    with pytest.raises(psycopg2.ProgrammingError) as exc:
        cur.close()
    assert str(exc.value) == "named cursor isn't valid anymore"
    assert not cur.closed


def test_invalid_after_commit_via_execute(conn):
    # as psycopg2: the server says the cursor is gone, for fetch and close
    cur = conn.cursor("ninv2")
    cur.execute("SELECT 1")
    conn.cursor().execute("COMMIT")
    with pytest.raises(psycopg2.errors.InvalidCursorName):
        cur.fetchone()
    with pytest.raises(psycopg2.errors.InvalidCursorName):
        cur.close()
    conn.rollback()


def test_execute_twice(conn):
    cur = conn.cursor("ntw")
    cur.execute("SELECT 1")
    with pytest.raises(psycopg2.ProgrammingError) as exc:
        cur.execute("SELECT 2")
    assert str(exc.value) == \
        "can't call .execute() on named cursors more than once"
    assert cur.fetchone() == (1,)


def test_executemany_refused(conn):
    cur = conn.cursor("nem")
    with pytest.raises(psycopg2.ProgrammingError):
        cur.executemany("SELECT %s", [(1,), (2,)])


def test_callproc_refused(conn):
    cur = conn.cursor("ncp")
    with pytest.raises(psycopg2.ProgrammingError):
        cur.callproc("now")


def test_multiple_statements_refused(conn):
    cur = conn.cursor("nms")
    with pytest.raises(psycopg2.ProgrammingError):
        cur.execute("SELECT 1; SELECT 2")
    assert cur.description is None
    conn.rollback()


def test_trailing_semicolon_ok(conn):
    cur = conn.cursor("nsc")
    cur.execute("SELECT 42;")
    assert cur.fetchone() == (42,)


def test_not_a_select(conn):
    cur = conn.cursor("nns")
    with pytest.raises(psycopg2.errors.SyntaxError):
        cur.execute("CREATE TABLE x (id int)")
    conn.rollback()


def test_server_error_in_query(conn):
    cur = conn.cursor("nerr")
    cur.execute("SELECT 1 / (x - 3) FROM generate_series(1, 5) x")
    assert cur.fetchmany(2) == [(0,), (-1,)]
    with pytest.raises(psycopg2.errors.DivisionByZero):
        cur.fetchall()
    # closing in a failed transaction sends nothing and does not raise
    cur.close()
    conn.rollback()


def test_fetch_without_execute(conn):
    cur = conn.cursor("nobody")
    with pytest.raises(psycopg2.errors.InvalidCursorName):
        cur.fetchone()
    conn.rollback()


def test_close_sends_close(conn):
    cur = conn.cursor("ncl")
    cur.execute("SELECT 1")
    assert "ncl" in server_cursors(conn)
    cur.close()
    assert cur.closed
    assert "ncl" not in server_cursors(conn)
    cur.close()  # idempotent
    with pytest.raises(psycopg2.InterfaceError):
        cur.fetchone()


def test_close_never_executed(conn):
    cur = conn.cursor("nnever")
    cur.close()
    assert conn.status == ext.STATUS_READY  # nothing sent


def test_context_manager(conn):
    with conn.cursor("nctx") as cur:
        cur.execute("SELECT 1")
        assert "nctx" in server_cursors(conn)
    assert cur.closed
    assert "nctx" not in server_cursors(conn)


def test_name_quoting(conn):
    name = 'my "odd" cursor; DROP'
    cur = conn.cursor(name)
    cur.execute("SELECT 7")
    assert cur.fetchone() == (7,)
    assert name in server_cursors(conn)
    cur.close()


def test_name_unicode(conn):
    cur = conn.cursor("cursore_\u00e8")
    cur.execute("SELECT 1")
    assert "cursore_\u00e8" in server_cursors(conn)


def test_name_bytes(conn):
    # as psycopg2: a bytes name is UTF-8, and .name is a str
    cur = conn.cursor("cursore_\u00e8 b".encode())
    assert cur.name == "cursore_\u00e8 b"
    cur.execute("SELECT 1")
    assert "cursore_\u00e8 b" in server_cursors(conn)
    assert cur.fetchall() == [(1,)]
    with pytest.raises(UnicodeDecodeError):
        conn.cursor(b"\xff")


def test_name_str_subclass(conn):
    class Name(str):
        pass

    assert type(conn.cursor(Name("n")).name) is str


def test_refcursor_from_function(conn):
    cur = conn.cursor()
    cur.execute("""
        CREATE FUNCTION pg_temp.open_rc(name refcursor) RETURNS refcursor
        AS $$
        BEGIN
            OPEN name FOR SELECT x, x * 10 FROM generate_series(1, 4) x;
            RETURN name;
        END
        $$ LANGUAGE plpgsql""")
    cur.callproc("pg_temp.open_rc", ["the_rc"])
    assert cur.fetchone() == ("the_rc",)
    rc = conn.cursor("the_rc")
    assert rc.fetchone() == (1, 10)
    assert [d.name for d in rc.description] == ["x", "?column?"]
    assert rc.fetchall() == [(2, 20), (3, 30), (4, 40)]
    rc.close()


def test_refcursor_iteration(conn):
    cur = conn.cursor()
    cur.execute("""
        CREATE FUNCTION pg_temp.rc2() RETURNS refcursor AS $$
        DECLARE c refcursor := 'rc_iter';
        BEGIN OPEN c FOR SELECT generate_series(1, 5); RETURN c; END
        $$ LANGUAGE plpgsql""")
    cur.execute("SELECT pg_temp.rc2()")
    name = cur.fetchone()[0]
    rc = conn.cursor(name)
    rc.itersize = 2
    assert [r[0] for r in rc] == [1, 2, 3, 4, 5]


def test_cursor_factory_row_types(conn):
    cur = conn.cursor("ndict", cursor_factory=psycopg2.extras.DictCursor)
    cur.execute("SELECT 1 AS a, 2 AS b")
    row = cur.fetchone()
    assert row["a"] == 1 and row[1] == 2
    cur2 = conn.cursor("nreal",
                       cursor_factory=psycopg2.extras.RealDictCursor)
    cur2.itersize = 1
    cur2.execute("SELECT x AS n FROM generate_series(1, 3) x")
    assert [dict(r) for r in cur2] == [{"n": 1}, {"n": 2}, {"n": 3}]


def test_closed_connection(conn_factory):
    c = conn_factory()
    cur = c.cursor("ncc")
    cur.execute("SELECT 1")
    c.close()
    assert cur.closed
    with pytest.raises(psycopg2.InterfaceError):
        cur.fetchone()
    cur.close()


def test_many_named_cursors_same_transaction(conn):
    curs = [conn.cursor("multi%d" % i) for i in range(5)]
    for i, c in enumerate(curs):
        c.execute("SELECT %s", (i,))
    assert [c.fetchone()[0] for c in curs] == list(range(5))
    assert {"multi%d" % i for i in range(5)} <= set(server_cursors(conn))
