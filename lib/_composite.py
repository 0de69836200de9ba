"""Composite types: CompositeCaster and register_composite."""

import re
from collections import namedtuple

from psycopg2 import DataError, ProgrammingError
from psycopg2.extensions import new_array_type, new_type, register_type
from psycopg2._util import (
    _SCHEMA_COND, _lookup, _solve_conn_curs, _split_type_name)

__all__ = ["CompositeCaster", "register_composite"]


class CompositeCaster:
    """Typecaster converting a PostgreSQL composite type to Python.

    ``register_composite()`` makes one; it is rarely built by hand. *name*
    is the type's name, *oid* its OID, *attrs* a list of ``(attribute name,
    attribute type OID)`` pairs, *array_oid* the OID of its array type (or
    None) and *schema* the schema it lives in.

    By default values become instances of ``self.type``, a namedtuple with
    the type's attribute names; subclass it and override :meth:`make` to
    build something else (e.g. a dict), then pass the subclass as
    ``register_composite(..., factory=...)``. The casters made are
    ``self.typecaster`` and ``self.array_typecaster``.
    """

    # psycopg2 defines it in psycopg2.extras: reprs and pickles say so
    __module__ = "psycopg2.extras"

    def __init__(self, name, oid, attrs, array_oid=None, schema=None):
        self.name = name
        self.schema = schema
        self.oid = oid
        self.array_oid = array_oid

        self.attnames = [a[0] for a in attrs]
        self.atttypes = [a[1] for a in attrs]
        self._create_type(name, self.attnames)
        self.typecaster = new_type((oid,), name, self.parse)
        if array_oid:
            self.array_typecaster = new_array_type(
                (array_oid,), "%sARRAY" % name, self.typecaster)
        else:
            self.array_typecaster = None

    def parse(self, s, curs):
        """parse(s, curs) -- the Python value of the record literal *s*.

        Each field is cast with ``curs.cast()`` to the type of its attribute, and
        the list of values passed to :meth:`make`. *s* None (NULL) gives None;
        a number of fields that does not match raises ``DataError``.
        """
        if s is None:
            return None

        tokens = self.tokenize(s)
        if not self.atttypes and tokens == [None]:
            tokens = []  # "()" is also the text of a zero-attribute record
        if len(tokens) != len(self.atttypes):
            raise DataError(
                "expecting %d components for the type %s, %d found instead"
                % (len(self.atttypes), self.name, len(tokens)))

        values = [curs.cast(oid, token)
                  for oid, token in zip(self.atttypes, tokens)]
        return self.make(values)

    def make(self, values):
        """make(values) -- the Python object for a composite value.

        *values* is the list of the attribute values, already cast to Python.
        The default returns ``self.type(*values)``, a namedtuple; override it to
        build something else, e.g. ``dict(zip(self.attnames, values))``.
        """
        return self._ctor(values)

    @classmethod
    def tokenize(cls, s):
        """tokenize(s) -- split the record literal *s*, e.g. ``(a,"b c",)``, into fields.

        Return a list of str, with None for NULL (an empty unquoted field);
        ``""`` is the empty string.
        """
        if len(s) < 2 or s[0] != "(" or s[-1] != ")":
            raise DataError("bad record literal: %r" % s)
        body = s[1:-1]
        n = len(body)
        rv = []
        i = 0
        while True:
            if i < n and body[i] == '"':
                buf = []
                i += 1
                while True:
                    if i >= n:
                        raise DataError("unterminated quote in record: %r" % s)
                    c = body[i]
                    if c == "\\" and i + 1 < n:
                        buf.append(body[i + 1])
                        i += 2
                    elif c == '"':
                        if i + 1 < n and body[i + 1] == '"':
                            buf.append('"')
                            i += 2
                        else:
                            i += 1
                            break
                    else:
                        buf.append(c)
                        i += 1
                rv.append("".join(buf))
            else:
                j = body.find(",", i)
                if j == -1:
                    j = n
                token = body[i:j]
                rv.append(token if token else None)
                i = j
            if i >= n:
                break
            if body[i] != ",":
                raise DataError("bad record literal: %r" % s)
            i += 1
        return rv

    def _create_type(self, name, attnames):
        tname = re.sub(r"\W", "_", name)
        if not tname.isidentifier():
            tname = "t_" + tname
        self.type = namedtuple(tname, attnames, rename=True,
                               module="psycopg2.extras")
        self._ctor = self.type._make

    @classmethod
    def _from_db(cls, name, conn_or_curs):
        """Return a CompositeCaster for the type *name* in the database."""
        conn, curs = _solve_conn_curs(conn_or_curs)

        schema, tname = _split_type_name(name)

        query = (
            "SELECT t.oid, t.typarray, ns.nspname, t.typname, "
            "a.attname, a.atttypid "
            "FROM pg_catalog.pg_type t "
            "JOIN pg_catalog.pg_namespace ns ON t.typnamespace = ns.oid "
            "JOIN pg_catalog.pg_attribute a ON a.attrelid = t.typrelid "
            "WHERE %s AND a.attnum > 0 AND NOT a.attisdropped "
            "ORDER BY a.attnum")

        with _lookup(conn):
            if schema is not None:
                curs.execute(query % ("t.typname = %s AND " + _SCHEMA_COND),
                             (tname, schema, schema))
            else:
                # the type the search_path finds (pg_temp included)
                curs.execute(query % ("t.typname = %s AND "
                                      "pg_catalog.pg_type_is_visible(t.oid)"),
                             (tname,))
            recs = curs.fetchall()

        if not recs:
            raise ProgrammingError("PostgreSQL type '%s' not found" % name)

        type_oid, array_oid, schema, tname = recs[0][:4]
        type_attrs = [(r[4], r[5]) for r in recs]
        return cls(tname, type_oid, type_attrs,
                   array_oid=array_oid or None, schema=schema)


def register_composite(name, conn_or_curs, globally=False, factory=None):
    """Convert the composite type *name* to Python objects.

    *name* is the name of a composite type (``CREATE TYPE ... AS (...)``)
    or of a table, optionally schema-qualified; unqualified, it is looked
    up in the search_path. Its attributes are read from the catalogue
    through *conn_or_curs* (``ProgrammingError`` if the type does not
    exist). The typecasters (for the type and its array) are registered on
    *conn_or_curs*, or for every connection if *globally* is true. Values
    become instances of a namedtuple with the attribute names, or whatever
    the ``make()`` method of *factory*, a :class:`CompositeCaster` subclass,
    returns. Return the caster, whose ``type`` attribute is the namedtuple::

        cur.execute("CREATE TYPE card AS (value int, suit text)")
        register_composite("card", cur)
        cur.execute("SELECT (8, 'hearts')::card")
        cur.fetchone()[0]                  # card(value=8, suit='hearts')

    To pass a composite value as a parameter, use a tuple and cast it in
    the query: ``%s::card``.
    """
    if factory is None:
        factory = CompositeCaster

    caster = factory._from_db(name, conn_or_curs)
    scope = None if globally else conn_or_curs
    register_type(caster.typecaster, scope)
    if caster.array_typecaster is not None:
        register_type(caster.array_typecaster, scope)

    return caster
