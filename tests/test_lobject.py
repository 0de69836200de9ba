"""Large objects: connection.lobject() and extensions.lobject."""

import os
import threading

import pytest

import psycopg2
import psycopg2.extensions as ext


def server_has_lo(dsn, oid):
    c = psycopg2.connect(dsn)
    try:
        cur = c.cursor()
        cur.execute(
            "SELECT count(*) FROM pg_largeobject_metadata WHERE oid = %s",
            (oid,))
        return cur.fetchone()[0] == 1
    finally:
        c.close()


@pytest.fixture
def lo_cleanup(dsn):
    """Collect oids to unlink at the end of the test."""
    oids = []
    yield oids
    c = psycopg2.connect(dsn)
    try:
        c.autocommit = True
        cur = c.cursor()
        for oid in oids:
            cur.execute(
                "SELECT lo_unlink(oid) FROM pg_largeobject_metadata "
                "WHERE oid = %s", (oid,))
    finally:
        c.close()


# ---- the type ----

def test_type_public_path():
    assert ext.lobject is psycopg2._psycopg.lobject
    assert ext.lobject.__module__ == "psycopg2.extensions"
    assert ext.lobject.__name__ == "lobject"


def test_create_default(conn, lo_cleanup):
    lo = conn.lobject()
    lo_cleanup.append(lo.oid)
    assert isinstance(lo, ext.lobject)
    assert isinstance(lo.oid, int) and lo.oid > 0
    # as psycopg2 2.9: a new object is open for writing
    assert lo.mode == "wt"
    assert lo.write(b"abc") == 3
    assert lo.closed is False
    assert conn.status == ext.STATUS_BEGIN
    assert "closed: 0" in repr(lo)
    assert repr(lo).startswith("<lobject object at 0x")


@pytest.mark.parametrize("mode, expected", [
    (None, "rt"), ("", "rt"), ("r", "rt"), ("w", "wt"), ("rw", "rwt"),
    ("rt", "rt"), ("wt", "wt"), ("rwt", "rwt"), ("rb", "rb"), ("wb", "wb"),
    ("rwb", "rwb"), ("b", "rb"), ("t", "rt"), ("n", "n"),
])
def test_modes(conn, lo_cleanup, mode, expected):
    # as psycopg2 2.9: creating opens for writing ('w' + 'b' or 't'),
    # whatever the mode; the mode applies to opening an existing object
    lo = conn.lobject(0, mode)
    lo_cleanup.append(lo.oid)
    assert lo.mode == ("wb" if "b" in (mode or "") else "wt")
    assert lo.closed is False
    oid = lo.oid
    lo.close()
    lo = conn.lobject(oid, mode)
    assert lo.mode == expected
    assert lo.closed is (mode == "n")


@pytest.mark.parametrize("mode", ["x", "rr", "wr", "rbt", "bw", "nx", "r "])
def test_bad_mode(conn, mode):
    with pytest.raises(ValueError):
        conn.lobject(0, mode)


def test_direct_construction(conn, lo_cleanup):
    lo = ext.lobject(conn, 0, "wb")
    lo_cleanup.append(lo.oid)
    assert lo.write(b"abc") == 3
    lo.close()
    lo2 = ext.lobject(conn, lo.oid, "rb")
    assert lo2.read() == b"abc"


def test_construction_needs_connection():
    with pytest.raises(TypeError):
        ext.lobject(None)
    with pytest.raises(TypeError):
        ext.lobject("dbname=x")


# ---- reading and writing ----

def test_write_read_bytes(conn, lo_cleanup):
    lo = conn.lobject(0, "wb")
    lo_cleanup.append(lo.oid)
    assert lo.write(b"some data\x00\xff") == 11
    lo.close()
    lo = conn.lobject(lo.oid, "rb")
    data = lo.read()
    assert type(data) is bytes
    assert data == b"some data\x00\xff"


def test_write_buffers(conn, lo_cleanup):
    lo = conn.lobject(0, "rwb")
    lo_cleanup.append(lo.oid)
    assert lo.write(bytearray(b"ab")) == 2
    assert lo.write(memoryview(b"cd")) == 2
    lo.seek(0)
    assert lo.read() == b"abcd"


