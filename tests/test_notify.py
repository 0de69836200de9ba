"""LISTEN/NOTIFY: connection.notifies, poll(), extensions.Notify."""

import collections
import select
import time

import pytest

import psycopg2
import psycopg2.extensions as ext
from psycopg2.extensions import Notify


@pytest.fixture
def listener(conn_factory):
    c = conn_factory()
    c.autocommit = True
    return c


@pytest.fixture
def notifier(conn_factory):
    c = conn_factory()
    c.autocommit = True
    return c


def notify(conn, channel, payload=None):
    cur = conn.cursor()
    if payload is None:
        cur.execute('NOTIFY "%s"' % channel)
    else:
        cur.execute("SELECT pg_notify(%s, %s)", (channel, payload))


def wait_notifies(conn, n=1, timeout=10.0):
    """select() on the connection and poll() until n notifies arrived."""
    deadline = time.monotonic() + timeout
    while len(conn.notifies) < n:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        r, w, x = select.select([conn], [], [], left)
        if r:
            assert conn.poll() == ext.POLL_OK
    return conn.notifies


def test_default_is_list(conn):
    assert conn.notifies == []
    assert type(conn.notifies) is list


def test_own_notify(listener):
    cur = listener.cursor()
    cur.execute("LISTEN chan")
    cur.execute("NOTIFY chan, 'hello'")
    assert len(listener.notifies) == 1
    n = listener.notifies[0]
    assert isinstance(n, Notify)
    assert n.pid == listener.get_backend_pid()
    assert n.channel == "chan"
    assert n.payload == "hello"


def test_filled_after_a_query(listener, notifier):
    cur = listener.cursor()
    cur.execute("LISTEN chan")
    notify(notifier, "chan", "p1")
    notify(notifier, "chan", "p2")
    time.sleep(0.2)
    assert listener.notifies == []  # nothing read yet
    cur.execute("SELECT 1")
    assert cur.fetchone() == (1,)
    pid = notifier.get_backend_pid()
    assert [(n.pid, n.channel, n.payload) for n in listener.notifies] == [
        (pid, "chan", "p1"), (pid, "chan", "p2")]


def test_no_payload(listener, notifier):
    listener.cursor().execute("LISTEN chan")
    notify(notifier, "chan")
    ns = wait_notifies(listener)
    assert ns[0].payload == ""
    assert ns[0] == (notifier.get_backend_pid(), "chan")


def test_unicode_payload_and_channel(listener, notifier):
    listener.cursor().execute('LISTEN "Canale \u00e8"')
    notify(notifier, "Canale \u00e8", "\u20ac uro")
    ns = wait_notifies(listener)
    assert ns[0].channel == "Canale \u00e8"
    assert ns[0].payload == "\u20ac uro"


def test_poll_with_select(listener, notifier):
    listener.cursor().execute("LISTEN chan")
    assert listener.poll() == ext.POLL_OK
    assert listener.notifies == []
    # nothing to read: select times out
    r, w, x = select.select([listener.fileno()], [], [], 0.1)
    assert r == []
    notify(notifier, "chan", "x")
    r, w, x = select.select([listener.fileno()], [], [], 10)
    assert r == [listener.fileno()]
    ns = wait_notifies(listener)
    assert len(ns) == 1 and ns[0].payload == "x"


def test_poll_many(listener, notifier):
    listener.cursor().execute("LISTEN chan")
    for i in range(50):
        notify(notifier, "chan", str(i))
    ns = wait_notifies(listener, 50)
    assert [n.payload for n in ns] == [str(i) for i in range(50)]


def test_not_listening_channel_ignored(listener, notifier):
    listener.cursor().execute("LISTEN a")
    notify(notifier, "b", "no")
    notify(notifier, "a", "yes")
    ns = wait_notifies(listener)
    time.sleep(0.1)
    listener.poll()
    assert [n.payload for n in ns] == ["yes"]


def test_delivered_on_commit(listener, conn_factory):
    sender = conn_factory()  # not autocommit
    listener.cursor().execute("LISTEN chan")
    cur = sender.cursor()
    cur.execute("NOTIFY chan, 'in tx'")
    time.sleep(0.2)
    listener.poll()
    assert listener.notifies == []
    sender.commit()
    ns = wait_notifies(listener)
    assert [n.payload for n in ns] == ["in tx"]


def test_not_delivered_on_rollback(listener, conn_factory):
    sender = conn_factory()
    listener.cursor().execute("LISTEN chan")
    sender.cursor().execute("NOTIFY chan, 'lost'")
    sender.rollback()
    notify(sender, "chan", "kept")
    sender.commit()
    ns = wait_notifies(listener)
    assert [n.payload for n in ns] == ["kept"]


