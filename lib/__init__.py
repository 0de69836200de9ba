"""psycopg2 -- a PostgreSQL adapter for Python (DB-API 2.0).

A from-scratch rebuild of psycopg2: the same API over a new C core.
"""

from psycopg2._psycopg import (  # noqa: F401
    BINARY, NUMBER, STRING, DATETIME, ROWID,
    Binary, Date, Time, Timestamp,
    DateFromTicks, TimeFromTicks, TimestampFromTicks,
    Error, Warning, DataError, DatabaseError, ProgrammingError,
    IntegrityError, InterfaceError, InternalError, NotSupportedError,
    OperationalError,
    _connect, apilevel, threadsafety, paramstyle,
    __version__, __libpq_version__,
)

# Registers the Decimal adapter and the json/range casters and adapters.
from psycopg2 import extensions as _ext

__all__ = [
    "connect", "apilevel", "threadsafety", "paramstyle",
    "BINARY", "NUMBER", "STRING", "DATETIME", "ROWID",
    "Binary", "Date", "Time", "Timestamp",
    "DateFromTicks", "TimeFromTicks", "TimestampFromTicks",
    "Error", "Warning", "DataError", "DatabaseError", "ProgrammingError",
    "IntegrityError", "InterfaceError", "InternalError",
    "NotSupportedError", "OperationalError",
]


def connect(dsn=None, connection_factory=None, cursor_factory=None,
            **kwargs):
    """Create a new database connection.

    The connection parameters can be given as a libpq connection string
    (``"dbname=test user=postgres"``), a ``postgresql://`` URI, keyword
    arguments, or both: keywords override the same keys of *dsn*.
    """
    kwasync = {}
    if 'async' in kwargs:
        kwasync['async'] = kwargs.pop('async')
    if 'async_' in kwargs:
        kwasync['async_'] = kwargs.pop('async_')

    dsn = _ext.make_dsn(dsn, **kwargs)
    conn = _connect(dsn, connection_factory=connection_factory, **kwasync)
    if cursor_factory is not None:
        conn.cursor_factory = cursor_factory
    return conn
