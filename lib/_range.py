"""PostgreSQL range types: the Range family, adapters and typecasters.

This module imports only from psycopg2._psycopg: psycopg2.extensions may
import it.  At import it registers the adapters for NumericRange,
DateRange, DateTimeRange, DateTimeTZRange and the typecasters for the
builtin range types (int4range, int8range, numrange, daterange, tsrange,
tstzrange and their arrays).
"""

import re

from psycopg2._psycopg import (
    ISQLQuote,
    InterfaceError,
    ProgrammingError,
    adapt,
    adapters,
    new_array_type,
    new_type,
    register_type,
)
from psycopg2._util import (
    _SCHEMA_COND, _lookup, _solve_conn_curs, _split_type_name)

__all__ = [
    "Range", "NumericRange", "DateRange", "DateTimeRange", "DateTimeTZRange",
    "RangeAdapter", "RangeCaster", "NumberRangeAdapter", "register_range",
]

_VALID_BOUNDS = ("[)", "(]", "()", "[]")


def register_adapter(typ, callable):
    # Same as extensions.register_adapter, which can't be imported from
    # here: extensions imports this module.
    adapters[(typ, ISQLQuote)] = callable


class Range:
    """Python representation of a PostgreSQL range value.

    *lower* and *upper* are the bounds (None: unbounded on that side);
    *bounds* says which are included, one of ``'[)'`` (the default),
    ``'(]'``, ``'()'``, ``'[]'``; *empty* true makes the empty range (the
    other arguments are then ignored). Instances are immutable and hashable,
    support ``in`` (``5 in NumericRange(1, 10)``) and can be sorted. The
    subclasses :class:`NumericRange`, :class:`DateRange`,
    :class:`DateTimeRange` and :class:`DateTimeTZRange` map the builtin range
    types.
    """

    __slots__ = ("_lower", "_upper", "_bounds")

    def __init__(self, lower=None, upper=None, bounds="[)", empty=False):
        if not empty:
            if bounds not in _VALID_BOUNDS:
                raise ValueError("bound flags not valid: %r" % (bounds,))
            self._lower = lower
            self._upper = upper
            self._bounds = bounds
        else:
            self._lower = self._upper = self._bounds = None

    def __repr__(self):
        if self._bounds is None:
            return "%s(empty=True)" % self.__class__.__name__
        return "%s(%r, %r, %r)" % (
            self.__class__.__name__, self._lower, self._upper, self._bounds)

    def __str__(self):
        if self._bounds is None:
            return "empty"
        items = [
            self._bounds[0],
            "" if self._lower is None else str(self._lower),
            ", ",
            "" if self._upper is None else str(self._upper),
            self._bounds[1],
        ]
        return "".join(items)

    @property
    def lower(self):
        """The lower bound of the range, None if empty or unbounded."""
        return self._lower

    @property
    def upper(self):
        """The upper bound of the range, None if empty or unbounded."""
        return self._upper

    @property
    def isempty(self):
        """True if the range is empty."""
        return self._bounds is None

    @property
    def lower_inf(self):
        """True if the range has no lower bound (False if empty)."""
        if self._bounds is None:
            return False
        return self._lower is None

    @property
    def upper_inf(self):
        """True if the range has no upper bound (False if empty)."""
        if self._bounds is None:
            return False
        return self._upper is None

    @property
    def lower_inc(self):
        """True if the lower bound is included in the range."""
        if self._bounds is None or self._lower is None:
            return False
        return self._bounds[0] == "["

    @property
    def upper_inc(self):
        """True if the upper bound is included in the range."""
        if self._bounds is None or self._upper is None:
            return False
        return self._bounds[1] == "]"

    def __contains__(self, x):
        if self._bounds is None:
            return False
        if self._lower is not None:
            if self._bounds[0] == "[":
                if x < self._lower:
                    return False
            elif x <= self._lower:
                return False
        if self._upper is not None:
            if self._bounds[1] == "]":
                if x > self._upper:
                    return False
            elif x >= self._upper:
                return False
        return True

    def __bool__(self):
        return self._bounds is not None

    def _key(self):
        return (self._lower, self._upper, self._bounds)

    def __eq__(self, other):
        if not isinstance(other, Range):
            return False
        return self._key() == other._key()

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return hash(self._key())

    def __lt__(self, other):
        if not isinstance(other, Range):
            return NotImplemented
        for a, b in zip(self._key(), other._key()):
            if a == b:
                continue
            if a is None:
                return True
            if b is None:
                return False
            return a < b
        return False

    def __le__(self, other):
        if not isinstance(other, Range):
            return NotImplemented
        return self == other or self < other

    def __gt__(self, other):
        if not isinstance(other, Range):
            return NotImplemented
        return other < self

    def __ge__(self, other):
        if not isinstance(other, Range):
            return NotImplemented
        return self == other or other < self

    def __getstate__(self):
        return {slot: getattr(self, slot) for slot in Range.__slots__}

    def __setstate__(self, state):
        for slot, value in state.items():
            setattr(self, slot, value)


