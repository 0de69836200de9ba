from collections.abc import Hashable
from typing import Any

import psycopg2
from psycopg2._psycopg import connection

class PoolError(psycopg2.Error): ...

class AbstractConnectionPool:
    minconn: int
    maxconn: int
    closed: bool
    def __init__(self, minconn: int, maxconn: int, *args: Any, **kwargs: Any) -> None: ...
    def _getconn(self, key: Hashable | None = None) -> connection: ...
    def _putconn(
        self, conn: connection, key: Hashable | None = None, close: bool = False
    ) -> None: ...
    def _closeall(self) -> None: ...

class SimpleConnectionPool(AbstractConnectionPool):
    def getconn(self, key: Hashable | None = None) -> connection: ...
    def putconn(
        self, conn: connection, key: Hashable | None = None, close: bool = False
    ) -> None: ...
    def closeall(self) -> None: ...

class ThreadedConnectionPool(AbstractConnectionPool):
    def getconn(self, key: Hashable | None = None) -> connection: ...
    def putconn(
        self, conn: connection | None = None, key: Hashable | None = None, close: bool = False
    ) -> None: ...
    def closeall(self) -> None: ...

__all__ = [
    "PoolError", "AbstractConnectionPool", "SimpleConnectionPool",
    "ThreadedConnectionPool",
]
