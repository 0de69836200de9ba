"""Row-shaping and logging cursors and connections (exported by extras).

Rows are built by the C cursor through its ``row_factory`` attribute: for
each row it calls ``row_factory(cursor)`` to get an empty row, then sets
``row[i] = value`` for every column in order.  ``cursor.description`` is
available when the factory is called (for named cursors it appears with
the first FETCH), so the name lookup tables are built lazily from there.

DictRow, RealDictRow and the rows of NamedTupleCursor are registered with
``_psycopg._set_row_builder``: the C cursor builds them itself, asking the
``prep`` function below once per result for what the rows share (the same
index, names or namedtuple class the slow path would use), so the classes
behave the same either way; subclasses take the generic path.
"""

import logging
import os
import re
import time
from collections import OrderedDict, namedtuple
from functools import lru_cache
from operator import methodcaller

from psycopg2.extensions import (
    connection as _connection,
    cursor as _cursor,
    encodings as _encodings,
)
from psycopg2 import ProgrammingError
from psycopg2._psycopg import _set_row_builder

__all__ = [
    "DictCursorBase", "DictConnection", "DictCursor", "DictRow",
    "RealDictConnection", "RealDictCursor", "RealDictRow",
    "NamedTupleConnection", "NamedTupleCursor",
    "LoggingConnection", "LoggingCursor",
    "MinTimeLoggingConnection", "MinTimeLoggingCursor",
]


def _with_default_factory(conn, default, args, kwargs):
    """Fill in cursor_factory for conn.cursor() if the caller gave none."""
    if len(args) < 2 and kwargs.get("cursor_factory") is None:
        kwargs["cursor_factory"] = conn.cursor_factory or default
    return args, kwargs


class DictCursorBase(_cursor):
    """Base class for the cursors returning rows addressable by name."""

    def __init__(self, *args, **kwargs):
        try:
            row_factory = kwargs.pop("row_factory")
        except KeyError:
            raise NotImplementedError(
                "DictCursorBase can't be instantiated without a row factory."
            ) from None
        super().__init__(*args, **kwargs)
        # True while the name lookup must be (re)built from description
        self._query_executed = True
        self.row_factory = row_factory

    def execute(self, query, vars=None):
        """execute(query, vars=None) -- run *query* with the parameters *vars*.

        As ``cursor.execute()``; the rows fetched afterwards can be addressed by
        column name.
        """
        self._reset_names()
        self._query_executed = True
        rv = super().execute(query, vars)
        if self.description is not None:
            self._build_names()
        return rv

    def callproc(self, procname, vars=None):
        """callproc(procname, vars=None) -- call the function *procname* with *vars*.

        As ``cursor.callproc()``; the rows fetched afterwards can be addressed by
        column name.
        """
        self._reset_names()
        self._query_executed = True
        rv = super().callproc(procname, vars)
        if self.description is not None:
            self._build_names()
        return rv

    def _ensure_names(self):
        """Build the name lookup if a query ran since it was last built."""
        if self._query_executed and self.description is not None:
            self._build_names()

    def _reset_names(self):
        raise NotImplementedError

    def _build_names(self):
        raise NotImplementedError


class DictConnection(_connection):
    """A connection whose cursors default to DictCursor."""

    def cursor(self, *args, **kwargs):
        """cursor(name=None, cursor_factory=DictCursor, ...) -- a new cursor.

        Takes the arguments of ``connection.cursor()``; without a
        *cursor_factory* the cursor is a ``DictCursor``.
        """
        args, kwargs = _with_default_factory(self, DictCursor, args, kwargs)
        return super().cursor(*args, **kwargs)


class DictCursor(DictCursorBase):
    """A cursor returning DictRow rows: lists that can also be indexed by name.

    Use it as ``conn.cursor(cursor_factory=DictCursor)`` or through
    ``DictConnection``. ``row[0]`` and ``row["id"]`` read the same value;
    ``keys()``, ``values()``, ``items()`` and ``get()`` work as on a dict::

        cur = conn.cursor(cursor_factory=DictCursor)
        cur.execute("SELECT 1 AS id, 'x' AS name")
        row = cur.fetchone()
        row["name"], row[1]                # ('x', 'x')

    Takes the arguments of ``connection.cursor()``. With duplicate column
    names, the name gives the last of them.
    """

    def __init__(self, *args, **kwargs):
        kwargs["row_factory"] = DictRow
        super().__init__(*args, **kwargs)
        self.index = OrderedDict()

    def _reset_names(self):
        self.index = OrderedDict()

    def _build_names(self):
        index = OrderedDict()
        for i, col in enumerate(self.description):
            index[col[0]] = i
        self.index = index
        self._query_executed = False