class NumericRange(Range):
    """A range of numbers: int4range, int8range or numrange values.

    ``NumericRange(lower=None, upper=None, bounds='[)', empty=False)``, as
    :class:`Range`. The server returns discrete ranges (int4range,
    int8range) in the canonical ``[)`` form. Passed as a parameter, it is
    sent as an untyped literal, so the server picks the range type from the
    context; cast it (``%s::int8range``) where the context does not say::

        NumericRange(1, 10)                # 1 <= x < 10
        NumericRange(1, None, "[]")        # 1 <= x, no upper bound
        5 in NumericRange(1, 10)           # True
    """
    __slots__ = ()


class DateRange(Range):
    """A daterange (of :class:`datetime.date`)."""
    __slots__ = ()


class DateTimeRange(Range):
    """A tsrange (of naive :class:`datetime.datetime`)."""
    __slots__ = ()


class DateTimeTZRange(Range):
    """A tstzrange (of aware :class:`datetime.datetime`)."""
    __slots__ = ()


class RangeAdapter:
    """Adapter for Range objects; subclasses set ``name`` to the SQL type.

    *adapted* is the Range. It renders as ``name(lower, upper, 'bounds')``,
    or ``'empty'::name`` for an empty range. ``register_range()`` makes and
    registers the subclasses it needs.
    """

    name = None

    def __init__(self, adapted):
        self.adapted = adapted
        self._conn = None

    def __conform__(self, proto):
        if proto is ISQLQuote:
            return self

    def prepare(self, conn):
        """prepare(conn) -- adapt the bounds for the connection *conn*."""
        self._conn = conn

    def _quote(self, obj):
        if obj is None:
            return b"NULL"
        a = adapt(obj)
        if hasattr(a, "prepare") and self._conn is not None:
            a.prepare(self._conn)
        rv = a.getquoted()
        if isinstance(rv, str):
            rv = rv.encode("utf8")
        return rv

    def getquoted(self):
        """getquoted() -- the SQL of the range value, as bytes."""
        if self.name is None:
            raise NotImplementedError(
                "RangeAdapter must be subclassed overriding its name "
                "or the getquoted() method")
        name = self.name.encode("utf8")
        r = self.adapted
        if r.isempty:
            return b"'empty'::" + name
        return b"".join([
            name, b"(", self._quote(r.lower), b", ", self._quote(r.upper),
            b", '", r._bounds.encode("ascii"), b"')",
        ])


class NumberRangeAdapter(RangeAdapter):
    """Adapt NumericRange to an untyped literal such as ``'[1,10)'``.

    The server infers int4range, int8range or numrange from the context.
    """

    name = None  # untyped: the server infers the range type

    def _bound(self, obj):
        if obj is None:
            return ""
        rv = self._quote(obj).decode("ascii", "replace").strip()
        if rv.startswith("'"):
            # e.g. 'NaN'::numeric: fall back to the plain text
            rv = str(obj)
        return rv

    def getquoted(self):
        """getquoted() -- the SQL literal of the range, e.g. ``'[1,10)'``, as bytes."""
        r = self.adapted
        if r.isempty:
            return b"'empty'"
        s = "'%s%s,%s%s'" % (
            r._bounds[0], self._bound(r.lower), self._bound(r.upper),
            r._bounds[1])
        return s.encode("utf8")


