"""Python code that uses the connection while an error is being raised.

Building an exception decodes the server's message with the client
encoding's codec (Python code for most codecs) and allocates objects that
the garbage collector tracks, so a collection can run there and with it a
__del__ that uses the same connection.  The errors met while the
connection lock is held are kept in plain C and built once it is released
(issue 12), so that use works: before, it failed with "the connection is
busy" ProgrammingError.  The same goes for the new encoding object made
by set_client_encoding().

Two hooks run the user's code at those places: a profile function called
when the codec's decode() starts (deterministic: WIN1252's codec is
written in Python), and a garbage-collector callback with the threshold at
1 (a collection at nearly every allocation).
"""

import contextlib
import gc
import sys

import pytest

import psycopg2
import psycopg2.errors


def _outcome(action, seen):
    try:
        action()
    except psycopg2.ProgrammingError as e:
        seen.append("busy" if "busy" in str(e) else type(e))
    except psycopg2.Error as e:
        seen.append(type(e))
    else:
        seen.append("ok")


@contextlib.contextmanager
def at_decode(action):
    """Run action() whenever a codec's decode() starts; yield the list of
    outcomes: "ok", "busy", or the class of the error action() raised."""
    seen = []

    def hook(frame, event, arg):
        if event == "call" and frame.f_code.co_name == "decode":
            _outcome(action, seen)

    sys.setprofile(hook)
    try:
        yield seen
    finally:
        sys.setprofile(None)


@contextlib.contextmanager
def at_collection(action):
    """Run action() at every collection, one at (nearly) every allocation
    of a tracked object; yield the list of outcomes."""
    seen = []

    def callback(phase, info):
        if phase == "start":
            _outcome(action, seen)

    threshold = gc.get_threshold()
    gc.collect()
    gc.callbacks.append(callback)
    gc.set_threshold(1)
    try:
        yield seen
    finally:
        gc.set_threshold(*threshold)
        gc.callbacks.remove(callback)


def select_one(conn):
    def action():
        with conn.cursor() as c:
            c.execute("select 1")
            assert c.fetchone() == (1,)
    return action


@pytest.fixture
def wconn(conn):
    """A connection whose codec is written in Python."""
    conn.set_client_encoding("WIN1252")
    return conn


@pytest.mark.parametrize("hook", [at_decode, at_collection])
def test_commit_fails(wconn, hook):
    conn = wconn
    cur = conn.cursor()
    cur.execute("""
        create temp table errdefer_t (
            id int primary key,
            ref int references errdefer_t (id) deferrable initially deferred)
        """)
    conn.commit()
    cur.execute("insert into errdefer_t values (1, 2)")  # checked at commit
    with hook(select_one(conn)) as seen:
        with pytest.raises(psycopg2.errors.ForeignKeyViolation) as info:
            conn.commit()
    assert "busy" not in seen
    assert "ok" in seen
    e = info.value
    assert e.cursor is None
    assert e.pgcode == "23503"
    assert e.pgerror.startswith("ERROR:  insert or update on table")
    assert e.diag.constraint_name == "errdefer_t_ref_fkey"
    conn.rollback()
    cur.execute("select count(*) from errdefer_t")
    assert cur.fetchone() == (0,)


@pytest.mark.parametrize("hook", [at_decode, at_collection])
def test_set_client_encoding_fails(wconn, hook):
    conn = wconn
    conn.autocommit = True
    with hook(select_one(conn)) as seen:
        with pytest.raises(psycopg2.errors.InvalidParameterValue) as info:
            conn.set_client_encoding("no such encoding")
    assert "busy" not in seen
    assert "ok" in seen
    assert info.value.pgcode == "22023"
    assert conn.encoding == "WIN1252"


