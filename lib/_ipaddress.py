"""Conversion between the inet/cidr types and the ipaddress module."""

import ipaddress

from psycopg2.extensions import (
    QuotedString,
    new_array_type,
    new_type,
    register_adapter,
    register_type,
)

__all__ = ["register_ipaddress", "cast_interface", "cast_network",
           "adapt_ipaddress"]

_casters = None


def register_ipaddress(conn_or_curs=None):
    """Convert inet to ip_interface and cidr to ip_network objects.

    The typecasters (and their arrays) are registered on *conn_or_curs*, or
    globally if None; ipaddress Interface and Network objects are adapted
    globally as quoted strings.
    """
    global _casters
    if _casters is None:
        _casters = _make_casters()

    for c in _casters:
        register_type(c, conn_or_curs)

    for t in (ipaddress.IPv4Interface, ipaddress.IPv6Interface,
              ipaddress.IPv4Network, ipaddress.IPv6Network):
        register_adapter(t, adapt_ipaddress)


def _make_casters():
    inet = new_type((869,), "INET", cast_interface)
    ainet = new_array_type((1041,), "INET[]", inet)
    cidr = new_type((650,), "CIDR", cast_network)
    acidr = new_array_type((651,), "CIDR[]", cidr)
    return [inet, ainet, cidr, acidr]


def cast_interface(s, cur=None):
    if s is None:
        return None
    return ipaddress.ip_interface(s)


def cast_network(s, cur=None):
    if s is None:
        return None
    return ipaddress.ip_network(s)


def adapt_ipaddress(obj):
    return QuotedString(str(obj))
