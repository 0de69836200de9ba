"""The builtin adapter types as classes: what psycopg2 2.9 shows of them
(immutability, argument errors, attributes, pickling), the default
registrations they are made from, and quoting that re-enters the adapter."""

import codecs
import datetime
import decimal
import pickle
import sys

import pytest

import psycopg2
import psycopg2._psycopg as _psycopg
import psycopg2.extensions as ext

# psycopg2's C types: `Type.attr = x` fails for them
C_TYPES = [
    ext.ISQLQuote, ext.AsIs, ext.QuotedString, ext.Binary, ext.Boolean,
    ext.Int, ext.Float, _psycopg.List, _psycopg.Decimal,
    type(ext.adapt(datetime.date(2020, 1, 2))),
]
# psycopg2's Python classes: settable, and picklable
PY_TYPES = [ext.NoneAdapter, ext.SQL_IN]


@pytest.fixture
def restore_adapters():
    saved = dict(ext.adapters)
    yield
    ext.adapters.clear()
    ext.adapters.update(saved)


@pytest.mark.skipif(sys.version_info < (3, 10),
                    reason="Py_TPFLAGS_IMMUTABLETYPE is new in Python 3.10")
@pytest.mark.parametrize("cls", C_TYPES, ids=lambda c: c.__name__)
def test_c_types_are_immutable(cls):
    with pytest.raises(TypeError, match="immutable type"):
        cls.getquoted = lambda self: b"x"
    with pytest.raises(TypeError, match="immutable type"):
        cls.new_attribute = 1
    assert "new_attribute" not in cls.__dict__


@pytest.mark.parametrize("cls", PY_TYPES, ids=lambda c: c.__name__)
def test_python_like_types_are_mutable(cls):
    cls.new_attribute = 1
    try:
        assert cls.new_attribute == 1
    finally:
        del cls.new_attribute


def test_subclasses_stay_mutable():
    class MyQS(ext.QuotedString):
        pass

    MyQS.getquoted = lambda self: b"'mine'"
    assert MyQS("a").getquoted() == b"'mine'"
    assert ext.QuotedString("a").getquoted() == b"'a'"


def test_subclass_override_is_used_in_queries(conn, restore_adapters):
    class Upper(ext.QuotedString):
        def getquoted(self):
            return super().getquoted().upper()

    ext.register_adapter(str, Upper)
    cur = conn.cursor()
    assert cur.mogrify("select %s", ("abc",)) == b"select 'ABC'"


@pytest.mark.parametrize(
    "cls, arg",
    [(ext.AsIs, 1), (ext.QuotedString, "a"), (ext.Binary, b"a"),
     (ext.Int, 1), (ext.Float, 1.5), (ext.Boolean, True),
     (_psycopg.List, [1]), (_psycopg.Decimal, decimal.Decimal(1)),
     (ext.ISQLQuote, 1)],
    ids=lambda x: getattr(x, "__name__", None),
)
def test_constructor_arguments(cls, arg):
    with pytest.raises(TypeError) as exc:
        cls()
    assert str(exc.value) == "function takes exactly 1 argument (0 given)"
    with pytest.raises(TypeError) as exc:
        cls(arg, arg)
    assert str(exc.value) == "function takes exactly 1 argument (2 given)"
    # as psycopg2: keywords are ignored
    assert cls(arg, unused=1) is not None


@pytest.mark.parametrize("cls, arg", [(ext.QuotedString, "a"),
                                      (ext.Binary, b"a"),
                                      (_psycopg.List, [1])])
def test_prepare_needs_a_connection(cls, arg):
    a = cls(arg)
    with pytest.raises(TypeError) as exc:
        a.prepare(1)
    assert str(exc.value) == (
        "argument 1 must be psycopg2.extensions.connection, not int")
    with pytest.raises(TypeError) as exc:
        a.prepare(None)
    assert str(exc.value) == (
        "argument 1 must be psycopg2.extensions.connection, not None")
    with pytest.raises(TypeError) as exc:
        a.prepare()
    assert str(exc.value) == "function takes exactly 1 argument (0 given)"


