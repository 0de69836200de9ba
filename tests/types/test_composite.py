"""Tests for composite types: CompositeCaster and register_composite."""

import datetime
from decimal import Decimal

import pytest

import psycopg2
from psycopg2 import extensions as ext
from psycopg2.extras import CompositeCaster, register_composite


@pytest.fixture
def ctype(conn):
    """A composite type with a unique name, dropped after the test."""
    name = "comptest_%d" % conn.get_backend_pid()
    cur = conn.cursor()
    cur.execute("drop type if exists %s cascade" % name)
    cur.execute(
        "create type %s as (anint int, astring text, adate date, anum numeric)"
        % name)
    conn.commit()
    yield name
    conn.rollback()
    cur = conn.cursor()
    cur.execute("drop type if exists %s cascade" % name)
    conn.commit()


# tokenize (no server)

def test_tokenize():
    t = CompositeCaster.tokenize
    assert t("(1,foo,,bar)") == ["1", "foo", None, "bar"]
    assert t('(1,"a b","",)') == ["1", "a b", "", None]
    assert t('("a""b","c\\\\d","x,y")') == ['a"b', "c\\d", "x,y"]
    assert t('("(1,2)",)') == ["(1,2)", None]
    assert t("(,)") == [None, None]
    assert t("()") == [None]


# With the server

def test_register_composite(conn, ctype):
    caster = register_composite(ctype, conn)
    assert isinstance(caster, CompositeCaster)
    assert caster.name == ctype
    assert caster.schema == "public"
    assert isinstance(caster.oid, int)
    assert isinstance(caster.array_oid, int)
    assert caster.attnames == ["anint", "astring", "adate", "anum"]
    assert caster.atttypes == [23, 25, 1082, 1700]
    assert caster.type._fields == ("anint", "astring", "adate", "anum")
    assert caster.typecaster is not None
    assert caster.array_typecaster is not None

    cur = conn.cursor()
    cur.execute("select (10, 'hello, \"world\"', '2020-01-02', 1.5)::%s"
                % ctype)
    r = cur.fetchone()[0]
    assert isinstance(r, caster.type)
    assert r.anint == 10
    assert r.astring == 'hello, "world"'
    assert r.adate == datetime.date(2020, 1, 2)
    assert r.anum == Decimal("1.5")


def test_composite_nulls(conn, ctype):
    register_composite(ctype, conn)
    cur = conn.cursor()
    cur.execute("select (null, '', null, null)::%s, null::%s"
                % (ctype, ctype))
    r, n = cur.fetchone()
    assert tuple(r) == (None, "", None, None)
    assert n is None


def test_composite_array(conn, ctype):
    caster = register_composite(ctype, conn)
    cur = conn.cursor()
    cur.execute("select array[(1, 'a', null, 2)::{0}, null, "
                "(2, 'b\\c', null, 3)::{0}]".format(ctype))
    a = cur.fetchone()[0]
    assert a == [caster.type(1, "a", None, Decimal(2)), None,
                 caster.type(2, "b\\c", None, Decimal(3))]


def test_write_tuple(conn, ctype):
    caster = register_composite(ctype, conn)
    cur = conn.cursor()
    v = caster.type(5, "it's", datetime.date(2021, 3, 4), Decimal("2.25"))
    cur.execute("select %%s::%s" % ctype, (v,))
    assert cur.fetchone()[0] == v
    # a plain tuple works too, without any registration
    cur.execute("select (%%s::%s).astring" % ctype,
                ((1, "x", None, None),))
    assert cur.fetchone()[0] == "x"


def test_not_registered_is_str(conn, ctype):
    cur = conn.cursor()
    cur.execute("select (1, 'a', null, null)::%s" % ctype)
    assert cur.fetchone()[0] == "(1,a,,)"


