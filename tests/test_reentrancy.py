"""Python code called by the C core changes the state the core is using.

One regression test per case of issue 12.  Any outcome is acceptable except
a crash, a sanitizer report, a hang or a silently wrong value: a fetch whose
cursor went away under it raises InterfaceError, a re-entrant use of a busy
connection or cursor raises ProgrammingError.

The cases that used to hang (self-deadlocks) run in a child process, so that
a regression fails the test instead of blocking the whole session.
"""

import datetime
import os
import subprocess
import sys
import textwrap
import threading

import pytest

import psycopg2
import psycopg2.errors
import psycopg2.extensions as ext
import psycopg2.extras

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_child(dsn, code):
    """Run `code` in a fresh interpreter importing this psycopg2.

    The child prints OK as its last line when it got to the end.  The long
    timeout only turns a deadlock into a failure, it measures nothing."""
    env = dict(os.environ)
    env["PSYCOPG2_TESTDSN"] = dsn
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in [os.path.dirname(os.path.dirname(psycopg2.__file__)),
                    env.get("PYTHONPATH")] if p)
    prelude = "import psycopg2, psycopg2.extensions as ext, os, sys, gc\n" \
              "DSN = os.environ['PSYCOPG2_TESTDSN']\n"
    proc = subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code)],
        env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, (proc.returncode, proc.stdout, proc.stderr)
    assert proc.stdout.strip().splitlines()[-1] == "OK", proc.stdout
    return proc


def text_array_casters(scope, on_element):
    """A Python text caster and the array caster made from it, registered
    on `scope`; on_element() runs for every non-NULL element."""
    def cast(s, cur):
        if s is not None:
            on_element()
        return s

    t = ext.new_type((25,), "REENTRY_TEXT", cast)
    a = ext.new_array_type((1009,), "REENTRY_TEXTARRAY", t)
    ext.register_type(t, scope)
    ext.register_type(a, scope)


# ---- 1. array element casters -------------------------------------------

def test_array_element_caster_closes_cursor(conn):
    cur = conn.cursor()
    text_array_casters(cur, cur.close)
    cur.execute("select array['a','b','c']::text[] from generate_series(1, 3)")
    with pytest.raises(psycopg2.InterfaceError):
        cur.fetchall()
    assert cur.closed
    with conn.cursor() as other:
        other.execute("select 42")
        assert other.fetchone() == (42,)


def test_array_element_caster_reexecutes(conn):
    cur = conn.cursor()
    done = []

    def again():
        if not done:
            done.append(1)
            cur.execute("select repeat('x', 10000), 2")

    text_array_casters(cur, again)
    cur.execute("select array['a','b','c']::text[] from generate_series(1, 3)")
    with pytest.raises(psycopg2.InterfaceError):
        cur.fetchall()
    # the cursor shows the new result, whole and from its first row
    assert cur.fetchall() == [("x" * 10000, 2)]


def test_array_element_caster_reexecutes_fetchone(conn):
    cur = conn.cursor()
    text_array_casters(cur, lambda: cur.execute("select 1"))
    cur.execute("select array['a','b']::text[]")
    with pytest.raises(psycopg2.InterfaceError):
        cur.fetchone()
    assert cur.fetchone() == (1,)


# ---- 2. the client encoding changes while decoding ------------------------

def test_caster_changes_client_encoding(conn):
    conn.autocommit = True
    conn.set_client_encoding("UTF8")
    cur = conn.cursor()
    encodings = iter(["LATIN1", "WIN1252", "UTF8"] * 10)

    def flip(s, cur_):
        conn.set_client_encoding(next(encodings))
        return s

    ext.register_type(ext.new_type((23,), "FLIP", flip), cur)
    cur.execute("select i, chr(233) || chr(8364) from generate_series(1, 6) i")
    rows = cur.fetchall()
    # the values were sent in UTF8 and are decoded as such, whatever the
    # encoding became meanwhile
    assert rows == [(str(i), "\u00e9\u20ac") for i in range(1, 7)]
    assert conn.encoding == "UTF8"


def test_other_thread_changes_client_encoding(conn, dsn):
    conn.autocommit = True
    stop = threading.Event()
    errors = []

    def flipper():
        try:
            while not stop.is_set():
                for enc in ("LATIN1", "UTF8", "WIN1252"):
                    conn.set_client_encoding(enc)
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    t = threading.Thread(target=flipper)
    t.start()
    try:
        cur = conn.cursor()
        for _ in range(200):
            # chr(233) is sent in whatever encoding the server uses now;
            # it must come back as U+00E9 in every case
            cur.execute("select chr(233), chr(233)::text || 'x'")
            assert cur.fetchall() == [("\u00e9", "\u00e9x")]
    finally:
        stop.set()
        t.join()
    assert errors == []


