"""SQL composition: build queries with identifiers and literals safely.

Objects here render to query text with ``as_string(context)``, where
*context* is a connection or a cursor.  Any of them can be passed as the
query to ``cursor.execute()`` and friends.
"""

import string

# psycopg2.sql exposes only its own classes: the helpers go by private names
from psycopg2 import extensions as ext

__all__ = [
    "Composable", "Composed", "SQL", "Identifier", "Literal", "Placeholder",
    "NULL", "DEFAULT",
]

_formatter = string.Formatter()


def _connection_of(context):
    """Return the connection behind *context* (a connection or a cursor)."""
    if isinstance(context, ext.connection):
        return context
    if isinstance(context, ext.cursor):
        return context.connection
    raise TypeError(
        "the context must be a connection or a cursor, got %s"
        % type(context).__name__)


class Composable:
    """Abstract base of the objects that render to a piece of SQL.

    *wrapped* is the object the subclass wraps. Composables are joined with
    ``+`` (giving a :class:`Composed`), repeated with ``*``, and accepted by
    ``cursor.execute()``, ``executemany()`` and ``copy_expert()`` in place of
    a query string. The concrete classes are :class:`SQL`,
    :class:`Identifier`, :class:`Literal`, :class:`Placeholder` and
    :class:`Composed`.
    """

    def __init__(self, wrapped):
        self._wrapped = wrapped

    def __repr__(self):
        return "%s(%r)" % (self.__class__.__name__, self._wrapped)

    def as_string(self, context):
        """as_string(context) -- the SQL text of the object, as a str.

        *context* is a connection or a cursor: quoting identifiers and literals
        depends on its encoding and settings. Useful to inspect a composed query;
        ``cursor.execute()`` accepts the object itself.
        """
        raise NotImplementedError

    def __add__(self, other):
        if isinstance(other, Composed):
            return Composed([self]) + other
        if isinstance(other, Composable):
            return Composed([self]) + Composed([other])
        return NotImplemented

    def __mul__(self, n):
        return Composed([self] * n)

    def __eq__(self, other):
        return type(self) is type(other) and self._wrapped == other._wrapped

    def __ne__(self, other):
        return not self.__eq__(other)

    __hash__ = None


class Composed(Composable):
    """A sequence of Composables, rendered one after the other.

    *seq* is a sequence of :class:`Composable` objects; anything else raises
    ``TypeError``. Usually made by ``+`` or :meth:`SQL.format` rather than by
    hand::

        >>> q = sql.SQL("SELECT ") + sql.Identifier("id")
        >>> q.as_string(conn)
        'SELECT "id"'

    Iterating gives the parts; :meth:`join` puts a separator between them.
    """

    def __init__(self, seq):
        wrapped = []
        for item in seq:
            if not isinstance(item, Composable):
                raise TypeError(
                    "Composed elements must be Composable, got %r instead"
                    % (item,))
            wrapped.append(item)
        super().__init__(wrapped)

    @property
    def seq(self):
        """The list of the Composables in the object (a copy)."""
        return list(self._wrapped)

    def as_string(self, context):
        """as_string(context) -- the SQL text of the object, as a str.

        *context* is a connection or a cursor: quoting identifiers and literals
        depends on its encoding and settings. Useful to inspect a composed query;
        ``cursor.execute()`` accepts the object itself.
        """
        return "".join(item.as_string(context) for item in self._wrapped)

    def __iter__(self):
        return iter(self._wrapped)

    def __add__(self, other):
        if isinstance(other, Composed):
            return Composed(self._wrapped + other._wrapped)
        if isinstance(other, Composable):
            return Composed(self._wrapped + [other])
        return NotImplemented

    def join(self, joiner):
        """join(joiner) -- a new Composed with *joiner* between the items.

        *joiner* is a str or an :class:`SQL` object::

            >>> fields = sql.Identifier("foo") + sql.Identifier("bar")
            >>> fields.join(", ").as_string(conn)
            '"foo", "bar"'
        """
        if isinstance(joiner, str):
            joiner = SQL(joiner)
        elif not isinstance(joiner, SQL):
            raise TypeError(
                "Composed.join() argument must be a string or an SQL")
        return joiner.join(self)


