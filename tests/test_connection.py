"""The connection object: lifecycle, session, encodings, introspection."""

import gc
import pickle
import threading
import weakref

import pytest

import psycopg2
import psycopg2.errors
import psycopg2.extensions as ext
from pgsync import WATCHDOG, wait_backend, wait_backend_gone


def test_close_idempotent(conn):
    assert conn.closed == 0
    conn.close()
    assert conn.closed == 1
    conn.close()
    assert conn.closed == 1


def test_use_after_close(conn):
    cur = conn.cursor()
    conn.close()
    with pytest.raises(psycopg2.InterfaceError) as exc:
        conn.cursor()
    assert str(exc.value) == "connection already closed"
    with pytest.raises(psycopg2.InterfaceError) as exc:
        cur.execute("select 1")
    assert str(exc.value) == "cursor already closed"
    with pytest.raises(psycopg2.InterfaceError):
        conn.commit()
    with pytest.raises(psycopg2.InterfaceError):
        conn.rollback()
    assert cur.closed


def test_close_does_not_commit(conn_factory):
    conn = conn_factory()
    cur = conn.cursor()
    cur.execute("create table if not exists t_close_nocommit (x int)")
    conn.commit()
    cur.execute("insert into t_close_nocommit values (1)")
    conn.close()
    other = conn_factory()
    c2 = other.cursor()
    c2.execute("select count(*) from t_close_nocommit")
    assert c2.fetchone() == (0,)
    c2.execute("drop table t_close_nocommit")
    other.commit()


def test_gc_closes_connection(dsn):
    conn = psycopg2.connect(dsn)
    pid = conn.get_backend_pid()
    ref = weakref.ref(conn)
    del conn
    gc.collect()
    assert ref() is None
    # the backend exits once it reads the Terminate message
    wait_backend_gone(dsn, pid)


def test_repr(conn):
    r = repr(conn)
    assert r.startswith("<connection object at 0x")
    assert "closed: 0" in r
    assert "dsn: '" in r


def test_dsn_hides_password(dsn):
    conn = psycopg2.connect(dsn, password="s3cr3t")
    try:
        assert "s3cr3t" not in conn.dsn
        assert "password=xxx" in conn.dsn
        assert "s3cr3t" not in repr(conn)
        assert "password" not in conn.get_dsn_parameters()
        assert "password" not in conn.info.dsn_parameters
    finally:
        conn.close()


def test_dsn_uri_hides_password():
    # no server needed: the failure message must not carry it either
    uri = "postgresql://u:topsecret@127.0.0.1:1/db?connect_timeout=1"
    with pytest.raises(psycopg2.OperationalError) as exc:
        psycopg2.connect(uri)
    assert "topsecret" not in str(exc.value)


def test_server_version_and_protocol(conn):
    assert conn.server_version >= 90100
    assert conn.protocol_version == 3
    assert conn.info.server_version == conn.server_version


def test_backend_pid(conn):
    cur = conn.cursor()
    cur.execute("select pg_backend_pid()")
    assert cur.fetchone()[0] == conn.get_backend_pid()
    assert conn.info.backend_pid == conn.get_backend_pid()


def test_parameter_status(conn):
    assert conn.get_parameter_status("server_encoding")
    assert conn.get_parameter_status("DateStyle").startswith("ISO")
    assert conn.get_parameter_status("TimeZone")
    assert conn.get_parameter_status("integer_datetimes") == "on"
    assert conn.get_parameter_status("nonexistent_param") is None
    assert conn.info.parameter_status("nonexistent_param") is None


def test_dsn_parameters(conn, dsn):
    params = conn.get_dsn_parameters()
    for k, v in ext.parse_dsn(dsn).items():
        if k != "password":
            assert params[k] == v


def test_connection_info(conn, dsn):
    info = conn.info
    assert isinstance(info, ext.ConnectionInfo)
    expected = ext.parse_dsn(dsn)
    assert info.dbname == expected["dbname"]
    assert info.status == 0
    assert info.transaction_status == ext.TRANSACTION_STATUS_IDLE
    assert info.protocol_version == 3
    assert isinstance(info.socket, int) and info.socket >= 0
    assert info.error_message is None
    assert info.needs_password is False
    assert info.ssl_in_use is False
    assert isinstance(info.ssl_attribute_names, list)
    assert isinstance(info.port, int)
    conn.cursor().execute("select 1")
    assert info.transaction_status == ext.TRANSACTION_STATUS_INTRANS
    conn.close()
    # as psycopg2 2.9: libpq's answers for no connection
    assert info.dbname is None
    assert info.status == ext.STATUS_READY  # CONNECTION_BAD
    assert info.transaction_status == ext.TRANSACTION_STATUS_UNKNOWN
    assert info.backend_pid == 0
    assert info.error_message == "connection pointer is NULL\n"
    with pytest.raises(psycopg2.InterfaceError):
        info.dsn_parameters


