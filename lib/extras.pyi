"""Stubs for psycopg2.extras."""

import json as json
import logging
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, ClassVar, NamedTuple

from psycopg2._json import (
    Json as Json,
    register_default_json as register_default_json,
    register_default_jsonb as register_default_jsonb,
    register_json as register_json,
)
from psycopg2._psycopg import (
    REPLICATION_LOGICAL as REPLICATION_LOGICAL,
    REPLICATION_PHYSICAL as REPLICATION_PHYSICAL,
    _Query,
    ReplicationConnection as _ReplicationConnection,
    ReplicationCursor as _ReplicationCursor,
    ReplicationMessage as ReplicationMessage,
    _Vars,
    _Typecaster,
    connection as _connection,
    cursor as _cursor,
    quote_ident as quote_ident,
)
from psycopg2._range import (
    DateRange as DateRange,
    DateTimeRange as DateTimeRange,
    DateTimeTZRange as DateTimeTZRange,
    NumericRange as NumericRange,
    Range as Range,
    RangeAdapter as RangeAdapter,
    RangeCaster as RangeCaster,
    register_range as register_range,
)

_ConnOrCurs = _connection | _cursor

# -- row-shaping cursors ----------------------------------------------------------

class DictCursorBase(_cursor):
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...
    def callproc(self, procname: str, vars: _Vars = None) -> Any: ...

class DictRow(list[Any]):
    def __init__(self, cursor: DictCursorBase) -> None: ...
    def __getitem__(self, x: Any) -> Any: ...
    def __setitem__(self, x: Any, v: Any) -> None: ...
    def items(self) -> Iterator[tuple[str, Any]]: ...
    def keys(self) -> Iterator[str]: ...
    def values(self) -> Iterator[Any]: ...
    def get(self, x: Any, default: Any = None) -> Any: ...
    def copy(self) -> OrderedDict[str, Any]: ...  # type: ignore[override]
    def __contains__(self, x: object) -> bool: ...

class DictCursor(DictCursorBase):
    def fetchone(self) -> DictRow | None: ...  # type: ignore[override]
    def fetchmany(self, size: int | None = None) -> list[DictRow]: ...  # type: ignore[override]
    def fetchall(self) -> list[DictRow]: ...  # type: ignore[override]
    def __next__(self) -> DictRow: ...  # type: ignore[override]

class DictConnection(_connection): ...

class RealDictRow(OrderedDict[str, Any]):
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class RealDictCursor(DictCursorBase):
    def fetchone(self) -> RealDictRow | None: ...  # type: ignore[override]
    def fetchmany(self, size: int | None = None) -> list[RealDictRow]: ...  # type: ignore[override]
    def fetchall(self) -> list[RealDictRow]: ...  # type: ignore[override]
    def __next__(self) -> RealDictRow: ...  # type: ignore[override]

class RealDictConnection(_connection): ...

class NamedTupleCursor(_cursor):
    def callproc(self, procname: str, vars: _Vars = None) -> Any: ...
    def executemany(self, query: _Query, vars: Iterable[_Vars]) -> None: ...
    Record: type[NamedTuple] | None
    MAX_CACHE: ClassVar[int]
    def fetchone(self) -> NamedTuple | None: ...
    def fetchmany(self, size: int | None = None) -> list[NamedTuple]: ...  # type: ignore[override]
    def fetchall(self) -> list[NamedTuple]: ...  # type: ignore[override]
    def __next__(self) -> NamedTuple: ...

class NamedTupleConnection(_connection): ...

# -- logging --------------------------------------------------------------------------

class LoggingConnection(_connection):
    log: Callable[[Any, _cursor], None]
    def initialize(self, logobj: logging.Logger | logging.LoggerAdapter[Any] | Any) -> None: ...
    def filter(self, msg: str | bytes | None, curs: _cursor) -> str | bytes | None: ...

class LoggingCursor(_cursor):
    def callproc(self, procname: str, vars: _Vars = None) -> Any: ...

class MinTimeLoggingConnection(LoggingConnection):
    def initialize(
        self, logobj: logging.Logger | logging.LoggerAdapter[Any] | Any, mintime: float = 0
    ) -> None: ...

