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
    """Open a connection to a PostgreSQL server and return it.

    *dsn* is a libpq connection string or URI::

        conn = psycopg2.connect("dbname=test user=postgres host=localhost")
        conn = psycopg2.connect("postgresql://postgres@localhost/test")

    The same parameters can be passed as keyword arguments (*kwargs*),
    alone or together with *dsn*; a keyword wins over the same key in
    *dsn*::

        conn = psycopg2.connect(dbname="test", user="postgres", password="...")
        conn = psycopg2.connect("dbname=test", connect_timeout=5)

    The usual ones are *dbname* (or *database*, keyword only), *user*,
    *password*, *host* (a name, an address or a Unix socket directory; the
    default socket when omitted), *port* (5432 when omitted),
    *connect_timeout*, *sslmode*, *application_name* and *options*. Every
    other keyword is passed to libpq as is, so the parameters accepted are
    those of the libpq in use (``psycopg2.__libpq_version__``); an unknown
    one raises ``ProgrammingError``. A value of ``None`` leaves the key out.

    *connection_factory* is the class used to make the connection, or any
    callable taking the dsn string (and a second argument, true, for an
    asynchronous connection):
    a subclass of ``psycopg2.extensions.connection`` such as
    ``psycopg2.extras.LoggingConnection``. The default is
    ``psycopg2.extensions.connection``.

    *cursor_factory* becomes the connection's ``cursor_factory`` attribute:
    the class that ``conn.cursor()`` uses when it is given none, for
    example ``psycopg2.extras.RealDictCursor``.

    *async_* (also spelled *async*, a reserved word since Python 3.7, so
    only through ``**{"async": True}``) set to true opens an asynchronous
    connection: the call returns at once, and the caller drives the
    connection with ``conn.poll()`` and ``conn.fileno()``. See also
    ``psycopg2.extensions.set_wait_callback`` for coroutine libraries.

    Raises ``OperationalError`` if the server cannot be reached or refuses
    the connection, with libpq's message.
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