def test_exceptions_as_attributes(conn):
    for name in ("Error", "Warning", "InterfaceError", "DatabaseError",
                 "InternalError", "OperationalError", "ProgrammingError",
                 "IntegrityError", "DataError", "NotSupportedError"):
        assert getattr(conn, name) is getattr(psycopg2, name)


def test_subclass_has_dict(dsn):
    class MyConn(ext.connection):
        pass

    conn = MyConn(dsn)
    try:
        conn.anything = 42
        assert conn.anything == 42
        ref = weakref.ref(conn)
        assert ref() is conn
    finally:
        conn.close()


# ---- cursors ----

def test_cursor_factory_precedence(conn):
    class A(ext.cursor):
        pass

    class B(ext.cursor):
        pass

    assert type(conn.cursor()) is ext.cursor
    conn.cursor_factory = A
    assert type(conn.cursor()) is A
    assert type(conn.cursor(cursor_factory=B)) is B
    conn.cursor_factory = None
    assert type(conn.cursor()) is ext.cursor


def test_cursor_factory_called_with_conn_and_name(conn):
    seen = []

    def factory(*args):
        seen.append(args)
        return ext.cursor(*args)

    conn.cursor(cursor_factory=factory)
    conn.cursor("named", cursor_factory=factory)
    # as psycopg2: the name is passed, None for a client-side cursor
    assert seen == [(conn, None), (conn, "named")]


def test_cursor_factory_must_make_cursor(conn):
    with pytest.raises(TypeError):
        conn.cursor(cursor_factory=lambda conn: object())


def test_cursor_bad_connection():
    with pytest.raises(TypeError):
        ext.cursor(object())


def test_named_cursor_is_server_side(conn):
    cur = conn.cursor("srv curs", withhold=False, scrollable=True)
    assert cur.name == "srv curs"
    assert cur.scrollable is True
    cur.execute("select generate_series(1, 5)")
    check = conn.cursor()
    check.execute("select name, is_scrollable from pg_cursors")
    assert ("srv curs", True) in check.fetchall()
    assert cur.fetchall() == [(i,) for i in range(1, 6)]


# ---- context manager ----

def test_with_commits(conn_factory):
    conn = conn_factory()
    with conn:
        cur = conn.cursor()
        cur.execute("create temp table tw (x int)")
        cur.execute("insert into tw values (1)")
    assert conn.closed == 0
    assert conn.status == ext.STATUS_READY
    cur.execute("select count(*) from tw")
    assert cur.fetchone() == (1,)


def test_with_rolls_back_on_exception(conn):
    cur = conn.cursor()
    cur.execute("create temp table tw2 (x int)")
    conn.commit()
    with pytest.raises(ZeroDivisionError):
        with conn:
            cur.execute("insert into tw2 values (1)")
            1 / 0
    assert conn.closed == 0
    cur.execute("select count(*) from tw2")
    assert cur.fetchone() == (0,)


def test_with_reusable_and_not_reentrant(conn):
    with conn:
        with pytest.raises(psycopg2.ProgrammingError):
            with conn:
                pass
    with conn:
        conn.cursor().execute("select 1")
    conn.close()
    with pytest.raises(psycopg2.InterfaceError):
        with conn:
            pass


def test_with_autocommit_is_a_transaction(conn_factory):
    conn = conn_factory()
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("create temp table tw3 (x int)")
    with pytest.raises(RuntimeError):
        with conn:
            cur.execute("insert into tw3 values (1)")
            assert conn.info.transaction_status == \
                ext.TRANSACTION_STATUS_INTRANS
            raise RuntimeError
    cur.execute("select count(*) from tw3")
    assert cur.fetchone() == (0,)
    assert conn.autocommit is True
    cur.execute("select 1")
    assert conn.info.transaction_status == ext.TRANSACTION_STATUS_IDLE


