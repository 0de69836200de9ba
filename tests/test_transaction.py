"""Transactions: implicit BEGIN, commit/rollback, session characteristics."""

import pytest

import psycopg2
import psycopg2.errors
import psycopg2.extensions as ext


def show(conn, name):
    cur = conn.cursor()
    cur.execute("show %s" % name)
    return cur.fetchone()[0]


def test_implicit_begin(conn):
    assert conn.status == ext.STATUS_READY
    assert conn.get_transaction_status() == ext.TRANSACTION_STATUS_IDLE
    conn.cursor().execute("select 1")
    assert conn.status == ext.STATUS_BEGIN
    assert conn.get_transaction_status() == ext.TRANSACTION_STATUS_INTRANS
    conn.commit()
    assert conn.status == ext.STATUS_READY
    assert conn.get_transaction_status() == ext.TRANSACTION_STATUS_IDLE


def test_commit_and_rollback(conn, conn_factory):
    cur = conn.cursor()
    cur.execute("create table if not exists ttx (x int)")
    cur.execute("delete from ttx")
    conn.commit()
    cur.execute("insert into ttx values (1)")
    conn.rollback()
    cur.execute("insert into ttx values (2)")
    conn.commit()
    other_conn = conn_factory()
    other = other_conn.cursor()
    other.execute("select x from ttx")
    assert other.fetchall() == [(2,)]
    other_conn.rollback()  # release its lock before the DROP
    cur.execute("drop table ttx")
    conn.commit()


def test_commit_rollback_noop_when_idle(conn):
    conn.commit()
    conn.rollback()
    assert conn.status == ext.STATUS_READY


def test_error_fails_transaction(conn):
    cur = conn.cursor()
    with pytest.raises(psycopg2.errors.DivisionByZero):
        cur.execute("select 1/0")
    assert conn.get_transaction_status() == ext.TRANSACTION_STATUS_INERROR
    with pytest.raises(psycopg2.errors.InFailedSqlTransaction):
        cur.execute("select 1")
    conn.rollback()
    cur.execute("select 1")
    assert cur.fetchone() == (1,)


def test_autocommit(conn, conn_factory):
    assert conn.autocommit is False
    conn.autocommit = True
    assert conn.autocommit is True
    cur = conn.cursor()
    cur.execute("create table if not exists tac (x int)")
    assert conn.status == ext.STATUS_READY
    assert conn.get_transaction_status() == ext.TRANSACTION_STATUS_IDLE
    other_conn = conn_factory()
    other = other_conn.cursor()
    other.execute("select count(*) from tac")
    assert other.fetchone() == (0,)
    other_conn.rollback()
    cur.execute("drop table tac")


def test_autocommit_inside_transaction(conn):
    conn.cursor().execute("select 1")
    with pytest.raises(psycopg2.ProgrammingError) as exc:
        conn.autocommit = True
    assert "set_session cannot be used inside a transaction" in str(exc.value)
    conn.rollback()
    conn.autocommit = True


@pytest.mark.parametrize("value, level, shown", [
    (1, 1, "read committed"), (2, 2, "repeatable read"),
    (3, 3, "serializable"), (4, 4, "read uncommitted"),
    ("serializable", 3, "serializable"),
    ("Repeatable Read", 2, "repeatable read"),
    ("READ COMMITTED", 1, "read committed"),
])
def test_isolation_level(conn, value, level, shown):
    conn.isolation_level = value
    assert conn.isolation_level == level
    assert show(conn, "transaction_isolation") == shown
    conn.rollback()
    conn.isolation_level = "default"
    assert conn.isolation_level is None
    conn.isolation_level = level
    conn.isolation_level = None
    assert conn.isolation_level is None
    assert show(conn, "transaction_isolation") == "read committed"


@pytest.mark.parametrize("bad", [0, 5, -1, "nonsense"])
def test_isolation_level_bad(conn, bad):
    with pytest.raises(ValueError):
        conn.isolation_level = bad


