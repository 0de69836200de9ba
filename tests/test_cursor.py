"""The cursor object: execute, fetch, description, attributes."""

import datetime as dt
import decimal
import pickle

import pytest

import psycopg2
import psycopg2.errors
import psycopg2.extensions as ext


def test_attributes_before_execute(cursor, conn):
    assert cursor.description is None
    assert cursor.rowcount == -1
    assert cursor.rownumber == 0
    assert cursor.query is None
    assert cursor.statusmessage is None
    assert cursor.arraysize == 1
    assert cursor.itersize == 2000
    assert cursor.connection is conn
    assert cursor.name is None
    assert cursor.closed is False
    assert cursor.row_factory is None
    assert cursor.lastrowid == 0
    assert cursor.pgresult_ptr is None
    assert repr(cursor).startswith("<cursor object at 0x")


def test_fetch_without_results(cursor):
    with pytest.raises(psycopg2.ProgrammingError) as exc:
        cursor.fetchone()
    assert str(exc.value) == "no results to fetch"
    cursor.execute("create temp table tnr (x int)")
    for meth in (cursor.fetchone, cursor.fetchall, cursor.fetchmany):
        with pytest.raises(psycopg2.ProgrammingError):
            meth()


def test_fetchone_fetchmany_fetchall(cursor):
    cursor.execute("select generate_series(1, 10)")
    assert cursor.rowcount == 10
    assert cursor.fetchone() == (1,)
    assert cursor.rownumber == 1
    assert cursor.fetchmany() == [(2,)]
    assert cursor.fetchmany(3) == [(3,), (4,), (5,)]
    cursor.arraysize = 2
    assert cursor.fetchmany() == [(6,), (7,)]
    assert cursor.fetchall() == [(8,), (9,), (10,)]
    assert cursor.fetchone() is None
    assert cursor.fetchmany(5) == []
    assert cursor.fetchall() == []


def test_fetchmany_negative_is_rest(cursor):
    cursor.execute("select generate_series(1, 5)")
    cursor.fetchone()
    assert cursor.fetchmany(-1) == [(2,), (3,), (4,), (5,)]


def test_iteration(cursor):
    cursor.execute("select generate_series(1, 4)")
    assert iter(cursor) is cursor
    assert [r[0] for r in cursor] == [1, 2, 3, 4]
    with pytest.raises(StopIteration):
        next(cursor)


def test_scroll(cursor):
    cursor.execute("select generate_series(0, 9)")
    cursor.scroll(5)
    assert cursor.fetchone() == (5,)
    cursor.scroll(-3)
    assert cursor.fetchone() == (3,)
    cursor.scroll(9, mode="absolute")
    assert cursor.fetchone() == (9,)
    cursor.scroll(0, "absolute")
    assert cursor.rownumber == 0
    with pytest.raises(psycopg2.ProgrammingError) as exc:
        cursor.scroll(10, "absolute")
    assert "out of bounds" in str(exc.value)
    assert cursor.rownumber == 0
    with pytest.raises(psycopg2.ProgrammingError):
        cursor.scroll(-1)
    with pytest.raises(psycopg2.ProgrammingError):
        cursor.scroll(1, "sideways")


def test_description(cursor):
    cursor.execute("create temp table tdesc (id int4 primary key, "
                   "n numeric(10, 3), s varchar(20), t text)")
    cursor.execute("select id, n, s, t, 1::int8 as x from tdesc")
    d = cursor.description
    assert isinstance(d, tuple) and len(d) == 5
    col = d[0]
    assert isinstance(col, ext.Column)
    assert col.name == "id" and col[0] == "id"
    assert col.type_code == 23
    assert col.display_size is None
    assert col.internal_size == 4
    assert col.null_ok is None
    assert col.precision is None and col.scale is None
    assert isinstance(col.table_oid, int)
    assert col.table_column == 1
    assert len(col) == 7
    name, type_code, *_ = col
    assert (name, type_code) == ("id", 23)
    assert d[1].type_code == 1700
    assert (d[1].precision, d[1].scale) == (10, 3)
    assert d[2].internal_size == 20
    assert d[3].internal_size < 0
    assert d[4].table_oid is None and d[4].table_column is None
    assert col == ("id", 23, None, 4, None, None, None)
    assert repr(col) == "Column(name='id', type_code=23)"
    col2 = pickle.loads(pickle.dumps(col))
    assert col2 == col and col2.table_oid == col.table_oid