def test_with_calls_overridden_methods(dsn):
    # as psycopg2: __exit__ looks commit/rollback up on the object
    calls = []

    class Conn(ext.connection):
        def commit(self):
            calls.append("commit")
            super().commit()

        def rollback(self):
            calls.append("rollback")
            super().rollback()

    conn = psycopg2.connect(dsn, connection_factory=Conn)
    try:
        with conn:
            conn.cursor().execute("select 1")
        assert calls == ["commit"]
        with pytest.raises(KeyError):
            with conn:
                raise KeyError
        assert calls == ["commit", "rollback"]
        assert conn.status == ext.STATUS_READY
    finally:
        conn.close()


def test_with_overridden_commit_error_propagates(dsn):
    class Conn(ext.connection):
        def commit(self):
            raise RuntimeError("no commit today")

    conn = psycopg2.connect(dsn, connection_factory=Conn)
    try:
        with pytest.raises(RuntimeError, match="no commit today"):
            with conn:
                conn.cursor().execute("select 1")
        # the block is over even though commit failed: entering again is
        # allowed (no "re-entered" error), and exiting calls commit again
        with pytest.raises(RuntimeError, match="no commit today"):
            with conn:
                pass
    finally:
        conn.close()

# ---- notices ----

def test_notices(conn):
    cur = conn.cursor()
    cur.execute("do $$ begin raise notice 'hello %%', 42; end $$", ())
    assert len(conn.notices) == 1
    assert conn.notices[0] == "NOTICE:  hello 42\n"


def test_notices_capped(conn):
    cur = conn.cursor()
    cur.execute("do $$ begin for i in 1..60 loop "
                "raise notice 'n%%', i; end loop; end $$", ())
    assert len(conn.notices) == 50
    assert conn.notices[-1] == "NOTICE:  n60\n"
    assert conn.notices[0] == "NOTICE:  n11\n"
    conn.notices[:] = []
    assert conn.notices == []


def test_notices_custom_object(conn):
    class Sink:
        def __init__(self):
            self.got = []

        def append(self, msg):
            self.got.append(msg)

    conn.notices = Sink()
    cur = conn.cursor()
    for _ in range(60):
        cur.execute("do $$ begin raise notice 'x'; end $$")
    assert len(conn.notices.got) == 60


def test_notices_broken_object_ignored(conn):
    class Bad:
        def append(self, msg):
            raise RuntimeError("boom")

    conn.notices = Bad()
    cur = conn.cursor()
    cur.execute("do $$ begin raise notice 'x'; end $$")
    cur.execute("select 1")
    assert cur.fetchone() == (1,)


def test_notifies_after_query(conn_factory):
    listener = conn_factory()
    listener.autocommit = True
    sender = conn_factory()
    sender.autocommit = True
    listener.cursor().execute("listen chan_q")
    sender.cursor().execute("notify chan_q, 'payload 1'")
    listener.cursor().execute("select 1")
    assert len(listener.notifies) == 1
    n = listener.notifies[0]
    assert isinstance(n, ext.Notify)
    assert n.channel == "chan_q"
    assert n.payload == "payload 1"
    assert n.pid == sender.get_backend_pid()
    assert n == (sender.get_backend_pid(), "chan_q")


# ---- encodings ----

def test_encoding_default(conn):
    assert conn.encoding == "UTF8"


@pytest.mark.parametrize("name, shown, pg", [
    ("latin1", "LATIN1", "LATIN1"), ("LATIN1", "LATIN1", "LATIN1"),
    ("utf-8", "UTF8", "UTF8"), ("UTF8", "UTF8", "UTF8"),
    ("win1252", "WIN1252", "WIN1252"),
    ("sql_ascii", "SQLASCII", "SQL_ASCII"), ("EUC_JP", "EUCJP", "EUC_JP"),
    ("iso-8859-5", "ISO88595", "ISO_8859_5"), ("alt", "ALT", "WIN866"),
    ("KOI8", "KOI8", "KOI8R"), ("unicode", "UNICODE", "UNICODE")])
def test_set_client_encoding(conn, name, shown, pg):
    # as psycopg2: encoding is the name asked for, without '-' and '_',
    # uppercased; the server may spell it otherwise
    conn.set_client_encoding(name)
    assert conn.encoding == shown
    assert ext.encodings[conn.encoding]
    cur = conn.cursor()
    cur.execute("show client_encoding")
    assert cur.fetchone()[0] == pg


def test_encoding_from_server_normalised(dsn):
    conn = psycopg2.connect(dsn, options="-c client_encoding=SQL_ASCII")
    try:
        assert conn.encoding == "SQLASCII"
        assert conn.info.parameter_status("client_encoding") == "SQL_ASCII"
    finally:
        conn.close()


