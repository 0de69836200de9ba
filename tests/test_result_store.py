"""Rows of a big result are read from the cursor's own compact copy
(result_store.c), the PGresult being freed after execute(); a small result
keeps its PGresult.  Either way, what a user fetches, scrolls and reads
through pgresult_ptr must be the same.  Every test runs with a few rows and
with enough rows (over 100,000 values) to be copied."""

import ctypes
import ctypes.util
import threading

import pytest

import psycopg2.extensions as ext

# rows per test: a small result, and one past the store's threshold
SIZES = pytest.mark.parametrize("n", [5, 40000], ids=["small", "big"])


@SIZES
def test_nulls_and_empty_strings(cursor, n):
    cursor.execute(
        "select null::text, ''::text, 'a'::text, null::int, 0, ''::text, null"
        " from generate_series(1, %s)",
        (n,),
    )
    assert cursor.fetchall() == [(None, "", "a", None, 0, "", None)] * n


@SIZES
def test_values_with_every_byte(cursor, n):
    cursor.execute(
        "select decode(string_agg(lpad(to_hex(i), 2, '0'), ''), 'hex')"
        " from generate_series(0, 255) i"
    )
    (b,) = cursor.fetchone()
    assert bytes(b) == bytes(range(256))
    cursor.execute(
        "select chr(i %% 300 + 1), i from generate_series(0, %s) i", (3 * n,)
    )
    assert cursor.fetchall() == [(chr(i % 300 + 1), i) for i in range(3 * n + 1)]


@SIZES
def test_wide_rows_beside_narrow_ones(cursor, n):
    # rows over 32 KB are stored with 32-bit offsets: mix both, with NULLs
    # after the big value
    cursor.execute(
        "select i, case when i %% 2 = 0 and i < 8 or i = %s"
        " then repeat('x', 40000 + i) end,"
        " null::text, 'end' || i from generate_series(1, %s) i",
        (n, n),
    )
    rows = cursor.fetchall()
    assert rows == [
        (
            i,
            "x" * (40000 + i) if (i % 2 == 0 and i < 8) or i == n else None,
            None,
            "end%d" % i,
        )
        for i in range(1, n + 1)
    ]
    # a value past 64 KB
    cursor.execute(
        "select case when i %% 10000 = 1 then repeat('y', 100000) end, null, ''"
        " from generate_series(1, %s) i",
        (n,),
    )
    assert cursor.fetchall() == [
        ("y" * 100000 if i % 10000 == 1 else None, None, "")
        for i in range(1, n + 1)
    ]


