"""Bad input everywhere: wrong types, NUL bytes, huge values, invalid
UTF-8 from a SQL_ASCII database, closed objects, callbacks that raise.
Every case must end in a clear exception (or a correct result), never a
crash."""

import gc
import io

import pytest

import psycopg2
import psycopg2.errors
import psycopg2.extensions as ext
import psycopg2.extras

WRONG = [None, 1, 1.5, b"bytes", "str", [], (), {}, object(), -1, 2**70,
         "x" * 10000, "\x00", ext]


def call_all(func, args_list, ok=(TypeError, ValueError, OverflowError,
                                  psycopg2.Error, KeyError, IndexError,
                                  AttributeError, UnicodeError)):
    for args in args_list:
        try:
            func(*args)
        except ok:
            pass


# -- wrong types -----------------------------------------------------------------


def test_connect_wrong_types():
    call_all(psycopg2.connect, [(w,) for w in WRONG])
    call_all(lambda **kw: psycopg2.connect(**kw),
             [()] + [({"dsn": w},) for w in WRONG][:0])
    for w in WRONG:
        try:
            psycopg2.connect("dbname=x", connection_factory=w)
        except Exception:
            pass
        try:
            psycopg2.connect("dbname=x", cursor_factory=w, connect_timeout=1,
                             host="127.0.0.1", port=1)
        except Exception:
            pass


def test_cursor_methods_wrong_types(conn):
    cur = conn.cursor()
    for w in WRONG:
        call_all(cur.execute, [(w,), ("SELECT %s", w), ("SELECT 1", w)])
        call_all(cur.executemany, [(w, w), ("SELECT %s", w), ("SELECT %s", [w])])
        call_all(cur.mogrify, [(w,), ("SELECT %s", w)])
        call_all(cur.fetchmany, [(w,)])
        call_all(cur.scroll, [(w,), (0, w)])
        call_all(cur.callproc, [(w,), ("now", w)])
        call_all(cur.copy_from, [(w, "t"), (io.StringIO(""), w)])
        call_all(cur.copy_to, [(w, "t"), (io.StringIO(), w)])
        call_all(cur.copy_expert, [(w, io.StringIO()), ("COPY x TO STDOUT", w)])
        call_all(cur.setinputsizes, [(w,)])
        call_all(cur.setoutputsize, [(w,), (w, w)])
        for attr in ("arraysize", "itersize", "tzinfo_factory", "row_factory"):
            try:
                setattr(cur, attr, w)
            except (TypeError, ValueError, AttributeError, OverflowError):
                pass
        conn.rollback()
    cur = conn.cursor()
    cur.execute("SELECT 1")
    assert cur.fetchall() == [(1,)]


def test_connection_methods_wrong_types(conn):
    for w in WRONG:
        call_all(conn.cursor, [(w,), (None, w)])
        call_all(conn.set_session, [(w,), (None, w), (None, None, w)])
        call_all(conn.set_isolation_level, [(w,)])
        call_all(conn.set_client_encoding, [(w,)])
        call_all(conn.get_parameter_status, [(w,)])
        call_all(conn.lobject, [(w,), (0, w)])
        call_all(conn.xid, [(w, "a", "b"), (1, w, "b")])
        call_all(conn.tpc_begin, [(w,)])
        for attr in ("autocommit", "isolation_level", "readonly",
                     "deferrable", "cursor_factory"):
            try:
                setattr(conn, attr, w)
            except (TypeError, ValueError, AttributeError, OverflowError,
                    psycopg2.Error):
                pass
        try:
            # tpc_begin("str") succeeds (as in psycopg2) when idle.
            conn.tpc_rollback()
        except psycopg2.ProgrammingError:
            conn.rollback()
    conn.cursor_factory = None
    conn.reset()
    conn.cursor().execute("SELECT 1")