def _dictrow_index(cursor):
    """The name -> position index shared by the DictRows of a result."""
    ensure = getattr(cursor, "_ensure_names", None)
    if ensure is not None:
        ensure()
    index = getattr(cursor, "index", None)
    if index is None:
        index = OrderedDict(
            (col[0], i) for i, col in enumerate(cursor.description or ()))
    return index


class DictRow(list):
    """A row that can be indexed by position and by column name.

    Made by ``DictCursor`` for each row it returns; *cursor* is that cursor,
    whose ``description`` gives the names. ``row[0]`` and ``row["id"]`` read
    the same value; ``keys()``, ``values()``, ``items()`` and ``get()`` work
    as on a dict, and ``copy()`` returns an ``OrderedDict``.
    """

    __slots__ = ("_index",)

    def __init__(self, cursor):
        self._index = _dictrow_index(cursor)
        self[:] = [None] * len(cursor.description or ())

    def __getitem__(self, x):
        if not isinstance(x, (int, slice)):
            x = self._index[x]
        return super().__getitem__(x)

    def __setitem__(self, x, v):
        if not isinstance(x, (int, slice)):
            x = self._index[x]
        super().__setitem__(x, v)

    def items(self):
        """Iterate over (column name, value) pairs in column order."""
        g = super().__getitem__
        return ((name, g(i)) for name, i in self._index.items())

    def keys(self):
        """Iterate over the column names in column order."""
        return iter(self._index)

    def values(self):
        """Iterate over the values in column order."""
        g = super().__getitem__
        return (g(i) for i in self._index.values())

    def get(self, x, default=None):
        """get(x, default=None) -- the value of column *x* (name or index), or *default*."""
        try:
            return self[x]
        except (KeyError, IndexError):
            return default

    def copy(self):
        """Return an OrderedDict name -> value."""
        return OrderedDict(self.items())

    def __contains__(self, x):
        return x in self._index

    def __reduce__(self):
        return (_rebuild_dictrow, (list(self), self._index))

    # as psycopg2's DictRow (pickling goes through __reduce__)
    def __getstate__(self):
        return self[:], self._index.copy()

    def __setstate__(self, data):
        self[:] = data[0]
        self._index = data[1]


def _rebuild_dictrow(values, index):
    row = DictRow.__new__(DictRow)
    row.extend(values)
    row._index = index
    return row


class RealDictConnection(_connection):
    """A connection whose cursors default to RealDictCursor."""

    def cursor(self, *args, **kwargs):
        """cursor(name=None, cursor_factory=RealDictCursor, ...) -- a new cursor.

        Takes the arguments of ``connection.cursor()``; without a
        *cursor_factory* the cursor is a ``RealDictCursor``.
        """
        args, kwargs = _with_default_factory(self, RealDictCursor, args, kwargs)
        return super().cursor(*args, **kwargs)


class RealDictCursor(DictCursorBase):
    """A cursor returning RealDictRow rows: dicts keyed by column name.

    Use it as ``conn.cursor(cursor_factory=RealDictCursor)`` or through
    ``RealDictConnection``. Rows are real dicts (``OrderedDict`` subclasses,
    in column order), so they cannot be indexed by position; they serialise
    directly to JSON::

        cur = conn.cursor(cursor_factory=RealDictCursor)
        cur.execute("SELECT 1 AS id, 'x' AS name")
        cur.fetchone()                     # RealDictRow([('id', 1), ('name', 'x')])

    Takes the arguments of ``connection.cursor()``. With duplicate column
    names, the last value wins.
    """

    def __init__(self, *args, **kwargs):
        kwargs["row_factory"] = RealDictRow
        super().__init__(*args, **kwargs)
        self.column_mapping = []

    def _reset_names(self):
        self.column_mapping = []

    def _build_names(self):
        self.column_mapping = [col[0] for col in self.description]
        self._query_executed = False


def _realdictrow_names(cursor):
    """The column names (keys) of the RealDictRows of a result."""
    ensure = getattr(cursor, "_ensure_names", None)
    if ensure is not None:
        ensure()
    mapping = getattr(cursor, "column_mapping", None)
    if mapping is None:
        mapping = [col[0] for col in (cursor.description or ())]
    return mapping


