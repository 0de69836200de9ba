"""The types of the C module are immutable, as psycopg2's: nothing can be
set on them once made (methods and all come with the type), and instances
of cursor and connection take no new attributes. Subclasses are ordinary
Python classes and stay open."""

import sys

import pytest

import psycopg2
import psycopg2._psycopg as _psycopg
import psycopg2.extensions as ext
import psycopg2.extras

# NoneAdapter and SQL_IN are Python classes in psycopg2 (extensions.py):
# they stay open, as there (tests/test_adapt_classes.py)
PUBLIC_TYPES = sorted(
    (t for t in vars(_psycopg).values()
     if isinstance(t, type) and not issubclass(t, BaseException)
     and t not in (ext.NoneAdapter, ext.SQL_IN)),
    key=lambda t: t.__name__)

# Python 3.9 has no Py_TPFLAGS_IMMUTABLETYPE: heap types are mutable there.
needs_immutable = pytest.mark.skipif(
    sys.version_info < (3, 10),
    reason="Python 3.9 has no immutable heap types")

IMMUTABLETYPE = 1 << 8


def replacement(*args, **kwargs):
    return None


def test_public_types_found():
    names = {t.__name__ for t in PUBLIC_TYPES}
    assert {"cursor", "connection", "Column", "Notify", "Xid", "lobject",
            "Diagnostics", "ConnectionInfo", "ReplicationConnection",
            "ReplicationCursor", "ReplicationMessage"} <= names


@needs_immutable
@pytest.mark.parametrize("tp", PUBLIC_TYPES, ids=lambda t: t.__name__)
def test_type_is_immutable(tp):
    assert tp.__flags__ & IMMUTABLETYPE
    name = next((n for n in vars(tp) if not n.startswith("__")), "__doc__")
    msg = "cannot set '%s' attribute of immutable type" % name
    with pytest.raises(TypeError, match=msg):
        setattr(tp, name, replacement)
    with pytest.raises(TypeError, match="immutable type"):
        delattr(tp, name)
    with pytest.raises(TypeError, match="immutable type"):
        tp.some_new_attr = 1
    assert not hasattr(tp, "some_new_attr")


@needs_immutable
def test_cursor_methods_cannot_be_replaced():
    with pytest.raises(TypeError) as exc:
        ext.cursor.execute = replacement
    assert str(exc.value) == ("cannot set 'execute' attribute of immutable "
                              "type 'psycopg2.extensions.cursor'")
    with pytest.raises(TypeError):
        ext.connection.commit = replacement


def test_cursor_has_all_its_methods():
    # made with the type: COPY's methods too
    for name in ("execute", "fetchone", "fetchmany", "fetchall", "scroll",
                 "copy_from", "copy_to", "copy_expert", "cast", "close"):
        assert name in vars(ext.cursor), name


def test_cursor_instance_takes_no_new_attributes(conn):
    cur = conn.cursor()
    with pytest.raises(AttributeError) as exc:
        cur.execute = replacement
    assert str(exc.value) == ("'psycopg2.extensions.cursor' object "
                              "attribute 'execute' is read-only")
    with pytest.raises(AttributeError) as exc:
        cur.some_new_attr = 1
    assert "has no attribute 'some_new_attr'" in str(exc.value)
    with pytest.raises(AttributeError, match="readonly attribute"):
        cur.rowcount = 1
    cur.arraysize = 10  # the settable attributes still are
    assert cur.arraysize == 10
    cur.execute("SELECT 1")
    assert cur.fetchone() == (1,)


def test_connection_instance_takes_no_new_attributes(conn):
    with pytest.raises(AttributeError, match="is read-only"):
        conn.commit = replacement
    with pytest.raises(AttributeError, match="some_new_attr"):
        conn.some_new_attr = 1
    conn.cursor_factory = psycopg2.extras.DictCursor
    assert conn.cursor_factory is psycopg2.extras.DictCursor