def test_module_functions_wrong_types(conn):
    for w in WRONG:
        call_all(ext.parse_dsn, [(w,)])
        call_all(ext.make_dsn, [(w,)])
        call_all(ext.quote_ident, [(w, conn), ("x", w)])
        call_all(ext.adapt, [(w,), (w, w)])
        call_all(ext.register_adapter, [(w, w)])
        call_all(ext.new_type, [(w, "N"), ((1,), w), ((1,), "N", w)])
        call_all(ext.new_array_type, [(w, "N", ext.INTEGER), ((1,), "N", w)])
        call_all(ext.register_type, [(w,), (ext.INTEGER, w)])
        call_all(ext.encrypt_password, [(w, "u"), ("p", w), ("p", "u", w),
                                        ("p", "u", None, w)])
        call_all(ext.set_wait_callback, [(w,)])
        for caster in (ext.INTEGER, ext.DATE, ext.INTEGERARRAY, ext.BINARY):
            call_all(caster, [(w,), (w, None), ("1", w)])
        call_all(ext.Binary, [(w,)])
        call_all(ext.QuotedString, [(w,)])
        call_all(lambda x: ext.QuotedString("a").prepare(x), [(w,)])
        call_all(ext.Xid.from_string, [(w,)])
        call_all(ext.Notify, [(w, w), (1, "c", w)])
    ext.set_wait_callback(None)


# -- NUL bytes -------------------------------------------------------------------


def test_nul_bytes(conn):
    cur = conn.cursor()
    with pytest.raises(ValueError):
        cur.execute("SELECT %s", ("a\x00b",))
    conn.rollback()
    with pytest.raises(ValueError):
        cur.execute("SELECT 1\x00; SELECT 2")
    conn.rollback()
    for bad in ("dbname=x\x00y", "host=\x00"):
        with pytest.raises((ValueError, psycopg2.Error)):
            psycopg2.connect(bad)
    with pytest.raises((ValueError, psycopg2.Error)):
        ext.parse_dsn("dbname=a\x00b")
    # in bytea it is just a byte
    cur.execute("SELECT %s", (b"a\x00b",))
    assert bytes(cur.fetchone()[0]) == b"a\x00b"
    # NUL in identifiers, names, channels
    with pytest.raises((ValueError, psycopg2.Error)):
        ext.quote_ident("a\x00b", conn)
    conn.rollback()
    cur.execute("SELECT 1")


# -- huge values -----------------------------------------------------------------

HUGE = 100 * 1024 * 1024


@pytest.mark.slow
def test_huge_text_roundtrip(conn):
    cur = conn.cursor()
    value = "x" * HUGE + "é"
    cur.execute("SELECT length(%s), %s", (value, value))
    n, back = cur.fetchone()
    assert n == HUGE + 1 and back == value
    del value, back
    gc.collect()


