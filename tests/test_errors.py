"""Errors: SQLSTATE classes, psycopg2.errors, errorcodes, attributes."""

import pickle

import pytest

import psycopg2
import psycopg2.errorcodes as codes
import psycopg2.errors as errors
import psycopg2.extensions as ext


@pytest.mark.parametrize("query, cls, base, code", [
    ("select 1/0", errors.DivisionByZero, psycopg2.DataError, "22012"),
    ("select * from nosuchtable", errors.UndefinedTable,
     psycopg2.ProgrammingError, "42P01"),
    ("selec 1", errors.SyntaxError, psycopg2.ProgrammingError, "42601"),
    ("select 'x'::int", errors.InvalidTextRepresentation, psycopg2.DataError,
     "22P02"),
    ("do $$ begin raise exception 'custom'; end $$", errors.RaiseException,
     psycopg2.InternalError, "P0001"),
    ("do $$ begin raise sqlstate '99999'; end $$", psycopg2.DatabaseError,
     psycopg2.DatabaseError, "99999"),
    ("do $$ begin raise sqlstate '22999'; end $$", psycopg2.DataError,
     psycopg2.DataError, "22999"),
])
def test_most_specific_class(cursor, query, cls, base, code):
    with pytest.raises(base) as exc:
        cursor.execute(query)
    assert type(exc.value) is cls
    assert exc.value.pgcode == code
    assert exc.value.cursor is cursor


def test_integrity_errors(cursor):
    cursor.execute("""create temp table tp (id int primary key);
        create temp table tc (id int references tp,
                              v int not null check (v > 0))""")
    cursor.connection.commit()
    cases = [
        ("insert into tp values (1), (1)", errors.UniqueViolation),
        ("insert into tc values (99, 1)", errors.ForeignKeyViolation),
        ("insert into tc values (null, null)", errors.NotNullViolation),
        ("insert into tc values (null, -1)", errors.CheckViolation),
    ]
    for q, cls in cases:
        with pytest.raises(psycopg2.IntegrityError) as exc:
            cursor.execute(q)
        assert type(exc.value) is cls
        d = exc.value.diag
        assert d.table_name in ("tp", "tc")
        assert d.schema_name.startswith("pg_temp")
        cursor.connection.rollback()


def test_diag_fields(cursor):
    with pytest.raises(psycopg2.Error) as exc:
        cursor.execute("select 1 +")
    d = exc.value.diag
    assert isinstance(d, ext.Diagnostics)
    assert d.sqlstate == "42601"
    assert d.severity == "ERROR"
    assert d.severity_nonlocalized == "ERROR"
    assert d.statement_position == "11"
    assert d.source_file and d.source_line and d.source_function
    assert d.message_detail is None
    assert d.constraint_name is None
    assert "LINE 1: select 1 +" in exc.value.pgerror


def test_diag_hint_context(cursor):
    cursor.execute("""create function pg_temp.f() returns int language plpgsql
        as $$ begin raise exception 'bad' using hint = 'try harder',
        detail = 'some detail'; end $$""")
    with pytest.raises(psycopg2.Error) as exc:
        cursor.execute("select pg_temp.f()")
    d = exc.value.diag
    assert d.message_hint == "try harder"
    assert d.message_detail == "some detail"
    assert "PL/pgSQL function" in d.context


def test_client_side_errors_have_no_details(conn):
    conn.close()
    with pytest.raises(psycopg2.InterfaceError) as exc:
        conn.cursor()
    e = exc.value
    assert e.pgcode is None and e.pgerror is None and e.cursor is None
    assert e.diag.sqlstate is None and e.diag.message_primary is None


def test_diagnostics_constructor():
    e = psycopg2.Error("x")
    assert ext.Diagnostics(e).sqlstate is None
    with pytest.raises(TypeError):
        ext.Diagnostics(ValueError())


def test_pickle_roundtrip(cursor):
    with pytest.raises(psycopg2.Error) as exc:
        cursor.execute("select * from nosuchtable_pickle")
    data = pickle.dumps(exc.value)
    e = pickle.loads(data)
    assert type(e) is errors.UndefinedTable
    assert e.pgcode == "42P01"
    assert e.pgerror == exc.value.pgerror
    assert e.cursor is None
    assert str(e) == str(exc.value)
    plain = pickle.loads(pickle.dumps(psycopg2.OperationalError("boom")))
    assert str(plain) == "boom" and plain.pgcode is None


def test_errors_module():
    assert errors.UniqueViolation.__module__ == "psycopg2.errors"
    assert errors.UniqueViolation.__name__ == "UniqueViolation"
    assert issubclass(errors.UniqueViolation, psycopg2.IntegrityError)
    assert issubclass(errors.QueryCanceled, ext.QueryCanceledError)
    assert issubclass(errors.SerializationFailure,
                      ext.TransactionRollbackError)
    assert issubclass(errors.DeadlockDetected, ext.TransactionRollbackError)
    assert issubclass(errors.AdminShutdown, psycopg2.OperationalError)
    assert issubclass(errors.LockNotAvailable, psycopg2.OperationalError)
    assert issubclass(errors.FeatureNotSupported, psycopg2.NotSupportedError)
    assert issubclass(errors.InFailedSqlTransaction, psycopg2.InternalError)
    assert errors.Error is psycopg2.Error
    assert errors.QueryCanceledError is ext.QueryCanceledError
    assert errors.ModifyingSqlDataNotPermittedExt.__name__.endswith("Ext")
    assert errors.lookup("23505") is errors.UniqueViolation
    with pytest.raises(KeyError):
        errors.lookup("XXXXX")


def test_catch_by_lookup(cursor):
    try:
        cursor.execute("select 1/0")
    except errors.lookup("22012") as e:
        assert e.pgcode == "22012"


def test_errorcodes():
    assert codes.UNIQUE_VIOLATION == "23505"
    assert codes.CLASS_SYNTAX_ERROR_OR_ACCESS_RULE_VIOLATION == "42"
    assert codes.lookup("23505") == "UNIQUE_VIOLATION"
    assert codes.lookup("42") == "CLASS_SYNTAX_ERROR_OR_ACCESS_RULE_VIOLATION"
    assert codes.lookup("22004") == "NULL_VALUE_NOT_ALLOWED"
    with pytest.raises(KeyError):
        codes.lookup("zzzzz")


def test_every_sqlstate_class_has_a_class():
    from psycopg2._psycopg import sqlstate_errors
    assert len(sqlstate_errors) > 240
    for cls in sqlstate_errors.values():
        assert issubclass(cls, psycopg2.DatabaseError)
        assert getattr(errors, cls.__name__) is cls
