from collections.abc import Callable
from typing import Any

from psycopg2._psycopg import _Typecaster, connection, cursor

JSON_OID: int
JSONARRAY_OID: int
JSONB_OID: int
JSONBARRAY_OID: int

JSON: _Typecaster
JSONARRAY: _Typecaster
JSONB: _Typecaster
JSONBARRAY: _Typecaster

class Json:
    adapted: Any
    def __init__(self, adapted: Any, dumps: Callable[[Any], str] | None = None) -> None: ...
    def __conform__(self, proto: object) -> Json | None: ...
    def dumps(self, obj: Any) -> str: ...
    def prepare(self, conn: connection) -> None: ...
    def getquoted(self) -> bytes: ...

def register_json(
    conn_or_curs: connection | cursor | None = None,
    globally: bool = False,
    loads: Callable[[str], Any] | None = None,
    oid: int | None = None,
    array_oid: int | None = None,
    name: str = "json",
) -> tuple[_Typecaster, _Typecaster | None]: ...
def register_default_json(
    conn_or_curs: connection | cursor | None = None,
    globally: bool = False,
    loads: Callable[[str], Any] | None = None,
) -> tuple[_Typecaster, _Typecaster | None]: ...
def register_default_jsonb(
    conn_or_curs: connection | cursor | None = None,
    globally: bool = False,
    loads: Callable[[str], Any] | None = None,
) -> tuple[_Typecaster, _Typecaster | None]: ...

__all__ = [
    "Json", "register_json", "register_default_json",
    "register_default_jsonb", "JSON", "JSONARRAY", "JSONB", "JSONBARRAY",
]