def test_isolation_level_in_transaction(conn):
    conn.cursor().execute("select 1")
    with pytest.raises(psycopg2.ProgrammingError):
        conn.isolation_level = 3


def test_readonly_deferrable(conn):
    conn.readonly = True
    assert conn.readonly is True
    assert show(conn, "transaction_read_only") == "on"
    with pytest.raises(psycopg2.errors.ReadOnlySqlTransaction):
        conn.cursor().execute("create temp table tro (x int)")
    conn.rollback()
    conn.readonly = "default"
    assert conn.readonly is None
    conn.readonly = False
    assert show(conn, "transaction_read_only") == "off"
    conn.rollback()
    with pytest.raises(ValueError):
        conn.readonly = "sometimes"
    conn.deferrable = True
    assert conn.deferrable is True
    conn.isolation_level = "serializable"
    conn.readonly = True
    assert show(conn, "transaction_deferrable") == "on"
    conn.rollback()
    conn.deferrable = None
    assert conn.deferrable is None


def test_set_session(conn):
    conn.set_session(isolation_level="REPEATABLE READ", readonly=True,
                     deferrable=False)
    assert conn.isolation_level == 2
    assert conn.readonly is True
    assert conn.deferrable is False
    assert show(conn, "transaction_isolation") == "repeatable read"
    assert show(conn, "transaction_read_only") == "on"
    conn.rollback()
    # None leaves things alone, 'DEFAULT' resets
    conn.set_session(readonly="DEFAULT")
    assert conn.isolation_level == 2
    assert conn.readonly is None
    conn.set_session(autocommit=True)
    assert conn.autocommit is True
    conn.cursor().execute("select 1")
    with pytest.raises(ValueError):
        conn.set_session(isolation_level=0)


def test_set_session_in_transaction(conn):
    conn.cursor().execute("select 1")
    with pytest.raises(psycopg2.ProgrammingError) as exc:
        conn.set_session(readonly=True)
    assert "inside a transaction" in str(exc.value)


def test_set_session_autocommit_uses_gucs(conn):
    conn.set_session(isolation_level="SERIALIZABLE", readonly=True,
                     autocommit=True)
    assert show(conn, "default_transaction_isolation") == "serializable"
    assert show(conn, "default_transaction_read_only") == "on"
    assert show(conn, "transaction_isolation") == "serializable"
    conn.autocommit = False
    assert show(conn, "default_transaction_isolation") == "read committed"
    assert show(conn, "default_transaction_read_only") == "off"
    # the characteristics now travel with BEGIN
    assert show(conn, "transaction_isolation") == "serializable"
    assert show(conn, "transaction_read_only") == "on"
    conn.rollback()


def test_set_isolation_level_legacy(conn):
    cur = conn.cursor()
    cur.execute("create temp table tsil (x int)")
    conn.set_isolation_level(ext.ISOLATION_LEVEL_SERIALIZABLE)
    # rolled back the open transaction first
    with pytest.raises(psycopg2.errors.UndefinedTable):
        cur.execute("select * from tsil")
    conn.rollback()
    assert conn.isolation_level == 3
    assert conn.autocommit is False
    conn.set_isolation_level(ext.ISOLATION_LEVEL_AUTOCOMMIT)
    assert conn.autocommit is True
    conn.set_isolation_level(ext.ISOLATION_LEVEL_READ_COMMITTED)
    assert conn.autocommit is False
    assert conn.isolation_level == 1
    conn.set_isolation_level(None)
    assert conn.isolation_level is None
    with pytest.raises(ValueError):
        conn.set_isolation_level(7)


@pytest.mark.parametrize("value, level", [
    (b"serializable", 3), (b"DEFAULT", None), ("default\x00junk", None),
    (True, 1),
])
def test_isolation_level_spellings(conn, value, level):
    # as psycopg2: bytes are strings too, and a string ends at a NUL
    conn.isolation_level = value
    assert conn.isolation_level == level