class SQL(Composable):
    """A snippet of SQL text, inserted verbatim (never escaped).

    *string* is the text; anything but a str raises ``TypeError``. Use it
    for the fixed parts of a query, and :meth:`format` to put identifiers,
    literals and placeholders into it::

        query = sql.SQL("SELECT {fields} FROM {table} WHERE id = %s").format(
            fields=sql.SQL(", ").join(map(sql.Identifier, ["a", "b"])),
            table=sql.Identifier("public", "t"))
        cur.execute(query, (42,))

    Never put data received from users into an SQL object: wrap it in
    :class:`Literal` or pass it as a query parameter.
    """

    def __init__(self, string):
        if not isinstance(string, str):
            raise TypeError("SQL values must be strings")
        super().__init__(string)

    @property
    def string(self):
        """The wrapped string."""
        return self._wrapped

    def as_string(self, context):
        """as_string(context) -- the SQL text of the object, as a str.

        *context* is a connection or a cursor: quoting identifiers and literals
        depends on its encoding and settings. Useful to inspect a composed query;
        ``cursor.execute()`` accepts the object itself.
        """
        return self._wrapped

    def format(self, *args, **kwargs):
        """Merge Composable objects (the arguments) into the placeholders.

        The string may contain ``{}`` placeholders, numbered automatically,
        ``{0}`` ones, numbered explicitly (the two styles cannot be mixed), and
        ``{name}`` ones, filled from the keyword arguments; ``{{`` and ``}}`` are
        literal braces. Each argument must be a :class:`Composable`: an
        :class:`Identifier` for names, a :class:`Literal` for values, a
        :class:`Placeholder` for query parameters, or more :class:`SQL`. Format
        specifications and conversions (``{:>10}``, ``{!r}``) raise
        ``ValueError``. Returns a :class:`Composed`::

            >>> q = sql.SQL("SELECT {} FROM {} WHERE {col} = %s").format(
            ...     sql.Identifier("name"), sql.Identifier("people"),
            ...     col=sql.Identifier("id"))
            >>> q.as_string(conn)
            'SELECT "name" FROM "people" WHERE "id" = %s'

        Note the ``%s``, left for the parameters of ``cursor.execute()``.
        """
        rv = []
        autonum = 0  # next automatic index; None once manual numbering used
        for pre, name, spec, conv in _formatter.parse(self._wrapped):
            if spec:
                raise ValueError("no format specification supported by SQL")
            if conv:
                raise ValueError("no format conversion supported by SQL")
            if pre:
                rv.append(SQL(pre))
            if name is None:
                continue
            if name.isdigit():
                if autonum:
                    raise ValueError(
                        "cannot switch from automatic field numbering "
                        "to manual")
                rv.append(args[int(name)])
                autonum = None
            elif not name:
                if autonum is None:
                    raise ValueError(
                        "cannot switch from manual field numbering "
                        "to automatic")
                rv.append(args[autonum])
                autonum += 1
            else:
                rv.append(kwargs[name])
        return Composed(rv)

    def join(self, seq):
        """join(seq) -- join the Composables of *seq* with this SQL between them.

        Returns a :class:`Composed` (empty if *seq* is)::

            >>> sql.SQL(", ").join(sql.Identifier(n) for n in ["a", "b"]).as_string(conn)
            '"a", "b"'
        """
        rv = []
        it = iter(seq)
        try:
            rv.append(next(it))
        except StopIteration:
            pass
        else:
            for item in it:
                rv.append(self)
                rv.append(item)
        return Composed(rv)