@pytest.mark.parametrize("hook", [at_decode, at_collection])
def test_connection_lost(wconn, conn_factory, hook):
    conn = wconn
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("select pg_backend_pid()")
    pid = cur.fetchone()[0]
    admin = conn_factory()
    admin.autocommit = True
    # pg_terminate_backend(pid, timeout) returns once the backend is gone
    with admin.cursor() as acur:
        acur.execute("select pg_terminate_backend(%s, 60000)", (pid,))
        assert acur.fetchone() == (True,)
    # a query of its own would meet the lost connection first: close() it
    # once it is known to be broken
    def action():
        if conn.closed == 2:
            conn.close()

    with hook(action) as seen:
        with pytest.raises(psycopg2.OperationalError) as info:
            cur.execute("select 1")
    assert "busy" not in seen
    assert info.value.pgcode is None
    assert "server closed the connection unexpectedly" in str(info.value)
    assert conn.closed == 1  # closed by the hook


def test_sql_error(conn):
    # raised after the lock since ever (the cursor takes the result)
    conn.autocommit = True
    cur = conn.cursor()
    with at_collection(select_one(conn)) as seen:
        with pytest.raises(psycopg2.errors.DivisionByZero) as info:
            cur.execute("select 1 / 0")
    assert "busy" not in seen
    e = info.value
    assert e.pgcode == "22012"
    assert e.cursor is cur
    assert e.diag.message_primary == "division by zero"


def test_set_client_encoding(conn):
    # the new encoding object is made before taking the lock
    conn.autocommit = True
    with at_collection(select_one(conn)) as seen:
        conn.set_client_encoding("LATIN1")
    assert "busy" not in seen
    assert conn.encoding == "LATIN1"
    cur = conn.cursor()
    cur.execute("select 'vé'")
    assert cur.fetchone() == ("vé",)
    with at_collection(select_one(conn)) as seen:
        conn.set_client_encoding("UTF8")
    assert "busy" not in seen
    assert conn.encoding == "UTF8"


def test_closed_connection_checked_under_lock(conn):
    cur = conn.cursor()
    conn.close()
    with at_collection(lambda: None):
        with pytest.raises(psycopg2.InterfaceError):
            cur.execute("select 1")


def test_lobject_error(wconn):
    conn = wconn
    with at_decode(select_one(conn)) as seen:
        with pytest.raises(psycopg2.OperationalError):
            conn.lobject(123456789)  # no such large object
    assert "busy" not in seen
    conn.rollback()


# ---- callproc sends the query only in the encoding it was built in --------

def _make_function(conn):
    conn.autocommit = True
    conn.set_client_encoding("UTF8")
    cur = conn.cursor()
    cur.execute(
        "create function pg_temp.fé(x int, y text) returns text "
        "language sql as $$select y || x$$")
    return cur


def test_callproc_encoding_changed_by_adapter(conn):
    # the name is encoded in UTF8, then an adapter switches to LATIN1: sent
    # as it was built, the server would read the name in LATIN1 and find no
    # such function; the query is built once more instead
    cur = _make_function(conn)
    switched = []

    class Param:
        def __conform__(self, proto):
            return self

        def getquoted(self):
            if not switched:
                switched.append(1)
                conn.set_client_encoding("LATIN1")
            return b"1"

    cur.callproc("pg_temp.fé", (Param(), "ü"))
    assert cur.fetchone() == ("ü1",)
    assert conn.encoding == "LATIN1"


def test_callproc_encoding_always_changing_not_sent(conn):
    cur = _make_function(conn)
    encs = ["UTF8", "LATIN1"]
    calls = []

    class Param:
        def __conform__(self, proto):
            return self

        def getquoted(self):
            calls.append(1)
            conn.set_client_encoding(encs[len(calls) % 2])
            return b"1"

    with pytest.raises(psycopg2.InterfaceError, match="encoding changed"):
        cur.callproc("pg_temp.fé", (Param(), "ü"))
    assert len(calls) == 2
    cur.callproc("pg_temp.fé", (2, "ü"))
    assert cur.fetchone() == ("ü2",)