def test_set_client_encoding_without_codec(conn):
    with pytest.raises(psycopg2.OperationalError) as e:
        conn.set_client_encoding("euc_tw")
    assert str(e.value) == (
        "no Python encoding for PostgreSQL encoding 'EUCTW'")


def test_set_client_encoding_roundtrip_latin1(conn):
    conn.set_client_encoding("LATIN1")
    cur = conn.cursor()
    cur.execute("select %s, length(%s)", ("àèìòù", "àèìòù"))
    assert cur.fetchone() == ("àèìòù", 5)
    with pytest.raises(UnicodeEncodeError):
        cur.execute("select %s", ("€ not in latin1 €",))


def test_set_client_encoding_aborts_transaction(conn):
    cur = conn.cursor()
    cur.execute("create temp table tenc (x int)")
    conn.set_client_encoding("LATIN1")
    assert conn.status == ext.STATUS_READY
    with pytest.raises(psycopg2.errors.UndefinedTable):
        cur.execute("select * from tenc")


def test_set_client_encoding_unknown(conn):
    with pytest.raises(psycopg2.Error):
        conn.set_client_encoding("NOSUCHENCODING")
    conn.rollback()
    assert conn.encoding == "UTF8"


def test_every_server_encoding_has_codec(conn):
    cur = conn.cursor()
    cur.execute("select pg_encoding_to_char(i) from generate_series(0, 41) i")
    names = [r[0] for r in cur.fetchall() if r[0]]
    missing = [n for n in names if n not in ext.encodings]
    # these two have no Python codec at all
    assert set(missing) <= {"MULE_INTERNAL", "EUC_TW"}


# ---- reset, cancel, misc ----

def test_reset(conn):
    cur = conn.cursor()
    conn.autocommit = True
    conn.isolation_level = "serializable"
    conn.readonly = True
    cur.execute("set timezone to 'Asia/Tokyo'")
    conn.reset()
    assert conn.autocommit is False
    assert conn.isolation_level is None
    assert conn.readonly is None
    cur = conn.cursor()
    cur.execute("show timezone")
    assert cur.fetchone()[0] != "Asia/Tokyo"
    assert conn.status == ext.STATUS_BEGIN
    conn.rollback()


def test_reset_invalidates_named_cursor(conn):
    cur = conn.cursor("to_invalidate")
    cur.execute("select 1")
    conn.reset()
    with pytest.raises(psycopg2.ProgrammingError):
        cur.fetchone()


def test_cancel_idle_is_harmless(conn):
    conn.cancel()
    cur = conn.cursor()
    cur.execute("select 1")
    assert cur.fetchone() == (1,)


def test_cancel_from_thread(dsn, conn):
    cur = conn.cursor()
    cur.execute("set statement_timeout = '%ds'" % WATCHDOG)  # watchdog
    conn.commit()
    pid = conn.get_backend_pid()

    def cancel():
        # a cancel that arrives before the query starts is lost
        wait_backend(dsn, pid, "pg_sleep(3600)")
        conn.cancel()

    t = threading.Thread(target=cancel, daemon=True)
    t.start()
    with pytest.raises(ext.QueryCanceledError) as exc:
        cur.execute("select pg_sleep(3600)")
    t.join(WATCHDOG)
    assert exc.value.pgcode == "57014"
    assert "user request" in str(exc.value)
    assert isinstance(exc.value, psycopg2.errors.QueryCanceled)
    conn.rollback()
    cur.execute("select 1")
    assert cur.fetchone() == (1,)


def test_fileno_and_poll(conn):
    assert conn.fileno() == conn.info.socket
    assert conn.poll() == ext.POLL_OK
    assert conn.isexecuting() is False
    assert conn.async_ == 0
    assert getattr(conn, "async") == 0


def test_native_connection(conn):
    cap = conn.get_native_connection()
    assert type(cap).__name__ == "PyCapsule"
    assert "psycopg2.connection.native_connection" in repr(cap)
    assert isinstance(conn.pgconn_ptr, int)
    conn.close()
    assert conn.pgconn_ptr is None