def test_listener_in_transaction_gets_them_at_commit(conn, notifier):
    # the server holds notifications back while the listener is inside a
    # transaction; the read that ends it (commit()) collects them
    cur = conn.cursor()
    cur.execute("LISTEN chan")
    conn.commit()
    cur.execute("SELECT 1")
    notify(notifier, "chan", "during")
    time.sleep(0.2)
    cur.execute("SELECT 2")
    assert conn.notifies == []
    conn.commit()
    if not conn.notifies:  # delivered just after the commit's reply
        wait_notifies(conn)
    assert [n.payload for n in conn.notifies] == ["during"]


def test_custom_notifies_deque(listener, notifier):
    listener.notifies = collections.deque(maxlen=2)
    listener.cursor().execute("LISTEN chan")
    for p in "abc":
        notify(notifier, "chan", p)
    deadline = time.monotonic() + 10
    while (not listener.notifies or listener.notifies[-1].payload != "c") \
            and time.monotonic() < deadline:
        select.select([listener], [], [], 1)
        listener.poll()
    assert type(listener.notifies) is collections.deque
    assert [n.payload for n in listener.notifies] == ["b", "c"]


def test_custom_notifies_object(listener):
    class Collector:
        def __init__(self):
            self.got = []

        def append(self, n):
            self.got.append(("seen", n.payload))

    listener.notifies = coll = Collector()
    cur = listener.cursor()
    cur.execute("LISTEN chan")
    cur.execute("NOTIFY chan, 'z'")
    assert coll.got == [("seen", "z")]


def test_notifies_object_raising_does_not_break_queries(listener):
    class Bad:
        def append(self, n):
            raise RuntimeError("no")

    listener.notifies = Bad()
    cur = listener.cursor()
    cur.execute("LISTEN chan")
    cur.execute("NOTIFY chan, 'z'")
    cur.execute("SELECT 1")
    assert cur.fetchone() == (1,)


def test_notifies_cleared_by_user(listener):
    cur = listener.cursor()
    cur.execute("LISTEN chan")
    cur.execute("NOTIFY chan")
    del listener.notifies[:]
    cur.execute("NOTIFY chan, '2'")
    assert [n.payload for n in listener.notifies] == ["2"]


def test_poll_closed_connection(conn_factory):
    c = conn_factory()
    c.close()
    with pytest.raises(psycopg2.InterfaceError):
        c.poll()
    with pytest.raises(psycopg2.InterfaceError):
        c.fileno()


# ---- the Notify type ----

def test_notify_attributes():
    n = Notify(10, "ch", "pl")
    assert (n.pid, n.channel, n.payload) == (10, "ch", "pl")
    assert Notify(10, "ch").payload == ""
    assert Notify(pid=1, channel="c", payload="p").payload == "p"
    with pytest.raises(AttributeError):
        n.pid = 3
    with pytest.raises(AttributeError):
        n.payload = "x"
    with pytest.raises(TypeError):
        Notify(1)


def test_notify_sequence():
    n = Notify(10, "ch", "pl")
    assert len(n) == 2
    assert n[0] == 10
    assert n[1] == "ch"
    assert n[-1] == "ch"
    assert n[-2] == 10
    with pytest.raises(IndexError):
        n[2]
    with pytest.raises(IndexError):
        n[-3]
    pid, channel = n
    assert (pid, channel) == (10, "ch")
    assert tuple(n) == (10, "ch")


def test_notify_equality():
    n = Notify(10, "ch", "pl")
    assert n == Notify(10, "ch", "pl")
    assert n != Notify(10, "ch", "other")
    assert n != Notify(11, "ch", "pl")
    assert n == (10, "ch")
    assert (10, "ch") == n
    assert n != (10, "other")
    assert n != (10, "ch", "pl", "x")
    assert n != 10
    assert not (n == "x")


def test_notify_hash():
    a = Notify(10, "ch")
    assert hash(a) == hash((10, "ch"))
    assert hash(a) == hash(Notify(10, "ch", ""))
    b = Notify(10, "ch", "pl")
    assert hash(b) == hash(Notify(10, "ch", "pl"))
    assert len({Notify(1, "a", "x"), Notify(1, "a", "x"),
                Notify(1, "a", "y")}) == 2
    assert {a: 1}[(10, "ch")] == 1


def test_notify_repr():
    assert repr(Notify(10, "ch", "pl")) == "Notify(10, 'ch', 'pl')"


def test_notify_type_path():
    assert Notify.__module__ == "psycopg2.extensions"
    assert Notify is psycopg2._psycopg.Notify