class RealDictRow(OrderedDict):
    """A dict (OrderedDict) row keyed by column name, in column order."""

    def __init__(self, *args, **kwargs):
        if args and isinstance(args[0], _cursor):
            cursor = args[0]
            if len(args) > 1 or kwargs:
                raise TypeError("RealDictRow(cursor) takes no other argument")
            super().__init__()
            mapping = _realdictrow_names(cursor)
            # Used by __setitem__ while the C core fills in the row by
            # position; dropped once the last column is set.
            if mapping:
                self._column_mapping = mapping
        else:
            super().__init__(*args, **kwargs)

    def __setitem__(self, key, value):
        mapping = self.__dict__.get("_column_mapping")
        if mapping is not None and type(key) is int:
            name = mapping[key]
            if key == len(mapping) - 1:
                del self._column_mapping
            key = name
        super().__setitem__(key, value)


class NamedTupleConnection(_connection):
    """A connection whose cursors default to NamedTupleCursor."""

    def cursor(self, *args, **kwargs):
        """cursor(name=None, cursor_factory=NamedTupleCursor, ...) -- a new cursor.

        Takes the arguments of ``connection.cursor()``; without a
        *cursor_factory* the cursor is a ``NamedTupleCursor``.
        """
        args, kwargs = _with_default_factory(
            self, NamedTupleCursor, args, kwargs)
        return super().cursor(*args, **kwargs)


@lru_cache(512)
def _cached_make_nt(names):
    fields = []
    for name in names:
        # punctuation becomes "_"; a leading "_" or digit gets an "f" prefix
        f = re.sub(r"\W", "_", name)
        if not f or f[0] == "_" or f[0].isdigit():
            f = "f" + f
        if f in fields:
            # as psycopg2 (namedtuple's own message): no silent renaming
            raise ValueError("Encountered duplicate field name: %r" % f)
        fields.append(f)
    return namedtuple("Record", fields, rename=True, module="psycopg2.extras")


class NamedTupleCursor(_cursor):
    """A cursor returning namedtuples whose fields are the column names.

    Use it as ``conn.cursor(cursor_factory=NamedTupleCursor)`` or through
    ``NamedTupleConnection``::

        cur = conn.cursor(cursor_factory=NamedTupleCursor)
        cur.execute("SELECT 1 AS id, 'x' AS name")
        row = cur.fetchone()
        row.id, row.name, row[1]           # (1, 'x', 'x')

    The namedtuple class (named ``Record``) is made once per distinct list
    of column names and cached. Column names that are not valid Python
    identifiers are adjusted: other characters become ``_`` and a name
    starting with ``_`` or a digit gets an ``f`` prefix (``"1x"`` gives
    ``f1x``); keywords and duplicates are renamed by position (``_1``), as
    ``namedtuple(..., rename=True)`` does. Takes the arguments of
    ``connection.cursor()``.
    """

    Record = None
    MAX_CACHE = 512

    def execute(self, query, vars=None):
        """execute(query, vars=None) -- run *query* with the parameters *vars*.

        As ``cursor.execute()``; the rows fetched afterwards are namedtuples
        whose fields are the column names.
        """
        self.Record = None
        return super().execute(query, vars)

    def executemany(self, query, vars):
        """executemany(query, vars) -- run *query* once for each parameter set in *vars*.

        As ``cursor.executemany()``.
        """
        self.Record = None
        return super().executemany(query, vars)

    def callproc(self, procname, vars=None):
        """callproc(procname, vars=None) -- call the function *procname* with *vars*.

        As ``cursor.callproc()``; the rows fetched afterwards are namedtuples.
        """
        self.Record = None
        return super().callproc(procname, vars)

    def _record(self):
        nt = self.Record
        if nt is None:
            nt = self.Record = self._make_nt()
        return nt

    def _make_nt(self):
        return _cached_make_nt(tuple(col[0] for col in self.description))

    # fetchone, fetchmany, fetchall and iteration come from the C cursor,
    # which builds Record rows directly (see _set_row_builder below): the
    # same as tuple rows passed to self._record()._make().


_set_row_builder("dictrow", DictRow, _dictrow_index)
_set_row_builder("realdictrow", RealDictRow, _realdictrow_names)
_set_row_builder("namedtuple", NamedTupleCursor, methodcaller("_record"))