@pytest.mark.parametrize("value, exc, text", [
    (1.5, TypeError, "Expected bytes or unicode string, got float instead"),
    ([], TypeError, "Expected bytes or unicode string, got list instead"),
    (b"x", ValueError, "bad value for isolation_level: 'x'"),
    ("", ValueError, "bad value for isolation_level: ''"),
    (0, ValueError, "isolation_level must be between 1 and 4"),
])
def test_isolation_level_errors(conn, value, exc, text):
    with pytest.raises(exc) as e:
        conn.isolation_level = value
    assert str(e.value) == text
    assert conn.isolation_level is None


@pytest.mark.parametrize("attr", ["readonly", "deferrable"])
def test_readonly_deferrable_spellings(conn, attr):
    setattr(conn, attr, True)
    setattr(conn, attr, b"Default")
    assert getattr(conn, attr) is None
    setattr(conn, attr, bytearray(b"x"))  # not a string: its truth value
    assert getattr(conn, attr) is True
    for bad in ("on", b"x", ""):
        with pytest.raises(ValueError) as e:
            setattr(conn, attr, bad)
        assert str(e.value) == (
            "the only string accepted is 'default'; got %s"
            % (bad.decode() if isinstance(bad, bytes) else bad))
    with pytest.raises(ValueError):
        conn.set_session(**{attr: "x"})
    assert getattr(conn, attr) is True


@pytest.mark.parametrize("attr, value", [
    ("readonly", True), ("deferrable", True), ("isolation_level", 2),
    ("autocommit", True),
])
def test_setters_in_transaction_name_set_session(conn, attr, value):
    conn.cursor().execute("select 1")
    with pytest.raises(psycopg2.ProgrammingError) as e:
        setattr(conn, attr, value)
    assert str(e.value) == "set_session cannot be used inside a transaction"


def test_autocommit_on_keeps_characteristics_for_begin(conn):
    # as psycopg2: turning autocommit on sends nothing; the characteristics
    # set before wait for the next BEGIN
    conn.set_session(isolation_level="serializable", readonly=True)
    conn.autocommit = True
    assert show(conn, "transaction_isolation") == "read committed"
    assert show(conn, "transaction_read_only") == "off"
    assert (conn.isolation_level, conn.readonly) == (3, True)
    conn.autocommit = False
    assert show(conn, "transaction_isolation") == "serializable"
    assert show(conn, "transaction_read_only") == "on"
    conn.rollback()


def test_autocommit_setters_send_what_they_set(conn):
    conn.autocommit = True
    conn.isolation_level = 2
    assert show(conn, "default_transaction_isolation") == "repeatable read"
    conn.readonly = True
    assert show(conn, "default_transaction_read_only") == "on"
    conn.readonly = None
    assert show(conn, "default_transaction_read_only") == "off"
    conn.set_session(isolation_level="default")
    assert show(conn, "default_transaction_isolation") == "read committed"


def test_set_isolation_level_zero_keeps_level(conn):
    conn.set_isolation_level(3)
    conn.set_isolation_level(0)
    assert conn.autocommit is True and conn.isolation_level == 3
    # autocommit: the level waits for the next BEGIN
    assert show(conn, "transaction_isolation") == "read committed"
    conn.autocommit = False
    assert show(conn, "transaction_isolation") == "serializable"
    conn.rollback()


@pytest.mark.parametrize("level", [2 ** 70, -(2 ** 70), 5, -1])
def test_set_isolation_level_out_of_range(conn, level):
    with pytest.raises(ValueError) as e:
        conn.set_isolation_level(level)
    assert str(e.value) == "isolation level must be between 0 and 4"


def test_serialization_failure_class(conn_factory):
    a, b = conn_factory(), conn_factory()
    setup = conn_factory()
    setup.autocommit = True
    setup.cursor().execute("drop table if exists tser; "
                           "create table tser (x int); "
                           "insert into tser values (1)")
    for c in (a, b):
        c.isolation_level = "serializable"
    ca, cb = a.cursor(), b.cursor()
    ca.execute("select * from tser")
    cb.execute("select * from tser")
    ca.execute("update tser set x = 2")
    a.commit()
    with pytest.raises(ext.TransactionRollbackError) as exc:
        cb.execute("update tser set x = 3")
    assert isinstance(exc.value, psycopg2.errors.SerializationFailure)
    b.rollback()
    setup.cursor().execute("drop table tser")