def test_register_on_cursor(conn, ctype):
    cur = conn.cursor()
    register_composite(ctype, cur)
    cur.execute("select (1, 'a', null, null)::%s" % ctype)
    assert cur.fetchone()[0].anint == 1
    cur2 = conn.cursor()
    cur2.execute("select (1, 'a', null, null)::%s" % ctype)
    assert cur2.fetchone()[0] == "(1,a,,)"


def test_register_globally(conn, conn_factory, ctype):
    caster = register_composite(ctype, conn, globally=True)
    try:
        other = conn_factory()
        cur = other.cursor()
        cur.execute("select (1, 'a', null, null)::%s" % ctype)
        assert cur.fetchone()[0].astring == "a"
    finally:
        ext.string_types.pop(caster.oid, None)
        ext.string_types.pop(caster.array_oid, None)


def test_lookup_restores_transaction(conn, ctype):
    assert conn.get_transaction_status() == ext.TRANSACTION_STATUS_IDLE
    register_composite(ctype, conn)
    assert conn.get_transaction_status() == ext.TRANSACTION_STATUS_IDLE


def test_not_found(conn):
    with pytest.raises(psycopg2.ProgrammingError):
        register_composite("nosuchtype_comptest", conn)
    with pytest.raises(psycopg2.ProgrammingError):
        register_composite("nosuchschema.nosuchtype", conn)
    conn.cursor().execute("select 1")


def test_schema_qualified(conn):
    schema = "compschema_%d" % conn.get_backend_pid()
    cur = conn.cursor()
    cur.execute("create schema %s" % schema)
    cur.execute("create type %s.pair as (x int, y text)" % schema)
    try:
        caster = register_composite("%s.pair" % schema, conn)
        assert caster.schema == schema
        assert caster.name == "pair"
        cur.execute("select (1, 'b')::%s.pair" % schema)
        assert cur.fetchone()[0] == (1, "b")
        # found through the search_path too
        cur.execute("set local search_path to %s, public" % schema)
        caster = register_composite("pair", cur)
        cur.execute("select (2, 'c')::pair")
        assert cur.fetchone()[0].y == "c"
    finally:
        conn.rollback()


def test_nested_composite(conn, ctype):
    outer = ctype + "_outer"
    cur = conn.cursor()
    cur.execute("create type %s as (id int, inner_ %s, tags text[])"
                % (outer, ctype))
    conn.commit()
    try:
        inner = register_composite(ctype, conn)
        out = register_composite(outer, conn)
        cur.execute("select (1, (2, 'x y', null, 3), array['a','b c'])::%s"
                    % outer)
        r = cur.fetchone()[0]
        assert r.id == 1
        assert r.inner_ == inner.type(2, "x y", None, Decimal(3))
        assert r.tags == ["a", "b c"]
        assert isinstance(r, out.type)
    finally:
        conn.rollback()
        cur.execute("drop type if exists %s" % outer)
        conn.commit()


def test_custom_factory(conn, ctype):
    class DictComposite(CompositeCaster):
        def make(self, values):
            return dict(zip(self.attnames, values))

    caster = register_composite(ctype, conn, factory=DictComposite)
    assert isinstance(caster, DictComposite)
    cur = conn.cursor()
    cur.execute("select (1, 'a', null, null)::%s" % ctype)
    assert cur.fetchone()[0] == {
        "anint": 1, "astring": "a", "adate": None, "anum": None}


def test_wrong_field_count(conn, ctype):
    caster = register_composite(ctype, conn)
    cur = conn.cursor()
    with pytest.raises(psycopg2.DataError):
        caster.parse("(1,2)", cur)


def test_caster_direct():
    c = CompositeCaster("pt", 123456, [("x", 23), ("y", 23)], array_oid=123457)
    assert c.name == "pt" and c.oid == 123456 and c.array_oid == 123457
    assert c.schema is None
    assert c.attnames == ["x", "y"]
    assert c.type(1, 2).y == 2
    assert c.parse(None, None) is None
