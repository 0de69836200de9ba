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
