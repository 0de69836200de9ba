"""Objects that were never initialised, or re-initialised badly.

Every public type of ``psycopg2._psycopg`` can be made with ``T.__new__(T)``
(or through a subclass whose ``__init__`` does not call the base), skipping
the C ``__init__``. Whatever is then done with such an object (every
attribute read, written and deleted, every method called with no arguments
and with plausible ones, ``repr``, pickling, garbage collection, and passing
it to the rest of the API) must give a Python exception or a sensible value,
never a crash.

``__init__`` called again on a live object validates all of its arguments
before changing anything: when it fails, the object keeps its old state.

The sweep runs each type in its own subprocess (``python
tests/test_uninitialised.py TYPE VARIANT``), so a crash names the type and the
last step it took; run it under the sanitizers with
``scripts/sanitize.sh test -q tests/test_uninitialised.py``.
"""

import copy
import datetime
import decimal
import gc
import io
import os
import pickle
import subprocess
import sys

# --------------------------------------------------------------------------
# The sweep (runs in a child process)
# --------------------------------------------------------------------------

# Assigning these would change the object's class or namespace rather than
# exercise the type's own descriptors.
SKIP_SET = {"__class__", "__dict__"}
# Called separately, at the end, because success changes what is tested.
SKIP_CALL = {"__init__", "__new__", "__setstate__", "__del__"}


def _log(msg):
    os.write(1, (msg[:300].replace("\n", " ") + "\n").encode("utf-8", "replace"))


def _r(args):
    """repr() that survives objects whose repr fails or recurses."""
    try:
        return repr(args)[:200]
    except BaseException as ex:
        return "<repr failed: %s>" % type(ex).__name__


def _try(desc, func, *args):
    _log(desc)
    try:
        return func(*args)
    except KeyboardInterrupt:
        raise
    except BaseException:
        return None


def _types():
    """name -> type, for every type the C module makes."""
    import psycopg2._psycopg as m
    import psycopg2.extensions as ext

    types = {n: t for n, t in vars(m).items() if isinstance(t, type)}
    types["typecaster"] = type(ext.UNICODE)
    types["datetime_adapter"] = type(m.DateFromPy(datetime.date(2020, 1, 1)))
    return types


class _Peers:
    """Objects passed as arguments: real ones (if a server is configured)
    and more uninitialised ones."""

    def __init__(self, types):
        import psycopg2

        dsn = os.environ.get("PSYCOPG2_TESTDSN")
        self.conn = psycopg2.connect(dsn) if dsn else None
        self.cur = self.conn.cursor() if self.conn else None
        self.uconn = types["connection"].__new__(types["connection"])
        self.ucur = types["cursor"].__new__(types["cursor"])

    def arg_sets(self, subject):
        sets = [
            (), (None,), (0,), (1,), (-1,), (2 ** 70,), (1.5,), (True,),
            ("x",), (b"x",), ("select 1",), ("select %s", (1,)),
            ("x", "y"), (1, 2), (1, 2, 3), ([1],), ({"a": 1},), (object(),),
            (io.BytesIO(b"1\n"), "t"), (io.StringIO(),),
            (self.uconn,), (self.ucur,), (subject,), (subject, subject),
            ("x", subject), (1, subject),
        ]
        if self.conn is not None:
            sets += [(self.conn,), (self.cur,), (self.conn, "x"),
                     (subject, self.conn), (subject, self.cur)]
        return sets


def _exercise_methods(obj, peers, label):
    for name in sorted(set(dir(obj))):
        if name in SKIP_CALL:
            continue
        attr = _try("%s get %s" % (label, name), getattr, obj, name)
        if attr is None or not callable(attr) or isinstance(attr, type):
            continue
        for args in peers.arg_sets(obj):
            _try("%s call %s%s" % (label, name, _r(args)), attr, *args)


def _exercise_attrs(obj, peers, label):
    values = [None, 0, 1, -1, True, "x", b"x", 2 ** 70, 1.5, object(),
              peers.uconn, peers.ucur, obj]
    if peers.conn is not None:
        values += [peers.conn, peers.cur]
    for name in sorted(set(dir(obj)) - SKIP_SET):
        for v in values:
            _try("%s set %s=%s" % (label, name, _r(v)), setattr, obj, name, v)
            _try("%s get %s" % (label, name), getattr, obj, name)
        _try("%s del %s" % (label, name), delattr, obj, name)
        _try("%s get %s" % (label, name), getattr, obj, name)


