"""Module level: connect(), DSN helpers, DB-API globals and constructors."""

import datetime as dt
import re
import time

import pytest

import psycopg2
import psycopg2.extensions as ext


def test_dbapi_globals():
    assert psycopg2.apilevel == "2.0"
    assert psycopg2.threadsafety == 2
    assert psycopg2.paramstyle == "pyformat"


def test_version_shape_parsed_by_frameworks():
    v = psycopg2.__version__
    assert re.match(r"^\d+\.\d+(\.\d+)?", v)  # SQLAlchemy's check
    assert v.split(" ", 1)[0].startswith("2.10.0")
    assert v.endswith("(dt dec pq3 ext lo64)")
    assert isinstance(psycopg2.__libpq_version__, int)
    assert psycopg2.__libpq_version__ >= 90100
    assert ext.libpq_version() >= 90100


def test_connect_dsn_string(dsn):
    conn = psycopg2.connect(dsn)
    try:
        assert conn.closed == 0
        cur = conn.cursor()
        cur.execute("select 1")
        assert cur.fetchone() == (1,)
    finally:
        conn.close()
    assert conn.closed == 1


def test_connect_keywords_override_dsn(dsn):
    params = ext.parse_dsn(dsn)
    conn = psycopg2.connect(dsn, application_name="tour-test")
    try:
        assert conn.get_dsn_parameters()["application_name"] == "tour-test"
        assert conn.info.dbname == params["dbname"]
    finally:
        conn.close()


def test_connect_database_alias(dsn):
    params = ext.parse_dsn(dsn)
    dbname = params.pop("dbname")
    conn = psycopg2.connect(database=dbname, **params)
    try:
        assert conn.info.dbname == dbname
    finally:
        conn.close()
    with pytest.raises(TypeError):
        psycopg2.connect(database="a", dbname="b")


def test_connect_port_as_int(dsn):
    params = ext.parse_dsn(dsn)
    if "port" not in params:
        pytest.skip("DSN has no port")
    params["port"] = int(params["port"])
    conn = psycopg2.connect(**params)
    try:
        assert conn.info.port == params["port"]
    finally:
        conn.close()


def test_connect_failure_is_operational_error(dsn):
    params = ext.parse_dsn(dsn)
    params["dbname"] = "no_such_database_psycopg2"
    with pytest.raises(psycopg2.OperationalError) as exc:
        psycopg2.connect(**params)
    assert "no_such_database_psycopg2" in str(exc.value)
    assert exc.value.pgcode is None


def test_connect_malformed_dsn():
    with pytest.raises(psycopg2.ProgrammingError) as exc:
        psycopg2.connect("dbname=x nosuchoption=1")
    assert str(exc.value).startswith("invalid dsn:")
    with pytest.raises(psycopg2.ProgrammingError):
        psycopg2.connect("dbname='unterminated")


def test_connect_factory_and_cursor_factory(dsn):
    calls = []

    class MyConn(ext.connection):
        def __init__(self, *args, **kwargs):
            calls.append(args)
            super().__init__(*args, **kwargs)

    class MyCursor(ext.cursor):
        pass

    conn = psycopg2.connect(dsn, connection_factory=MyConn,
                            cursor_factory=MyCursor)
    try:
        assert isinstance(conn, MyConn)
        assert calls == [(dsn,)]
        assert conn.cursor_factory is MyCursor
        assert isinstance(conn.cursor(), MyCursor)
    finally:
        conn.close()


def test_make_dsn():
    assert ext.make_dsn() == ""
    assert ext.make_dsn("dbname=x") == "dbname=x"
    assert ext.make_dsn(dbname="x", user=None) == "dbname=x"
    dsn = ext.make_dsn("dbname=x user=a", user="b", password="it's me")
    assert ext.parse_dsn(dsn) == {"dbname": "x", "user": "b",
                                  "password": "it's me"}
    assert ext.parse_dsn(ext.make_dsn(password="")) == {"password": ""}
    assert ext.parse_dsn(ext.make_dsn(password="a\\b c")) == {
        "password": "a\\b c"}
    with pytest.raises(psycopg2.ProgrammingError):
        ext.make_dsn("dbname=x foo=bar", user="u")


def test_parse_dsn():
    assert ext.parse_dsn("dbname=test user=tester password=secret") == {
        "dbname": "test", "user": "tester", "password": "secret"}
    assert ext.parse_dsn("postgresql://tester:secret@localhost:5433/test") \
        == {"user": "tester", "password": "secret", "host": "localhost",
            "port": "5433", "dbname": "test"}
    with pytest.raises(psycopg2.ProgrammingError) as exc:
        ext.parse_dsn("dbname=test 2 = 3")
    assert "invalid dsn" in str(exc.value)
    with pytest.raises(TypeError):
        ext.parse_dsn(None)


def test_quote_ident(conn):
    assert ext.quote_ident("foo", conn) == '"foo"'
    assert ext.quote_ident('ba"r', conn) == '"ba""r"'
    assert ext.quote_ident("héllo", conn.cursor()) == '"héllo"'
    with pytest.raises(TypeError):
        ext.quote_ident("foo", None)