# ---- 3. tzinfo_factory ----------------------------------------------------

TZQUERY = ("select '2020-01-01 10:00+02'::timestamptz + i * interval '1 hour'"
           " , i from generate_series(1, 5) i")


def test_tzinfo_factory_closes_cursor(conn):
    cur = conn.cursor()

    def factory(offset):
        cur.close()
        return datetime.timezone(offset)

    cur.tzinfo_factory = factory
    cur.execute(TZQUERY)
    with pytest.raises(psycopg2.InterfaceError):
        cur.fetchall()
    assert cur.closed


@pytest.mark.parametrize("factory_kind", [None, "dict", "realdict", "nt"])
def test_tzinfo_factory_reexecutes(conn, factory_kind):
    kinds = {
        None: None,
        "dict": psycopg2.extras.DictCursor,
        "realdict": psycopg2.extras.RealDictCursor,
        "nt": psycopg2.extras.NamedTupleCursor,
    }
    cur = conn.cursor(cursor_factory=kinds[factory_kind])
    calls = []

    def factory(offset):
        calls.append(offset)
        if len(calls) == 1:
            cur.execute("select 'replaced' as z")
        return datetime.timezone(offset)

    cur.tzinfo_factory = factory
    cur.execute(TZQUERY)
    with pytest.raises(psycopg2.InterfaceError):
        cur.fetchall()
    row = cur.fetchone()
    assert (row["z"] if factory_kind == "realdict" else row[0]) == "replaced"


def test_tzinfo_factory_swaps_itself(conn):
    cur = conn.cursor()

    def second(offset):
        return datetime.timezone(offset, "second")

    def first(offset):
        cur.tzinfo_factory = second
        return datetime.timezone(offset, "first")

    cur.tzinfo_factory = first
    cur.execute(TZQUERY)
    rows = cur.fetchall()
    assert [r[1] for r in rows] == [1, 2, 3, 4, 5]
    # the whole fetch uses the factory it started with
    assert {r[0].tzname() for r in rows} == {"first"}


# ---- 6. __init__() on a busy cursor ---------------------------------------

def test_caster_reinits_cursor_holding_last_conn_ref(dsn, conn):
    cur = psycopg2.connect(dsn).cursor()  # the only reference to its conn

    def reinit(s, c):
        cur.__init__(conn)
        return s

    ext.register_type(ext.new_type((23,), "REINIT", reinit), cur)
    cur.execute("select i, 'ab' from generate_series(1, 3) i")
    with pytest.raises(psycopg2.ProgrammingError):
        cur.fetchall()
    assert cur.connection is not conn
    cur.connection.close()


def test_adapter_reinits_cursor_while_merging(dsn, conn):
    cur = psycopg2.connect(dsn).cursor()

    class Evil:
        def __conform__(self, proto):
            cur.__init__(conn)
            return ext.AsIs("1")

    with pytest.raises(psycopg2.ProgrammingError):
        cur.execute("select %s, %s", ["x", Evil()])
    cur.execute("select 2")
    assert cur.fetchone() == (2,)
    cur.connection.close()


def test_copy_file_reinits_cursor(dsn, conn):
    cur = psycopg2.connect(dsn).cursor()
    cur.execute("create temp table reentry_copy (a int)")

    class F:
        def read(self, size):
            cur.__init__(conn)
            return ""

    # the refusal is a ProgrammingError raised in read(); as psycopg2,
    # copy_from reports it through the aborted COPY (QueryCanceled)
    with pytest.raises(psycopg2.errors.QueryCanceled,
                       match="read.. call: ProgrammingError"):
        cur.copy_from(F(), "reentry_copy")
    cur.connection.rollback()
    cur.connection.close()


def test_reinit_allowed_when_idle(dsn, conn):
    cur = psycopg2.connect(dsn).cursor()
    cur.__init__(conn)
    assert cur.connection is conn
    cur.execute("select 3")
    assert cur.fetchone() == (3,)


# ---- 7. the garbage collector runs __del__ during execute -----------------