class LoggingConnection(_connection):
    """A connection that logs every query sent by its cursors.

    Call :meth:`initialize` with a file-like object or a
    :class:`logging.Logger` before creating cursors.
    """

    def initialize(self, logobj):
        """initialize(logobj) -- start logging to *logobj*.

        *logobj* is a ``logging.Logger`` (each query is logged at DEBUG level) or
        a file-like object with a ``write()`` method (one query per line). Must
        be called before the first cursor is made.
        """
        self._logobj = logobj
        if isinstance(logobj, (logging.Logger, logging.LoggerAdapter)):
            self.log = self._logtologger
        else:
            self.log = self._logtofile

    def filter(self, msg, curs):
        """filter(msg, curs) -- return the message to log for the query *msg*.

        *msg* is the query as sent (bytes), *curs* the cursor that ran it. The
        default returns *msg* unchanged; override it in a subclass to alter the
        message, or return a false value to log nothing for this query.
        """
        return msg

    def _decode(self, msg):
        if isinstance(msg, (bytes, bytearray)):
            codec = _encodings.get(self.encoding, "ascii")
            msg = bytes(msg).decode(codec, "replace")
        return msg

    def _logtofile(self, msg, curs):
        msg = self.filter(msg, curs)
        if msg:
            msg = self._decode(msg)
            self._logobj.write(msg + os.linesep)

    def _logtologger(self, msg, curs):
        msg = self.filter(msg, curs)
        if msg:
            self._logobj.debug(msg)

    def _check(self):
        if not hasattr(self, "_logobj"):
            raise ProgrammingError(
                "LoggingConnection object has not been initialize()d")

    def cursor(self, *args, **kwargs):
        """cursor(name=None, cursor_factory=LoggingCursor, ...) -- a new cursor.

        Takes the arguments of ``connection.cursor()``; without a
        *cursor_factory* the cursor is a ``LoggingCursor``. Raises
        ``ProgrammingError`` if ``initialize()`` has not been called.
        """
        self._check()
        args, kwargs = _with_default_factory(self, LoggingCursor, args, kwargs)
        return super().cursor(*args, **kwargs)


class LoggingCursor(_cursor):
    """A cursor that logs its queries through its LoggingConnection."""

    def execute(self, query, vars=None):
        """execute(query, vars=None) -- run *query* with *vars* and log it.

        The query is logged through the connection after it ran, also when it
        failed.
        """
        try:
            return super().execute(query, vars)
        finally:
            self.connection.log(self.query, self)

    def callproc(self, procname, vars=None):
        """callproc(procname, vars=None) -- call *procname* with *vars* and log it."""
        try:
            return super().callproc(procname, vars)
        finally:
            self.connection.log(self.query, self)


class MinTimeLoggingConnection(LoggingConnection):
    """A connection that logs only the queries slower than a given time.

    Call ``initialize(logobj, mintime=0)`` first: queries that take longer
    than *mintime* milliseconds are logged to *logobj* (a Logger or a file)
    with their execution time appended::

        conn = psycopg2.connect(dsn, connection_factory=MinTimeLoggingConnection)
        conn.initialize(logging.getLogger("sql"), mintime=100)

    Its cursors are ``MinTimeLoggingCursor`` by default.
    """

    def initialize(self, logobj, mintime=0):
        """initialize(logobj, mintime=0) -- start logging to *logobj*.

        Only the queries that took longer than *mintime* milliseconds are
        logged, followed by their execution time. *logobj* is as for
        ``LoggingConnection.initialize()``.
        """
        LoggingConnection.initialize(self, logobj)
        self._mintime = mintime

    def filter(self, msg, curs):
        """filter(msg, curs) -- the message for the query *msg* run by *curs*.

        Returns *msg* followed by the execution time if the query took longer
        than *mintime* milliseconds, else None (nothing logged).
        """
        t = (time.time() - curs.timestamp) * 1000
        if t > self._mintime:
            if msg is None:
                return None
            msg = self._decode(msg)
            return msg + os.linesep + "  (execution time: %d ms)" % t
        return None

    def cursor(self, *args, **kwargs):
        """cursor(name=None, cursor_factory=MinTimeLoggingCursor, ...) -- a new cursor.

        Takes the arguments of ``connection.cursor()``; without a
        *cursor_factory* the cursor is a ``MinTimeLoggingCursor``.
        """
        args, kwargs = _with_default_factory(
            self, MinTimeLoggingCursor, args, kwargs)
        return super().cursor(*args, **kwargs)


class MinTimeLoggingCursor(LoggingCursor):
    """The cursor of MinTimeLoggingConnection: records the start time."""

    def execute(self, query, vars=None):
        """execute(query, vars=None) -- run *query* with *vars*, timing and logging it."""
        self.timestamp = time.time()
        return super().execute(query, vars)

    def callproc(self, procname, vars=None):
        """callproc(procname, vars=None) -- call *procname* with *vars*, timing and logging it."""
        self.timestamp = time.time()
        return super().callproc(procname, vars)