def test_description_none_for_commands(cursor):
    cursor.execute("select 1")
    assert cursor.description is not None
    cursor.execute("create temp table tdn (x int)")
    assert cursor.description is None


def test_rowcount_and_statusmessage(cursor):
    cursor.execute("create temp table trc (x int)")
    assert cursor.rowcount == -1
    assert cursor.statusmessage == "CREATE TABLE"
    cursor.execute("insert into trc select generate_series(1, 3)")
    assert cursor.rowcount == 3
    assert cursor.statusmessage == "INSERT 0 3"
    cursor.execute("update trc set x = x + 1 where x > 1")
    assert cursor.rowcount == 2
    assert cursor.statusmessage == "UPDATE 2"
    cursor.execute("select * from trc")
    assert cursor.rowcount == 3
    assert cursor.statusmessage == "SELECT 3"
    cursor.execute("delete from trc")
    assert cursor.rowcount == 3
    cursor.execute("set timezone to 'UTC'")
    assert cursor.rowcount == -1


def test_query_attribute(cursor):
    cursor.execute("select %s, %(x)s" if False else "select %s, %s",
                   (1, "a'b"))
    assert cursor.query == b"select 1, 'a''b'"
    cursor.execute("select 'verbatim %%'")
    assert cursor.query == b"select 'verbatim %%'"
    with pytest.raises(psycopg2.Error):
        cursor.execute("select nonsense_column")
    assert cursor.query == b"select nonsense_column"


def test_mogrify(cursor):
    assert cursor.mogrify("select %s, %s", (1, None)) == b"select 1, NULL"
    assert cursor.mogrify("select %(a)s, %(a)s", {"a": "x"}) == \
        b"select 'x', 'x'"
    assert cursor.mogrify("select 1 %% 2") == b"select 1 %% 2"
    assert cursor.mogrify("select 1 %% 2", ()) == b"select 1 % 2"
    assert cursor.mogrify(b"select %s", [b"\x00"]).startswith(b"select '\\x")


def test_percent_rules(cursor):
    cursor.execute("select 10 % 3")
    assert cursor.fetchone() == (1,)
    cursor.execute("select 10 %% 3, %s", (5,))
    assert cursor.fetchone() == (1, 5)


def test_parameter_errors(cursor):
    # the classes of psycopg2 2.9
    with pytest.raises(IndexError):
        cursor.execute("select %s, %s", (1,))
    with pytest.raises(TypeError) as exc:
        cursor.execute("select %s", (1, 2))
    assert "not all arguments converted" in str(exc.value)
    with pytest.raises(psycopg2.ProgrammingError) as exc:
        cursor.execute("select %(x)s, %s", {"x": 1})
    assert "argument formats can't be mixed" in str(exc.value)
    with pytest.raises(KeyError):
        cursor.execute("select %(x)s", {"y": 1})
    with pytest.raises(ValueError):
        cursor.execute("select %d", (1,))
    with pytest.raises(TypeError):
        cursor.execute("select %s", 42)
    with pytest.raises(psycopg2.ProgrammingError):
        cursor.execute("select %(x", {"x": 1})
    # a bare string is a sequence of characters (psycopg2's TypeError)
    with pytest.raises(TypeError):
        cursor.execute("select %s", "ab")


def test_empty_query(cursor):
    with pytest.raises(psycopg2.ProgrammingError) as exc:
        cursor.execute("")
    assert str(exc.value) == "can't execute an empty query"
    with pytest.raises(psycopg2.ProgrammingError):
        cursor.execute("   ")


def test_query_type(cursor):
    with pytest.raises(TypeError):
        cursor.execute(42)
    cursor.execute(b"select 'bytes query'")
    assert cursor.fetchone() == ("bytes query",)


def test_nul_in_string(cursor):
    with pytest.raises(ValueError):
        cursor.execute("select %s", ("a\x00b",))


def test_unadaptable(cursor):
    with pytest.raises(psycopg2.ProgrammingError) as exc:
        cursor.execute("select %s", (object(),))
    assert "can't adapt type 'object'" in str(exc.value)
    with pytest.raises(psycopg2.ProgrammingError) as exc:
        cursor.execute("select %s", ({1, 2},))
    assert "can't adapt type 'set'" in str(exc.value)


def test_multiple_statements_last_wins(cursor):
    cursor.execute("select 1; select 2, 3; create temp table tms (x int)")
    assert cursor.description is None
    cursor.execute("create temp table tms2 (x int); insert into tms2 "
                   "values (1), (2); select * from tms2")
    assert cursor.fetchall() == [(1,), (2,)]
    assert cursor.statusmessage == "SELECT 2"