class MinTimeLoggingCursor(LoggingCursor):
    timestamp: float

# -- fast execution helpers ---------------------------------------------------------------

def execute_batch(
    cur: _cursor, sql: _Query, argslist: Iterable[_Vars], page_size: int = 100
) -> None: ...
def execute_values(
    cur: _cursor,
    sql: _Query,
    argslist: Iterable[Sequence[Any] | dict[str, Any]],
    template: str | bytes | None = None,
    page_size: int = 100,
    fetch: bool = False,
) -> list[Any] | None: ...

# -- hstore, composite, uuid, inet, ipaddress ------------------------------------------------

class HstoreAdapter:
    wrapped: dict[str, str | None]
    conn: _connection | None
    def __init__(self, wrapped: dict[str, str | None]) -> None: ...
    def prepare(self, conn: _connection) -> None: ...
    def getquoted(self) -> bytes: ...
    @classmethod
    def parse(
        cls, s: str | None, cur: _cursor | None, _bsdec: Any = None
    ) -> dict[str, str | None] | None: ...
    @classmethod
    def parse_unicode(cls, s: str | None, cur: _cursor | None) -> dict[str, str | None] | None: ...
    @classmethod
    def get_oids(cls, conn_or_curs: _ConnOrCurs) -> tuple[tuple[int, ...], tuple[int, ...]]: ...

def register_hstore(
    conn_or_curs: _ConnOrCurs,
    globally: bool = False,
    unicode: bool = False,
    oid: int | Sequence[int] | None = None,
    array_oid: int | Sequence[int] | None = None,
) -> None: ...

class CompositeCaster:
    name: str
    schema: str | None
    oid: int
    array_oid: int | None
    attnames: list[str]
    atttypes: list[int]
    type: type[Any]
    typecaster: _Typecaster
    array_typecaster: _Typecaster | None
    def __init__(
        self,
        name: str,
        oid: int,
        attrs: list[tuple[str, int]],
        array_oid: int | None = None,
        schema: str | None = None,
    ) -> None: ...
    def parse(self, s: str | None, curs: _cursor | None) -> Any: ...
    def make(self, values: list[Any]) -> Any: ...
    @classmethod
    def tokenize(cls, s: str) -> list[str | None]: ...

def register_composite(
    name: str,
    conn_or_curs: _ConnOrCurs,
    globally: bool = False,
    factory: type[CompositeCaster] | None = None,
) -> CompositeCaster: ...

class UUID_adapter:
    def __init__(self, uuid: uuid.UUID) -> None: ...
    def __conform__(self, proto: object) -> UUID_adapter | None: ...
    def getquoted(self) -> bytes: ...

def register_uuid(
    oids: int | Sequence[int] | None = None, conn_or_curs: _ConnOrCurs | None = None
) -> _Typecaster: ...

class Inet:
    addr: Any
    def __init__(self, addr: Any) -> None: ...
    def prepare(self, conn: _connection) -> None: ...
    def getquoted(self) -> bytes: ...
    def __conform__(self, proto: object) -> Inet | None: ...

def register_inet(
    oid: int | Sequence[int] | None = None, conn_or_curs: _ConnOrCurs | None = None
) -> _Typecaster: ...
def register_ipaddress(conn_or_curs: _ConnOrCurs | None = None) -> None: ...

def wait_select(conn: _connection) -> None: ...

# -- replication ----------------------------------------------------------------------------------

class StopReplication(Exception): ...

class ReplicationConnectionBase(_ReplicationConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class LogicalReplicationConnection(ReplicationConnectionBase): ...
class PhysicalReplicationConnection(ReplicationConnectionBase): ...

class ReplicationCursor(_ReplicationCursor):
    def create_replication_slot(
        self, slot_name: str, slot_type: int | None = None, output_plugin: str | None = None
    ) -> None: ...
    def drop_replication_slot(self, slot_name: str) -> None: ...
    def start_replication(
        self,
        slot_name: str | None = None,
        slot_type: int | None = None,
        start_lsn: int | str = 0,
        timeline: int = 0,
        options: dict[str, Any] | None = None,
        decode: bool = False,
        status_interval: float = 10,
    ) -> None: ...