def test_gc_del_uses_same_connection(dsn):
    run_child(dsn, """
        conn = psycopg2.connect(DSN)
        seen = []

        class Trash:
            def __init__(self):
                self.me = self  # a cycle: only the collector frees it

            def __del__(self):
                try:
                    with conn.cursor() as c:
                        c.execute("select 1")
                        seen.append(c.fetchone())
                except psycopg2.ProgrammingError:
                    seen.append("busy")

        gc.set_threshold(1)
        cur = conn.cursor()
        for i in range(300):
            Trash()
            cur.execute("select %s, repeat('x', %s)", (i, i))
            assert cur.fetchall() == [(i, "x" * i)]
        gc.set_threshold(700)
        gc.collect()
        assert seen, "no __del__ ran"
        print(len(seen), seen.count("busy"))
        print("OK")
    """)


@pytest.mark.parametrize("mode", ["blocking", "green"])
def test_notice_handler_uses_same_connection(dsn, mode):
    # the notices are collected under the connection lock and handed to
    # conn.notices after it is released: the handler can use the connection
    run_child(dsn, """
        import psycopg2.extras
        if %r == "green":
            ext.set_wait_callback(psycopg2.extras.wait_select)
        conn = psycopg2.connect(DSN)
        conn.autocommit = True
        got = []

        class Notices(list):
            def append(self, msg):
                with conn.cursor() as c:
                    c.execute("select 1")
                    got.append(c.fetchone())
                list.append(self, msg)

        conn.notices = Notices()
        cur = conn.cursor()
        cur.execute("do $$ begin raise notice 'hello'; end $$")
        assert got == [(1,)], got
        assert conn.notices == ["NOTICE:  hello\\n"], conn.notices
        cur.execute("select 5")
        assert cur.fetchone() == (5,)
        print("OK")
    """ % mode)


def test_notice_handler_uses_same_connection_in_transaction(dsn):
    # the same inside a transaction, and from commit()
    run_child(dsn, """
        conn = psycopg2.connect(DSN)
        got = []

        class Notices(list):
            def append(self, msg):
                c = conn.cursor()
                c.execute("select txid_current_if_assigned() is null")
                got.append(c.fetchone())
                list.append(self, msg)

        conn.notices = Notices()
        cur = conn.cursor()
        cur.execute("do $$ begin raise notice 'hello'; end $$")
        assert got == [(True,)], got
        cur.execute("create temp table t (a int) on commit drop")
        cur.execute("create function pg_temp.f() returns trigger "
                    "language plpgsql as $$ begin raise notice 'ins'; "
                    "return new; end $$")
        cur.execute("create constraint trigger tr after insert on t "
                    "deferrable initially deferred for each row "
                    "execute function pg_temp.f()")
        cur.execute("insert into t values (1)")
        conn.commit()    # the deferred trigger's notice comes with COMMIT
        assert len(got) == 2 and conn.notices[-1].endswith("ins\\n"), \
            (got, conn.notices)
        print("OK")
    """)


def test_notice_handler_uses_same_connection_executemany(dsn):
    # executemany's pipeline collects notices under the lock too
    run_child(dsn, """
        conn = psycopg2.connect(DSN)
        got = []

        class Notices(list):
            def append(self, msg):
                c = conn.cursor()
                c.execute("select %s", (len(got),))
                got.append(c.fetchone()[0])
                list.append(self, msg)

        conn.notices = Notices()
        cur = conn.cursor()
        cur.execute("create temp table t (a int)")
        cur.execute("create function pg_temp.f() returns trigger "
                    "language plpgsql as $$ begin raise notice 'row %', "
                    "new.a; return new; end $$")
        cur.execute("create trigger tr before insert on t for each row "
                    "execute function pg_temp.f()")
        cur.executemany("insert into t values (%s)", [(1,), (2,), (3,)])
        assert got == [0, 1, 2], got
        assert [m.split()[-1] for m in conn.notices] == ["1", "2", "3"]
        cur.execute("select count(*) from t")
        assert cur.fetchone() == (3,)
        print("OK")
    """)


def test_notifies_handler_uses_same_connection(dsn):
    # conn.notifies receives the Notify after the lock is released
    run_child(dsn, """
        conn = psycopg2.connect(DSN)
        conn.autocommit = True
        got = []

        class Notifies(list):
            def append(self, n):
                c = conn.cursor()
                c.execute("select %s", (n.payload,))
                got.append(c.fetchone()[0])
                list.append(self, n)

        conn.notifies = Notifies()
        cur = conn.cursor()
        cur.execute("listen reentry_chan")
        cur.execute("notify reentry_chan, 'x'")
        assert got == ["x"], got
        assert [n.payload for n in conn.notifies] == ["x"]
        print("OK")
    """)