# A range literal as the server prints it: bounds may be empty (infinite),
# plain text, or double-quoted with "" or \ escapes.
_re_range = re.compile(r"""
    \s*
    (?P<lb>[\[(])
    (?: "(?P<lq>(?:[^"\\]|\\.|"")*)" | (?P<lu>[^",]*) )
    ,
    (?: "(?P<uq>(?:[^"\\]|\\.|"")*)" | (?P<uu>[^"\])]*) )
    (?P<ub>[\])])
    \s*$
""", re.VERBOSE | re.DOTALL)

_re_unescape = re.compile(r'\\(.)|""', re.DOTALL)


def _unescape(s):
    return _re_unescape.sub(lambda m: m.group(1) or '"', s)


class RangeCaster:
    """Typecaster and adapter pair for a PostgreSQL range type.

    *pgrange* is a RangeAdapter subclass or the SQL type name (an adapter
    is then created); *pyrange* a Range subclass or a name for a new one.
    *oid*, *subtype_oid* and *array_oid* are the OIDs of the range type, of
    its element type and of its array type. ``register_range()`` builds one
    from the catalogue and returns it; its ``typecaster``,
    ``array_typecaster``, ``adapter`` and ``range`` attributes are what was
    registered.
    """

    def __init__(self, pgrange, pyrange, oid, subtype_oid, array_oid=None):
        self.subtype_oid = subtype_oid
        self._create_ranges(pgrange, pyrange)

        # as psycopg2, an adapter without a name gives "type" (the name of
        # its metaclass), e.g. the builtin numeric ranges'
        name = self.adapter.name or type(self.adapter).__name__
        self.typecaster = new_type((oid,), name, self.parse)
        if array_oid is not None:
            self.array_typecaster = new_array_type(
                (array_oid,), name + "ARRAY", self.typecaster)
        else:
            self.array_typecaster = None

    def _create_ranges(self, pgrange, pyrange):
        self.adapter = None
        if isinstance(pgrange, str):
            self.adapter = type(pgrange, (RangeAdapter,), {})
            self.adapter.name = pgrange
        elif (isinstance(pgrange, type) and issubclass(pgrange, RangeAdapter)
                and pgrange is not RangeAdapter):
            self.adapter = pgrange
        if self.adapter is None:
            raise TypeError(
                "pgrange must be a string or a RangeAdapter strict subclass")

        self.range = None
        if isinstance(pyrange, str):
            self.range = type(pyrange, (Range,), {"__slots__": ()})
        elif (isinstance(pyrange, type) and issubclass(pyrange, Range)
                and pyrange is not Range):
            self.range = pyrange
        if self.range is None:
            raise TypeError(
                "pyrange must be a type or a Range strict subclass")

    @classmethod
    def _from_db(cls, name, pyrange, conn_or_curs):
        """Return a RangeCaster for the range type *name* in the database."""
        conn, curs = _solve_conn_curs(conn_or_curs)

        if conn.server_version < 90200:
            raise ProgrammingError(
                "range types not available in version %s"
                % conn.server_version)

        schema, tname = _split_type_name(name)
        if schema is not None:
            cond = "t.typname = %s AND " + _SCHEMA_COND
            args = (tname, schema, schema)
        else:
            cond = "t.typname = %s AND pg_catalog.pg_type_is_visible(t.oid)"
            args = (tname,)

        with _lookup(conn):
            curs.execute(
                "SELECT r.rngtypid, r.rngsubtype, t.typarray "
                "FROM pg_catalog.pg_range r "
                "JOIN pg_catalog.pg_type t ON t.oid = r.rngtypid "
                "JOIN pg_catalog.pg_namespace ns ON ns.oid = t.typnamespace "
                "WHERE " + cond, args)
            rec = curs.fetchone()

        if not rec:
            raise ProgrammingError("PostgreSQL range '%s' not found" % name)

        type_oid, subtype_oid, array_oid = rec
        return cls(name, pyrange, oid=type_oid, subtype_oid=subtype_oid,
                   array_oid=array_oid or None)

    def parse(self, s, cur=None):
        """parse(s, cur=None) -- an instance of ``self.range`` from the range literal *s*.

        The bounds are cast with ``cur.cast(subtype_oid, ...)`` if the cursor
        *cur* is given, else left as strings. *s* None (NULL) gives None; a
        malformed literal raises ``InterfaceError``.
        """
        if s is None:
            return None

        if s.strip() == "empty":
            return self.range(empty=True)

        m = _re_range.match(s)
        if m is None:
            raise InterfaceError("failed to parse range: '%s'" % s)

        lower = m.group("lq")
        if lower is not None:
            lower = _unescape(lower)
        else:
            lower = m.group("lu") or None

        upper = m.group("uq")
        if upper is not None:
            upper = _unescape(upper)
        else:
            upper = m.group("uu") or None

        if cur is not None:
            if lower is not None:
                lower = cur.cast(self.subtype_oid, lower)
            if upper is not None:
                upper = cur.cast(self.subtype_oid, upper)

        return self.range(lower, upper, m.group("lb") + m.group("ub"))

    def _register(self, scope=None):
        register_type(self.typecaster, scope)
        if self.array_typecaster is not None:
            register_type(self.array_typecaster, scope)
        register_adapter(self.range, self.adapter)