def test_prepare_accepts_connection_subclasses(dsn):
    import psycopg2.extras

    conn = psycopg2.connect(dsn, connection_factory=psycopg2.extras.DictConnection)
    try:
        q = ext.QuotedString("x")
        q.prepare(conn)
        assert q.getquoted() == b"'x'"
    finally:
        conn.close()


def test_conform_arguments():
    a = ext.AsIs(1)
    assert a.__conform__(ext.ISQLQuote) is a
    assert a.__conform__(int) is None
    with pytest.raises(TypeError) as exc:
        a.__conform__()
    assert str(exc.value) == "function takes exactly 1 argument (0 given)"


def test_asis_without_prepare():
    assert not hasattr(ext.AsIs(1), "prepare")
    assert not hasattr(ext.Int(1), "prepare")
    assert hasattr(ext.SQL_IN((1,)), "prepare")


@pytest.mark.parametrize("cls", C_TYPES[1:] + PY_TYPES,
                         ids=lambda c: c.__name__)
def test_shared_surface(cls):
    # what every builtin adapter has, from the shared base
    assert cls.__bases__ == (object,)
    assert "getquoted" in cls.__dict__
    assert "__conform__" in cls.__dict__
    assert cls.getquoted.__doc__.startswith("getquoted()")


def test_isqlquote_surface():
    q = ext.ISQLQuote(1)
    assert q._wrapped == 1
    assert q.getquoted() is None
    assert q.getbinary() is None
    assert q.getbuffer() is None
    assert not hasattr(q, "adapted")
    assert not hasattr(q, "__conform__")


@pytest.mark.parametrize("value", [1, 1.5, "a", b"b", True, [1],
                                   decimal.Decimal(1),
                                   datetime.date(2020, 1, 2)])
def test_c_adapters_cannot_be_pickled(value):
    with pytest.raises(TypeError, match="cannot pickle"):
        pickle.dumps(ext.adapt(value))


def test_datetime_adapter_type_attribute():
    t = type(ext.adapt(datetime.date(2020, 1, 2)))
    assert not hasattr(_psycopg, "datetime")
    assert t.__module__ == "psycopg2._psycopg"
    kinds = {
        datetime.time(1, 2): 0,
        datetime.date(2020, 1, 2): 1,
        datetime.datetime(2020, 1, 2, 3, 4): 2,
        datetime.timedelta(1): 3,
    }
    for value, kind in kinds.items():
        assert ext.adapt(value).type == kind
        assert t(value).type == kind
    # psycopg2's numbering for the second argument
    assert t(datetime.date(2020, 1, 2), 1).getquoted() == b"'2020-01-02'::date"
    assert t(datetime.time(1, 2), 0).getquoted() == b"'01:02:00'::time"
    with pytest.raises(ValueError):
        t(datetime.date(2020, 1, 2), 7)
    with pytest.raises(TypeError):
        t()


def test_qstring_encoding_setter():
    q = ext.QuotedString("\u00e8")
    q.encoding = b"utf8"
    assert q.encoding == "utf8"
    assert q.getquoted() == b"'\xc3\xa8'"
    with pytest.raises(TypeError) as exc:
        q.encoding = 5
    assert str(exc.value) == "Expected bytes or unicode string, got int instead"


def test_default_registrations_order():
    # psycopg2's order for the types registered in C
    keys = [k[0] for k in ext.adapters if k[0].__module__ in
            ("builtins", "datetime", "decimal")]
    assert keys == [float, int, bool, str, bytes, bytearray, memoryview,
                    list, datetime.date, datetime.time, datetime.datetime,
                    datetime.timedelta, tuple, type(None), decimal.Decimal]
    assert ext.adapters[(datetime.date, ext.ISQLQuote)] is ext.DateFromPy