def test_async_poll_notice_handler_polls(dsn):
    # async: poll() delivers notices after releasing the lock, and hands the
    # result to the cursor after it too; a handler can poll() meanwhile
    run_child(dsn, """
        import select
        conn = psycopg2.connect(DSN, async_=True)

        def wait(c):
            while True:
                s = c.poll()
                if s == ext.POLL_OK:
                    return
                select.select([c.fileno()], [c.fileno()] if s ==
                              ext.POLL_WRITE else [], [], 10)
        wait(conn)
        got = []

        class Notices(list):
            def append(self, msg):
                got.append(conn.poll())   # nothing in flight: reads input
                list.append(self, msg)

        conn.notices = Notices()
        cur = conn.cursor()
        cur.execute("do $$ begin raise notice 'a'; end $$; select 42")
        wait(conn)
        assert cur.fetchone() == (42,)
        # the notice may come before the end of the query (poll() in the
        # handler advances it) or with it
        assert len(got) == 1 and got[0] in (
            ext.POLL_OK, ext.POLL_READ, ext.POLL_WRITE), got
        print("OK")
    """)


# ---- 8. COPY file objects using the connection -----------------------------

@pytest.mark.parametrize("action", ["commit", "close", "execute"])
def test_copy_from_file_uses_connection(dsn, action):
    run_child(dsn, """
        action = %r
        conn = psycopg2.connect(DSN)
        cur = conn.cursor()
        cur.execute("create temp table t (a int)")

        class F:
            n = 0

            def read(self, size):
                self.n += 1
                if self.n == 1:
                    return "1\\n"
                if self.n == 2:
                    if action == "commit":
                        conn.commit()
                    elif action == "close":
                        conn.close()
                    else:
                        conn.cursor().execute("select 1")
                return ""

        try:
            cur.copy_from(F(), "t")
        except psycopg2.Error as e:
            print(type(e).__name__, e)
        else:
            raise AssertionError("no error")
        if action == "close":
            assert conn.closed
        else:
            conn.rollback()
            cur.execute("select 1")
            assert cur.fetchone() == (1,)
        print("OK")
    """ % action)


@pytest.mark.parametrize("action", ["commit", "close", "execute"])
def test_copy_to_file_uses_connection(dsn, action):
    run_child(dsn, """
        action = %r
        conn = psycopg2.connect(DSN)
        cur = conn.cursor()

        class F:
            n = 0

            def write(self, data):
                self.n += 1
                if self.n == 2:
                    if action == "commit":
                        conn.commit()
                    elif action == "close":
                        conn.close()
                    else:
                        conn.cursor().execute("select 1")

        try:
            cur.copy_expert("copy (select generate_series(1, 100)) to stdout",
                            F())
        except psycopg2.Error as e:
            print(type(e).__name__, e)
        else:
            raise AssertionError("no error")
        if action != "close":
            conn.rollback()
            cur.execute("select 1")
            assert cur.fetchone() == (1,)
        print("OK")
    """ % action)


def test_close_from_other_thread_ends_copy(dsn):
    conn = psycopg2.connect(dsn)
    cur = conn.cursor()
    cur.execute("create temp table reentry_copy2 (a int)")
    reading = threading.Event()
    closed = threading.Event()

    class Endless:
        """Gives rows until the connection is closed by the other thread:
        the COPY only ends if close() gets through while it runs."""
        def read(self, size):
            if not reading.is_set():
                reading.set()
                assert closed.wait(60)
            return "1\n"

    def closer():
        assert reading.wait(60)
        conn.close()
        closed.set()

    t = threading.Thread(target=closer)
    t.start()
    with pytest.raises(psycopg2.Error):
        cur.copy_from(Endless(), "reentry_copy2")
    t.join()
    assert conn.closed


def test_conn_lock_reentry_is_programming_error(conn):
    # a wait callback runs while an operation is in flight; the connection
    # lock is released for it, so using the connection is allowed there -
    # but inside the COPY it is refused with a clear error
    cur = conn.cursor()
    cur.execute("create temp table reentry_copy3 (a int)")

    class F:
        def read(self, size):
            conn.cursor().execute("select 1")

    with pytest.raises(psycopg2.errors.QueryCanceled,
                       match="read.. call: ProgrammingError the connection "
                             "is busy"):
        cur.copy_from(F(), "reentry_copy3")
    conn.rollback()
    cur.execute("select 1")
    assert cur.fetchone() == (1,)


