"""Tests for uuid, inet/cidr (ipaddress) and the deprecated Inet support."""

import ipaddress
import uuid

import pytest

import psycopg2
from psycopg2 import extensions as ext
from psycopg2 import extras


@pytest.fixture
def restore_globals():
    """Undo the global registrations made by the register_* functions."""
    saved_types = dict(ext.string_types)
    saved_adapters = dict(ext.adapters)
    saved_attrs = {n: getattr(ext, n) for n in
                   ("UUID", "UUIDARRAY", "INET", "INETARRAY")
                   if hasattr(ext, n)}
    yield
    ext.string_types.clear()
    ext.string_types.update(saved_types)
    ext.adapters.clear()
    ext.adapters.update(saved_adapters)
    for n in ("UUID", "UUIDARRAY", "INET", "INETARRAY"):
        if n in saved_attrs:
            setattr(ext, n, saved_attrs[n])
        elif hasattr(ext, n):
            delattr(ext, n)


# uuid

def test_uuid_default_is_str(conn):
    cur = conn.cursor()
    cur.execute("select '9c6d5a77-7256-457e-9461-347b4358e350'::uuid")
    assert cur.fetchone()[0] == "9c6d5a77-7256-457e-9461-347b4358e350"


def test_uuid_adapter():
    u = uuid.UUID("9c6d5a77-7256-457e-9461-347b4358e350")
    a = extras.UUID_adapter(u)
    assert a.getquoted() == b"'9c6d5a77-7256-457e-9461-347b4358e350'::uuid"
    assert str(a) == "'9c6d5a77-7256-457e-9461-347b4358e350'::uuid"
    assert a.__conform__(ext.ISQLQuote) is a


def test_register_uuid_on_connection(conn, conn_factory, restore_globals):
    rv = extras.register_uuid(None, conn)
    assert 2950 in rv.values
    assert ext.UUID is rv
    assert 2951 in ext.UUIDARRAY.values
    u = uuid.uuid4()
    cur = conn.cursor()
    cur.execute("select %s, %s::uuid[], null::uuid, array[null::uuid]",
                (u, [u, None]))
    r = cur.fetchone()
    assert r[0] == u and isinstance(r[0], uuid.UUID)
    assert r[1] == [u, None]
    assert r[2] is None
    assert r[3] == [None]
    # the caster stays on that connection; the adapter is global
    other = conn_factory()
    ocur = other.cursor()
    ocur.execute("select %s", (u,))
    assert ocur.fetchone()[0] == str(u)


def test_register_uuid_globally(conn, restore_globals):
    extras.register_uuid()
    cur = conn.cursor()
    cur.execute("select gen_random_uuid()")
    assert isinstance(cur.fetchone()[0], uuid.UUID)


def test_register_uuid_oids(conn, restore_globals):
    c = extras.register_uuid(2950, conn)
    assert c.values == (2950,)
    c = extras.register_uuid([2950, 2951], conn)
    cur = conn.cursor()
    cur.execute("select array['9c6d5a77-7256-457e-9461-347b4358e350'::uuid]")
    assert cur.fetchone()[0] == [
        uuid.UUID("9c6d5a77-7256-457e-9461-347b4358e350")]


def test_uuid_not_adapted_by_default(conn):
    if (uuid.UUID, ext.ISQLQuote) in ext.adapters:
        pytest.skip("a uuid adapter is registered globally")
    cur = conn.cursor()
    with pytest.raises(psycopg2.ProgrammingError):
        cur.execute("select %s", (uuid.uuid4(),))


# ipaddress

def test_inet_default_is_str(conn):
    cur = conn.cursor()
    cur.execute("select '10.0.0.1/24'::inet, '10.0.0.0/8'::cidr, "
                "array['::1'::inet]")
    assert cur.fetchone() == ("10.0.0.1/24", "10.0.0.0/8", ["::1"])


def test_register_ipaddress(conn, restore_globals):
    extras.register_ipaddress(conn)
    cur = conn.cursor()
    cur.execute("""select '10.0.0.1/24'::inet, '192.168.0.1'::inet,
        '::ffff:1.2.3.4/128'::inet, '10.0.0.0/8'::cidr, '2001:db8::/32'::cidr,
        array['1.2.3.4'::inet, null], array['10.0.0.0/8'::cidr],
        null::inet""")
    r = cur.fetchone()
    assert r[0] == ipaddress.ip_interface("10.0.0.1/24")
    assert isinstance(r[0], ipaddress.IPv4Interface)
    assert r[1] == ipaddress.ip_interface("192.168.0.1")
    assert isinstance(r[2], ipaddress.IPv6Interface)
    assert r[3] == ipaddress.ip_network("10.0.0.0/8")
    assert isinstance(r[4], ipaddress.IPv6Network)
    assert r[5] == [ipaddress.ip_interface("1.2.3.4"), None]
    assert r[6] == [ipaddress.ip_network("10.0.0.0/8")]
    assert r[7] is None


def test_ipaddress_adapt(conn, restore_globals):
    extras.register_ipaddress()
    cur = conn.cursor()
    objs = [ipaddress.ip_interface("10.0.0.1/24"),
            ipaddress.ip_interface("::1/128"),
            ipaddress.ip_network("10.0.0.0/8"),
            ipaddress.ip_network("2001:db8::/32")]
    assert cur.mogrify("%s", (objs[0],)) == b"'10.0.0.1/24'"
    cur.execute("select %s::inet, %s::inet, %s::cidr, %s::cidr", objs)
    assert list(cur.fetchone()) == objs


# Inet (deprecated)

def test_inet_adapter(conn):
    i = extras.Inet("192.168.1.1/24")
    assert i.addr == "192.168.1.1/24"
    assert repr(i) == "Inet('192.168.1.1/24')"
    cur = conn.cursor()
    assert cur.mogrify("%s", (i,)) == b"'192.168.1.1/24'::inet"
    cur.execute("select %s", (i,))
    assert cur.fetchone()[0] == "192.168.1.1/24"


def test_register_inet(conn, restore_globals):
    with pytest.warns(DeprecationWarning):
        c = extras.register_inet(None, conn)
    assert 869 in c.values
    assert ext.INET is c
    cur = conn.cursor()
    cur.execute("select '1.2.3.4'::inet, array['::1'::inet], null::inet")
    a, b, n = cur.fetchone()
    assert isinstance(a, extras.Inet) and a.addr == "1.2.3.4"
    assert isinstance(b[0], extras.Inet) and b[0].addr == "::1"
    assert n is None