def test_transaction_applies_to_every_cursor(conn, conn_factory):
    c1, c2 = conn.cursor(), conn.cursor()
    c1.execute("create table if not exists tboth (x int)")
    conn.commit()
    c1.execute("insert into tboth values (1)")
    c2.execute("insert into tboth values (2)")
    conn.rollback()
    c1.execute("select count(*) from tboth")
    assert c1.fetchone() == (0,)
    c1.execute("drop table tboth")
    conn.commit()


def test_manual_commit_through_execute(conn):
    # as psycopg2: the status stays BEGIN, so no new BEGIN is sent until
    # commit() or rollback(); meanwhile each statement commits alone
    cur = conn.cursor()
    cur.execute("select 1")
    cur.execute("commit")
    assert conn.status == ext.STATUS_BEGIN
    assert conn.info.transaction_status == ext.TRANSACTION_STATUS_IDLE
    cur.execute("select 1")
    assert conn.status == ext.STATUS_BEGIN
    assert conn.info.transaction_status == ext.TRANSACTION_STATUS_IDLE
    conn.commit()
    assert conn.status == ext.STATUS_READY
    cur.execute("select 1")
    assert conn.info.transaction_status == ext.TRANSACTION_STATUS_INTRANS


@pytest.mark.parametrize("end", ["COMMIT", "ROLLBACK", "commit", "rollback"])
def test_sql_end_then_rollback_keeps_rows(conn, conn_factory, end):
    cur = conn.cursor()
    cur.execute("create table if not exists tsqlend (x int)")
    cur.execute("delete from tsqlend")
    conn.commit()
    cur.execute("insert into tsqlend values (1)")
    cur.execute(end)
    assert conn.status == ext.STATUS_BEGIN
    assert conn.info.transaction_status == ext.TRANSACTION_STATUS_IDLE
    # no transaction is open: this row commits by itself
    cur.execute("insert into tsqlend values (2)")
    assert conn.info.transaction_status == ext.TRANSACTION_STATUS_IDLE
    conn.rollback()
    assert conn.status == ext.STATUS_READY
    other = conn_factory()
    ocur = other.cursor()
    ocur.execute("select x from tsqlend order by x")
    kept = [(1,), (2,)] if end.lower() == "commit" else [(2,)]
    assert ocur.fetchall() == kept
    other.rollback()
    cur.execute("drop table tsqlend")
    conn.commit()


def test_sql_begin_in_autocommit_leaves_status(conn):
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("begin")
    assert conn.status == ext.STATUS_READY
    assert conn.info.transaction_status == ext.TRANSACTION_STATUS_INTRANS
    cur.execute("rollback")
    assert conn.info.transaction_status == ext.TRANSACTION_STATUS_IDLE


# ---- the implicit BEGIN does not show in errors or monitoring ----

@pytest.mark.parametrize("query, position, line", [
    ("select nosuchcol from pg_class", "8", "select nosuchcol from pg_class"),
    ("selec 1", "1", "selec 1"),
    ("select 1 +", "11", "select 1 +"),
])
def test_first_statement_error_has_no_begin(conn, query, position, line):
    cur = conn.cursor()
    assert conn.status == ext.STATUS_READY
    with pytest.raises(psycopg2.ProgrammingError) as exc:
        cur.execute(query)
    assert "BEGIN" not in exc.value.pgerror
    assert ("LINE 1: %s\n" % line) in exc.value.pgerror
    assert exc.value.diag.statement_position == position
    # the BEGIN ran: the transaction is open and failed, as in psycopg2
    assert conn.status == ext.STATUS_BEGIN
    assert conn.info.transaction_status == ext.TRANSACTION_STATUS_INERROR
    conn.rollback()


