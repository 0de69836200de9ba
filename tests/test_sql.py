"""Tests for psycopg2.sql: composing queries with identifiers and literals."""

import datetime

import pytest

import psycopg2
from psycopg2 import sql


# SQL

def test_sql_as_string_verbatim(conn):
    assert sql.SQL("select 'x' from %s").as_string(conn) == "select 'x' from %s"
    assert sql.SQL("foo").string == "foo"


def test_sql_rejects_non_str():
    with pytest.raises(TypeError):
        sql.SQL(10)
    with pytest.raises(TypeError):
        sql.SQL(b"select 1")


def test_sql_repr_and_eq():
    assert repr(sql.SQL("foo")) == "SQL('foo')"
    assert sql.SQL("foo") == sql.SQL("foo")
    assert sql.SQL("foo") != sql.SQL("bar")
    assert sql.SQL("foo") != "foo"
    assert sql.SQL("foo") != sql.Literal("foo")


def test_format_auto_numbered(conn):
    q = sql.SQL("select {} from {}").format(
        sql.Identifier("col"), sql.Identifier("table"))
    assert isinstance(q, sql.Composed)
    assert q.as_string(conn) == 'select "col" from "table"'


def test_format_numbered_and_named(conn):
    q = sql.SQL("{1} {0} {1} {name}").format(
        sql.SQL("a"), sql.SQL("b"), name=sql.Literal(3))
    assert q.as_string(conn) == "b a b 3"


def test_format_braces_and_percent(conn):
    q = sql.SQL("select '{{x}}', %s, {}").format(sql.Literal("y"))
    assert q.as_string(conn) == "select '{x}', %s, 'y'"


def test_format_errors():
    with pytest.raises(ValueError):
        sql.SQL("select {0:<10}").format(sql.SQL("x"))
    with pytest.raises(ValueError):
        sql.SQL("select {!r}").format(sql.SQL("x"))
    with pytest.raises(ValueError):
        sql.SQL("select {} {1}").format(sql.SQL("x"), sql.SQL("y"))
    with pytest.raises(ValueError):
        sql.SQL("select {0} {}").format(sql.SQL("x"), sql.SQL("y"))
    with pytest.raises(IndexError):
        sql.SQL("select {} {}").format(sql.SQL("x"))
    with pytest.raises(KeyError):
        sql.SQL("select {a}").format(b=sql.SQL("x"))
    with pytest.raises(TypeError):
        sql.SQL("select {}").format("not a composable")


def test_sql_join(conn):
    fields = [sql.Identifier("a"), sql.Identifier("b"), sql.Identifier("c")]
    q = sql.SQL(", ").join(fields)
    assert isinstance(q, sql.Composed)
    assert q.as_string(conn) == '"a", "b", "c"'
    assert sql.SQL(", ").join(iter(fields)).as_string(conn) == '"a", "b", "c"'
    assert sql.SQL(", ").join([]) == sql.Composed([])
    assert sql.SQL(", ").join([]).as_string(conn) == ""
    # a Composed is iterable, so it can be joined too
    comp = sql.Composed(fields)
    assert sql.SQL("-").join(comp).as_string(conn) == '"a"-"b"-"c"'


# Identifier

def test_identifier_quoting(conn):
    assert sql.Identifier("foo").as_string(conn) == '"foo"'
    assert sql.Identifier("ba\"z").as_string(conn) == '"ba""z"'
    assert sql.Identifier("Schema", "table").as_string(conn) == \
        '"Schema"."table"'
    cur = conn.cursor()
    assert sql.Identifier("x").as_string(cur) == '"x"'


def test_identifier_attributes():
    i = sql.Identifier("a")
    assert i.string == "a"
    assert i.strings == ("a",)
    j = sql.Identifier("a", "b")
    assert j.strings == ("a", "b")
    with pytest.raises(AttributeError):
        j.string
    assert repr(j) == "Identifier('a', 'b')"
    assert repr(i) == "Identifier('a')"
    assert sql.Identifier("a", "b") == sql.Identifier("a", "b")
    assert sql.Identifier("a", "b") != sql.Identifier("a")


def test_identifier_bad_args():
    with pytest.raises(TypeError):
        sql.Identifier()
    with pytest.raises(TypeError):
        sql.Identifier(10)
    with pytest.raises(TypeError):
        sql.Identifier("a", None)


def test_identifier_bad_context():
    with pytest.raises(TypeError):
        sql.Identifier("a").as_string("not a connection")


def test_identifier_runs(conn):
    cur = conn.cursor()
    cur.execute(sql.SQL("select 1 as {}").format(sql.Identifier("we ird\"")))
    assert cur.description[0].name == 'we ird"'
    assert cur.fetchone() == (1,)


# Literal

def test_literal(conn):
    assert sql.Literal("foo").as_string(conn) == "'foo'"
    assert sql.Literal("ba'r").as_string(conn) == "'ba''r'"
    assert sql.Literal(42).as_string(conn) == "42"
    assert sql.Literal(None).as_string(conn) == "NULL"
    assert sql.Literal(datetime.date(2020, 1, 2)).as_string(conn) == \
        "'2020-01-02'::date"
    assert sql.Literal("x").wrapped == "x"
    assert repr(sql.Literal("x")) == "Literal('x')"
    cur = conn.cursor()
    assert sql.Literal("foo").as_string(cur) == "'foo'"