def test_server_terminates_connection(dsn, conn, conn_factory):
    killer = conn_factory()
    killer.autocommit = True
    cur = conn.cursor()
    cur.execute("select 1")
    killer.cursor().execute("select pg_terminate_backend(%s)",
                            (conn.get_backend_pid(),))
    wait_backend_gone(dsn, conn.get_backend_pid())
    with pytest.raises(psycopg2.OperationalError):
        cur.execute("select 1")
    assert conn.closed == 2
    with pytest.raises(psycopg2.InterfaceError):
        conn.cursor().execute("select 1")
    conn.close()
    assert conn.closed in (1, 2)


def test_server_terminates_mid_query(dsn, conn, conn_factory):
    killer = conn_factory()
    killer.autocommit = True
    pid = conn.get_backend_pid()

    def terminate():
        wait_backend(dsn, pid, "pg_sleep(3600)")
        killer.cursor().execute("select pg_terminate_backend(%s)", (pid,))

    t = threading.Thread(target=terminate, daemon=True)
    t.start()
    with pytest.raises(psycopg2.OperationalError) as exc:
        conn.cursor().execute("select pg_sleep(3600)")
    t.join(WATCHDOG)
    assert conn.closed == 2
    assert isinstance(exc.value, psycopg2.errors.AdminShutdown) or \
        exc.value.pgcode is None


def test_error_pickle(conn):
    cur = conn.cursor()
    with pytest.raises(psycopg2.Error) as exc:
        cur.execute("select 1/0")
    err = pickle.loads(pickle.dumps(exc.value))
    assert type(err) is type(exc.value)
    assert err.pgcode == "22012"
    assert err.pgerror == exc.value.pgerror
    assert err.cursor is None


# ---- multi-host DSN and connect_timeout ----

@pytest.fixture
def silent_port():
    """A port that accepts TCP connections and never answers."""
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(8)
    try:
        yield s.getsockname()[1]
    finally:
        s.close()


def _host_port(dsn):
    params = ext.parse_dsn(dsn)
    return params.get("host", "127.0.0.1"), params.get("port", "5432")


def test_multihost_timeout_moves_on(dsn, silent_port):
    # as libpq's blocking connect (and psycopg2): the silent host is given
    # up after connect_timeout and the next one is tried
    params = ext.parse_dsn(dsn)
    host, port = _host_port(dsn)
    params.update(host="127.0.0.1,%s" % host,
                  port="%d,%s" % (silent_port, port), connect_timeout="2")
    conn = psycopg2.connect(**params)
    try:
        assert conn.info.port == int(port)
        cur = conn.cursor()
        cur.execute("select 1")
        assert cur.fetchone() == (1,)
    finally:
        conn.close()


def test_multihost_all_silent(dsn, silent_port):
    params = ext.parse_dsn(dsn)
    params.update(host="127.0.0.1,127.0.0.1",
                  port="%d,%d" % (silent_port, silent_port),
                  connect_timeout="2")
    with pytest.raises(psycopg2.OperationalError) as exc:
        psycopg2.connect(**params)
    line = ('connection to server at "127.0.0.1", port %d failed: '
            'timeout expired' % silent_port)
    assert str(exc.value).rstrip("\n") == line + "\n" + line


def test_single_host_timeout_message(dsn, silent_port):
    params = ext.parse_dsn(dsn)
    params.update(host="127.0.0.1", port=str(silent_port),
                  connect_timeout="2")
    with pytest.raises(psycopg2.OperationalError) as exc:
        psycopg2.connect(**params)
    assert str(exc.value).rstrip("\n") == (
        'connection to server at "127.0.0.1", port %d failed: '
        'timeout expired' % silent_port)


def test_multihost_refused_then_silent_then_good(dsn, silent_port):
    # the messages of the hosts given up come first, as with libpq
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    closed_port = s.getsockname()[1]
    s.close()  # nothing listens there: refused
    params = ext.parse_dsn(dsn)
    host, port = _host_port(dsn)
    params.update(host="127.0.0.1,127.0.0.1,127.0.0.1",
                  port="%d,%d,%d" % (closed_port, silent_port, closed_port),
                  connect_timeout="2")
    with pytest.raises(psycopg2.OperationalError) as exc:
        psycopg2.connect(**params)
    refused = ('connection to server at "127.0.0.1", port %d failed: '
               'Connection refused\n\tIs the server running on that host '
               'and accepting TCP/IP connections?\n' % closed_port)
    silent = ('connection to server at "127.0.0.1", port %d failed: '
              'timeout expired\n' % silent_port)
    # psycopg2's text (ours may lack the last newline)
    assert str(exc.value).rstrip("\n") == \
        (refused + silent + refused).rstrip("\n")
