"""hstore support: HstoreAdapter and register_hstore."""

import re

from psycopg2 import InterfaceError, ProgrammingError
from psycopg2.extensions import (
    adapt,
    new_array_type,
    new_type,
    register_adapter,
    register_type,
)
from psycopg2._util import _lookup, _solve_conn_curs

__all__ = ["HstoreAdapter", "register_hstore"]


# One "key"=>"value" or "key"=>NULL pair of the hstore output format,
# followed by a comma separator or the end of the string.
_re_hstore = re.compile(r"""
    "((?:[^"\\]|\\.)*)"             # key
    \s*=>\s*
    (?:
        NULL                        # NULL value
      | "((?:[^"\\]|\\.)*)"         # or quoted value
    )
    (?:\s*,\s*|$)
""", re.VERBOSE | re.DOTALL)

_re_unescape = re.compile(r"\\(.)", re.DOTALL)


def _unescape(s):
    return _re_unescape.sub(r"\1", s)


class HstoreAdapter:
    """Adapt a Python dict to an hstore value.

    *wrapped* is the dict. It renders as ``hstore(ARRAY[keys],
    ARRAY[values])``, or ``''::hstore`` for an empty dict; None values become
    NULL. ``register_hstore()`` registers it for dict.
    """

    def __init__(self, wrapped):
        self.wrapped = wrapped
        self.conn = None

    def prepare(self, conn):
        """prepare(conn) -- quote keys and values for the connection *conn*."""
        self.conn = conn
        # hstore(text[], text[]) exists from PostgreSQL 9.0
        if conn.server_version < 90000:
            self.getquoted = self._getquoted_8

    def _adapted(self, obj):
        a = adapt(obj)
        if self.conn is not None and hasattr(a, "prepare"):
            a.prepare(self.conn)
        return a.getquoted()

    def _getquoted_8(self):
        """Use the operators available in PG pre-9.0."""
        if not self.wrapped:
            return b"''::hstore"
        rv = []
        for k, v in self.wrapped.items():
            k = self._adapted(k)
            v = self._adapted(v) if v is not None else b"NULL"
            rv.append(b"(" + k + b" => " + v + b")")
        return b"(" + b"||".join(rv) + b")"

    def _getquoted_9(self):
        """Use the hstore(text[], text[]) function."""
        if not self.wrapped:
            return b"''::hstore"
        k = self._adapted(list(self.wrapped.keys()))
        v = self._adapted(list(self.wrapped.values()))
        return b"hstore(" + k + b", " + v + b")"

    getquoted = _getquoted_9

    @classmethod
    def parse(cls, s, cur, _bsdec=None):
        """parse(s, cur) -- the dict of the hstore representation *s*.

        *cur* is the cursor reading the value (unused); *s* None (NULL) gives
        None. Raises ``InterfaceError`` on a syntax error.
        """
        if s is None:
            return None

        rv = {}
        start = 0
        s = s.strip()
        for m in _re_hstore.finditer(s):
            if m is None or m.start() != start:
                raise InterfaceError(
                    "error parsing hstore pair at char %d" % start)
            k = _unescape(m.group(1))
            v = m.group(2)
            if v is not None:
                v = _unescape(v)
            rv[k] = v
            start = m.end()

        if start < len(s):
            raise InterfaceError(
                "error parsing hstore: unparsed data after char %d" % start)

        return rv

    @classmethod
    def parse_unicode(cls, s, cur):
        """parse_unicode(s, cur) -- as parse(): a dict of str keys and values from *s*."""
        return cls.parse(s, cur)

    @classmethod
    def get_oids(cls, conn_or_curs):
        """get_oids(conn_or_curs) -- the OIDs of the hstore type in the database.

        *conn_or_curs* is a connection or cursor to query the catalogue with.
        Return ``(oids, array_oids)``, two tuples (hstore may be installed in
        several schemas); both are empty if the extension is not installed.
        """
        conn, curs = _solve_conn_curs(conn_or_curs)
        rv0, rv1 = [], []
        with _lookup(conn):
            curs.execute(
                "SELECT t.oid, t.typarray "
                "FROM pg_catalog.pg_type t "
                "JOIN pg_catalog.pg_namespace ns ON t.typnamespace = ns.oid "
                "WHERE t.typname = 'hstore'")
            for oid, array_oid in curs.fetchall():
                rv0.append(oid)
                rv1.append(array_oid)
        return tuple(rv0), tuple(rv1)


def register_hstore(conn_or_curs, globally=False, unicode=False,
                    oid=None, array_oid=None):
    """Convert hstore values to dicts and dicts to hstore values.

    *conn_or_curs* is a connection or cursor: the hstore OIDs are looked
    up through it (the extension must be installed in the database, else
    ``ProgrammingError``), and the typecasters are registered on it, or for
    every connection if *globally* is true. The adapter for :class:`dict` is
    always registered globally: after the call any dict passed as a query
    parameter becomes an hstore value. *oid* and *array_oid* (ints or
    sequences of ints) give the OIDs of hstore and hstore[], skipping the
    look-up (needed with asynchronous connections, or to register before a
    connection exists with *globally*). *unicode* is accepted for
    compatibility: keys and values are always str::

        register_hstore(conn)
        cur.execute("SELECT 'a=>1, b=>NULL'::hstore")
        cur.fetchone()[0]                  # {'a': '1', 'b': None}
        cur.execute("INSERT INTO t (h) VALUES (%s)", [{"k": "v"}])
    """
    if oid is None:
        oid = HstoreAdapter.get_oids(conn_or_curs)
        if oid is None or not oid[0]:
            raise ProgrammingError(
                "hstore type not found in the database. "
                "please install it from your 'contrib/hstore.sql' file")
        array_oid = oid[1]
        oid = oid[0]

    if isinstance(oid, int):
        oid = (oid,)
    else:
        oid = tuple(oid)

    if array_oid is not None:
        if isinstance(array_oid, int):
            array_oid = (array_oid,)
        else:
            array_oid = tuple(x for x in array_oid if x)

    HSTORE = new_type(oid, "HSTORE", HstoreAdapter.parse)
    scope = None if globally else conn_or_curs
    register_type(HSTORE, scope)

    register_adapter(dict, HstoreAdapter)

    if array_oid:
        HSTOREARRAY = new_array_type(array_oid, "HSTOREARRAY", HSTORE)
        register_type(HSTOREARRAY, scope)
