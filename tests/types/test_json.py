"""Tests for JSON support: Json adapter, json/jsonb typecasters."""

import json
from decimal import Decimal

import pytest

import psycopg2
import psycopg2.extensions as ext
import psycopg2.extras as extras
from psycopg2.extras import Json


def test_default_casters_exported():
    for name in ("JSON", "JSONARRAY", "JSONB", "JSONBARRAY"):
        assert hasattr(ext, name)
    assert 114 in ext.JSON.values
    assert 199 in ext.JSONARRAY.values
    assert 3802 in ext.JSONB.values
    assert 3807 in ext.JSONBARRAY.values


def test_extras_json_is_stdlib():
    assert extras.json is json


def test_json_result_default(conn):
    cur = conn.cursor()
    cur.execute("""select '{"a": [1, 2.5, null], "b": "x"}'::json,
                   '{"c": true}'::jsonb, 'null'::json, null::json""")
    j, jb, jnull, sqlnull = cur.fetchone()
    assert j == {"a": [1, 2.5, None], "b": "x"}
    assert jb == {"c": True}
    assert jnull is None
    assert sqlnull is None


def test_json_arrays_default(conn):
    cur = conn.cursor()
    cur.execute("""select array['{"a": 1}'::json, '[2]', null],
                   array['{"b": 2}'::jsonb]""")
    assert cur.fetchone() == ([{"a": 1}, [2], None], [{"b": 2}])


def test_adapt_json(conn):
    cur = conn.cursor()
    obj = {"a": [1, 2, None], "b": "it's", "c": {"\u20ac": True}}
    cur.execute("select %s::json, %s::jsonb", (Json(obj), Json(obj)))
    assert cur.fetchone() == (obj, obj)


def test_json_quoting(conn):
    obj = {"a": "'quote'"}
    adapted = Json(obj)
    adapted.prepare(conn)
    q = adapted.getquoted()
    assert isinstance(q, bytes)
    assert q == b"""'{"a": "''quote''"}'"""
    assert b"::json" not in q
    assert str(adapted) == """'{"a": "''quote''"}'"""
    assert adapted.adapted is obj


def test_json_mogrify(conn):
    cur = conn.cursor()
    assert cur.mogrify("%s", (Json([1, "a"]),)) == b"""'[1, "a"]'"""


def test_json_custom_dumps_arg(conn):
    def dumps(obj):
        return json.dumps(obj, default=str)

    cur = conn.cursor()
    cur.execute("select %s::json", (Json({"d": Decimal("1.5")}, dumps=dumps),))
    assert cur.fetchone()[0] == {"d": "1.5"}


def test_json_dumps_subclass(conn):
    class MyJson(Json):
        def dumps(self, obj):
            return json.dumps(obj, sort_keys=True, separators=(",", ":"))

    cur = conn.cursor()
    assert cur.mogrify("%s", (MyJson({"b": 1, "a": 2}),)) == \
        b"""'{"a":2,"b":1}'"""


def test_json_unserializable(conn):
    cur = conn.cursor()
    with pytest.raises(TypeError):
        cur.execute("select %s", (Json(object()),))


def test_dict_not_adapted_by_default(conn):
    cur = conn.cursor()
    # (a dict adapter may have been registered by the hstore tests)
    if (dict, ext.ISQLQuote) in ext.adapters:
        pytest.skip("a dict adapter is registered globally")
    with pytest.raises(psycopg2.ProgrammingError):
        cur.execute("select %s", ({"a": 1},))


def test_register_default_json_loads_conn(conn, conn_factory):
    def loads(s):
        return json.loads(s, parse_float=Decimal)

    rv = extras.register_default_json(conn, loads=loads)
    assert isinstance(rv, tuple) and len(rv) == 2
    cur = conn.cursor()
    cur.execute("""select '{"a": 1.5}'::json, array['[2.5]'::json]""")
    j, ja = cur.fetchone()
    assert j == {"a": Decimal("1.5")}
    assert isinstance(j["a"], Decimal)
    assert ja == [[Decimal("2.5")]]

    # jsonb unaffected; other connections unaffected
    cur.execute("""select '{"a": 1.5}'::jsonb""")
    assert isinstance(cur.fetchone()[0]["a"], float)
    other = conn_factory()
    ocur = other.cursor()
    ocur.execute("""select '{"a": 1.5}'::json""")
    assert isinstance(ocur.fetchone()[0]["a"], float)


def test_register_default_jsonb_text(conn):
    extras.register_default_jsonb(conn, loads=lambda x: x)
    cur = conn.cursor()
    cur.execute("""select '{"a":  1}'::jsonb""")
    assert cur.fetchone()[0] == '{"a": 1}'


def test_register_json_on_cursor(conn):
    cur = conn.cursor()
    extras.register_default_json(cur, loads=lambda s: "custom")
    cur.execute("select '{}'::json")
    assert cur.fetchone()[0] == "custom"
    cur2 = conn.cursor()
    cur2.execute("select '{}'::json")
    assert cur2.fetchone()[0] == {}


def test_register_json_lookup(conn):
    from psycopg2.extensions import TRANSACTION_STATUS_IDLE
    assert conn.get_transaction_status() == TRANSACTION_STATUS_IDLE
    j, ja = extras.register_json(conn, loads=lambda s: ("x", s))
    assert 114 in j.values
    assert ja is not None and 199 in ja.values
    # the look-up leaves no transaction open
    assert conn.get_transaction_status() == TRANSACTION_STATUS_IDLE
    cur = conn.cursor()
    cur.execute("select '1'::json")
    assert cur.fetchone()[0] == ("x", "1")


def test_register_json_lookup_in_transaction(conn):
    from psycopg2.extensions import TRANSACTION_STATUS_INTRANS
    cur = conn.cursor()
    cur.execute("create temp table jsonlookup (x int)")
    extras.register_json(conn)
    assert conn.get_transaction_status() == TRANSACTION_STATUS_INTRANS
    cur.execute("select * from jsonlookup")  # the table still exists


def test_register_json_explicit_oid(conn):
    j, ja = extras.register_json(conn, oid=3802, loads=lambda s: "jb")
    assert ja is None
    cur = conn.cursor()
    cur.execute("select '{}'::jsonb")
    assert cur.fetchone()[0] == "jb"


def test_register_json_not_found(conn):
    with pytest.raises(psycopg2.ProgrammingError):
        extras.register_json(conn, name="nosuchtype_jsontest")


def test_register_json_globally(dsn, conn_factory):
    try:
        extras.register_default_json(globally=True, loads=lambda s: "global")
        conn = conn_factory()
        cur = conn.cursor()
        cur.execute("select '[]'::json")
        assert cur.fetchone()[0] == "global"
    finally:
        extras.register_default_json(globally=True)
    cur.execute("select '[]'::json")
    assert cur.fetchone()[0] == []