def test_first_statement_error_same_as_later_one(conn):
    cur = conn.cursor()
    with pytest.raises(psycopg2.errors.UndefinedColumn) as first:
        cur.execute("select nosuchcol from pg_class")
    conn.rollback()
    cur.execute("select 1")
    with pytest.raises(psycopg2.errors.UndefinedColumn) as later:
        cur.execute("select nosuchcol from pg_class")
    conn.rollback()
    assert first.value.pgerror == later.value.pgerror
    assert str(first.value) == str(later.value)


def test_pg_stat_activity_shows_the_query(conn, conn_factory):
    cur = conn.cursor()
    cur.execute("select 42 as begin_marker")
    assert conn.info.transaction_status == ext.TRANSACTION_STATUS_INTRANS
    other = conn_factory()
    ocur = other.cursor()
    ocur.execute("select query, state from pg_stat_activity where pid = %s",
                 (conn.info.backend_pid,))
    assert ocur.fetchone() == ("select 42 as begin_marker",
                               "idle in transaction")
    other.rollback()
    conn.rollback()


@pytest.mark.parametrize("level, shown", [
    (ext.ISOLATION_LEVEL_SERIALIZABLE, "serializable"),
    (ext.ISOLATION_LEVEL_REPEATABLE_READ, "repeatable read"),
])
def test_first_statement_runs_in_the_session_transaction(conn, level, shown):
    conn.set_session(isolation_level=level, readonly=True)
    cur = conn.cursor()
    cur.execute("select current_setting('transaction_isolation'), "
                "current_setting('transaction_read_only')")
    assert cur.fetchone() == (shown, "on")
    conn.rollback()


@pytest.mark.parametrize("query, rows", [
    ("select 1; select 2", [(2,)]),
    ("select 'a;b' as x", [("a;b",)]),
    ("select $$;$$ as x; ", [(";",)]),
    ("select 1 as a$b; select 3", [(3,)]),
    ("/* ; */ select 4 -- ;\n", [(4,)]),
])
def test_first_statement_kinds(conn, query, rows):
    cur = conn.cursor()
    cur.execute(query)
    assert cur.fetchall() == rows
    assert conn.status == ext.STATUS_BEGIN
    assert conn.info.transaction_status == ext.TRANSACTION_STATUS_INTRANS
    conn.rollback()


def test_multi_statement_error_position(conn):
    cur = conn.cursor()
    with pytest.raises(psycopg2.errors.SyntaxError) as exc:
        cur.execute("select 1; selec 2")
    assert exc.value.diag.statement_position == "11"
    assert "LINE 1: select 1; selec 2\n" in exc.value.pgerror
    assert conn.info.transaction_status == ext.TRANSACTION_STATUS_INERROR
    conn.rollback()


@pytest.mark.parametrize("query", ["", ";", "-- nothing\n"])
def test_first_statement_empty(conn, query):
    cur = conn.cursor()
    with pytest.raises(psycopg2.ProgrammingError) as exc:
        cur.execute(query)
    assert str(exc.value) == "can't execute an empty query"
    conn.rollback()


def test_first_statement_not_in_transaction_block(conn):
    cur = conn.cursor()
    with pytest.raises(psycopg2.errors.ActiveSqlTransaction):
        cur.execute("vacuum")
    assert conn.info.transaction_status == ext.TRANSACTION_STATUS_INERROR
    conn.rollback()


def test_first_statement_commit_leaves_status_begin(conn):
    cur = conn.cursor()
    cur.execute("commit")
    assert cur.statusmessage == "COMMIT"
    assert conn.status == ext.STATUS_BEGIN
    assert conn.info.transaction_status == ext.TRANSACTION_STATUS_IDLE
    conn.rollback()
    assert conn.status == ext.STATUS_READY


def test_first_statement_copy(conn):
    import io
    cur = conn.cursor()
    buf = io.StringIO()
    cur.copy_expert("copy (select 1, 'x') to stdout", buf)
    assert buf.getvalue() == "1\tx\n"
    assert conn.status == ext.STATUS_BEGIN
    assert conn.info.transaction_status == ext.TRANSACTION_STATUS_INTRANS
    conn.rollback()