def register_range(pgrange, pyrange, conn_or_curs, globally=False):
    """Create and register an adapter and typecasters for a range type.

    *pgrange* is the name of the PostgreSQL range type, optionally
    schema-qualified (e.g. ``'public.floatrange'``); its OIDs and element
    type are looked up through *conn_or_curs* (``ProgrammingError`` if it
    does not exist). *pyrange* is the Python class of the values: a
    :class:`Range` subclass, or a name, for which a new subclass is made.
    The typecasters (range and array of ranges) are registered on
    *conn_or_curs*, or for every connection if *globally* is true; the
    adapter, for instances of *pyrange*, is always registered globally.
    Return the :class:`RangeCaster`, whose ``range`` attribute is the class::

        caster = register_range("floatrange", "FloatRange", conn)
        cur.execute("SELECT %s", [caster.range(1.5, 2.5)])
        cur.fetchone()[0]                  # FloatRange(1.5, 2.5, '[)')

    The builtin range types (int4range, int8range, numrange, daterange,
    tsrange, tstzrange) are already converted to :class:`NumericRange`,
    :class:`DateRange`, :class:`DateTimeRange` and
    :class:`DateTimeTZRange`.
    """
    caster = RangeCaster._from_db(pgrange, pyrange, conn_or_curs)
    caster._register(None if globally else conn_or_curs)
    return caster


# Casters for the builtin range types (oid, subtype oid, array oid).
int4range_caster = RangeCaster(
    NumberRangeAdapter, NumericRange, oid=3904, subtype_oid=23, array_oid=3905)
int8range_caster = RangeCaster(
    NumberRangeAdapter, NumericRange, oid=3926, subtype_oid=20, array_oid=3927)
numrange_caster = RangeCaster(
    NumberRangeAdapter, NumericRange, oid=3906, subtype_oid=1700,
    array_oid=3907)
daterange_caster = RangeCaster(
    "daterange", DateRange, oid=3912, subtype_oid=1082, array_oid=3913)
tsrange_caster = RangeCaster(
    "tsrange", DateTimeRange, oid=3908, subtype_oid=1114,
    array_oid=3909)
tstzrange_caster = RangeCaster(
    "tstzrange", DateTimeTZRange, oid=3910, subtype_oid=1184,
    array_oid=3911)

for _c in (int4range_caster, int8range_caster, numrange_caster,
           daterange_caster, tsrange_caster, tstzrange_caster):
    _c._register()
del _c
# NumericRange is adapted by the generic numeric adapter, whatever
# registration came last.
register_adapter(NumericRange, NumberRangeAdapter)