def test_literal_unicode_roundtrip(conn):
    cur = conn.cursor()
    cur.execute(sql.SQL("select {}").format(sql.Literal("\u20ac\u00e8")))
    assert cur.fetchone()[0] == "\u20ac\u00e8"


def test_literal_bad_context():
    with pytest.raises(TypeError):
        sql.Literal("x").as_string(None)
    with pytest.raises(TypeError):
        sql.Literal("x").as_string(object())


def test_literal_unadaptable(conn):
    with pytest.raises(psycopg2.ProgrammingError):
        sql.Literal(object()).as_string(conn)


# Placeholder

def test_placeholder(conn):
    assert sql.Placeholder().as_string(conn) == "%s"
    assert sql.Placeholder("foo").as_string(conn) == "%(foo)s"
    assert sql.Placeholder("foo").name == "foo"
    assert sql.Placeholder().name is None
    assert repr(sql.Placeholder()) == "Placeholder()"
    assert repr(sql.Placeholder("x")) == "Placeholder('x')"
    assert sql.Placeholder("a") == sql.Placeholder("a")
    assert sql.Placeholder("a") != sql.Placeholder("b")


def test_placeholder_bad_name():
    with pytest.raises(ValueError):
        sql.Placeholder("a)b")
    with pytest.raises(TypeError):
        sql.Placeholder(10)


def test_placeholders_execute(conn):
    cur = conn.cursor()
    q = sql.SQL("select {}, {}").format(sql.Placeholder(), sql.Placeholder())
    cur.execute(q, (10, "x"))
    assert cur.fetchone() == (10, "x")
    q = sql.SQL("select {a}, {a}").format(a=sql.Placeholder("v"))
    cur.execute(q, {"v": 3})
    assert cur.fetchone() == (3, 3)


# Composed

def test_composed(conn):
    c = sql.Composed([sql.SQL("select "), sql.Literal(1)])
    assert c.as_string(conn) == "select 1"
    assert c.seq == [sql.SQL("select "), sql.Literal(1)]
    c.seq.append(sql.SQL("x"))  # a copy
    assert len(c.seq) == 2
    assert list(c) == [sql.SQL("select "), sql.Literal(1)]
    assert repr(c) == "Composed([SQL('select '), Literal(1)])"


def test_composed_bad_items():
    with pytest.raises(TypeError):
        sql.Composed(["select"])
    with pytest.raises(TypeError):
        sql.Composed([sql.SQL("a"), 1])


def test_composed_join(conn):
    c = sql.Composed([sql.Literal(1), sql.Literal("a")])
    assert c.join(", ").as_string(conn) == "1, 'a'"
    assert c.join(sql.SQL("+")).as_string(conn) == "1+'a'"
    with pytest.raises(TypeError):
        c.join(10)
    with pytest.raises(TypeError):
        c.join(sql.Literal(","))


def test_add_and_mul(conn):
    a = sql.SQL("a")
    b = sql.Identifier("b")
    c = a + b
    assert isinstance(c, sql.Composed)
    assert c.as_string(conn) == 'a"b"'
    d = c + sql.SQL("!")
    assert d.as_string(conn) == 'a"b"!'
    assert (c + c).seq == [a, b, a, b]
    assert (sql.SQL("x") + c).seq == [sql.SQL("x"), a, b]
    with pytest.raises(TypeError):
        a + "str"
    with pytest.raises(TypeError):
        c + "str"
    assert (sql.SQL("x") * 3).as_string(conn) == "xxx"
    assert isinstance(sql.SQL("x") * 2, sql.Composed)


def test_constants(conn):
    assert sql.NULL == sql.SQL("NULL")
    assert sql.DEFAULT == sql.SQL("DEFAULT")
    assert sql.NULL.as_string(conn) == "NULL"


def test_composable_is_abstract(conn):
    with pytest.raises(NotImplementedError):
        sql.Composable("x").as_string(conn)


# Use with the cursor

def test_execute_and_mogrify(conn):
    cur = conn.cursor()
    cur.execute("create temp table sqltest (id int, \"the data\" text)")
    q = sql.SQL("insert into {} ({}) values ({})").format(
        sql.Identifier("sqltest"),
        sql.SQL(", ").join(map(sql.Identifier, ["id", "the data"])),
        sql.SQL(", ").join(sql.Placeholder() * 2))
    assert cur.mogrify(q, (1, "x")) == \
        b'insert into "sqltest" ("id", "the data") values (1, \'x\')'
    cur.execute(q, (1, "hello"))
    cur.executemany(q, [(2, "a"), (3, "b")])
    cur.execute(sql.SQL("select {} from {} order by id").format(
        sql.Identifier("the data"), sql.Identifier("sqltest")))
    assert cur.fetchall() == [("hello",), ("a",), ("b",)]


def test_copy_expert(conn):
    import io
    cur = conn.cursor()
    cur.execute("create temp table sqlcopy (id int)")
    cur.copy_expert(
        sql.SQL("copy {} from stdin").format(sql.Identifier("sqlcopy")),
        io.StringIO("1\n2\n"))
    cur.execute("select id from sqlcopy order by id")
    assert cur.fetchall() == [(1,), (2,)]
