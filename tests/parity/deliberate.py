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
    "sc_known.k08_async_copy":
        "COPY through execute() on an async connection: the connection "
        "stays usable after the ProgrammingError, psycopg2's stays stuck in "
        "COPY (migration.rst)",
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
}

_BYTEA = ("malformed bytea text raises DataError (psycopg2 returns an empty "
          "or partial value): migration.rst, 'Malformed bytea text'")
_UNTERMINATED = ("an unterminated array literal raises DataError (psycopg2 "
                 "returns the items read so far): migration.rst, "
                 "'Unterminated arrays and malformed intervals'")
_INTERVAL = ("interval text is read as PostgreSQL reads it ('1' is one "
             "second, psycopg2 one microsecond) and non-interval text raises "
             "DataError (psycopg2 makes a value): migration.rst, "
             "'Unterminated arrays and malformed intervals'")
_NUL = ("a NUL character raises ValueError (psycopg2 cuts the string at "
        "it): migration.rst, 'NUL characters are refused'")
_DTTEXT = ("date/time text PostgreSQL never sends: a timestamp at "
           "'24:00:00' is the next day's midnight (psycopg2: the same "
           "day's, a day early), a MAC address is no time (psycopg2 makes "
           "one up): migration.rst, 'Date and time text PostgreSQL never "
           "sends'")

DELIBERATE["sc_casttext.array odd"] = (
    "hand-written array text with blanks around items or braces, empty "
    "items or stray quotes is read as PostgreSQL reads it (psycopg2 keeps "
    "the blanks in string items, passes empty items to the element caster): "
    "migration.rst, 'Array text PostgreSQL never sends'")

# -- generated from the first runs of sc_casters and sc_methods --
DELIBERATE["sc_rows.bytea_malformed"] = _BYTEA

DELIBERATE.update({
    'sc_casters.cast BINARY': _BYTEA,
    'sc_casters.cast BINARYARRAY': _UNTERMINATED,
    'sc_casters.cast BYTESARRAY': _UNTERMINATED,
    'sc_casters.cast CIDRARRAY': _UNTERMINATED,
    'sc_casters.cast INETARRAY': _UNTERMINATED,
    'sc_casters.cast MACADDRARRAY': _UNTERMINATED,
    'sc_casters.cast STRINGARRAY': _UNTERMINATED,
    'sc_casters.cast UNICODEARRAY': _UNTERMINATED,
    'sc_casters.cast DATETIME': _DTTEXT,
    'sc_casters.cast DATETIMETZ': _DTTEXT,
    'sc_casters.cast PYDATETIME': _DTTEXT,
    'sc_casters.cast PYDATETIMETZ': _DTTEXT,
    'sc_casters.cast PYTIME': _DTTEXT,
    'sc_casters.cast TIME': _DTTEXT,
    'sc_casters.cast INTERVAL': _INTERVAL,
    'sc_casters.cast INTERVALARRAY': _INTERVAL,
    'sc_casters.cast PYINTERVAL': _INTERVAL,
    'sc_casters.cast PYINTERVALARRAY': _INTERVAL,
    'sc_methods.edge connect nul': _NUL,
    'sc_methods.edge cursor_name nul': _NUL,
    'sc_methods.conn after_select cursor': _NUL,
    'sc_methods.conn autocommit cursor': _NUL,
    'sc_methods.conn fresh cursor': _NUL,
    'sc_methods.edge execute nul': _NUL,
    'sc_methods.edge make_dsn nul': _NUL,
    'sc_methods.edge parse_dsn nul': _NUL,
    'sc_methods.edge quote_ident nul': _NUL,
})

PENDING.update({
})
