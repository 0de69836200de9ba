"""JSON support: the Json adapter and the json/jsonb typecasters.

This module imports only from psycopg2._psycopg: psycopg2.extensions may
import it (for the JSON, JSONARRAY, JSONB, JSONBARRAY casters).
"""

import json

from psycopg2._psycopg import (
    ISQLQuote,
    ProgrammingError,
    QuotedString,
    new_array_type,
    new_type,
    register_type,
)
from psycopg2._util import _lookup, _solve_conn_curs

__all__ = [
    "Json", "register_json", "register_default_json",
    "register_default_jsonb", "JSON", "JSONARRAY", "JSONB", "JSONBARRAY",
]

# oids from PostgreSQL 9.2 and 9.4
JSON_OID = 114
JSONARRAY_OID = 199
JSONB_OID = 3802
JSONBARRAY_OID = 3807


class Json:
    """Adapter passing any JSON-serialisable object as a json value.

    *adapted* is the object (dict, list, str, number, ...); *dumps* the
    function serialising it, by default :func:`json.dumps`. A subclass can
    override the :meth:`dumps` method instead. The JSON text is quoted as a
    string literal::

        cur.execute("INSERT INTO t (data) VALUES (%s)", [Json({"a": 1})])

    To adapt every dict this way: ``register_adapter(dict, Json)``.
    """

    def __init__(self, adapted, dumps=None):
        self.adapted = adapted
        self._conn = None
        self._dumps = dumps or json.dumps

    def __conform__(self, proto):
        if proto is ISQLQuote:
            return self

    def dumps(self, obj):
        """dumps(obj) -- serialise *obj* to a JSON string.

        Calls the *dumps* function given to the constructor (default
        :func:`json.dumps`). Override it in a subclass to change the
        serialisation for every instance, e.g. to handle Decimal or datetime
        values::

            class MyJson(Json):
                def dumps(self, obj):
                    return json.dumps(obj, default=str)
        """
        return self._dumps(obj)

    def prepare(self, conn):
        """prepare(conn) -- quote the JSON text for the connection *conn*."""
        self._conn = conn

    def getquoted(self):
        """getquoted() -- the SQL literal of the JSON text, as bytes."""
        s = self.dumps(self.adapted)
        qs = QuotedString(s)
        if self._conn is not None:
            qs.prepare(self._conn)
        return qs.getquoted()

    def __str__(self):
        return self.getquoted().decode("ascii", "replace")


def register_json(conn_or_curs=None, globally=False, loads=None,
                  oid=None, array_oid=None, name="json"):
    """Create and register typecasters converting json values to Python.

    *conn_or_curs* is the connection or cursor to register them on (and to
    look up the OIDs with); if *globally* is true they are registered for
    every connection. *loads* parses the JSON text (default
    :func:`json.loads`). Unless *oid* (and *array_oid*) are given, the OIDs
    of the type *name* (default ``json``) are looked up in the database.
    Return the ``(JSON, JSONARRAY)`` casters, the latter None if no array
    OID is known. json and jsonb are already converted with
    :func:`json.loads` by default; use this to change *loads*::

        register_json(conn, loads=lambda s: json.loads(s, parse_float=Decimal))
    """
    if oid is None:
        oid, array_oid = _get_json_oids(conn_or_curs, name)

    JSON, JSONARRAY = _create_json_typecasters(
        oid, array_oid, loads=loads, name=name.upper())

    scope = None if globally else conn_or_curs
    register_type(JSON, scope)
    if JSONARRAY is not None:
        register_type(JSONARRAY, scope)

    return JSON, JSONARRAY


def register_default_json(conn_or_curs=None, globally=False, loads=None):
    """Register a json typecaster for the builtin OIDs (114 and 199 for json[]).

    *conn_or_curs* and *globally* say where to register it, as for
    :func:`register_json`; *loads* is the function parsing the JSON text.
    No database look-up is needed, so it works before connecting (with
    *globally*) and on asynchronous connections. json values are already
    parsed with :func:`json.loads` by default; use it to pass another
    *loads*.
    """
    return register_json(conn_or_curs=conn_or_curs, globally=globally,
                         loads=loads, oid=JSON_OID, array_oid=JSONARRAY_OID)


def register_default_jsonb(conn_or_curs=None, globally=False, loads=None):
    """Register a jsonb typecaster for the builtin OIDs (3802 and 3807 for jsonb[]).

    *conn_or_curs* and *globally* say where to register it, as for
    :func:`register_json`; *loads* is the function parsing the JSON text.
    jsonb values are already parsed with :func:`json.loads` by default; use
    it to pass another *loads*.
    """
    return register_json(conn_or_curs=conn_or_curs, globally=globally,
                         loads=loads, oid=JSONB_OID, array_oid=JSONBARRAY_OID,
                         name="jsonb")


def _create_json_typecasters(oid, array_oid, loads=None, name="JSON"):
    """Create (caster, array caster or None) for a json type."""
    if loads is None:
        loads = json.loads

    def typecast_json(s, cur):
        if s is None:
            return None
        return loads(s)

    JSON = new_type((oid,), name, typecast_json)
    if array_oid is not None:
        JSONARRAY = new_array_type((array_oid,), "%sARRAY" % name, JSON)
    else:
        JSONARRAY = None

    return JSON, JSONARRAY


def _get_json_oids(conn_or_curs, name="json"):
    conn, curs = _solve_conn_curs(conn_or_curs)
    with _lookup(conn):
        curs.execute(
            "SELECT t.oid, t.typarray FROM pg_type t WHERE t.typname = %s",
            (name,))
        r = curs.fetchone()
    if not r:
        raise ProgrammingError("%s data type not found" % name)
    return r


# The default casters, registered globally at import.
JSON, JSONARRAY = _create_json_typecasters(JSON_OID, JSONARRAY_OID)
JSONB, JSONBARRAY = _create_json_typecasters(
    JSONB_OID, JSONBARRAY_OID, name="JSONB")
for _c in (JSON, JSONARRAY, JSONB, JSONBARRAY):
    register_type(_c)
del _c