@pytest.mark.slow
def test_huge_bytea_roundtrip(conn):
    cur = conn.cursor()
    value = bytes(range(256)) * (HUGE // 256)
    cur.execute("SELECT length(%s), %s", (value, value))
    n, back = cur.fetchone()
    assert n == len(value) and bytes(back) == value
    del value, back
    gc.collect()


def test_too_large_for_server(conn):
    """Past the server's 1 GB limit: a clean error."""
    cur = conn.cursor()
    with pytest.raises((psycopg2.Error, MemoryError, OverflowError)):
        cur.execute("SELECT repeat('x', 1024 * 1024 * 1024 + 1)")
    conn.rollback()
    cur.execute("SELECT 1")


def test_huge_numbers(conn):
    cur = conn.cursor()
    cur.execute("SELECT %s", (10**1000,))
    assert cur.fetchone()[0] == 10**1000
    with pytest.raises(psycopg2.Error):
        cur.execute("SELECT %s::int", (2**40,))
    conn.rollback()
    for bad in ("1e400", "-1e400"):
        with pytest.raises(psycopg2.DataError):
            cur.execute("SELECT %s::float8", (bad,))
        conn.rollback()
    cur.execute("SELECT 'Infinity'::float8")
    with pytest.raises((ValueError, OverflowError, psycopg2.Error)):
        cur.fetchmany(2**70)
    with pytest.raises((ValueError, OverflowError, psycopg2.Error, TypeError)):
        cur.scroll(2**70)
    conn.rollback()


# -- invalid UTF-8 from a SQL_ASCII database --------------------------------------


@pytest.fixture(scope="module")
def sqlascii_dsn(dsn):
    admin = psycopg2.connect(dsn)
    admin.autocommit = True
    cur = admin.cursor()
    cur.execute("DROP DATABASE IF EXISTS psycopg2_sqlascii")
    cur.execute("CREATE DATABASE psycopg2_sqlascii ENCODING 'SQL_ASCII' "
                "LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0")
    params = ext.parse_dsn(dsn)
    params["dbname"] = "psycopg2_sqlascii"
    yield ext.make_dsn(**params)
    cur.execute("DROP DATABASE IF EXISTS psycopg2_sqlascii")
    admin.close()


def test_invalid_utf8_from_sql_ascii(sqlascii_dsn):
    conn = psycopg2.connect(sqlascii_dsn)
    try:
        cur = conn.cursor()
        cur.execute("CREATE TABLE bad (t text, a text[])")
        cur.execute(r"INSERT INTO bad VALUES (E'\xff\xfe ok \xc3', "
                    r"E'{\"\\xff\",ok}')".replace("\\\\xff", "\xff")
                    if False else
                    "INSERT INTO bad VALUES (convert_from('\\xfffe206f6b20c3', "
                    "'SQL_ASCII'), ARRAY[convert_from('\\xff', 'SQL_ASCII'), "
                    "'ok'])")
        conn.commit()
        assert conn.encoding == "SQLASCII"  # as psycopg2 spells it
        cur.execute("SELECT t, a FROM bad")
        try:
            row = cur.fetchone()
        except (UnicodeDecodeError, psycopg2.DataError):
            row = None
        if row is not None:
            # decoded as bytes-preserving text: what was stored comes back
            t, a = row
            assert isinstance(t, str) and isinstance(a, list)
        conn.rollback()
        # under UTF8 the server refuses to convert: a clean error
        conn.set_client_encoding("UTF8")
        with pytest.raises(psycopg2.Error):
            cur.execute("SELECT t FROM bad")
            cur.fetchall()
        conn.rollback()
        # bytes in, bytes out, with a bytes typecaster
        ext.register_type(ext.BYTES, cur)
        ext.register_type(ext.BYTESARRAY, cur)
        conn.set_client_encoding("SQL_ASCII")
        cur.execute("SELECT t, a FROM bad")
        assert cur.fetchone() == (b"\xff\xfe ok \xc3", [b"\xff", b"ok"])
        # named cursor, COPY
        named = conn.cursor("bad_named")
        named.execute("SELECT t FROM bad")
        try:
            named.fetchall()
        except (UnicodeDecodeError, psycopg2.Error):
            pass
        conn.rollback()
        out = io.BytesIO()
        cur.copy_expert("COPY bad (t) TO STDOUT", out)
        assert out.getvalue().startswith(b"\xff\xfe ok \xc3")
        out = io.StringIO()
        try:
            cur.copy_expert("COPY bad (t) TO STDOUT", out)
        except (UnicodeDecodeError, psycopg2.Error):
            pass
        conn.rollback()
        cur.execute("SELECT 1")
    finally:
        conn.close()


# -- closed objects --------------------------------------------------------------


def test_closed_connection_everywhere(dsn):
    conn = psycopg2.connect(dsn)
    cur = conn.cursor()
    named = conn.cursor("n")
    conn.close()
    calls = [
        lambda: conn.cursor(), lambda: conn.commit(), lambda: conn.rollback(),
        lambda: conn.cancel(), lambda: conn.reset(),
        lambda: conn.set_session(readonly=True),
        lambda: conn.set_client_encoding("UTF8"),
        lambda: conn.get_transaction_status(),
        lambda: conn.get_parameter_status("x"),
        lambda: conn.get_backend_pid(), lambda: conn.lobject(),
        lambda: conn.tpc_begin(conn.xid(1, "a", "b")),
        lambda: conn.poll(), lambda: conn.fileno(),
        lambda: cur.execute("SELECT 1"), lambda: cur.fetchone(),
        lambda: cur.copy_expert("COPY x TO STDOUT", io.StringIO()),
        lambda: named.execute("SELECT 1"), lambda: ext.quote_ident("x", conn),
        lambda: ext.encrypt_password("p", "u", conn),
        lambda: conn.info.server_version, lambda: conn.info.ssl_in_use,
        lambda: setattr(conn, "autocommit", True),
    ]
    for call in calls:
        try:
            call()
        except (psycopg2.InterfaceError, psycopg2.OperationalError,
                psycopg2.ProgrammingError):
            pass
    conn.close()
    cur.close()
    named.close()
    repr(conn), repr(cur), conn.closed, conn.dsn


def test_closed_cursor_and_lobject(conn):
    cur = conn.cursor()
    cur.close()
    for call in (lambda: cur.execute("SELECT 1"), cur.fetchone, cur.fetchall,
                 lambda: cur.fetchmany(1), lambda: cur.scroll(0),
                 lambda: next(iter(cur))):
        with pytest.raises((psycopg2.InterfaceError, psycopg2.ProgrammingError)):
            call()
    # as psycopg2 2.9: mogrify sends nothing, it works on a closed cursor
    assert cur.mogrify("select %s", (1,)) == b"select 1"
    lo = conn.lobject(0, "wb")
    lo.close()
    for call in (lambda: lo.read(), lambda: lo.write(b"x"), lo.tell,
                 lambda: lo.seek(0), lambda: lo.truncate()):
        with pytest.raises(psycopg2.InterfaceError):
            call()
    lo.close()
    conn.rollback()


def test_uninitialised_objects():
    """Objects made with __new__ and no __init__: errors, not crashes."""
    for tp in (ext.connection, ext.cursor, ext.lobject):
        try:
            obj = tp.__new__(tp)
        except TypeError:
            continue
        for name in dir(obj):
            if name.startswith("__"):
                continue
            try:
                attr = getattr(obj, name)
                if callable(attr):
                    attr()
            except Exception:
                pass
        assert "object at" in repr(obj)
        del obj
        gc.collect()


# -- callbacks that raise and reentrancy -----------------------------------------


def test_typecaster_raises(conn):
    cur = conn.cursor()

    def bad(value, cur):
        raise RuntimeError("caster says no")

    t = ext.new_type((23,), "BAD", bad)
    ext.register_type(t, cur)
    cur.execute("SELECT 1::int4, 2::int4")
    with pytest.raises(RuntimeError):
        cur.fetchone()
    cur.execute("SELECT 'x'::text")
    assert cur.fetchone() == ("x",)


def test_typecaster_reentrant(conn):
    """A caster that uses the same connection and cursor while a row is
    being built."""
    cur = conn.cursor()
    other = conn.cursor()

    def nested(value, c):
        if value is None:
            return None
        other.execute("SELECT %s::int * 2", (value,))
        return other.fetchone()[0]

    t = ext.new_type((23,), "NESTED", nested)
    ext.register_type(t, cur)
    cur.execute("SELECT g::int4 FROM generate_series(1, 5) g")
    assert [r[0] for r in cur.fetchall()] == [2, 4, 6, 8, 10]

    def same_cursor(value, c):
        c.execute("SELECT 1")  # the cursor whose rows are being cast
        return value

    t2 = ext.new_type((25,), "SAME", same_cursor)
    ext.register_type(t2, cur)
    cur.execute("SELECT 'a'::text, 'b'::text FROM generate_series(1, 3)")
    try:
        cur.fetchall()
    except (psycopg2.Error, RuntimeError):
        pass
    conn.rollback()

    def closer(value, c):
        c.close()
        return value

    t3 = ext.new_type((25,), "CLOSER", closer)
    cur2 = conn.cursor()
    ext.register_type(t3, cur2)
    cur2.execute("SELECT 'a'::text, 'b'::text FROM generate_series(1, 3)")
    try:
        cur2.fetchall()
    except psycopg2.Error:
        pass
    conn.rollback()

    def conn_closer(value, c):
        c.connection.close()
        return value

    t4 = ext.new_type((25,), "CONNCLOSER", conn_closer)
    cur3 = conn.cursor()
    ext.register_type(t4, cur3)
    cur3.execute("SELECT 'a'::text FROM generate_series(1, 3)")
    try:
        cur3.fetchall()
    except psycopg2.Error:
        pass
    assert conn.closed


def test_adapter_raises_and_reenters(conn):
    class Boom:
        pass

    class Reenter:
        pass

    def adapt_boom(obj):
        raise ZeroDivisionError("adapter")

    def adapt_reenter(obj):
        c = conn.cursor()
        c.execute("SELECT 41 + 1")
        return ext.AsIs(str(c.fetchone()[0]))

    ext.register_adapter(Boom, adapt_boom)
    ext.register_adapter(Reenter, adapt_reenter)
    try:
        cur = conn.cursor()
        with pytest.raises(ZeroDivisionError):
            cur.execute("SELECT %s", (Boom(),))
        cur.execute("SELECT %s", (Reenter(),))
        assert cur.fetchone() == (42,)

        class BadQuote:
            def getquoted(self):
                return 42  # not bytes

        class Conform:
            def __conform__(self, proto):
                return BadQuote()

        with pytest.raises((TypeError, psycopg2.Error)):
            cur.execute("SELECT %s", (Conform(),))
    finally:
        del ext.adapters[(Boom, ext.ISQLQuote)]
        del ext.adapters[(Reenter, ext.ISQLQuote)]
    conn.rollback()


def test_wait_callback_raises(dsn):
    calls = []

    def bad_wait(conn):
        calls.append(1)
        raise RuntimeError("wait callback says no")

    ext.set_wait_callback(bad_wait)
    try:
        with pytest.raises(RuntimeError):
            psycopg2.connect(dsn)
    finally:
        ext.set_wait_callback(None)
    conn = psycopg2.connect(dsn)
    ext.set_wait_callback(bad_wait)
    try:
        with pytest.raises(RuntimeError):
            conn.cursor().execute("SELECT 1")
    finally:
        ext.set_wait_callback(None)
    assert calls
    # the connection is closed or still usable, never half-broken
    if not conn.closed:
        conn.rollback()
        conn.cursor().execute("SELECT 1")
    conn.close()


def test_wait_callback_returns_early(dsn):
    def lazy_wait(conn):
        return None  # never polls: the operation is not finished

    conn = psycopg2.connect(dsn)
    ext.set_wait_callback(lazy_wait)
    try:
        with pytest.raises(psycopg2.Error):
            conn.cursor().execute("SELECT 1")
    finally:
        ext.set_wait_callback(None)
    conn.close()


def test_copy_file_raises_and_lies(conn):
    cur = conn.cursor()
    cur.execute("CREATE TEMP TABLE cf (x text)")

    class Lies:
        def read(self, size=-1):
            return 42

        def readline(self, size=-1):
            return 42

    class Raises:
        def read(self, size=-1):
            raise MemoryError("reader")

        def write(self, data):
            raise OSError("writer")

    for f in (Lies(), Raises()):
        with pytest.raises((TypeError, MemoryError, psycopg2.Error)):
            cur.copy_from(f, "cf")
        conn.rollback()
        cur.execute("CREATE TEMP TABLE IF NOT EXISTS cf (x text)")
    cur.execute("INSERT INTO cf VALUES ('a'), ('b')")
    with pytest.raises((OSError, psycopg2.Error)):
        cur.copy_to(Raises(), "cf")
    conn.rollback()
    cur.execute("SELECT 1")
    assert cur.fetchone() == (1,)


def test_named_cursor_name_with_nul(conn):
    with pytest.raises((ValueError, psycopg2.Error)):
        conn.cursor("a\x00b").execute("SELECT 1")
    conn.rollback()
