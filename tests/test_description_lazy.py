"""cursor.description is made from the result the first time it is read
(most code never reads it, and building it was a tenth of the cost of a
small query).  What a user sees must not change: the columns of the last
result, decoded in the encoding the server used for it, kept after
close(), and sound when the decoding runs Python code that re-executes or
closes the cursor.
"""

import sys

import pytest

import psycopg2
import psycopg2.extras


def test_description_matches_the_result(conn):
    cur = conn.cursor()
    cur.execute("select 1 as a, 2.5::numeric(5,2) as b, 'x'::text as c")
    d = cur.description
    assert [c.name for c in d] == ["a", "b", "c"]
    assert [c.type_code for c in d] == [23, 1700, 25]
    assert (d[1].precision, d[1].scale) == (5, 2)
    # the same object each time, as an attribute
    assert cur.description is d


def test_description_follows_the_last_command(conn):
    cur = conn.cursor()
    cur.execute("select 1 as a")
    cur.execute("create temp table lazy_desc (x int)")
    assert cur.description is None
    cur.execute("select 2 as b")
    cur.execute("insert into lazy_desc values (1)")
    assert cur.description is None
    cur.execute("select x from lazy_desc")
    assert cur.description[0].name == "x"
    cur.executemany("insert into lazy_desc values (%s)", [(2,), (3,)])
    assert cur.description is None


@pytest.mark.parametrize("closing", ["cursor", "connection"])
def test_description_kept_after_close_unread(conn_factory, closing):
    conn = conn_factory()
    cur = conn.cursor()
    cur.execute("select 1 as first, 2 as second")
    # not read before closing: close() must keep it, as psycopg2 does
    if closing == "cursor":
        cur.close()
    else:
        conn.close()
    assert [c.name for c in cur.description] == ["first", "second"]


def test_description_decoded_in_the_result_encoding(conn):
    conn.set_client_encoding("LATIN1")
    cur = conn.cursor()
    cur.execute('select 1 as "caf\u00e9"')
    # read after the client encoding changed: the name was sent in LATIN1
    conn.set_client_encoding("UTF8")
    assert cur.description[0].name == "caf\u00e9"


def test_description_with_row_factories(conn):
    for factory in (psycopg2.extras.DictCursor,
                    psycopg2.extras.RealDictCursor,
                    psycopg2.extras.NamedTupleCursor):
        cur = conn.cursor(cursor_factory=factory)
        cur.execute("select 1 as a, 2 as b")
        row = cur.fetchone()
        assert [c.name for c in cur.description] == ["a", "b"]
        if factory is psycopg2.extras.NamedTupleCursor:
            assert (row.a, row.b) == (1, 2)
        else:
            assert (row["a"], row["b"]) == (1, 2)


def test_named_cursor_description(conn):
    cur = conn.cursor("lazy_desc_named")
    cur.execute("select generate_series(1, 3) as n")
    assert cur.fetchone() == (1,)
    assert cur.description[0].name == "n"
    assert cur.fetchall() == [(2,), (3,)]
    assert cur.description[0].name == "n"


def _while_decoding(action):
    """Run action() once, when the next codec decode() starts (WIN1252's
    codec is Python code, so the hook is deterministic)."""
    done = []

    def hook(frame, event, arg):
        if not done and event == "call" and frame.f_code.co_name == "decode":
            done.append(1)
            action()

    return hook, done


@pytest.mark.parametrize("action", ["execute", "close"])
def test_cursor_changed_while_description_is_built(conn, action):
    conn.set_client_encoding("WIN1252")
    cur = conn.cursor()
    cur.execute('select 1 as "first\u00e9"')

    def act():
        if action == "execute":
            cur.execute('select 2 as "second\u00e9"')
        else:
            cur.close()

    hook, done = _while_decoding(act)
    sys.setprofile(hook)
    try:
        d = cur.description
    finally:
        sys.setprofile(None)
    assert done == [1]
    # the call that started the build gets the columns it asked for
    assert d[0].name == "first\u00e9"
    if action == "execute":
        # and the cursor then shows its new result's
        assert cur.description[0].name == "second\u00e9"
        assert cur.fetchall() == [(2,)]
    else:
        assert cur.closed