def _exercise_protocols(obj, label):
    _try(label + " repr", repr, obj)
    _try(label + " str", str, obj)
    _try(label + " hash", hash, obj)
    _try(label + " bool", bool, obj)
    _try(label + " len", len, obj)
    _try(label + " iter", lambda: list(iter(obj)))
    _try(label + " next", next, obj)
    _try(label + " getitem", lambda: obj[0])
    _try(label + " getitem str", lambda: obj["x"])
    _try(label + " getitem slice", lambda: obj[0:2])
    _try(label + " contains", lambda: "x" in obj)
    _try(label + " eq", lambda: obj == obj)
    _try(label + " lt", lambda: obj < obj)
    _try(label + " pickle", pickle.dumps, obj)
    _try(label + " copy", copy.copy, obj)
    _try(label + " deepcopy", copy.deepcopy, obj)
    _try(label + " format", format, obj, "")
    _try(label + " enter", lambda: obj.__enter__())
    _try(label + " exit", lambda: obj.__exit__(None, None, None))
    _try(label + " with", lambda: [None for _ in [obj.__enter__()]])


def _exercise_api(obj, peers, label):
    """Pass the object to the rest of the API."""
    import psycopg2._psycopg as m
    import psycopg2.extensions as ext

    funcs = [getattr(m, n) for n in sorted(dir(m))
             if callable(getattr(m, n)) and not n.startswith("__")
             and n != "set_wait_callback"]
    for f in funcs:
        name = getattr(f, "__name__", repr(f))
        for args in [(obj,), (obj, obj), ("x", obj), (1, obj), (obj, 1),
                     ((1,), "x", obj), ("x", None, obj)] + (
                [(obj, peers.conn), (obj, peers.cur), ("x", peers.conn, obj)]
                if peers.conn is not None else []):
            _try("%s api %s%s" % (label, name, _r(args)), f, *args)
    _try(label + " adapt", lambda: ext.adapt(obj).getquoted())
    _try(label + " List", lambda: m.List([obj]).getquoted())
    if peers.conn is None:
        return
    cur = peers.cur
    if cur.closed:
        cur = peers.cur = peers.conn.cursor()
    for q in ["select %s", "select %s::text"]:
        _try("%s execute %s" % (label, q), cur.execute, q, (obj,))
        _try(label + " fetchall", cur.fetchall)
    _try(label + " mogrify", cur.mogrify, "select %s, %s", (obj, [obj]))
    _try(label + " rollback", peers.conn.rollback)
    # casters may have been registered from the object: fetch through them
    _try(label + " fetch types", cur.execute,
         "select 1, 'x'::text, array['a']::text[], now(), 1.5::numeric, "
         "'\\x00'::bytea, true, null, interval '1 day', date '2020-01-01'")
    _try(label + " fetchall", cur.fetchall)
    _try(label + " rollback", peers.conn.rollback)
    # the wait callback: a green connection calls it on every wait
    _try(label + " set_wait_callback", m.set_wait_callback, obj)
    _try(label + " green connect", lambda: m._connect(
        os.environ["PSYCOPG2_TESTDSN"]).close())
    _try(label + " unset_wait_callback", m.set_wait_callback, None)


def _healthy(peers):
    """Properly made objects of every type, to receive the subject."""
    import psycopg2._psycopg as m
    import psycopg2.extensions as ext

    objs = [
        m.QuotedString("x"), m.Binary(b"x"), m.AsIs(1), m.List(["x", b"y"]),
        m.SQL_IN((1, "x")), m.Boolean(True), m.Float(1.5), m.Int(1),
        m.Decimal(decimal.Decimal("1.5")), m.ISQLQuote("x"),
        m.DateFromPy(datetime.date(2020, 1, 1)),
        m.TimestampFromPy(datetime.datetime(2020, 1, 1)),
        m.IntervalFromPy(datetime.timedelta(1)),
        m.Xid(1, "g", "b"), m.Xid.from_string("x"),
        ext.new_type((705,), "T", lambda v, c: v),
        ext.new_array_type((1015,), "TA", ext.UNICODE),
        m.Notify(1, "ch", "p"), m.Error("x"),
    ]
    if peers.conn is not None:
        conn = peers.conn
        cur = conn.cursor()
        cur.execute("select 1 as a")
        objs += [conn.info, cur.description[0], cur]
        try:
            cur.execute("select 1/0")
        except m.Error as ex:
            objs += [ex, ex.diag]
        conn.rollback()
    return objs


