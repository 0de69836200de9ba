"""psycopg2 extensions to the DB-API: connection and cursor classes,
adaptation and typecasting, session constants and helpers."""

import re as _re

from psycopg2._psycopg import (  # noqa: F401
    # classes
    connection, cursor, Column, ConnectionInfo, Diagnostics, Notify,
    QueryCanceledError, TransactionRollbackError,
    # adaptation
    adapt, adapters, register_adapter, ISQLQuote, AsIs, QuotedString,
    Binary, Boolean, Float, Int, SQL_IN, NoneAdapter,
    DateFromPy, TimeFromPy, TimestampFromPy, IntervalFromPy,
    # typecasting
    new_type, new_array_type, register_type, string_types, binary_types,
    encodings,
    BOOLEAN, BYTES, DATE, DECIMAL, FLOAT, INTEGER, INTERVAL, LONGINTEGER,
    TIME, UNICODE, DATETIME, DATETIMETZ, BINARY, ROWID, STRING, NUMBER,
    BINARYARRAY, BOOLEANARRAY, BYTESARRAY, DATEARRAY, DATETIMEARRAY,
    DATETIMETZARRAY, DECIMALARRAY, FLOATARRAY, INTEGERARRAY, INTERVALARRAY,
    LONGINTEGERARRAY, ROWIDARRAY, STRINGARRAY, TIMEARRAY, UNICODEARRAY,
    PYDATE, PYDATETIME, PYDATETIMETZ, PYINTERVAL, PYTIME,
    PYDATEARRAY, PYDATETIMEARRAY, PYDATETIMETZARRAY, PYINTERVALARRAY,
    PYTIMEARRAY,
    # helpers
    parse_dsn, quote_ident, libpq_version, encrypt_password,
    set_wait_callback, get_wait_callback,
    # constants
    STATUS_SETUP, STATUS_READY, STATUS_BEGIN, STATUS_IN_TRANSACTION,
    STATUS_SYNC, STATUS_ASYNC, STATUS_PREPARED,
    POLL_OK, POLL_READ, POLL_WRITE, POLL_ERROR,
    TRANSACTION_STATUS_IDLE, TRANSACTION_STATUS_ACTIVE,
    TRANSACTION_STATUS_INTRANS, TRANSACTION_STATUS_INERROR,
    TRANSACTION_STATUS_UNKNOWN,
    ISOLATION_LEVEL_AUTOCOMMIT, ISOLATION_LEVEL_READ_COMMITTED,
    ISOLATION_LEVEL_REPEATABLE_READ, ISOLATION_LEVEL_SERIALIZABLE,
    ISOLATION_LEVEL_READ_UNCOMMITTED,
)

from psycopg2._psycopg import lobject  # noqa: F401,E402

try:  # objects that come with later parts of the C core
    from psycopg2._psycopg import Xid  # noqa: F401
except ImportError:  # pragma: no cover
    pass

import decimal as _decimal
from psycopg2._psycopg import Decimal as _DecimalAdapter

# JSON casters (JSON, JSONARRAY, JSONB, JSONBARRAY) and the builtin ranges
from psycopg2._json import (  # noqa: F401,E402
    JSON, JSONARRAY, JSONB, JSONBARRAY)
import psycopg2._range  # noqa: F401,E402

ISOLATION_LEVEL_DEFAULT = None

# Registered here (not in C) so that each interpreter registers its own.
register_adapter(_decimal.Decimal, _DecimalAdapter)


def make_dsn(dsn=None, **kwargs):
    """Convert a set of keywords into a connection string.

    Keywords override the same keys of *dsn*; ``None`` values are dropped;
    ``database`` is an alias of ``dbname``.  The result is validated.
    """
    if dsn is None and not kwargs:
        return ''

    # with no keywords the dsn is passed through, only validated
    if not kwargs:
        parse_dsn(dsn)
        return dsn

    if 'database' in kwargs:
        if 'dbname' in kwargs:
            raise TypeError(
                "you can't specify both 'database' and 'dbname' arguments")
        kwargs['dbname'] = kwargs.pop('database')

    kwargs = {k: v for k, v in kwargs.items() if v is not None}

    if dsn is not None:
        tmp = parse_dsn(dsn)
        tmp.update(kwargs)
        kwargs = tmp

    dsn = " ".join("%s=%s" % (k, _param_escape(str(v)))
                   for k, v in kwargs.items())
    parse_dsn(dsn)
    return dsn


_re_escape = _re.compile(r"([\\'])")
_re_space = _re.compile(r'\s')


def _param_escape(s):
    """Quote a value for a libpq connection string."""
    if not s:
        return "''"
    s = _re_escape.sub(r'\\\1', s)
    if _re_space.search(s):
        s = "'" + s + "'"
    return s