# ---- 6 (cont.). consume_stream's consumer re-initialises the cursor --------

def test_consumer_reinits_replication_cursor(dsn, conn):
    slot = "psycopg2_test_reentry_slot"
    rconn = psycopg2.connect(
        dsn, connection_factory=psycopg2.extras.LogicalReplicationConnection)
    admin = psycopg2.connect(dsn)
    admin.autocommit = True
    acur = admin.cursor()
    try:
        cur = rconn.cursor()
        cur.create_replication_slot(slot, output_plugin="test_decoding")
        acur.execute("create temp table reentry_repl (a int)")
        acur.execute("insert into reentry_repl values (1)")
        cur.start_replication(slot)
        seen = []

        def consume(msg):
            seen.append(msg.payload)
            cur.__init__(conn)  # refused: the stream still uses rconn

        with pytest.raises(psycopg2.ProgrammingError):
            cur.consume_stream(consume)
        assert seen and cur.connection is rconn
    finally:
        rconn.close()
        # the walsender goes away asynchronously: drop the slot once the
        # server shows it inactive
        for _ in range(600):
            acur.execute("select active from pg_replication_slots "
                         "where slot_name = %s", (slot,))
            row = acur.fetchone()
            if row is None or not row[0]:
                break
            acur.execute("select pg_sleep(0.05)")
        acur.execute("select pg_drop_replication_slot(slot_name) "
                     "from pg_replication_slots where slot_name = %s",
                     (slot,))
        admin.close()


# ---- races found by the strict stress run -----------------------------------

def test_adapter_changes_encoding_query_rebuilt(conn):
    # the query is sent only in the encoding it was built with: a change
    # made while building it (here by an adapter) builds it again
    switched = []

    class Param:
        def __conform__(self, proto):
            return self

        def getquoted(self):
            if not switched:
                switched.append(1)
                conn.set_client_encoding("LATIN1")
            return b"1"

    conn.set_client_encoding("UTF8")
    cur = conn.cursor()
    cur.execute("select 'vé', %s", (Param(),))
    assert cur.fetchone() == ("vé", 1)
    assert conn.encoding == "LATIN1"


def test_adapter_always_changing_encoding_not_sent(conn):
    # a query that can't be built in one encoding is not sent at all
    encs = ["UTF8", "LATIN1"]     # each call changes it
    calls = []

    class Param:
        def __conform__(self, proto):
            return self

        def getquoted(self):
            calls.append(1)
            conn.set_client_encoding(encs[len(calls) % 2])
            return b"1"

    conn.autocommit = True
    conn.set_client_encoding("UTF8")
    cur = conn.cursor()
    with pytest.raises(psycopg2.InterfaceError, match="encoding changed"):
        cur.execute("select 'vé', %s", (Param(),))
    assert len(calls) == 2
    cur.execute("select 'vé'")
    assert cur.fetchone() == ("vé",)


def test_green_wait_ends_when_other_thread_closes(dsn):
    # the wait callback select()s the socket; another thread closes the
    # connection (and opens others, which could take the socket's number):
    # the socket is shut down, not freed, so the wait ends and the green
    # query raises instead of waiting forever
    run_child(dsn, """
        import threading, psycopg2.extras
        sys.path.insert(0, %r)
        import pgsync
        holder = psycopg2.connect(DSN)
        holder.cursor().execute("select pg_advisory_lock(7301)")
        ext.set_wait_callback(psycopg2.extras.wait_select)
        conn = psycopg2.connect(DSN)
        outcome = []

        def run():
            try:
                conn.cursor().execute("select pg_advisory_lock(7301)")
                outcome.append("returned")
            except Exception as e:
                outcome.append(type(e).__name__)

        t = threading.Thread(target=run, daemon=True)
        t.start()
        pgsync.wait_lock_waiters(DSN, "pg_advisory_lock(7301)", 1)
        conn.close()
        others = [psycopg2.connect(DSN) for i in range(3)]
        t.join(60)          # only a hang reaches the limit
        assert not t.is_alive(), "the green wait did not end"
        assert outcome in (["InterfaceError"], ["OperationalError"]), outcome
        assert conn.closed
        holder.close()
        for c in others:
            c.close()
        print("OK")
    """ % os.path.dirname(os.path.abspath(__file__)))
