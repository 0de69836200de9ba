"""Connection pooling: simple classes to reuse a set of connections."""

import threading

import psycopg2
from psycopg2 import extensions as _ext

__all__ = [
    "PoolError", "AbstractConnectionPool", "SimpleConnectionPool",
    "ThreadedConnectionPool",
]


class PoolError(psycopg2.Error):
    """Raised on pool misuse: exhausted, closed, unknown connection."""


def _close_quietly(conn):
    """Close *conn*; a connection already broken can't fail us here."""
    try:
        conn.close()
    except Exception:
        pass


class AbstractConnectionPool:
    """Generic key-based pooling code (no locking)."""

    def __init__(self, minconn, maxconn, *args, **kwargs):
        """Open *minconn* connections with ``psycopg2.connect(*args, **kwargs)``.

        At most *maxconn* connections are handed out at the same time; the
        other arguments are passed to :func:`psycopg2.connect` for every
        connection the pool opens.
        """
        self.minconn = int(minconn)
        self.maxconn = int(maxconn)
        self.closed = False

        self._args = args
        self._kwargs = kwargs

        self._pool = []     # idle connections
        self._used = {}     # key -> connection in use
        self._rused = {}    # id(connection) -> key
        self._keys = 0

        for _ in range(self.minconn):
            self._connect()

    def _connect(self, key=None):
        """Open a new connection; bind it to *key* or put it in the pool."""
        conn = psycopg2.connect(*self._args, **self._kwargs)
        if key is not None:
            self._used[key] = conn
            self._rused[id(conn)] = key
        else:
            self._pool.append(conn)
        return conn

    def _getkey(self):
        """Return a new unique key."""
        self._keys += 1
        return self._keys

    def _getconn(self, key=None):
        """getconn(key=None) -- take a connection from the pool and return it.

        An idle connection is reused, else a new one is opened, up to *maxconn*
        in use at once; beyond that ``PoolError`` is raised (the pool does not
        wait). With a *key*, the connection is bound to it: the same key gives
        back the same connection until it is returned. Raises ``PoolError`` if
        the pool is closed.
        """
        if self.closed:
            raise PoolError("connection pool is closed")
        if key is None:
            key = self._getkey()

        if key in self._used:
            return self._used[key]

        # a pooled connection may have died while idle (closed by a
        # failed query elsewhere): drop it instead of handing it out
        while self._pool:
            conn = self._pool.pop()
            if conn.closed:
                continue
            self._used[key] = conn
            self._rused[id(conn)] = key
            return conn

        if len(self._used) >= self.maxconn:
            raise PoolError("connection pool exhausted")
        return self._connect(key)

    def _putconn(self, conn, key=None, close=False):
        """putconn(conn, key=None, close=False) -- give the connection *conn* back.

        *key* is the key it was taken with, if any. The connection is closed if
        *close* is true, if it is broken, or if the pool already keeps *minconn*
        idle connections; otherwise an open transaction is rolled back and the
        connection kept for the next getconn(). Raises ``PoolError`` for a
        connection that does not belong to the pool, or if the pool is closed.
        """
        if self.closed:
            raise PoolError("connection pool is closed")

        if key is None:
            key = self._rused.get(id(conn))
            if key is None:
                raise PoolError("trying to put unkeyed connection")

        # Whatever happens to the connection, its slot is freed: a failure
        # here used to leave the key in _used, and after maxconn of them
        # the pool was exhausted for good.
        try:
            if len(self._pool) < self.minconn and not close:
                self._recycle(conn)
            else:
                _close_quietly(conn)
        finally:
            # here we check for the presence of key because it can happen
            # that a thread tries to put back a connection after a call to
            # close
            if not self.closed or key in self._used:
                self._used.pop(key, None)
                self._rused.pop(id(conn), None)

    def _recycle(self, conn):
        """Put *conn* back in the pool in a clean state, or discard it."""
        if conn.closed:
            return  # closed or broken: discard it
        status = conn.get_transaction_status()
        if status == _ext.TRANSACTION_STATUS_UNKNOWN:
            # server connection lost
            _close_quietly(conn)
            return
        if status != _ext.TRANSACTION_STATUS_IDLE:
            # connection in error or in transaction
            try:
                conn.rollback()
            except BaseException as e:
                # the rollback failed (backend killed, network gone, or
                # interrupted): the session state is unknown, discard it
                _close_quietly(conn)
                if not isinstance(e, psycopg2.Error):
                    raise
                return
        if conn.closed:
            return
        self._pool.append(conn)

    def _closeall(self):
        """closeall() -- close every connection, idle or in use, and close the pool.

        Connections taken by getconn() and not yet returned are closed too, so
        call it only when no thread uses the pool any more. Afterwards every
        method raises ``PoolError``, this one included.
        """
        if self.closed:
            raise PoolError("connection pool is closed")
        for conn in self._pool + list(self._used.values()):
            try:
                conn.close()
            except Exception:
                pass
        self.closed = True


class SimpleConnectionPool(AbstractConnectionPool):
    """A connection pool that can't be shared across different threads."""

    getconn = AbstractConnectionPool._getconn
    putconn = AbstractConnectionPool._putconn
    closeall = AbstractConnectionPool._closeall


class ThreadedConnectionPool(AbstractConnectionPool):
    """A connection pool that can be shared between threads.

    *minconn* connections are opened at once and kept open when idle; at
    most *maxconn* are in use at the same time. The other arguments are
    passed to :func:`psycopg2.connect`. Every method holds a lock, so
    threads can call getconn() and putconn() concurrently.
    """

    def __init__(self, minconn, maxconn, *args, **kwargs):
        self._lock = threading.Lock()
        super().__init__(minconn, maxconn, *args, **kwargs)

    def getconn(self, key=None):
        """getconn(key=None) -- take a connection from the pool and return it.

        An idle connection is reused, else a new one is opened, up to *maxconn*
        in use at once; beyond that ``PoolError`` is raised (the pool does not
        wait). With a *key*, the connection is bound to it: the same key gives
        back the same connection until it is returned. Raises ``PoolError`` if
        the pool is closed.
        """
        with self._lock:
            return self._getconn(key)

    def putconn(self, conn=None, key=None, close=False):
        """putconn(conn=None, key=None, close=False) -- give the connection *conn* back.

        *conn* may be omitted if *key*, the key it was taken with, is given.
        The connection is closed if *close* is true, if it is broken, or if the
        pool already keeps *minconn* idle connections; otherwise an open
        transaction is rolled back and the connection kept for the next
        getconn(). Raises ``PoolError`` for a connection that does not belong to
        the pool, or if the pool is closed.
        """
        with self._lock:
            if conn is None:
                if key is None:
                    raise PoolError("trying to put unkeyed connection")
                conn = self._used.get(key)
                if conn is None:
                    raise PoolError("trying to put unkeyed connection")
            self._putconn(conn, key, close)

    def closeall(self):
        """Close all connections (even those in use)."""
        with self._lock:
            self._closeall()