def test_write_bad_type(conn, lo_cleanup):
    lo = conn.lobject(0, "wb")
    lo_cleanup.append(lo.oid)
    with pytest.raises(TypeError):
        lo.write(42)
    with pytest.raises(TypeError):
        lo.write(None)


def test_text_mode_unicode(conn, lo_cleanup):
    lo = conn.lobject(0, "rw")
    lo_cleanup.append(lo.oid)
    # str is encoded with the connection encoding: bytes are counted
    assert lo.write("h\u00e9llo \u20ac") == len("h\u00e9llo \u20ac".encode())
    lo.seek(0)
    data = lo.read()
    assert type(data) is str
    assert data == "h\u00e9llo \u20ac"


def test_text_mode_other_encoding(conn, lo_cleanup):
    conn.set_client_encoding("LATIN1")
    lo = conn.lobject(0, "rw")
    lo_cleanup.append(lo.oid)
    assert lo.write("caf\u00e9") == 4
    lo.seek(0)
    assert lo.read() == "caf\u00e9"
    lo.close()
    lob = conn.lobject(lo.oid, "rb")
    assert lob.read() == b"caf\xe9"


def test_binary_mode_returns_bytes_for_str_written(conn, lo_cleanup):
    lo = conn.lobject(0, "rwb")
    lo_cleanup.append(lo.oid)
    lo.write("\u00e8")
    lo.seek(0)
    assert lo.read() == "\u00e8".encode("utf8")


def test_read_size(conn, lo_cleanup):
    lo = conn.lobject(0, "rwb")
    lo_cleanup.append(lo.oid)
    lo.write(b"0123456789")
    lo.seek(0)
    assert lo.read(3) == b"012"
    assert lo.read(0) == b""
    assert lo.read(4) == b"3456"
    assert lo.read() == b"789"
    assert lo.read() == b""
    assert lo.read(10) == b""
    lo.seek(8)
    assert lo.read(100) == b"89"
    lo.seek(2)
    assert lo.read(-1) == b"23456789"


def test_read_large_size_on_small_object(conn, lo_cleanup):
    # the buffer grows with the data, not with the size asked
    lo = conn.lobject(0, "rwb")
    lo_cleanup.append(lo.oid)
    lo.write(b"x" * 100)
    lo.seek(0)
    assert lo.read(1 << 40) == b"x" * 100


def test_big_object_roundtrip(conn, lo_cleanup):
    # larger than any socket buffer: needs the blocking switch
    data = os.urandom(20 * 1024 * 1024 + 7)
    lo = conn.lobject(0, "wb")
    lo_cleanup.append(lo.oid)
    assert lo.write(data) == len(data)
    assert lo.tell() == len(data)
    lo.close()
    lo = conn.lobject(lo.oid, "rb")
    assert lo.read() == data
    # and the connection works normally afterwards
    cur = conn.cursor()
    cur.execute("SELECT length(lo_get(%s))", (lo.oid,))
    assert cur.fetchone()[0] == len(data)


def test_persists_after_commit(conn, dsn, lo_cleanup):
    lo = conn.lobject(0, "wb")
    lo_cleanup.append(lo.oid)
    lo.write(b"kept")
    conn.commit()
    assert server_has_lo(dsn, lo.oid)
    lo2 = conn.lobject(lo.oid, "rb")
    assert lo2.read() == b"kept"


def test_gone_after_rollback(conn, dsn):
    lo = conn.lobject(0, "wb")
    lo.write(b"lost")
    oid = lo.oid
    conn.rollback()
    assert not server_has_lo(dsn, oid)
    with pytest.raises(psycopg2.OperationalError):
        conn.lobject(oid, "rb")
    conn.rollback()


def test_open_missing_oid(conn):
    cur = conn.cursor()
    cur.execute("SELECT coalesce(max(oid::int8), 0) + 1000 "
                "FROM pg_largeobject_metadata")
    oid = cur.fetchone()[0]
    with pytest.raises(psycopg2.OperationalError) as exc:
        conn.lobject(oid, "r")
    assert str(oid) in str(exc.value)
    # libpq's message as it is, as psycopg2 shows it
    assert str(exc.value).startswith("ERROR:  ")
    conn.rollback()
    cur.execute("SELECT 1")
    assert cur.fetchone() == (1,)