@SIZES
def test_many_columns(cursor, n):
    cols = ", ".join("null::int" if i % 3 == 0 else "%d" % i for i in range(100))
    rows = max(n // 10, 1)
    cursor.execute("select %s from generate_series(1, %d)" % (cols, rows))
    want = tuple(None if i % 3 == 0 else i for i in range(100))
    assert cursor.fetchall() == [want] * rows


def test_rows_without_columns(cursor):
    cursor.execute("select from generate_series(1, 3)")
    assert cursor.rowcount == 3
    assert cursor.fetchall() == [(), (), ()]


def test_empty_result(cursor):
    cursor.execute("select 1 where false")
    assert cursor.fetchall() == []
    assert cursor.description[0].name == "?column?"


@SIZES
def test_scroll_and_fetch_again(cursor, n):
    cursor.execute(
        "select i, i::text, null from generate_series(1, %s) i", (n + 45,)
    )
    first = cursor.fetchall()
    assert len(first) == n + 45
    cursor.scroll(0, "absolute")
    assert cursor.fetchall() == first
    cursor.scroll(-10)
    assert cursor.fetchmany(3) == first[-10:-7]
    assert cursor.fetchone() == first[-7]
    cursor.scroll(1, "absolute")
    assert cursor.fetchone() == (2, "2", None)


@SIZES
def test_description_and_status(cursor, n):
    cursor.execute(
        "select 1::int4 as a, 2.5::numeric(4,1) as b, 'x' as c"
        " from generate_series(1, %s)",
        (n,),
    )
    assert [c.name for c in cursor.description] == ["a", "b", "c"]
    assert cursor.description[0].type_code == 23
    assert cursor.description[1].precision == 4
    assert cursor.description[1].scale == 1
    assert cursor.statusmessage == "SELECT %d" % n
    assert cursor.rowcount == n


@SIZES
def test_python_caster_gets_the_text(conn, n):
    seen = []

    def cast(s, cur):
        seen.append(s)
        return s

    T = ext.new_type((25,), "TEXTSEEN", cast)
    cur = conn.cursor()
    ext.register_type(T, cur)
    cur.execute(
        "select (array['a', null, '', repeat('z', 50000), 'b'])"
        "[case when i = 3 then 4 when i %% 4 = 3 then 5 else i %% 4 + 1 end], i"
        " from generate_series(0, %s) i",
        (4 * n - 1,),
    )
    want = ["a", None, "", "b"] * n
    want[3] = "z" * 50000
    assert cur.fetchall() == [(w, i) for i, w in enumerate(want)]
    assert seen == want


@SIZES
def test_caster_error_raised_by_fetch(conn, n):
    def cast(s, cur):
        if s == "bad":
            raise ValueError("no thanks")
        return s

    T = ext.new_type((25,), "PICKY", cast)
    cur = conn.cursor()
    ext.register_type(T, cur)
    cur.execute(
        "select case when i = 2 then 'bad' else 'good' end, i"
        " from generate_series(1, %s) i",
        (n,),
    )
    assert cur.fetchone() == ("good", 1)
    with pytest.raises(ValueError):
        cur.fetchone()
    # as in psycopg2, the failed row is consumed: the fetch goes on after it
    assert cur.rownumber == 2
    rest = cur.fetchall()
    assert len(rest) == n - 2 and rest[0] == ("good", 3)
    cur.scroll(1, "absolute")  # back to it: it fails again
    with pytest.raises(ValueError):
        cur.fetchone()


def test_big_result_while_threads_run(conn):
    # the copy of a big result runs without the GIL; another thread keeps
    # running Python meanwhile
    stop = threading.Event()
    count = [0]

    def spin():
        while not stop.is_set():
            count[0] += 1

    t = threading.Thread(target=spin)
    t.start()
    try:
        cur = conn.cursor()
        cur.execute(
            "select i, i::text, case when i % 5 = 0 then null else i * 2 end"
            " from generate_series(1, 300000) i"
        )
    finally:
        stop.set()
        t.join()
    rows = cur.fetchall()
    assert len(rows) == 300000
    assert rows[0] == (1, "1", 2)
    assert rows[4] == (5, "5", None)
    assert rows[-1] == (300000, "300000", None)
    assert rows[123456] == (123457, "123457", 246914)


def test_named_cursor_chunks(conn):
    cur = conn.cursor("rs_named")
    cur.itersize = 7
    cur.execute("select i, null, i::text from generate_series(1, 30) i")
    assert list(cur) == [(i, None, str(i)) for i in range(1, 31)]
    cur.close()
    cur = conn.cursor("rs_named_big")
    cur.execute("select i, null, i::text from generate_series(1, 60000) i")
    assert cur.fetchmany(2) == [(1, None, "1"), (2, None, "2")]
    assert cur.fetchall()[-1] == (60000, None, "60000")
    cur.close()


def _libpq():
    name = ctypes.util.find_library("pq") or "libpq.so.5"
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        pytest.skip("libpq not loadable with ctypes")
    lib.PQntuples.argtypes = [ctypes.c_void_p]
    lib.PQnfields.argtypes = [ctypes.c_void_p]
    lib.PQresultStatus.argtypes = [ctypes.c_void_p]
    lib.PQgetvalue.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
    lib.PQgetvalue.restype = ctypes.c_char_p
    lib.PQgetlength.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
    lib.PQgetisnull.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
    lib.PQcmdStatus.argtypes = [ctypes.c_void_p]
    lib.PQcmdStatus.restype = ctypes.c_char_p
    lib.PQfname.argtypes = [ctypes.c_void_p, ctypes.c_int]
    lib.PQfname.restype = ctypes.c_char_p
    lib.PQftype.argtypes = [ctypes.c_void_p, ctypes.c_int]
    return lib


@SIZES
def test_pgresult_ptr_has_the_rows(cursor, n):
    pq = _libpq()
    assert cursor.pgresult_ptr is None
    cursor.execute(
        "select i as n, case when i = 2 then null else 'v' || i end as t,"
        " '' as e from generate_series(1, %s) i",
        (n,),
    )
    assert cursor.fetchone() == (1, "v1", "")
    ptr = cursor.pgresult_ptr
    assert isinstance(ptr, int)
    assert cursor.pgresult_ptr == ptr
    assert pq.PQresultStatus(ptr) == 2  # PGRES_TUPLES_OK
    assert pq.PQntuples(ptr) == n
    assert pq.PQnfields(ptr) == 3
    assert pq.PQfname(ptr, 1) == b"t"
    assert pq.PQftype(ptr, 0) == 23
    assert pq.PQcmdStatus(ptr) == b"SELECT %d" % n
    assert pq.PQgetvalue(ptr, 0, 1) == b"v1"
    assert pq.PQgetvalue(ptr, n - 1, 0) == b"%d" % n
    assert pq.PQgetisnull(ptr, 1, 1) == 1
    assert pq.PQgetisnull(ptr, 0, 2) == 0
    assert pq.PQgetlength(ptr, 0, 2) == 0
    # fetching goes on unchanged
    assert cursor.fetchmany(2) == [(2, None, ""), (3, "v3", "")]
    assert cursor.fetchall()[-1] == (n, "v%d" % n, "")


def test_pgresult_ptr_of_a_command(cursor):
    pq = _libpq()
    cursor.execute("create temp table rs_cmd (x int)")
    cursor.execute("insert into rs_cmd values (1), (2)")
    ptr = cursor.pgresult_ptr
    assert pq.PQresultStatus(ptr) == 1  # PGRES_COMMAND_OK
    assert pq.PQcmdStatus(ptr) == b"INSERT 0 2"
    cursor.close()
    assert cursor.pgresult_ptr is None


@SIZES
def test_result_outlives_encoding_change(conn, n):
    # the rows are decoded with the encoding they were sent in
    cur = conn.cursor()
    cur.execute("select 'é'::text, i from generate_series(1, %s) i", (n,))
    conn.set_client_encoding("LATIN1")
    rows = cur.fetchall()
    assert rows[0] == ("é", 1)
    assert rows[-1] == ("é", n)


def test_rows_of_atomic_values_are_not_gc_tracked(cursor):
    # untracked at once, as the collector would do at its first pass; a row
    # holding a container stays tracked, so cycles through it are collected
    import gc

    cursor.execute("select 1, 'a', 1.5, now(), null, true")
    (row,) = cursor.fetchall()
    assert not gc.is_tracked(row)
    cursor.execute("select 1, array[1, 2]")
    (row,) = cursor.fetchall()
    assert gc.is_tracked(row)
    row[1].append(row)  # a cycle through the row: collectable
    del row
    gc.collect()