def _exercise_healthy(obj, peers, label):
    """Hand the subject to every method and attribute of sound objects."""
    for h in _healthy(peers):
        hname = type(h).__name__
        for name in sorted(set(dir(h))):
            if name in ("__new__", "__class__", "__dict__", "__del__"):
                continue
            attr = _try("%s healthy %s get %s" % (label, hname, name),
                        getattr, h, name)
            if callable(attr) and not isinstance(attr, type):
                for args in [(obj,), (obj, obj), ("x", obj), (obj, 1)]:
                    _try("%s healthy %s.%s%s" % (label, hname, name,
                                                _r(args)), attr, *args)
            _try("%s healthy %s set %s" % (label, hname, name),
                 setattr, h, name, obj)
            _try("%s healthy %s repr" % (label, hname), repr, h)
        _try("%s healthy %s getquoted" % (label, hname),
             lambda: h.getquoted())
    if peers.conn is not None:
        _try(label + " rollback", peers.conn.rollback)
        _try(label + " select", peers.conn.cursor().execute, "select 1")


def _exercise_init(obj, peers, label):
    init = _try(label + " get __init__", getattr, obj, "__init__")
    if init is None:
        return
    for args in peers.arg_sets(obj):
        # A real connect from a bad dsn could wait on the network: only
        # strings that fail to parse, or the test dsn itself, are passed.
        _try("%s __init__%s" % (label, _r(args)), init, *args)
    if peers.conn is not None and isinstance(obj, _types()["connection"]):
        _try(label + " __init__ dsn", init, os.environ["PSYCOPG2_TESTDSN"])


def sweep(type_name, variant):
    import psycopg2.extensions  # noqa: F401  (registers the lib side)

    types = _types()
    T = types[type_name]
    peers = _Peers(types)
    label = "%s/%s" % (type_name, variant)

    if variant == "new":
        def make():
            return T.__new__(T)
    else:
        try:
            Sub = type("Sub" + T.__name__, (T,),
                       {"__init__": lambda self, *a, **k: None})
        except TypeError:
            _log(label + " not subclassable")
            return

        def make():
            return Sub()

    obj = _try(label + " make", make)
    if obj is None:
        _log(label + " cannot be made")
        return
    for step in (_exercise_protocols, _exercise_methods, _exercise_attrs,
                 _exercise_api, _exercise_healthy, _exercise_init):
        args = (obj, label) if step is _exercise_protocols else \
            (obj, peers, label)
        step(*args)
        _try(label + " gc", gc.collect)
        obj = _try(label + " remake", make)
        if obj is None:
            return
    # once more after the __init__ attempts, on the same object
    _exercise_init(obj, peers, label)
    _exercise_protocols(obj, label)
    _exercise_methods(obj, peers, label)
    _log(label + " del")
    del obj
    _try(label + " gc", gc.collect)
    _log(label + " done")


if __name__ == "__main__":
    # the child: no pytest import here, it would double the start-up time
    for _variant in sys.argv[2:]:
        sweep(sys.argv[1], _variant)
    sys.exit(0)

# --------------------------------------------------------------------------
# The tests
# --------------------------------------------------------------------------

import pytest  # noqa: E402

import psycopg2  # noqa: E402
import psycopg2.extensions as ext  # noqa: E402

TYPE_NAMES = sorted(_types())
VARIANTS = ["new", "subclass"]


@pytest.mark.parametrize("type_name", TYPE_NAMES)
def test_sweep(type_name, child_env, tmp_path):
    # in a temp dir: lobject.export() and friends may write files
    p = subprocess.run(
        [sys.executable, os.path.abspath(__file__), type_name] + VARIANTS,
        env=child_env, cwd=str(tmp_path), capture_output=True, timeout=300)
    out = p.stdout.decode("utf-8", "replace").splitlines()
    assert p.returncode == 0, "exit %s after:\n%s\nstderr:\n%s" % (
        p.returncode, "\n".join(out[-5:]),
        p.stderr.decode("utf-8", "replace")[-4000:])
    ends = [line for line in out if line.endswith(
        (" done", " not subclassable", " cannot be made"))]
    assert [e.split("/")[1].split()[0] for e in ends] == VARIANTS, out[-5:]


