"""tzinfo implementations for psycopg2 (deprecated since 2.9).

The default ``cursor.tzinfo_factory`` is now :class:`datetime.timezone`;
this module is kept so that code written for older versions keeps working.
"""

import datetime
import threading
import time

__all__ = [
    "ZERO", "FixedOffsetTimezone", "LocalTimezone", "LOCAL",
    "STDOFFSET", "DSTOFFSET", "DSTDIFF",
]

ZERO = datetime.timedelta(0)


class FixedOffsetTimezone(datetime.tzinfo):
    """A tzinfo with a fixed offset from UTC, as timestamptz values use.

    ``FixedOffsetTimezone(offset=None, name=None)``: *offset* is the offset
    east of UTC, a number of minutes or a :class:`datetime.timedelta`;
    *name* is what ``tzname()`` returns, by
    default the offset written like ``+05:30``. Instances are cached: the
    same ``(offset, name)`` gives back the same object::

        >>> dt = datetime.datetime(2024, 1, 1, 12, tzinfo=FixedOffsetTimezone(330))
        >>> dt.isoformat()
        '2024-01-01T12:00:00+05:30'

    Timestamps with a time zone are returned with :class:`datetime.timezone`
    objects by default; this class exists for compatibility with code that
    uses or checks for it (``cursor.tzinfo_factory``).
    """

    _cache = {}
    _lock = threading.Lock()

    _offset = ZERO
    _name = None

    def __new__(cls, offset=None, name=None):
        key = (offset, name)
        try:
            return cls._cache[key]
        except KeyError:
            pass
        except TypeError:
            # unhashable arguments: no caching, let __init__ complain
            return super().__new__(cls)
        with cls._lock:
            obj = cls._cache.get(key)
            if obj is None:
                obj = super().__new__(cls)
                obj._setup(offset, name)
                cls._cache[key] = obj
        return obj

    def __init__(self, offset=None, name=None):
        # State is set once by _setup (from __new__) so that a cached
        # instance is never altered by a later construction.
        if "_offset" not in self.__dict__:
            self._setup(offset, name)

    def _setup(self, offset, name):
        if offset is None:
            off = ZERO
        elif isinstance(offset, datetime.timedelta):
            off = offset
        elif isinstance(offset, (int, float)) and not isinstance(offset, bool):
            off = datetime.timedelta(minutes=offset)
        else:
            raise TypeError(
                "offset must be a number of minutes or a timedelta, got %s"
                % type(offset).__name__)
        if name is not None and not isinstance(name, str):
            raise TypeError("name must be a string or None")
        self._offset = off
        self._name = name

    def __repr__(self):
        return "psycopg2.tz.FixedOffsetTimezone(offset=%r, name=%r)" % (
            self._offset, self._name)

    def __eq__(self, other):
        if isinstance(other, FixedOffsetTimezone):
            return self._offset == other._offset
        return NotImplemented

    def __ne__(self, other):
        if isinstance(other, FixedOffsetTimezone):
            return self._offset != other._offset
        return NotImplemented

    def __hash__(self):
        return hash(self._offset)

    def __reduce__(self):
        return (type(self), (self._offset, self._name))

    def __getinitargs__(self):
        return (self._offset, self._name)

    def utcoffset(self, dt):
        """utcoffset(dt) -- the fixed offset, as a timedelta, whatever *dt* is."""
        return self._offset

    def tzname(self, dt):
        """tzname(dt) -- the name given, or the offset as ``+HH``, ``+HH:MM`` or ``+HH:MM:SS``.

        The same for every *dt*.
        """
        if self._name is not None:
            return self._name
        secs = int(self._offset.total_seconds())
        sign = "-" if secs < 0 else "+"
        secs = abs(secs)
        hours, rest = divmod(secs, 3600)
        minutes, seconds = divmod(rest, 60)
        out = "%s%02d" % (sign, hours)
        if minutes or seconds:
            out += ":%02d" % minutes
        if seconds:
            out += ":%02d" % seconds
        return out

    def dst(self, dt):
        """dst(dt) -- zero: a fixed offset has no daylight saving time (*dt* is ignored)."""
        return ZERO


STDOFFSET = datetime.timedelta(seconds=-time.timezone)
if time.daylight:
    DSTOFFSET = datetime.timedelta(seconds=-time.altzone)
else:
    DSTOFFSET = STDOFFSET
DSTDIFF = DSTOFFSET - STDOFFSET


class LocalTimezone(datetime.tzinfo):
    """The platform's local timezone, DST decided by :func:`time.localtime`."""

    def utcoffset(self, dt):
        """utcoffset(dt) -- the local offset from UTC at the naive datetime *dt*."""
        if self._isdst(dt):
            return DSTOFFSET
        return STDOFFSET

    def dst(self, dt):
        """dst(dt) -- the daylight saving time adjustment in force at *dt*."""
        if self._isdst(dt):
            return DSTDIFF
        return ZERO

    def tzname(self, dt):
        """tzname(dt) -- the local zone's name at *dt* (e.g. ``CET`` or ``CEST``)."""
        return time.tzname[self._isdst(dt)]

    def _isdst(self, dt):
        if dt is None:
            return False
        tt = (dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second,
              dt.weekday(), 0, -1)
        try:
            stamp = time.mktime(tt)
        except (OverflowError, ValueError):
            return False
        return time.localtime(stamp).tm_isdst > 0


LOCAL = LocalTimezone()
