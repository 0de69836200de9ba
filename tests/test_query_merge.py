"""Client-side parameter merging: %s, %(name)s, %% and every mistake."""

import pytest

import psycopg2
from psycopg2 import extensions as ext


@pytest.fixture
def restore_adapters():
    saved = dict(ext.adapters)
    try:
        yield
    finally:
        ext.adapters.clear()
        ext.adapters.update(saved)


# ---- good queries ----------------------------------------------------------


@pytest.mark.parametrize(
    "query, args, expected",
    [
        ("select %s", (1,), b"select 1"),
        ("select %s, %s", (1, "a"), b"select 1, 'a'"),
        ("select %s, %s", [1, "a"], b"select 1, 'a'"),
        ("select %s%s", (1, 2), b"select 12"),
        ("%s", ("x",), b"'x'"),
        ("select %s", (None,), b"select NULL"),
        ("select %(a)s", {"a": 1}, b"select 1"),
        ("select %(a)s, %(b)s", {"a": 1, "b": "x"}, b"select 1, 'x'"),
        ("select %(a)s, %(a)s", {"a": "x"}, b"select 'x', 'x'"),
        ("select %(a b)s", {"a b": 1}, b"select 1"),
        ("select %(\u00e8)s", {"\u00e8": 1}, b"select 1"),
        ("select %()s", {"": 1}, b"select 1"),
        ("select %(a)s", {"a": 1, "unused": object()}, b"select 1"),
        ("select 100%%", (), b"select 100%"),
        ("select 100%%", [], b"select 100%"),
        ("select 100%%", {}, b"select 100%"),
        ("select %s, '%%'", (1,), b"select 1, '%'"),
        ("select %(x)s || '%%s'", {"x": "a"}, b"select 'a' || '%s'"),
        ("select '%%%%'", (), b"select '%%'"),
        ("select 1", (), b"select 1"),
        ("select 1", {}, b"select 1"),
        ("select 1", {"a": 1}, b"select 1"),
        ("", (), b""),
        ("select %s", "a", b"select 'a'"),
    ],
)
def test_mogrify(cursor, query, args, expected):
    assert cursor.mogrify(query, args) == expected


def test_no_vars_means_verbatim(cursor):
    assert cursor.mogrify("select '100%%', '%s', '%(a)s', '%'") == (
        b"select '100%%', '%s', '%(a)s', '%'"
    )
    assert cursor.mogrify("select '%%'", None) == b"select '%%'"
    cursor.execute("select '100%%'")
    assert cursor.fetchone()[0] == "100%%"
    cursor.execute("select '100%%'", None)
    assert cursor.fetchone()[0] == "100%%"


def test_empty_vars_still_processes_percent(cursor):
    cursor.execute("select '100%%'", ())
    assert cursor.fetchone()[0] == "100%"
    cursor.execute("select '100%%'", {})
    assert cursor.fetchone()[0] == "100%"


def test_bytes_query(cursor):
    assert cursor.mogrify(b"select %s", (1,)) == b"select 1"
    assert cursor.mogrify(b"select %(a)s", {"a": 1}) == b"select 1"


def test_execute_positional(cursor):
    cursor.execute("select %s, %s, %s", (1, "two", None))
    assert cursor.fetchone() == (1, "two", None)


def test_execute_named(cursor):
    cursor.execute("select %(a)s, %(b)s, %(a)s", {"a": 10, "b": "x"})
    assert cursor.fetchone() == (10, "x", 10)


def test_mogrify_matches_executed_query(cursor):
    args = (1, "a'b")
    cursor.execute("select %s, %s", args)
    assert cursor.query == cursor.mogrify("select %s, %s", args)


def test_named_value_adapted_once(cursor, restore_adapters):
    calls = []

    class Counted:
        pass

    class CountedAdapter:
        def __init__(self, obj):
            calls.append(obj)

        def getquoted(self):
            return b"1"

    ext.register_adapter(Counted, CountedAdapter)
    obj = Counted()
    assert cursor.mogrify("select %(c)s, %(c)s, %(c)s", {"c": obj}) == b"select 1, 1, 1"
    assert calls == [obj]