@pytest.mark.parametrize("value, literal", [
    (1, b"1"), (1.5, b"1.5"), (True, b"true"), ("a", b"'a'"),
    (b"a", b"'\\x61'::bytea"), (decimal.Decimal("2.5"), b"2.5"),
    (datetime.date(2020, 1, 2), b"'2020-01-02'::date"),
    (datetime.timedelta(1, 2), b"'1 days 2.000000 seconds'::interval"),
])
def test_fast_path_follows_registration(conn, restore_adapters, value,
                                        literal):
    # the exact builtin types are quoted without an adapter object while
    # their default adapter is registered; any change takes over at once
    cur = conn.cursor()
    assert cur.mogrify("%s", (value,)) == literal
    ext.register_adapter(type(value), lambda v: ext.AsIs("42"))
    assert cur.mogrify("%s", (value,)) == b"42"
    del ext.adapters[(type(value), ext.ISQLQuote)]
    if type(value) is bool:
        # the MRO finds int's adapter
        assert cur.mogrify("%s", (value,)) == b"1"
    else:
        with pytest.raises(psycopg2.ProgrammingError, match="can't adapt"):
            cur.mogrify("%s", (value,))


def test_fast_path_restored(conn, restore_adapters):
    cur = conn.cursor()
    ext.register_adapter(int, ext.AsIs)
    assert cur.mogrify("%s", (-1,)) == b"-1"
    ext.register_adapter(int, ext.Int)
    assert cur.mogrify("%s", (-1,)) == b" -1"


# ---- quoting that re-enters the adapter -----------------------------------

def test_list_item_reinitialises_the_list_adapter(conn, restore_adapters):
    outer = {}

    class Evil:
        pass

    def adapt_evil(obj):
        # while the list is quoted: re-init and re-prepare its adapter
        outer["a"].__init__(["other"] * 100)
        outer["a"].prepare(conn)
        return ext.AsIs("7")

    ext.register_adapter(Evil, adapt_evil)
    a = _psycopg.List([1, Evil(), "x"])
    outer["a"] = a
    a.prepare(conn)
    assert a.getquoted() == b"ARRAY[1,7,'x']"
    assert a.adapted == ["other"] * 100


def test_codec_changes_the_encoding_while_quoting():
    name = "psycopg2_test_evil_codec"
    q = ext.QuotedString("abc")

    def encode(text, errors="strict"):
        # replace the adapter's encoding (the str being used) mid-call
        q.encoding = "latin1" + "x" * 100
        return text.encode("latin1"), len(text)

    def decode(data, errors="strict"):
        return data.decode("latin1"), len(data)

    def search(n):
        if n == name:
            return codecs.CodecInfo(encode, decode, name=name)
        return None

    codecs.register(search)
    try:
        q.encoding = name
        assert q.getquoted() == b"'abc'"
        assert q.encoding.startswith("latin1x")
    finally:
        codecs.unregister(search)


def test_uninitialised_subclass_instances():
    for cls in C_TYPES[1:] + PY_TYPES:
        sub = type("Sub", (cls,), {"__init__": lambda self: None})
        obj = sub()
        # the wrapped object reads as None: quoted as NULL or refused
        try:
            obj.getquoted()
        except (TypeError, ValueError):
            pass


def test_object_new_is_refused():
    with pytest.raises(TypeError):
        object.__new__(ext.QuotedString)


def test_python_like_adapters_pickle():
    for a in (ext.NoneAdapter(None), ext.SQL_IN((1, "a"))):
        b = pickle.loads(pickle.dumps(a))
        assert type(b) is type(a)
        assert b.getquoted() == a.getquoted()


def test_prepare_of_adapters_returned_by_user_adapters(conn, restore_adapters):
    # builtin adapters without prepare() are used as they are; a subclass
    # that adds one, or a prepare() set on NoneAdapter, is called
    calls = []

    class Point:
        pass

    class PreparedAsIs(ext.AsIs):
        def prepare(self, c):
            calls.append(c)

    cur = conn.cursor()
    ext.register_adapter(Point, lambda p: ext.AsIs("point(1, 2)"))
    assert cur.mogrify("%s", (Point(),)) == b"point(1, 2)"
    ext.register_adapter(Point, lambda p: PreparedAsIs("point(3, 4)"))
    assert cur.mogrify("%s", (Point(),)) == b"point(3, 4)"
    assert calls == [conn]
    ext.NoneAdapter.prepare = lambda self, c: calls.append("none")
    try:
        ext.register_adapter(Point, ext.NoneAdapter)
        assert cur.mogrify("%s", (Point(),)) == b"NULL"
    finally:
        del ext.NoneAdapter.prepare
    assert calls == [conn, "none"]