def test_write_on_read_only(conn, lo_cleanup):
    lo = conn.lobject(0, "wb")
    lo_cleanup.append(lo.oid)
    lo.close()
    ro = conn.lobject(lo.oid, "rb")
    with pytest.raises(psycopg2.OperationalError):
        ro.write(b"x")
    assert conn.get_transaction_status() == ext.TRANSACTION_STATUS_INERROR
    conn.rollback()


# ---- seek, tell, truncate ----

def test_seek_tell(conn, lo_cleanup):
    lo = conn.lobject(0, "rwb")
    lo_cleanup.append(lo.oid)
    lo.write(b"0123456789")
    assert lo.tell() == 10
    assert lo.seek(2) == 2
    assert lo.tell() == 2
    assert lo.seek(3, 1) == 5
    assert lo.read(1) == b"5"
    assert lo.seek(-2, 2) == 8
    assert lo.read() == b"89"
    assert lo.seek(0, whence=0) == 0
    assert lo.seek(offset=1) == 1


def test_seek_bad_whence(conn, lo_cleanup):
    lo = conn.lobject(0, "rwb")
    lo_cleanup.append(lo.oid)
    with pytest.raises(ValueError):
        lo.seek(0, 3)


def test_seek_negative_position(conn, lo_cleanup):
    lo = conn.lobject(0, "rwb")
    lo_cleanup.append(lo.oid)
    with pytest.raises(psycopg2.OperationalError):
        lo.seek(-1)
    conn.rollback()


def test_64bit_offsets(conn, lo_cleanup):
    if conn.server_version < 90300:
        pytest.skip("lo64 needs PostgreSQL 9.3")
    big = 3 * 2 ** 30 + 5  # past 2GB; pages are sparse on the server
    lo = conn.lobject(0, "rwb")
    lo_cleanup.append(lo.oid)
    assert lo.seek(big) == big
    assert lo.tell() == big
    assert lo.write(b"xy") == 2
    assert lo.tell() == big + 2
    assert lo.seek(0, 2) == big + 2
    assert lo.seek(-2, 1) == big
    assert lo.read() == b"xy"
    lo.truncate(big + 1)
    assert lo.seek(0, 2) == big + 1
    lo.seek(big - 3)
    assert lo.read() == b"\x00\x00\x00x"


def test_truncate(conn, lo_cleanup):
    lo = conn.lobject(0, "rwb")
    lo_cleanup.append(lo.oid)
    lo.write(b"0123456789")
    lo.truncate(4)
    lo.seek(0)
    assert lo.read() == b"0123"
    lo.truncate(6)  # extends with zeros
    lo.seek(0)
    assert lo.read() == b"0123\x00\x00"
    lo.truncate()
    lo.seek(0)
    assert lo.read() == b""
    with pytest.raises(ValueError):
        lo.truncate(-1)


# ---- import, export, unlink ----

def test_export(conn, lo_cleanup, tmp_path):
    lo = conn.lobject(0, "wb")
    lo_cleanup.append(lo.oid)
    data = os.urandom(100000)
    lo.write(data)
    path = tmp_path / "out.bin"
    lo.export(str(path))
    assert path.read_bytes() == data
    # export works by oid: also once closed, and with a pathlike
    lo.close()
    path2 = tmp_path / "out2.bin"
    lo.export(path2)
    assert path2.read_bytes() == data


def test_export_bad_path(conn, lo_cleanup, tmp_path):
    lo = conn.lobject(0, "wb")
    lo_cleanup.append(lo.oid)
    with pytest.raises(psycopg2.OperationalError):
        lo.export(str(tmp_path / "missing-dir" / "x"))


def test_import(conn, lo_cleanup, tmp_path):
    data = os.urandom(70000)
    path = tmp_path / "in.bin"
    path.write_bytes(data)
    lo = conn.lobject(new_file=str(path), mode="rb")
    lo_cleanup.append(lo.oid)
    assert lo.oid > 0
    assert lo.read() == data
    cur = conn.cursor()
    cur.execute("SELECT lo_get(%s)", (lo.oid,))
    assert bytes(cur.fetchone()[0]) == data


def test_import_missing_file(conn, tmp_path):
    with pytest.raises(psycopg2.OperationalError):
        conn.lobject(new_file=str(tmp_path / "nope"))


