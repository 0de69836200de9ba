"""Tests for hstore support: HstoreAdapter and register_hstore."""

import pytest

import psycopg2
from psycopg2 import extensions as ext
from psycopg2.extras import HstoreAdapter, register_hstore


@pytest.fixture(scope="module")
def hstore_installed(dsn):
    """Make sure the hstore extension exists, or skip the tests needing it."""
    conn = psycopg2.connect(dsn)
    try:
        conn.autocommit = True
        cur = conn.cursor()
        try:
            cur.execute("create extension if not exists hstore")
        except psycopg2.Error as e:
            pytest.skip("cannot create the hstore extension: %s" % e)
    finally:
        conn.close()


@pytest.fixture
def restore_dict_adapter():
    """register_hstore() adapts dict globally: undo it after the test."""
    key = (dict, ext.ISQLQuote)
    saved = ext.adapters.get(key)
    yield
    if saved is None:
        ext.adapters.pop(key, None)
    else:
        ext.adapters[key] = saved


@pytest.fixture
def hconn(conn, hstore_installed, restore_dict_adapter):
    register_hstore(conn)
    return conn


# Parsing (no server needed)

def test_parse_basic():
    p = HstoreAdapter.parse
    assert p(None, None) is None
    assert p("", None) == {}
    assert p('"a"=>"1"', None) == {"a": "1"}
    assert p('"a"=>"1", "b"=>NULL, "c"=>"NULL"', None) == \
        {"a": "1", "b": None, "c": "NULL"}


def test_parse_escapes():
    p = HstoreAdapter.parse
    assert p(r'"a\"b"=>"c\\d", "\\\\"=>"=>"', None) == \
        {'a"b': "c\\d", "\\\\": "=>"}
    assert p('"a, b"=>" x "', None) == {"a, b": " x "}


@pytest.mark.parametrize("bad", [
    '"a"=>', 'a=>1', '"a"=>"1" garbage', '"a"=>"1",, "b"=>"2"', '"a"',
])
def test_parse_bad(bad):
    with pytest.raises(psycopg2.InterfaceError):
        HstoreAdapter.parse(bad, None)


def test_parse_unicode():
    assert HstoreAdapter.parse_unicode('"\u20ac"=>"\u00e8"', None) == \
        {"\u20ac": "\u00e8"}


# Adaptation

def test_adapt_empty(conn):
    a = HstoreAdapter({})
    a.prepare(conn)
    assert a.getquoted() == b"''::hstore"


def test_adapt_quoted(conn):
    a = HstoreAdapter({"a": "1", "b": None})
    a.prepare(conn)
    q = a.getquoted()
    assert q.startswith(b"hstore(ARRAY[")
    assert b"'a'" in q and b"'1'" in q and b"NULL" in q


# With the server

def test_get_oids(conn, hstore_installed):
    oids, array_oids = HstoreAdapter.get_oids(conn)
    # the look-up leaves no transaction open
    assert conn.get_transaction_status() == ext.TRANSACTION_STATUS_IDLE
    assert isinstance(oids, tuple) and isinstance(array_oids, tuple)
    assert len(oids) >= 1 and all(isinstance(o, int) for o in oids)
    assert len(array_oids) == len(oids)
    cur = conn.cursor()
    cur.execute("select 'hstore'::regtype::oid")
    assert cur.fetchone()[0] in oids


def test_roundtrip(hconn):
    cur = hconn.cursor()
    d = {"a": "1", "b": None, "c": "", "NULL": "NULL"}
    cur.execute("select %s", (d,))
    assert cur.fetchone()[0] == d
    cur.execute("select %s", ({},))
    assert cur.fetchone()[0] == {}
    cur.execute("select null::hstore")
    assert cur.fetchone()[0] is None


def test_roundtrip_special_chars(hconn):
    cur = hconn.cursor()
    d = {
        'quo"te': 'va"lue',
        "back\\slash": "\\",
        "it's": "'",
        "a=>b": "c, d",
        " spaces ": "  ",
        "\u20ac\u00e8": "\u00fc\u4e2d",
        "new\nline": "tab\t",
    }
    cur.execute("select %s", (d,))
    assert cur.fetchone()[0] == d


def test_cast_from_server(hconn):
    cur = hconn.cursor()
    cur.execute("""select 'a=>1, "b c"=>NULL, d=>"x\\"y"'::hstore""")
    assert cur.fetchone()[0] == {"a": "1", "b c": None, "d": 'x"y'}


def test_hstore_array(hconn):
    cur = hconn.cursor()
    cur.execute("select array['a=>1'::hstore, 'b=>NULL', null]")
    assert cur.fetchone()[0] == [{"a": "1"}, {"b": None}, None]
    cur.execute("select %s::hstore[]", ([{"x": "y"}, {}],))
    assert cur.fetchone()[0] == [{"x": "y"}, {}]


def test_hstore_operators(hconn):
    cur = hconn.cursor()
    cur.execute("select %s -> 'k', %s ? 'z'", ({"k": "v"}, {"k": "v"}))
    assert cur.fetchone() == ("v", False)


def test_register_on_cursor(conn, hstore_installed, restore_dict_adapter):
    cur = conn.cursor()
    register_hstore(cur)
    cur.execute("select 'a=>b'::hstore")
    assert cur.fetchone()[0] == {"a": "b"}
    cur2 = conn.cursor()
    cur2.execute("select 'a=>b'::hstore")
    assert cur2.fetchone()[0] == '"a"=>"b"'


def test_register_not_global_by_default(conn, conn_factory, hconn):
    other = conn_factory()
    cur = other.cursor()
    cur.execute("select 'a=>b'::hstore")
    assert cur.fetchone()[0] == '"a"=>"b"'
    # but the dict adapter is global
    cur.execute("select %s::text", ({"a": "b"},))
    assert cur.fetchone()[0] == '"a"=>"b"'


def test_register_globally(conn, conn_factory, hstore_installed,
                           restore_dict_adapter):
    oids, array_oids = HstoreAdapter.get_oids(conn)
    register_hstore(conn, globally=True)
    try:
        other = conn_factory()
        cur = other.cursor()
        cur.execute("select 'a=>b'::hstore")
        assert cur.fetchone()[0] == {"a": "b"}
    finally:
        for oid in oids + array_oids:
            ext.string_types.pop(oid, None)


def test_register_explicit_oids(conn, hstore_installed, restore_dict_adapter):
    oids, array_oids = HstoreAdapter.get_oids(conn)
    register_hstore(conn, oid=oids[0], array_oid=array_oids[0])
    cur = conn.cursor()
    cur.execute("select 'a=>b'::hstore, array['c=>d'::hstore]")
    assert cur.fetchone() == ({"a": "b"}, [{"c": "d"}])


def test_register_unicode_flag(conn, hstore_installed, restore_dict_adapter):
    register_hstore(conn, unicode=True)
    cur = conn.cursor()
    cur.execute("select %s", ({"\u20ac": "\u00e8"},))
    assert cur.fetchone()[0] == {"\u20ac": "\u00e8"}


def test_register_not_installed(conn, monkeypatch, restore_dict_adapter):
    # hstore can't be dropped from a shared server: pretend the look-up
    # found nothing
    monkeypatch.setattr(HstoreAdapter, "get_oids",
                        classmethod(lambda cls, conn_or_curs: ((), ())))
    with pytest.raises(psycopg2.ProgrammingError):
        register_hstore(conn)