class Identifier(Composable):
    """A (possibly qualified) SQL identifier, such as a table or column name.

    ``Identifier(*strings)``: each string is one part of the name; each
    part is put in double quotes (a ``"`` inside is doubled) and the parts
    are joined with dots. Use it for names that come from variables, never
    :class:`SQL`::

        >>> sql.Identifier("my table").as_string(conn)
        '"my table"'
        >>> sql.Identifier("schema", "t").as_string(conn)
        '"schema"."t"'

    No part may be empty, and all must be strings (``TypeError``
    otherwise). ``strings`` gives the parts back; ``string`` the only part
    of a one-part identifier.
    """

    def __init__(self, *strings):
        if not strings:
            raise TypeError("Identifier cannot be empty")
        for s in strings:
            if not isinstance(s, str):
                raise TypeError("SQL identifier parts must be strings")
        super().__init__(strings)

    @property
    def strings(self):
        """A tuple with the strings wrapped by the Identifier."""
        return self._wrapped

    @property
    def string(self):
        """The string wrapped by the Identifier (single part only)."""
        if len(self._wrapped) == 1:
            return self._wrapped[0]
        raise AttributeError(
            "the Identifier wraps more than one string")

    def __repr__(self):
        return "%s(%s)" % (
            self.__class__.__name__, ", ".join(map(repr, self._wrapped)))

    def as_string(self, context):
        """as_string(context) -- the SQL text of the object, as a str.

        *context* is a connection or a cursor: quoting identifiers and literals
        depends on its encoding and settings. Useful to inspect a composed query;
        ``cursor.execute()`` accepts the object itself.
        """
        return ".".join(ext.quote_ident(s, context) for s in self._wrapped)


class Literal(Composable):
    """A value rendered as a SQL literal by the normal adaptation rules.

    ``Literal(wrapped)``: the value is adapted as a query parameter would
    be (numbers, strings, dates, lists, ... and any type with a registered
    adapter), then inserted in the query text. Useful where parameters are
    not allowed, e.g. in DDL::

        >>> sql.SQL("ALTER TABLE t ALTER c SET DEFAULT {}").format(
        ...     sql.Literal("it's")).as_string(conn)
        "ALTER TABLE t ALTER c SET DEFAULT 'it''s'"

    Rendering needs a connection or cursor (for the encoding and quoting
    rules). ``wrapped`` gives the value back.
    """

    @property
    def wrapped(self):
        """The object wrapped by the Literal."""
        return self._wrapped

    def as_string(self, context):
        """as_string(context) -- the SQL text of the object, as a str.

        *context* is a connection or a cursor: quoting identifiers and literals
        depends on its encoding and settings. Useful to inspect a composed query;
        ``cursor.execute()`` accepts the object itself.
        """
        conn = _connection_of(context)
        a = ext.adapt(self._wrapped)
        if hasattr(a, "prepare"):
            a.prepare(conn)
        rv = a.getquoted()
        if isinstance(rv, bytes):
            rv = rv.decode(ext.encodings[conn.encoding])
        return rv


class Placeholder(Composable):
    """A ``%s`` or ``%(name)s`` placeholder for query parameters.

    ``Placeholder(name=None)``: without *name*, renders ``%s``; with one,
    ``%(name)s``. The parameters are then passed to ``cursor.execute()`` as
    usual::

        >>> names = ["x", "y"]
        >>> q = sql.SQL("INSERT INTO t ({}) VALUES ({})").format(
        ...     sql.SQL(", ").join(map(sql.Identifier, names)),
        ...     sql.SQL(", ").join(map(sql.Placeholder, names)))
        >>> q.as_string(conn)
        'INSERT INTO t ("x", "y") VALUES (%(x)s, %(y)s)'

    A *name* containing ``)`` raises ``ValueError``; one that is
    not a str raises ``TypeError``.
    """

    def __init__(self, name=None):
        if isinstance(name, str):
            if ")" in name:
                raise ValueError("invalid name: %r" % name)
        elif name is not None:
            raise TypeError("expected string or None as name, got %r" % (name,))
        super().__init__(name)

    @property
    def name(self):
        """The name of the Placeholder (None if positional)."""
        return self._wrapped

    def __repr__(self):
        if self._wrapped is None:
            return "%s()" % self.__class__.__name__
        return "%s(%r)" % (self.__class__.__name__, self._wrapped)

    def as_string(self, context):
        """as_string(context) -- the SQL text of the object, as a str.

        *context* is a connection or a cursor: quoting identifiers and literals
        depends on its encoding and settings. Useful to inspect a composed query;
        ``cursor.execute()`` accepts the object itself.
        """
        if self._wrapped is not None:
            return "%%(%s)s" % self._wrapped
        return "%s"


NULL = SQL("NULL")
DEFAULT = SQL("DEFAULT")