def free_oid(conn):
    cur = conn.cursor()
    cur.execute("SELECT lo_create(0)")
    oid = cur.fetchone()[0]
    cur.execute("SELECT lo_unlink(%s)", (oid,))
    return oid


def test_new_oid(conn, lo_cleanup):
    oid = free_oid(conn)
    lo = conn.lobject(0, "wb", new_oid=oid)
    lo_cleanup.append(oid)
    assert lo.oid == oid
    lo.write(b"here")
    cur = conn.cursor()
    cur.execute("SELECT lo_get(%s)", (oid,))
    assert bytes(cur.fetchone()[0]) == b"here"


def test_new_oid_import(conn, lo_cleanup, tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"imported")
    oid = free_oid(conn)
    lo = conn.lobject(new_oid=oid, new_file=str(path), mode="rb")
    lo_cleanup.append(oid)
    assert lo.oid == oid
    assert lo.read() == b"imported"


def test_new_oid_taken(conn, lo_cleanup):
    lo = conn.lobject()
    lo_cleanup.append(lo.oid)
    conn.commit()
    with pytest.raises(psycopg2.OperationalError):
        conn.lobject(0, "w", new_oid=lo.oid)
    conn.rollback()
    # the connection is usable again
    lo2 = conn.lobject(lo.oid, "rb")
    assert lo2.read() == b""


def test_unlink(conn, dsn):
    lo = conn.lobject(0, "wb")
    lo.write(b"x")
    conn.commit()
    oid = lo.oid
    assert server_has_lo(dsn, oid)
    lo = conn.lobject(oid, "rb")
    lo.unlink()
    assert lo.closed
    conn.commit()
    assert not server_has_lo(dsn, oid)
    with pytest.raises(psycopg2.OperationalError):
        conn.lobject(oid)
    conn.rollback()


def test_unlink_after_close(conn, dsn):
    lo = conn.lobject(0, "wb")
    lo.close()
    lo.unlink()
    conn.commit()
    assert not server_has_lo(dsn, lo.oid)


def test_unlink_in_new_transaction(conn, dsn):
    lo = conn.lobject(0, "wb")
    conn.commit()
    lo.unlink()  # by oid: the old descriptor is not needed
    conn.commit()
    assert not server_has_lo(dsn, lo.oid)


def test_unlink_n_mode(conn, dsn):
    lo = conn.lobject()
    conn.commit()
    conn.lobject(lo.oid, "n").unlink()
    conn.commit()
    assert not server_has_lo(dsn, lo.oid)


# ---- closing and validity ----

def test_close(conn, lo_cleanup):
    lo = conn.lobject(0, "rwb")
    lo_cleanup.append(lo.oid)
    assert not lo.closed
    lo.close()
    assert lo.closed
    lo.close()  # idempotent
    assert lo.closed
    assert "closed: 1" in repr(lo)


@pytest.mark.parametrize("call", [
    lambda lo: lo.read(),
    lambda lo: lo.write(b"x"),
    lambda lo: lo.seek(0),
    lambda lo: lo.tell(),
    lambda lo: lo.truncate(),
])
def test_closed_errors(conn, lo_cleanup, call):
    lo = conn.lobject(0, "rwb")
    lo_cleanup.append(lo.oid)
    lo.close()
    with pytest.raises(psycopg2.InterfaceError) as exc:
        call(lo)
    assert str(exc.value) == "lobject already closed"


def test_n_mode_is_closed(conn, lo_cleanup):
    lo = conn.lobject(0, "n")
    lo_cleanup.append(lo.oid)
    assert not lo.closed  # created: open for writing
    lo.close()
    lo = conn.lobject(lo.oid, "n")
    assert lo.closed
    with pytest.raises(psycopg2.InterfaceError):
        lo.read()


@pytest.mark.parametrize("end", ["commit", "rollback", "reset"])
@pytest.mark.parametrize("call", [
    lambda lo: lo.read(),
    lambda lo: lo.write(b"x"),
    lambda lo: lo.seek(0),
    lambda lo: lo.tell(),
    lambda lo: lo.truncate(),
])
def test_invalid_after_transaction(conn, lo_cleanup, end, call):
    lo = conn.lobject(0, "rwb")
    lo_cleanup.append(lo.oid)
    getattr(conn, end)()
    assert lo.closed
    with pytest.raises(psycopg2.ProgrammingError) as exc:
        call(lo)
    assert str(exc.value) == "lobject isn't valid anymore"
    lo.close()  # no error: the transaction closed it already