def test_positional_values_each_adapted(cursor, restore_adapters):
    calls = []

    class Counted:
        pass

    class CountedAdapter:
        def __init__(self, obj):
            calls.append(obj)

        def getquoted(self):
            return b"1"

    ext.register_adapter(Counted, CountedAdapter)
    obj = Counted()
    cursor.mogrify("select %s, %s", (obj, obj))
    assert calls == [obj, obj]


def test_mapping_subclass_and_custom_mapping(cursor):
    import collections

    class M(collections.abc.Mapping):
        def __init__(self, d):
            self.d = d

        def __getitem__(self, k):
            return self.d[k]

        def __iter__(self):
            return iter(self.d)

        def __len__(self):
            return len(self.d)

    assert cursor.mogrify("select %(a)s", M({"a": 1})) == b"select 1"
    assert cursor.mogrify("select %(a)s", collections.OrderedDict(a=2)) == b"select 2"


def test_sequence_types(cursor):
    class Seq:
        def __len__(self):
            return 2

        def __getitem__(self, i):
            if i >= 2:
                raise IndexError(i)
            return i * 10

    assert cursor.mogrify("select %s, %s", Seq()) == b"select 0, 10"
    assert cursor.mogrify("select %s, %s", range(2)) == b"select 0, 1"


def test_str_vars_is_a_sequence(cursor):
    # as psycopg2 2.9: a str or bytes is a sequence of its items
    with pytest.raises(TypeError) as exc:
        cursor.execute("select %s", "abc")
    assert str(exc.value) == "not all arguments converted during string formatting"
    assert cursor.mogrify("select %s, %s", "ab") == b"select 'a', 'b'"
    assert cursor.mogrify("select %s", b"a") == b"select 97"


# ---- errors ----------------------------------------------------------------


def check_error(cursor, query, args, exc_type, message):
    for run in (cursor.mogrify, cursor.execute):
        with pytest.raises(exc_type) as exc:
            run(query, args)
        if message is not None:
            assert str(exc.value) == message, (run, query)
        if cursor.connection.get_transaction_status() == ext.TRANSACTION_STATUS_INERROR:
            cursor.connection.rollback()


@pytest.mark.parametrize(
    "query, args",
    [
        ("select %s, %(a)s", (1,)),
        ("select %(a)s, %s", {"a": 1}),
        ("select %(a)s, %x", {"a": 1}),
    ],
)
def test_mixed_formats(cursor, query, args):
    check_error(cursor, query, args, psycopg2.ProgrammingError,
                "argument formats can't be mixed")


def test_mixed_formats_lookup_first(cursor):
    # as psycopg2 2.9: placeholders are looked up left to right, so the
    # first one's lookup fails before the styles are found mixed
    check_error(cursor, "select %s, %(a)s", {"a": 1}, TypeError,
                "dict is not a sequence")
    check_error(cursor, "select %(a)s, %s", (1,), TypeError,
                "tuple indices must be integers or slices, not str")


@pytest.mark.parametrize(
    "query",
    ["select %(a", "select %(", "select %(a%s", "select %(abc %% def"],
)
def test_incomplete_placeholder(cursor, query):
    check_error(cursor, query, {"a": 1}, psycopg2.ProgrammingError,
                "incomplete placeholder: '%(' without ')'")


@pytest.mark.parametrize(
    "query, char, index",
    [
        ("select %d", "d", 8),
        ("select %x", "x", 8),
        ("select %f", "f", 8),
        ("select % s", " ", 8),
        ("select %5s", "5", 8),
        ("select %(a)d", "d", 11),
        ("select %(a)r", "r", 11),
        ("select %S", "S", 8),
        ("select 'é' %s %x", "x", 16),  # a byte index
    ],
)
def test_unsupported_format_character(cursor, query, char, index):
    args = {"a": 1} if "(" in query else (1,) * query.count("%")
    check_error(cursor, query, args, ValueError,
                "unsupported format character '%s' (0x%x) at index %d"
                % (char, ord(char), index))


