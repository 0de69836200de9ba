"""Python code run while rows are built (a caster, the __iter__ of a row
builder's names) changes the row builders or re-executes the cursor: the
rows in progress stay consistent, nothing is written past an object."""

import psycopg2.extensions as ext
import psycopg2.extras as extras
from psycopg2 import _cursors
from psycopg2._psycopg import _set_row_builder


class PlainRow(list):
    """No _index slot: its __dict__ is where DictRow keeps _index."""

    def __getitem__(self, k):
        return list.__getitem__(self, self._index[k] if isinstance(k, str)
                                else k)


def test_dictrow_class_replaced_mid_fetch(conn):
    cur = conn.cursor(cursor_factory=extras.DictCursor)
    swapped = []

    def cast(s, c):
        if s == "2" and not swapped:
            # the rows after this one must not be filled at the old
            # class's slot offset (here PlainRow's __dict__ pointer)
            _set_row_builder("dictrow", PlainRow, _cursors._dictrow_index)
            swapped.append(1)
        return s

    ext.register_type(ext.new_type((25,), "SWAP_DICTROW", cast), cur)
    try:
        cur.execute("select i::text as t, i from generate_series(1, 5) i")
        rows = cur.fetchall()
    finally:
        _set_row_builder("dictrow", extras.DictRow, _cursors._dictrow_index)
    assert swapped
    assert [list(r) for r in rows] == [[str(i), i] for i in range(1, 6)]
    assert rows[0]["t"] == "1" and rows[4]["t"] == "5"
    assert type(rows[4]) is PlainRow and rows[4].__dict__.keys() == {"_index"}


def test_realdict_names_iter_reexecutes(conn):
    cur = conn.cursor(cursor_factory=extras.RealDictCursor)

    class Names:
        def __init__(self, names):
            self.names = names

        def __iter__(self):
            # re-executes the cursor with more columns, and fetches from it
            if not done:
                done.append(1)
                cur.execute("select 1 as a, 2 as b, 3 as c, 4 as d")
                cur.fetchone()
            return iter(self.names)

    done = []

    def names(c):
        return Names(_cursors._realdictrow_names(c))

    _set_row_builder("realdictrow", extras.RealDictRow, names)
    try:
        cur.execute("select 1 as x")
        try:
            cur.fetchone()
        except Exception:
            pass  # the result changed under the fetch: an error is fine
        cur.execute("select 1 as a, 2 as b, 3 as c, 4 as d, 5 as e")
        assert cur.fetchone() == {"a": 1, "b": 2, "c": 3, "d": 4, "e": 5}
    finally:
        _set_row_builder("realdictrow", extras.RealDictRow,
                         _cursors._realdictrow_names)
