"""Probes allowed to differ from the original (see test_parity.py).

Keys are ``"<scenario module>.<probe name>"``.

DELIBERATE: differences kept on purpose. Each one is documented, with its
reason, in doc/migration.rst.

PENDING: known bugs tracked elsewhere, listed only so that a landing does not
wait for their fix. The end state is an empty PENDING. When one is fixed,
the harness fails until its entry is removed.
"""

_REPL = ("the replication connections share a base class, "
         "extras.ReplicationConnectionBase (migration.rst: extra names)")

DELIBERATE = {
    "sc_api.class psycopg2.extras.ReplicationConnectionBase": _REPL,
    "sc_api.class psycopg2.extras.LogicalReplicationConnection": _REPL,
    "sc_api.class psycopg2.extras.PhysicalReplicationConnection": _REPL,
}

# Public names that only this module has, or that are more capable here
# ("<owner>.<name>", as the sc_api probes write the owner). Code written for
# psycopg2 cannot depend on them; each is listed in doc/migration.rst.
_TYPECASTERS = ("the builtin typecasters are also attributes of "
                "extensions, as the other builtin casters are")
_HASHABLE = "hashable (psycopg2's instances are not: __eq__ without __hash__)"

EXTRA_NAMES = {
    "psycopg2.extensions.BINARY": _TYPECASTERS,
    "psycopg2.extensions.DATETIME": _TYPECASTERS,
    "psycopg2.extensions.DATETIMETZ": _TYPECASTERS,
    "psycopg2.extensions.DATETIMETZARRAY": _TYPECASTERS,
    "psycopg2.extensions.NUMBER": _TYPECASTERS,
    "psycopg2.extensions.ROWID": _TYPECASTERS,
    "psycopg2.extensions.STRING": _TYPECASTERS,
    "psycopg2.extras.ReplicationConnectionBase": _REPL,
    "psycopg2.extensions.NoneAdapter.__conform__":
        "the adapter protocol on every builtin adapter",
    "psycopg2.extensions.NoneAdapter.adapted":
        "the adapted value, as on every builtin adapter",
    "psycopg2.extensions.SQL_IN.__conform__":
        "the adapter protocol on every builtin adapter",
    "psycopg2.extensions.SQL_IN.adapted":
        "the adapted value, as on every builtin adapter",
    "psycopg2.tz.FixedOffsetTimezone.__hash__": _HASHABLE,
    "type().__hash__": _HASHABLE,
    "DictCursor().index":
        "set when the cursor is made, not at its first execute()",
    "RealDictCursor().column_mapping":
        "set when the cursor is made, not at its first execute()",
}

_PC = "being fixed by paritycore (issue 11 item %s)"

PENDING = {
    "sc_known.k01_uninitialised_closed":
        "a connection whose __init__ was skipped: closed is 0 in psycopg2, "
        "1 here; init/guard code, newinit",
    "sc_known.k08_async_copy": _PC % 8,
    "sc_known.k08_async_cursor_gc": _PC % 8,
    "sc_known.k09_green_terminated": _PC % 9,
    "sc_known.k09_blocking_terminated":
        "a backend terminated by the server: psycopg2 raises "
        "OperationalError('server closed the connection unexpectedly...') "
        "without pgcode, ours AdminShutdown (57P01) from the FATAL result; "
        "pqpath.c error path, paritycore (item 9) / hostile",
    "sc_known.k10_copy_from_read_raises": _PC % 10,
    "sc_known.k11_executemany_bad_adapt": _PC % 11,
    "sc_known.k11_executemany_iter_raises": _PC % 11,
    "sc_known.k11_executemany_server_error": _PC % 11,
    "sc_known.k15_multihost_timeout": _PC % 15,
    # generated from PostgreSQL 15's errcodes.txt (the one installed here);
    # psycopg2 2.9.13 used 17's: FILE_NAME_TOO_LONG, the XQuery class...
    "sc_api.errors classes": "regenerate lib/errors.py, errorcodes.py with "
        "ERRCODES_TXT=<PostgreSQL 17 errcodes.txt> scripts/make_errors.py",
    "sc_api.module psycopg2.errors": "errcodes.txt of PostgreSQL 17, above",
    "sc_api.module psycopg2.errorcodes":
        "errcodes.txt of PostgreSQL 17, above",
    "sc_api.registry extensions.string_types":
        "names and order in typecast_builtins.c (reentry): the text types "
        "are registered as STRING (ours UNICODE), INTEGER is (23, 21), "
        "FLOAT (701, 700), UNKNOWN (705) is registered, inet[]/cidr[]/"
        "macaddr[] are INETARRAY/CIDRARRAY/MACADDRARRAY (ours NETWORKARRAY)",
}
