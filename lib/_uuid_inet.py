"""uuid support (register_uuid, UUID_adapter) and the deprecated Inet."""

import uuid
import warnings

from psycopg2 import extensions as _ext
from psycopg2.extensions import (
    ISQLQuote,
    adapt,
    new_array_type,
    new_type,
    register_adapter,
    register_type,
)

__all__ = ["UUID_adapter", "register_uuid", "Inet", "register_inet"]


class UUID_adapter:
    """Adapt a :class:`uuid.UUID` to a ``'...'::uuid`` literal."""

    def __init__(self, uuid):
        self._uuid = uuid

    def __conform__(self, proto):
        if proto is ISQLQuote:
            return self

    def getquoted(self):
        """getquoted() -- the SQL literal ``'...'::uuid`` of the wrapped UUID, as bytes."""
        return ("'%s'::uuid" % self._uuid).encode("utf8")

    def __str__(self):
        return "'%s'::uuid" % self._uuid


def _two_oids(oids, default_array):
    if not oids:
        return None, default_array
    if isinstance(oids, (list, tuple)):
        if len(oids) != 2:
            raise ValueError("expected an oid or a sequence of two oids")
        return oids[0], oids[1]
    return oids, default_array


def register_uuid(oids=None, conn_or_curs=None):
    """Convert uuid values to :class:`uuid.UUID` and back.

    *oids* is the uuid oid, or a (uuid oid, uuid[] oid) pair (default
    2950, 2951).  The typecasters go to *conn_or_curs* (None: globally);
    the adapter for uuid.UUID is registered globally.  Return the caster.
    """
    oid1, oid2 = _two_oids(oids, 2951)
    if oid1 is None:
        oid1 = 2950

    def cast_uuid(data, cursor):
        if data is None:
            return None
        return uuid.UUID(data)

    _ext.UUID = UUID = new_type((oid1,), "UUID", cast_uuid)
    _ext.UUIDARRAY = UUIDARRAY = new_array_type((oid2,), "UUID[]", UUID)

    register_type(UUID, conn_or_curs)
    register_type(UUIDARRAY, conn_or_curs)
    register_adapter(uuid.UUID, UUID_adapter)

    return UUID


class Inet:
    """Wrap a string to pass it as an inet value (deprecated).

    *addr* is the address as a string, e.g. ``'192.168.0.1/24'``; it is
    quoted as a string and cast to ``inet``. New code should pass
    :mod:`ipaddress` objects and call ``register_ipaddress()``.
    """

    def __init__(self, addr):
        self.addr = addr
        self._conn = None

    def __repr__(self):
        return "%s(%r)" % (self.__class__.__name__, self.addr)

    def prepare(self, conn):
        """prepare(conn) -- quote the address for the connection *conn*."""
        self._conn = conn

    def getquoted(self):
        """getquoted() -- the SQL literal ``'...'::inet`` of the address, as bytes."""
        obj = adapt(self.addr)
        if self._conn is not None and hasattr(obj, "prepare"):
            obj.prepare(self._conn)
        rv = obj.getquoted()
        if isinstance(rv, str):
            rv = rv.encode("utf8")
        return rv + b"::inet"

    def __conform__(self, proto):
        if proto is ISQLQuote:
            return self

    def __str__(self):
        return str(self.addr)


def register_inet(oid=None, conn_or_curs=None):
    """Convert inet values to Inet objects (deprecated).

    *oid* is the inet OID, or an (inet OID, inet[] OID) pair (default 869,
    1041). The typecasters go to *conn_or_curs* (None: globally). Use
    ``register_ipaddress()`` instead. Return the caster.
    """
    warnings.warn(
        "the inet adapter is deprecated, use register_ipaddress() instead",
        DeprecationWarning, stacklevel=2)

    oid1, oid2 = _two_oids(oid, 1041)
    if oid1 is None:
        oid1 = 869

    def cast_inet(data, cursor):
        if data is None:
            return None
        return Inet(data)

    _ext.INET = INET = new_type((oid1,), "INET", cast_inet)
    _ext.INETARRAY = INETARRAY = new_array_type((oid2,), "INETARRAY", INET)

    register_type(INET, conn_or_curs)
    register_type(INETARRAY, conn_or_curs)

    return INET
