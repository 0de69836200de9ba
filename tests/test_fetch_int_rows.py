"""Rows of a small result whose columns all have C casters are built by a
loop of their own (ints parsed in line): the same values and the same
errors as the general path, and as psycopg2."""

import pytest

import psycopg2.extensions as ext


def test_int_values(cursor):
    cursor.execute(
        "select null::int, 0, -0, -1, 256, 257, -5, 2147483647,"
        " -2147483648, 9223372036854775807, -9223372036854775808,"
        " 123456789012345678, 1234567890123456789, 12::int2, 12::oid")
    assert cursor.fetchall() == [(
        None, 0, 0, -1, 256, 257, -5, 2147483647, -2147483648,
        9223372036854775807, -9223372036854775808, 123456789012345678,
        1234567890123456789, 12, 12)]


def test_int_rows_with_nulls(cursor):
    cursor.execute(
        "select case when i % 3 = 0 then null else i end, i::int8 * -1000,"
        " i::text from generate_series(1, 1000) as g(i)")
    rows = cursor.fetchall()
    assert len(rows) == 1000
    assert rows[0] == (1, -1000, "1")
    assert rows[2] == (None, -3000, "3")
    assert rows[999] == (1000, -1000000, "1000")
    assert all(type(r) is tuple for r in rows)


@pytest.mark.parametrize("text, value", [
    (" 12", 12), ("+5", 5), ("0", 0), ("-0", 0), ("1_000", 1000),
    ("99999999999999999999999", 99999999999999999999999),
])
def test_int_caster_on_other_text(cursor, text, value):
    # what the server never writes for an int goes to the full parser
    ext.register_type(ext.new_type((25,), "INTTEXT", ext.INTEGER), cursor)
    cursor.execute("select %s::text", (text,))
    assert cursor.fetchall() == [(value,)]


@pytest.mark.parametrize("text", ["", "-", "12a", "-0012"])
def test_int_caster_bad_text(cursor, text):
    ext.register_type(ext.new_type((25,), "INTTEXT", ext.INTEGER), cursor)
    cursor.execute("select %s::text", (text,))
    with pytest.raises(ValueError):
        cursor.fetchall()


def test_failing_c_caster_consumes_the_row(cursor):
    ext.register_type(ext.new_type((25,), "INTTEXT", ext.INTEGER), cursor)
    cursor.execute(
        "select i, case when i in (7, 17) then 'x' else i::text end"
        " from generate_series(1, 20) as g(i)")
    assert cursor.fetchmany(5) == [(i, i) for i in range(1, 6)]
    with pytest.raises(ValueError):
        cursor.fetchmany(5)  # rows 6, 7: 6 is lost with the failing 7
    assert cursor.rownumber == 7
    with pytest.raises(ValueError):
        cursor.fetchall()  # fails on 17
    assert cursor.rownumber == 17
    assert cursor.fetchall() == [(i, i) for i in range(18, 21)]
