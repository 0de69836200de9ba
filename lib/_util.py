"""Small helpers shared by the optional type modules (private).

Imports only from psycopg2._psycopg so that psycopg2.extensions may import
the modules using it without an import cycle.
"""

from psycopg2._psycopg import ProgrammingError, cursor as _cursor

# libpq PGTransactionStatusType value (extensions.TRANSACTION_STATUS_IDLE)
_TRANSACTION_STATUS_IDLE = 0


def _solve_conn_curs(conn_or_curs):
    """Return (connection, plain cursor) from a connection or a cursor.

    The cursor is a plain ``cursor`` made directly, bypassing any
    ``cursor()`` override or ``cursor_factory`` of the connection, so that
    catalog look-ups always get tuples.
    """
    if conn_or_curs is None:
        raise ProgrammingError("no connection or cursor provided")
    if hasattr(conn_or_curs, "execute"):
        conn = conn_or_curs.connection
    else:
        conn = conn_or_curs
    return conn, _cursor(conn)


class _lookup:
    """Context manager for a catalog look-up on *conn*.

    If the connection was idle (no transaction open) and is not in
    autocommit mode, the transaction the look-up opened is rolled back at
    the end, leaving the connection in the state it was found.
    """

    def __init__(self, conn):
        self.conn = conn

    def __enter__(self):
        self.was_idle = (
            self.conn.get_transaction_status() == _TRANSACTION_STATUS_IDLE)
        return self

    def __exit__(self, exc_type, exc, tb):
        if self.was_idle and not self.conn.autocommit and not self.conn.closed:
            self.conn.rollback()
        return False


# ns is the type's pg_namespace; the parameters: the schema name, twice
# (pg_temp names the session's temporary schema, pg_temp_N).
_SCHEMA_COND = ("(ns.nspname = %s OR (%s = 'pg_temp' "
                "AND ns.oid = pg_catalog.pg_my_temp_schema()))")


def _split_type_name(name):
    """(schema or None, name) of a possibly qualified, possibly quoted type
    name, as register_composite/register_range read it: 'sch.t',
    '"Sch"."T"', '"a.b"."c.d"'.  Unquoted parts keep their case.  A name that
    cannot be parsed (an unterminated quote, three parts) is returned whole,
    so that the lookup fails with "not found"."""
    parts = []
    i, n = 0, len(name)
    while True:
        if i < n and name[i] == '"':
            j, buf = i + 1, []
            while True:
                k = name.find('"', j)
                if k < 0:
                    return None, name
                buf.append(name[j:k])
                if name.startswith('"', k + 1):
                    buf.append('"')
                    j = k + 2
                    continue
                i = k + 1
                break
            parts.append("".join(buf))
        else:
            k = name.find(".", i)
            k = n if k < 0 else k
            parts.append(name[i:k])
            i = k
        if i >= n:
            break
        if name[i] != ".":
            return None, name
        i += 1
    if len(parts) == 1:
        return None, parts[0]
    if len(parts) == 2:
        return parts[0], parts[1]
    return None, name