# --------------------------------------------------------------------------
# Uninitialised objects: specific behaviour
# --------------------------------------------------------------------------

def test_new_cursor_options_like_the_original():
    cur = ext.cursor.__new__(ext.cursor)
    # an unnamed cursor refuses the options of named cursors (as 2.9 does)
    with pytest.raises(psycopg2.ProgrammingError):
        cur.scrollable = True
    with pytest.raises(psycopg2.ProgrammingError):
        cur.withhold = True
    cur.scrollable = None
    cur.withhold = False
    assert cur.scrollable is None and cur.withhold is False
    # closed is False, as in 2.9: nothing was closed
    assert not cur.closed and cur.connection is None and cur.name is None


class _NoInitConnection(ext.connection):
    def __init__(self, *args, **kwargs):
        pass


def test_connection_without_init_as_the_original():
    k = _NoInitConnection("")
    # what psycopg2 2.9 shows for it
    assert k.closed == 0 and k.status == 0
    assert (k.isolation_level, k.readonly, k.deferrable) == (0, False, False)
    assert k.autocommit is False
    assert "dsn: '<unintialized>', closed: 0" in repr(k)
    with pytest.raises(psycopg2.OperationalError,
                       match="asynchronous connection attempt underway"):
        k.cursor()
    assert k.commit() is None and k.rollback() is None
    # everything else is refused as on a closed connection
    for call in [k.get_backend_pid, k.fileno, k.cancel, k.reset, k.poll,
                 k.tpc_recover, lambda: k.set_session(readonly=True),
                 lambda: setattr(k, "autocommit", True),
                 lambda: k.set_client_encoding("utf8"),
                 lambda: k.get_parameter_status("TimeZone")]:
        with pytest.raises(psycopg2.InterfaceError):
            call()
    cur = ext.cursor(k)
    with pytest.raises(psycopg2.InterfaceError):
        cur.execute("select 1")
    k.close()
    assert k.closed == 1 and "closed: 1" in repr(k)


def test_connection_without_init_then_init(dsn):
    k = _NoInitConnection("")
    ext.connection.__init__(k, dsn)
    try:
        assert k.closed == 0
        assert (k.isolation_level, k.readonly, k.deferrable) == (
            None, None, None)
        cur = k.cursor()
        cur.execute("show transaction_isolation")
        assert cur.fetchone() == ("read committed",)
    finally:
        k.close()


def test_mogrify_without_connection():
    # as psycopg2: nothing is sent, so no connection is needed
    cur = ext.cursor.__new__(ext.cursor)
    assert cur.mogrify("select 1") == b"select 1"
    assert cur.mogrify(b"select %s, %s", (1, None)) == b"select 1, NULL"
    assert cur.mogrify("select %(a)s", {"a": [1, "x"]}) == (
        b"select ARRAY[1,'x']")
    with pytest.raises(psycopg2.ProgrammingError):
        cur.mogrify("select %(a)s, %s", {"a": 1})
    from psycopg2 import sql
    with pytest.raises(psycopg2.InterfaceError):
        cur.mogrify(sql.SQL("select 1"))


@pytest.mark.parametrize("call", [
    lambda c: c.execute("select 1"),
    lambda c: c.executemany("select %s", [(1,)]),
    lambda c: c.fetchone(),
    lambda c: c.fetchall(),
    lambda c: c.callproc("now"),
    lambda c: c.cast(25, "x"),
    lambda c: c.scroll(0),
    lambda c: c.copy_expert("copy t to stdout", io.StringIO()),
    lambda c: next(iter(c)),
])
def test_new_cursor_methods_raise(call):
    cur = ext.cursor.__new__(ext.cursor)
    with pytest.raises(psycopg2.InterfaceError):
        call(cur)