def test_encrypt_password(conn):
    md5 = ext.encrypt_password("secret", "tester", algorithm="md5")
    assert md5.startswith("md5") and len(md5) == 35
    assert ext.encrypt_password("secret", "tester", conn, "md5") == md5
    scram = ext.encrypt_password("secret", "tester", conn, "scram-sha-256")
    assert scram.startswith("SCRAM-SHA-256$")
    assert ext.encrypt_password("secret", "tester", conn).startswith(
        ("SCRAM-SHA-256$", "md5"))
    with pytest.raises(psycopg2.ProgrammingError):
        ext.encrypt_password("secret", "tester", algorithm="scram-sha-256")
    with pytest.raises(psycopg2.ProgrammingError):
        ext.encrypt_password("secret", "tester", conn, "nosuchalgo")
    with pytest.raises(TypeError):
        ext.encrypt_password("secret", "tester", 42)


def test_type_objects():
    assert psycopg2.STRING == 25 and psycopg2.STRING == 1043
    assert psycopg2.STRING != 23
    assert psycopg2.BINARY == 17
    assert psycopg2.NUMBER == 1700 and psycopg2.NUMBER == 20
    assert psycopg2.DATETIME == 1114 and psycopg2.DATETIME != 1082
    assert psycopg2.ROWID == 26


def test_type_objects_against_description(cursor):
    cursor.execute("select 'a'::text, 1::int, 1.5::numeric, "
                   "'2020-01-01 00:00'::timestamp, 'x'::bytea")
    codes = [d.type_code for d in cursor.description]
    assert codes[0] == psycopg2.STRING
    assert codes[1] == psycopg2.NUMBER
    assert codes[2] == psycopg2.NUMBER
    assert codes[3] == psycopg2.DATETIME
    assert codes[4] == psycopg2.BINARY


def test_constructors_roundtrip(cursor):
    cursor.execute("select %s, %s, %s",
                   (psycopg2.Date(2020, 2, 29), psycopg2.Time(12, 30, 15),
                    psycopg2.Timestamp(2020, 2, 29, 12, 30, 15)))
    assert cursor.fetchone() == (dt.date(2020, 2, 29), dt.time(12, 30, 15),
                                 dt.datetime(2020, 2, 29, 12, 30, 15))


def test_from_ticks():
    t = time.mktime((2021, 6, 15, 10, 20, 30, 0, 0, -1))
    assert psycopg2.DateFromTicks(t).adapted == dt.date(2021, 6, 15)
    assert psycopg2.TimeFromTicks(t).adapted == dt.time(10, 20, 30)
    ts = psycopg2.TimestampFromTicks(t).adapted
    assert ts.tzinfo is not None
    assert ts.replace(tzinfo=None) == dt.datetime(2021, 6, 15, 10, 20, 30)
    assert b"timestamptz" in psycopg2.TimestampFromTicks(t).getquoted()


def test_binary_constructor(cursor):
    assert psycopg2.Binary is ext.Binary
    cursor.execute("select %s", (psycopg2.Binary(b"\x00\x01\xff"),))
    assert bytes(cursor.fetchone()[0]) == b"\x00\x01\xff"
    assert psycopg2.Binary(None).getquoted() == b"NULL"


def test_exception_hierarchy():
    E = psycopg2
    assert issubclass(E.Warning, Exception)
    assert issubclass(E.Error, Exception)
    assert not issubclass(E.Warning, E.Error)
    for cls in (E.InterfaceError, E.DatabaseError):
        assert issubclass(cls, E.Error)
    for cls in (E.DataError, E.OperationalError, E.IntegrityError,
                E.InternalError, E.ProgrammingError, E.NotSupportedError):
        assert issubclass(cls, E.DatabaseError)
    assert issubclass(ext.QueryCanceledError, E.OperationalError)
    assert issubclass(ext.TransactionRollbackError, E.OperationalError)
    assert E.Error.__module__ == "psycopg2"
    assert E.ProgrammingError.__qualname__ == "ProgrammingError"
    assert E.OperationalError.__module__ == "psycopg2"


def test_constants():
    assert ext.ISOLATION_LEVEL_AUTOCOMMIT == 0
    assert ext.ISOLATION_LEVEL_READ_UNCOMMITTED == 4
    assert ext.ISOLATION_LEVEL_DEFAULT is None
    assert ext.STATUS_READY == 1 and ext.STATUS_BEGIN == 2
    assert ext.STATUS_IN_TRANSACTION == 2 and ext.STATUS_PREPARED == 5
    assert (ext.POLL_OK, ext.POLL_READ, ext.POLL_WRITE, ext.POLL_ERROR) == \
        (0, 1, 2, 3)
    assert ext.TRANSACTION_STATUS_INERROR == 3


def test_encodings_table():
    assert ext.encodings["UTF8"] == "utf_8"
    assert ext.encodings["LATIN1"] == "iso8859_1"
    assert ext.encodings["SQL_ASCII"] == "ascii"
    assert ext.encodings["SQLASCII"] == "ascii"
    assert ext.encodings["WIN1252"] == "cp1252"
    import codecs
    for codec in set(ext.encodings.values()):
        codecs.lookup(codec)