def test_invalid_after_commit_via_execute(conn, lo_cleanup):
    lo = conn.lobject(0, "rwb")
    lo_cleanup.append(lo.oid)
    conn.cursor().execute("COMMIT")
    # as psycopg2: the server no longer knows the descriptor
    with pytest.raises(psycopg2.OperationalError,
                       match="invalid large-object descriptor"):
        lo.read()


def test_autocommit_refused(conn):
    conn.autocommit = True
    with pytest.raises(psycopg2.ProgrammingError) as exc:
        conn.lobject()
    assert str(exc.value) == "can't use a lobject outside of transactions"
    with pytest.raises(psycopg2.ProgrammingError):
        ext.lobject(conn)


def test_autocommit_after_open(conn, lo_cleanup):
    lo = conn.lobject(0, "rwb")
    lo_cleanup.append(lo.oid)
    conn.rollback()
    conn.autocommit = True
    with pytest.raises(psycopg2.ProgrammingError):
        lo.read()
    with pytest.raises(psycopg2.ProgrammingError):
        lo.unlink()


def test_closed_connection(conn_factory):
    c = conn_factory()
    lo = c.lobject(0, "rwb")
    c.close()
    assert lo.closed
    with pytest.raises(psycopg2.InterfaceError):
        lo.read()
    with pytest.raises(psycopg2.InterfaceError):
        c.lobject()
    lo.close()


def test_wait_callback_refused(conn):
    ext.set_wait_callback(lambda c: None)
    try:
        with pytest.raises(psycopg2.ProgrammingError):
            conn.lobject()
    finally:
        ext.set_wait_callback(None)


def test_lobject_keeps_connection_alive(dsn, lo_cleanup):
    c = psycopg2.connect(dsn)
    lo = c.lobject(0, "rwb")
    lo_cleanup.append(lo.oid)
    del c
    lo.write(b"ok")
    lo.seek(0)
    assert lo.read() == b"ok"
    lo.close()


# ---- factories and subclasses ----

class MyLobject(ext.lobject):
    pass


class InitLobject(ext.lobject):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.extra = "set"


def test_factory(conn, lo_cleanup):
    lo = conn.lobject(lobject_factory=MyLobject)
    lo_cleanup.append(lo.oid)
    assert type(lo) is MyLobject
    lo2 = conn.lobject(0, "wb", lobject_factory=InitLobject)
    lo_cleanup.append(lo2.oid)
    assert type(lo2) is InitLobject
    assert lo2.extra == "set"
    assert lo2.mode == "wb"
    assert lo2.write(b"x") == 1


def test_factory_function(conn, lo_cleanup):
    calls = []

    def factory(*args):
        calls.append(args)
        return ext.lobject(*args)

    lo = conn.lobject(0, "rb", lobject_factory=factory)
    lo_cleanup.append(lo.oid)
    assert calls[0][0] is conn
    assert lo.mode == "wb"


@pytest.mark.parametrize("factory", [dict, object, 42, lambda *a: "x"])
def test_bad_factory(conn, factory):
    with pytest.raises(TypeError):
        conn.lobject(lobject_factory=factory)


def test_threads(conn, lo_cleanup):
    # the connection lock serialises threads sharing one connection
    los = [conn.lobject(0, "rwb") for i in range(4)]
    lo_cleanup.extend(lo.oid for lo in los)
    errors = []

    def work(lo, i):
        try:
            for _ in range(50):
                lo.write(bytes([i]) * 100)
        except Exception as e:  # pragma: no cover
            errors.append(e)

    ts = [threading.Thread(target=work, args=(lo, i))
          for i, lo in enumerate(los)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert not errors
    for i, lo in enumerate(los):
        lo.seek(0)
        assert lo.read() == bytes([i]) * 5000


def test_notices_collected(conn, lo_cleanup):
    cur = conn.cursor()
    cur.execute("SET client_min_messages TO notice")
    lo = conn.lobject(0, "rwb")
    lo_cleanup.append(lo.oid)
    cur.execute("DO $$BEGIN RAISE NOTICE 'after lo'; END$$")
    assert any("after lo" in n for n in conn.notices)