def test_subclass_without_base_init():
    class C(ext.cursor):
        def __init__(self):
            pass

    cur = C()
    with pytest.raises(psycopg2.InterfaceError):
        cur.execute("select 1")
    cur.close()
    del cur
    gc.collect()


# --------------------------------------------------------------------------
# Re-initialisation: all or nothing
# --------------------------------------------------------------------------

def test_reinit_named_cursor_bad_name_keeps_state(conn):
    cur = conn.cursor("keep_me")
    cur.execute("select generate_series(1, 3)")
    assert cur.fetchone() == (1,)
    with pytest.raises(ValueError):
        cur.__init__(conn, "b" * 16 + "\x00c")
    assert cur.name == "keep_me"
    # the cursor goes on reading its server-side cursor, by its old name
    assert cur.fetchone() == (2,)
    assert cur.fetchall() == [(3,)]
    cur.close()
    assert conn.get_transaction_status() == ext.TRANSACTION_STATUS_INTRANS


@pytest.mark.parametrize("args", [
    (None,), ("dsn",), (1,),
])
def test_reinit_cursor_bad_connection_keeps_state(conn, args):
    cur = conn.cursor()
    cur.arraysize = 10
    with pytest.raises(TypeError):
        cur.__init__(*args)
    assert cur.connection is conn and cur.arraysize == 10
    cur.execute("select 42")
    assert cur.fetchone() == (42,)


@pytest.mark.parametrize("name", [1, bytearray(b"x"), "nul\x00", b"\xff"])
def test_reinit_cursor_bad_name_keeps_state(conn, name):
    cur = conn.cursor()
    with pytest.raises((TypeError, ValueError)):
        cur.__init__(conn, name)
    assert cur.name is None
    cur.execute("select 1")
    assert cur.fetchall() == [(1,)]


def test_reinit_cursor_to_other_connection(conn_factory):
    c1, c2 = conn_factory(), conn_factory()
    cur = c1.cursor("first", withhold=True)
    cur.arraysize = 5
    cur.__init__(c2, 'sec"ond')
    assert cur.connection is c2
    assert cur.name == 'sec"ond'
    assert (cur.withhold, cur.scrollable, cur.arraysize) == (False, None, 1)
    cur.execute("select pg_backend_pid()")
    assert cur.fetchone() == (c2.get_backend_pid(),)
    # and back to a client-side cursor
    cur.__init__(c1)
    assert cur.name is None
    cur.execute("select pg_backend_pid()")
    assert cur.fetchone() == (c1.get_backend_pid(),)
    # a closed cursor stays closed (as in 2.9)
    cur.close()
    cur.__init__(c1)
    assert cur.closed


def test_reinit_connection_refused(conn, dsn):
    pid = conn.get_backend_pid()
    for args in [("x=y",), (dsn,)]:
        with pytest.raises(psycopg2.InterfaceError):
            conn.__init__(*args)
    assert conn.get_backend_pid() == pid and not conn.closed
    cur = conn.cursor()
    cur.execute("select 1")
    assert cur.fetchone() == (1,)


def test_connection_init_after_failed_init(dsn):
    c = ext.connection.__new__(ext.connection)
    with pytest.raises(psycopg2.OperationalError):
        c.__init__("x=y")
    with pytest.raises(psycopg2.InterfaceError):
        c.cursor().execute("select 1")
    c.__init__(dsn)
    try:
        cur = c.cursor()
        cur.execute("select 1")
        assert cur.fetchone() == (1,)
    finally:
        c.close()


def test_reinit_lobject(conn):
    lo = conn.lobject(0, "wb")
    lo.write(b"data")
    with pytest.raises((psycopg2.InterfaceError, ValueError)):
        lo.__init__(conn, 0, "zz")
    with pytest.raises(psycopg2.InterfaceError):
        lo.__init__(conn)
    lo.seek(0)
    assert lo.tell() == 0 and not lo.closed
    lo.unlink()


def test_reinit_adapter_failure_keeps_value():
    q = ext.QuotedString("x")
    with pytest.raises(TypeError):
        q.__init__()
    assert q.getquoted() == b"'x'"
    d = ext.adapt(datetime.date(2020, 1, 2))
    with pytest.raises((TypeError, ValueError)):
        d.__init__(datetime.date(2021, 1, 1), 77)
    assert d.getquoted() == b"'2020-01-02'::date"
