"""Miscellaneous goodies for psycopg2 (re-exports only).

Row-shaping and logging cursors, fast execution helpers, and support for
json, hstore, ranges, composites, uuid, inet and replication.
"""

import json  # re-exported: extras.json

from psycopg2.extensions import quote_ident

from psycopg2._cursors import (
    DictConnection,
    DictCursor,
    DictCursorBase,
    DictRow,
    LoggingConnection,
    LoggingCursor,
    MinTimeLoggingConnection,
    MinTimeLoggingCursor,
    NamedTupleConnection,
    NamedTupleCursor,
    RealDictConnection,
    RealDictCursor,
    RealDictRow,
)
from psycopg2._batch import execute_batch, execute_values
from psycopg2._json import (
    Json,
    register_default_json,
    register_default_jsonb,
    register_json,
)
from psycopg2._range import (
    DateRange,
    DateTimeRange,
    DateTimeTZRange,
    NumericRange,
    Range,
    RangeAdapter,
    RangeCaster,
    register_range,
)
from psycopg2._hstore import HstoreAdapter, register_hstore
from psycopg2._composite import CompositeCaster, register_composite
from psycopg2._ipaddress import register_ipaddress
from psycopg2._uuid_inet import Inet, UUID_adapter, register_inet, register_uuid
from psycopg2._wait import wait_select
from psycopg2._util import _solve_conn_curs  # noqa: F401

# The replication objects come from the C core; until it provides them
# these names are simply missing.
try:
    from psycopg2._psycopg import ReplicationMessage
except ImportError:
    pass

try:
    from psycopg2._replication import (
        REPLICATION_LOGICAL,
        REPLICATION_PHYSICAL,
        LogicalReplicationConnection,
        PhysicalReplicationConnection,
        ReplicationConnectionBase,
        ReplicationCursor,
        StopReplication,
    )
except ImportError:
    REPLICATION_PHYSICAL = 12345678
    REPLICATION_LOGICAL = 87654321

    class StopReplication(Exception):
        """Raise it from a consume_stream() callback to stop replicating."""


def _set_public_module():
    """psycopg2 defines these in psycopg2.extras: reprs, pickles and
    introspection say so here too (they are implemented in private
    modules)."""
    g = globals()
    for name in (
            "CompositeCaster", "DictConnection", "DictCursor",
            "DictCursorBase", "DictRow", "HstoreAdapter", "Inet",
            "LoggingConnection", "LoggingCursor",
            "LogicalReplicationConnection", "MinTimeLoggingConnection",
            "MinTimeLoggingCursor", "NamedTupleConnection",
            "NamedTupleCursor", "PhysicalReplicationConnection",
            "RealDictConnection", "RealDictCursor", "RealDictRow",
            "ReplicationCursor", "StopReplication", "UUID_adapter",
            "execute_batch", "execute_values", "register_composite",
            "register_hstore", "register_inet", "register_uuid",
            "wait_select"):
        obj = g.get(name)
        if obj is not None:
            obj.__module__ = __name__


_set_public_module()
del _set_public_module
