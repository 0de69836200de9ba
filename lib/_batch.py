"""Fast execution helpers: execute_batch and execute_values."""

import re

from psycopg2.extensions import encodings as _encodings
from psycopg2.sql import Composable

__all__ = ["execute_batch", "execute_values"]


def _paginate(seq, page_size):
    """Yield lists of at most *page_size* items from the iterable *seq*."""
    page = []
    it = iter(seq)
    while True:
        try:
            for _ in range(page_size):
                page.append(next(it))
            yield page
            page = []
        except StopIteration:
            if page:
                yield page
            return


def execute_batch(cur, sql, argslist, page_size=100):
    """Execute *sql* once per item of *argslist*, in fewer round trips.

    *cur* is the cursor, *sql* a query with placeholders and *argslist* a
    sequence of parameter sequences or mappings, as for
    ``cursor.executemany()``. The statements are merged client-side with
    ``cur.mogrify()`` and sent joined by ``;``, *page_size* of them (default
    100) in each round trip::

        execute_batch(cur,
            "UPDATE t SET v = %s WHERE id = %s",
            [(10, 1), (20, 2), (30, 3)])

    After the call ``cur.rowcount`` only counts the last page, and no rows
    can be fetched. Note that ``executemany()`` in this module already sends
    its statements in pipelines of up to 1000 within a transaction; for
    INSERTs, :func:`execute_values` is faster still.
    """
    if page_size < 1:
        raise ValueError("page_size must be a positive integer")
    for page in _paginate(argslist, page_size):
        sqls = [cur.mogrify(sql, args) for args in page]
        cur.execute(b";".join(sqls))


def execute_values(cur, sql, argslist, template=None, page_size=100,
                   fetch=False):
    """Execute *sql* with a ``VALUES`` list built from *argslist*.

    *cur* is the cursor to run the statements on. *sql* must contain exactly
    one ``%s`` placeholder (any other ``%`` written as ``%%``); it is replaced
    by ``(...),(...)`` groups of at most *page_size* items (default 100) of
    *argslist*, a sequence of sequences or of mappings. Each item is merged
    into *template*: by default ``(%s, %s, ...)`` sized on the first item;
    with mappings, write e.g. ``(%(id)s, %(name)s)``. One statement per page
    is sent::

        execute_values(cur,
            "INSERT INTO t (id, name) VALUES %s",
            [(1, "a"), (2, "b")])
        execute_values(cur,
            "UPDATE t SET name = data.v FROM (VALUES %s) AS data (id, v) "
            "WHERE t.id = data.id", [(1, "x"), (2, "y")])

    If *fetch* is true, return the rows of every page (as ``fetchall()``
    would, e.g. for ``INSERT ... RETURNING``), else None. After the call
    ``cur.rowcount`` only counts the last page.
    """
    if page_size < 1:
        raise ValueError("page_size must be a positive integer")
    if isinstance(sql, Composable):
        sql = sql.as_string(cur)
    if isinstance(sql, str):
        sql = sql.encode(_encodings[cur.connection.encoding])
    elif not isinstance(sql, bytes):
        raise TypeError("the query must be str, bytes or Composable")
    pre, post = _split_sql(sql)

    result = [] if fetch else None
    for page in _paginate(argslist, page_size):
        if template is None:
            template = b"(" + b",".join([b"%s"] * len(page[0])) + b")"
        parts = pre[:]
        for args in page:
            parts.append(cur.mogrify(template, args))
            parts.append(b",")
        parts[-1:] = post
        cur.execute(b"".join(parts))
        if fetch:
            result.extend(cur.fetchall())
    return result


_re_percent = re.compile(rb"(%.)", re.DOTALL)


def _split_sql(sql):
    """Split *sql* (bytes) around its only ``%s``; unescape ``%%``.

    Return two lists of bytes chunks: before and after the placeholder.
    """
    curr = pre = []
    post = []
    tokens = _re_percent.split(sql)
    for i, token in enumerate(tokens):
        if i % 2 == 0:
            if b"%" in token:
                # a lone "%" at the end of the string
                raise ValueError("incomplete format at the end of the query")
            curr.append(token)
        elif token == b"%%":
            curr.append(b"%")
        elif token == b"%s":
            if curr is pre:
                curr = post
            else:
                raise ValueError(
                    "the query contains more than one '%s' placeholder")
        else:
            raise ValueError(
                "unsupported format character in the query: %r"
                % token.decode("ascii", "replace"))
    if curr is pre:
        raise ValueError("the query doesn't contain any '%s' placeholder")
    return pre, post