def test_format_errors_after_lookups(cursor):
    # the conversion is checked after every value was looked up
    check_error(cursor, "select %x, %s", (1,), IndexError,
                "tuple index out of range")


def test_trailing_percent(cursor):
    check_error(cursor, "select 1 %", (1,), ValueError, "incomplete format")
    check_error(cursor, "select 1 %", (), IndexError,
                "tuple index out of range")
    check_error(cursor, "select %(a)", {"a": 1}, ValueError,
                "incomplete format")


@pytest.mark.parametrize(
    "query, args",
    [
        ("select %s", ()),
        ("select %s, %s", (1,)),
        ("select %s, %s, %s", [1, 2]),
        ("select %s", []),
    ],
)
def test_not_enough_arguments(cursor, query, args):
    # as psycopg2 2.9: the sequence's own IndexError
    check_error(cursor, query, args, IndexError,
                "%s index out of range" % type(args).__name__)


@pytest.mark.parametrize(
    "query, args",
    [
        ("select %s", (1, 2)),
        ("select %s, %s", (1, 2, 3)),
        ("select %s", (1, object())),  # the extra item is not adapted
    ],
)
def test_too_many_arguments(cursor, query, args):
    check_error(cursor, query, args, TypeError,
                "not all arguments converted during string formatting")


@pytest.mark.parametrize(
    "query, args, expected",
    [
        ("select 1", (1,), b"select 1"),
        ("select 1", [None], b"select 1"),
        ("select 1", 5, b"select 1"),
        ("select %%", (1,), b"select %"),
        ("select %%", None, b"select %%"),
    ],
)
def test_no_placeholder_ignores_args(cursor, query, args, expected):
    # as psycopg2 2.9: without placeholders the arguments are not looked at
    assert cursor.mogrify(query, args) == expected


def test_missing_key(cursor):
    for run in (cursor.mogrify, cursor.execute):
        with pytest.raises(KeyError) as exc:
            run("select %(a)s, %(b)s", {"a": 1})
        assert exc.value.args == ("b",)


@pytest.mark.parametrize("args", [10, 1.5, object(), {1, 2}, {"a": 1}])
def test_positional_needs_indexable(cursor, args):
    for run in (cursor.mogrify, cursor.execute):
        with pytest.raises(TypeError):
            run("select %s", args)


def test_named_needs_mapping(cursor):
    for args in ([1], (1,)):
        with pytest.raises(TypeError):
            cursor.mogrify("select %(a)s", args)


def test_errors_leave_connection_usable(cursor):
    with pytest.raises(IndexError):
        cursor.execute("select %s, %s", (1,))
    cursor.execute("select %s", (42,))
    assert cursor.fetchone()[0] == 42


def test_adapter_error_propagates(cursor):
    with pytest.raises(psycopg2.ProgrammingError, match="can't adapt"):
        cursor.execute("select %s, %s", (1, object()))
    with pytest.raises(psycopg2.ProgrammingError, match="can't adapt"):
        cursor.execute("select %(a)s", {"a": object()})


def test_many_parameters(cursor):
    n = 5000
    query = "select array[" + ", ".join(["%s"] * n) + "]"
    cursor.execute(query, list(range(n)))
    assert cursor.fetchone()[0] == list(range(n))
    assert len(cursor.mogrify("select " + "%s," * n + "1", (0,) * n)) == 2 * n + 8


def test_large_values(cursor):
    big = "x" * 1_000_000
    cursor.execute("select length(%s), %s", (big, 1))
    assert cursor.fetchone() == (1_000_000, 1)


@pytest.mark.parametrize(
    "query",
    [
        "%", "%%%", "%(", "%()", "%(a)", "%(a)%", "%s%", "%(%s)s", "%(a)s%(",
        "%\x00", "\x00%s", "%(\x00)s",
    ],
)
def test_malformed_never_crashes(cursor, query):
    for args in ((), (1,), {"a": 1, "": 2, "\x00": 3}):
        try:
            cursor.mogrify(query, args)
        except (psycopg2.ProgrammingError, ValueError, KeyError, TypeError,
                IndexError):
            pass