def test_column_is_read_only_and_subclassable(conn):
    cur = conn.cursor()
    cur.execute("SELECT 1 AS a")
    col = cur.description[0]
    with pytest.raises(AttributeError, match="readonly attribute"):
        col.name = "b"
    assert col.name == "a"

    class MyColumn(ext.Column):
        pass

    mine = MyColumn(name="x", type_code=23)
    assert (mine.name, mine.type_code) == ("x", 23)
    mine.note = "subclass instances have a __dict__"


def test_subclasses_stay_open(conn):
    class MyCursor(ext.cursor):
        pass

    class MyConnection(ext.connection):
        pass

    MyCursor.execute = lambda self, q, v=None: ext.cursor.execute(
        self, q + " + 1", v)
    cur = conn.cursor(cursor_factory=MyCursor)
    cur.note = "ok"
    cur.execute("SELECT 1")
    assert cur.fetchone() == (2,)
    MyConnection.extra = 42
    assert MyConnection.extra == 42
    dcur = conn.cursor(cursor_factory=psycopg2.extras.DictCursor)
    dcur.execute("SELECT 1 AS a")
    assert dcur.fetchone()["a"] == 1


@pytest.mark.parametrize("name", [
    "Notify", "Xid", "Diagnostics", "ConnectionInfo", "ReplicationMessage"])
def test_value_types_are_subclassable(name):
    # psycopg2 lets users subclass these (e.g. a Notify with a helper)
    base = getattr(_psycopg, name)
    sub = type("My" + name, (base,), {"extra": 1})
    assert sub.extra == 1 and issubclass(sub, base)


def test_value_subclass_instances(conn):
    class MyNotify(ext.Notify):
        def upper(self):
            return self.channel.upper()

    n = MyNotify(1, "ch", "pay")
    assert n.upper() == "CH" and n == (1, "ch") and n.payload == "pay"

    class MyXid(ext.Xid):
        pass

    x = MyXid(1, "gtrid", "bqual")
    assert isinstance(x, ext.Xid) and x.gtrid == "gtrid"

    class MyInfo(ext.ConnectionInfo):
        pass

    assert MyInfo(conn).backend_pid == conn.get_backend_pid()

    class MyDiag(ext.Diagnostics):
        pass

    try:
        conn.cursor().execute("SELECT 1/0")
    except psycopg2.DataError as e:
        assert MyDiag(e).sqlstate == "22012"
    conn.rollback()


@needs_immutable
def test_error_is_immutable_its_subclasses_are_not():
    with pytest.raises(TypeError, match="immutable type"):
        psycopg2.Error.foo = 1
    psycopg2.DataError.foo = 1  # Python classes, as in psycopg2
    del psycopg2.DataError.foo


def test_cursor_type_registries_assignable(conn):
    # psycopg2: string_types/binary_types take any object; only a dict is
    # looked into, and a deleted one reads None
    cur = conn.cursor()
    caster = ext.new_type((23,), "MYINT", lambda s, c: "int:" + s)
    cur.string_types = {23: caster}
    cur.execute("SELECT 1")
    assert cur.fetchone() == ("int:1",)
    for value in (5, None):
        cur.string_types = value
        assert cur.string_types == value
        cur.execute("SELECT 1")
        assert cur.fetchone() == (1,)
        assert cur.cast(23, "2") == 2
        with pytest.raises(TypeError, match="not a dict"):
            ext.register_type(caster, cur)
    del cur.string_types
    assert cur.string_types is None
    cur.binary_types = 7
    assert cur.binary_types == 7


def test_cursor_registry_replaced_during_lookup(conn):
    # a registry key whose __eq__ replaces cursor.string_types while the
    # caster lookup is reading that very dict: the dict must stay alive
    cur = conn.cursor()

    class Key:
        def __hash__(self):
            return hash(23)

        def __eq__(self, other):
            cur.string_types = {}
            return False

    cur.string_types = {Key(): None}
    cur.execute("SELECT 1")
    assert cur.fetchone() == (1,)
    assert cur.string_types == {}
