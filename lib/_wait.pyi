# Private module: its public names are typed where users import them
# (psycopg2.extras, psycopg2.extensions). This stub keeps type checkers from
# analysing the implementation.
from typing import Any

def __getattr__(name: str) -> Any: ...