def test_values_in(cursor):
    cursor.execute(
        "select %s, %s, %s, %s, %s, %s, %s, %s, %s",
        (None, True, False, 42, -7, 10 ** 20, 1.5, decimal.Decimal("1.10"),
         "text"))
    assert cursor.fetchone() == (None, True, False, 42, -7, 10 ** 20, 1.5,
                                 decimal.Decimal("1.10"), "text")


def test_special_floats_and_decimals(cursor):
    cursor.execute("select %s, %s, %s", (float("inf"), float("-inf"),
                                         float("nan")))
    a, b, c = cursor.fetchone()
    assert a == float("inf") and b == float("-inf") and c != c
    cursor.execute("select %s, %s", (decimal.Decimal("NaN"),
                                     decimal.Decimal("-3.5")))
    a, b = cursor.fetchone()
    assert a.is_nan() and b == decimal.Decimal("-3.5")


def test_binary_values(cursor):
    for v in (b"\x00\xff", bytearray(b"abc"), memoryview(b"xyz")):
        cursor.execute("select %s", (v,))
        r = cursor.fetchone()[0]
        assert isinstance(r, memoryview)
        assert bytes(r) == bytes(v)


def test_datetime_values(cursor):
    tz = dt.timezone(dt.timedelta(hours=2))
    vals = (dt.date(2020, 1, 2), dt.time(3, 4, 5, 6),
            dt.datetime(2020, 1, 2, 3, 4, 5, 6),
            dt.datetime(2020, 1, 2, 3, 4, 5, 6, tzinfo=tz),
            dt.timedelta(days=3, seconds=5, microseconds=7))
    cursor.execute("select %s, %s, %s, %s, %s", vals)
    r = cursor.fetchone()
    assert r[:3] == vals[:3]
    assert r[3] == vals[3]
    assert r[3].tzinfo is not None
    assert r[4] == vals[4]


def test_list_and_tuple(cursor):
    cursor.execute("select %s", ([1, 2, None],))
    assert cursor.fetchone() == ([1, 2, None],)
    cursor.execute("select %s", (["a", "b'c"],))
    assert cursor.fetchone() == (["a", "b'c"],)
    cursor.execute("select 2 in %s, 5 in %s", ((1, 2, 3), (1, 2)))
    assert cursor.fetchone() == (True, False)


def test_result_types(cursor):
    cursor.execute("""select 1::int2, 2::int4, 3::int8, 4::oid,
        1.5::float4, 2.5::float8, 3.5::numeric, 'a'::text, 'b'::varchar,
        'c'::char(3), 'd'::name, 'e'::"char", true, 'x'::bytea,
        '2020-01-02'::date, '03:04'::time, '2020-01-02 03:04'::timestamp,
        '2020-01-02 03:04+00'::timestamptz, '1 day'::interval,
        array[1,2]::int4[], array['a','b']::text[], array[1.5]::float8[],
        array[true]::bool[]""")
    r = cursor.fetchone()
    expected = (1, 2, 3, 4, 1.5, 2.5, decimal.Decimal("3.5"), "a", "b",
                "c  ", "d", "e", True)
    assert r[:13] == expected
    assert bytes(r[13]) == b"x"
    assert r[14] == dt.date(2020, 1, 2)
    assert r[15] == dt.time(3, 4)
    assert r[16] == dt.datetime(2020, 1, 2, 3, 4)
    assert r[17] == dt.datetime(2020, 1, 2, 3, 4, tzinfo=dt.timezone.utc)
    assert r[18] == dt.timedelta(days=1)
    assert r[19:] == ([1, 2], ["a", "b"], [1.5], [True])


def test_null_everywhere(cursor):
    cursor.execute("select null::int, null::text, null::date, "
                   "array[null, 1]::int[]")
    assert cursor.fetchone() == (None, None, None, [None, 1])


def test_executemany(cursor):
    cursor.execute("create temp table tem (x int, y text)")
    cursor.executemany("insert into tem values (%s, %s)",
                       [(1, "a"), (2, "b"), (3, "c")])
    assert cursor.rowcount == 3
    cursor.executemany("insert into tem values (%(x)s, %(y)s)",
                       iter([{"x": 4, "y": "d"}]))
    assert cursor.rowcount == 1
    cursor.execute("select count(*) from tem")
    assert cursor.fetchone() == (4,)
    cursor.executemany("insert into tem values (%s, %s)", [])
    assert cursor.rowcount == 0
    with pytest.raises(psycopg2.ProgrammingError):
        cursor.fetchone()


def test_executemany_stops_at_error(cursor):
    cursor.execute("create temp table tem2 (x int primary key)")
    with pytest.raises(psycopg2.errors.UniqueViolation):
        cursor.executemany("insert into tem2 values (%s)", [(1,), (1,), (2,)])
    cursor.connection.rollback()


def test_callproc(cursor):
    cursor.execute("""create function pg_temp.addone(a int, b int default 1)
        returns int language sql as 'select a + b'""")
    params = (41,)
    assert cursor.callproc("pg_temp.addone", params) is params
    assert cursor.fetchone() == (42,)
    assert cursor.callproc("pg_temp.addone", {"a": 1, "b": 2}) is None
    assert cursor.fetchone() == (3,)
    cursor.callproc("now")
    assert isinstance(cursor.fetchone()[0], dt.datetime)


def test_cast(cursor):
    assert cursor.cast(23, "42") == 42
    assert cursor.cast(1700, "1.5") == decimal.Decimal("1.5")
    assert cursor.cast(1082, "2020-01-02") == dt.date(2020, 1, 2)
    assert cursor.cast(25, None) is None
    assert cursor.cast(99999, "unknown type") == "unknown type"


def test_tzinfo_factory(cursor):
    cursor.execute("select '2020-01-02 03:04:05+05:30'::timestamptz")
    v = cursor.fetchone()[0]
    assert v.utcoffset() is not None
    cursor.tzinfo_factory = None
    cursor.execute("select '2020-01-02 03:04:05+00'::timestamptz")
    assert cursor.fetchone()[0].tzinfo is None


def test_row_factory(cursor):
    class Row(dict):
        def __init__(self, cur):
            self.names = [d.name for d in cur.description]

        def __setitem__(self, i, v):
            dict.__setitem__(self, self.names[i], v)

    cursor.row_factory = Row
    cursor.execute("select 1 as a, 'x' as b")
    assert cursor.fetchone() == {"a": 1, "b": "x"}


def test_close_and_context_manager(conn):
    with conn.cursor() as cur:
        cur.execute("select 1")
        assert cur.closed is False
    assert cur.closed is True
    cur.close()  # idempotent
    with pytest.raises(psycopg2.InterfaceError) as exc:
        cur.execute("select 1")
    assert str(exc.value) == "cursor already closed"
    with pytest.raises(psycopg2.InterfaceError):
        cur.fetchone()
    assert conn.status == ext.STATUS_BEGIN  # transaction state untouched


def test_noop_methods(cursor):
    assert cursor.setinputsizes([1, 2]) is None
    assert cursor.setoutputsize(100) is None
    assert cursor.setoutputsize(100, 1) is None
    with pytest.raises(psycopg2.NotSupportedError) as exc:
        cursor.nextset()
    assert str(exc.value) == "not supported by PostgreSQL"
    cursor.close()
    with pytest.raises(psycopg2.InterfaceError):
        cursor.setinputsizes([1])


def test_lastrowid(cursor):
    cursor.execute("create temp table tlr (x int)")
    cursor.execute("insert into tlr values (1)")
    assert cursor.lastrowid == 0


def test_error_carries_cursor(cursor):
    with pytest.raises(psycopg2.errors.DivisionByZero) as exc:
        cursor.execute("select 1/0")
    e = exc.value
    assert e.cursor is cursor
    assert e.pgcode == "22012"
    assert e.pgerror.startswith("ERROR:  division by zero")
    assert str(e).startswith("division by zero")
    assert e.diag.sqlstate == "22012"
    assert e.diag.severity == "ERROR"
    assert e.diag.message_primary == "division by zero"
    assert e.diag is not e.diag  # fresh object each time


def test_subclass_cursor(conn):
    class MyCursor(ext.cursor):
        def execute(self, query, vars=None):
            self.last = query
            return super().execute(query, vars)

    cur = conn.cursor(cursor_factory=MyCursor)
    cur.execute("select %s", (1,))
    assert cur.last == "select %s"
    assert cur.fetchone() == (1,)
    cur.extra = "attrs allowed"


def test_with_calls_overridden_close(conn):
    # as psycopg2: __exit__ looks close() up on the object
    calls = []

    class Cur(ext.cursor):
        def close(self):
            calls.append("close")
            super().close()

    with conn.cursor(cursor_factory=Cur) as cur:
        cur.execute("select 1")
    assert calls == ["close"]
    assert cur.closed
