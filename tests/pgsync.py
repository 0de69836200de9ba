"""Synchronising tests with the server instead of sleeping.

A test that races the server (a cancel, a Ctrl-C, a second thread) waits
here until the server shows the state it needs: a backend running a given
query (``wait_backend``), sessions queued on a lock the test holds
(``wait_lock_waiters``), a signal pending on a stopped backend
(``wait_signal_pending``). ``Proxy`` sits between a client and the
server and lets a test hold back the client's bytes, freeze the server
entirely, or cut the network.

The timeouts here are watchdogs: they only turn a hang into a failure, and
are long enough for a loaded machine or a sanitizer build.
"""

import importlib.util
import os
import signal
import socket
import threading
import time

import psycopg2
from psycopg2 import extensions as ext

WATCHDOG = 60.0
POLL = 0.01  # seconds between two looks at the server
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_cluster_module = None


def load_cluster():
    """scripts/cluster.py as a module (its Cluster makes throwaway servers)."""
    global _cluster_module
    if _cluster_module is None:
        path = os.path.join(ROOT, "scripts", "cluster.py")
        spec = importlib.util.spec_from_file_location("psycopg2_test_cluster", path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        _cluster_module = mod
    return _cluster_module


def _until(check, what, timeout=WATCHDOG):
    deadline = time.monotonic() + timeout
    while True:
        got = check()
        if got:
            return got
        if time.monotonic() > deadline:
            raise AssertionError("watchdog: %s not seen in %s s"
                                 % (what, timeout))
        time.sleep(POLL)


def _monitor(dsn):
    mon = psycopg2.connect(dsn)
    mon.autocommit = True  # a fresh pg_stat_activity snapshot per query
    return mon


def wait_backend(dsn, pid, query, state="active", timeout=WATCHDOG):
    """Wait until backend *pid* is in *state* running a query that contains
    *query* (pg_stat_activity, seen from a connection of our own)."""
    mon = _monitor(dsn)
    try:
        cur = mon.cursor()

        def check():
            cur.execute("select state, query from pg_stat_activity "
                        "where pid = %s", (pid,))
            row = cur.fetchone()
            return row is not None and row[0] == state and query in row[1]

        _until(check, "backend %s %s on %r" % (pid, state, query), timeout)
    finally:
        mon.close()


def when_backend(dsn, pid, query, action, state="active"):
    """Run *action()* in a thread of its own as soon as the backend *pid*
    shows *query* in *state* (``wait_backend``); return the started thread."""
    def run():
        wait_backend(dsn, pid, query, state)
        action()

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


def wait_backend_gone(dsn, pid, timeout=WATCHDOG):
    """Wait until backend *pid* has exited."""
    mon = _monitor(dsn)
    try:
        cur = mon.cursor()

        def check():
            cur.execute("select count(*) from pg_stat_activity "
                        "where pid = %s", (pid,))
            return cur.fetchone()[0] == 0

        _until(check, "backend %s gone" % pid, timeout)
    finally:
        mon.close()


def wait_lock_waiters(dsn, query, n, timeout=WATCHDOG):
    """Wait until *n* backends running a query containing *query* wait on
    a heavyweight lock; returns their pids."""
    mon = _monitor(dsn)
    try:
        cur = mon.cursor()

        def check():
            cur.execute("select pid from pg_stat_activity "
                        "where wait_event_type = 'Lock' and state = 'active' "
                        "and position(%s in query) > 0", (query,))
            pids = [r[0] for r in cur.fetchall()]
            return pids if len(pids) >= n else None

        return _until(check, "%d sessions waiting on a lock" % n, timeout)
    finally:
        mon.close()


def signal_pending(pid, signum):
    """True if *signum* is pending on process *pid* (Linux /proc)."""
    bit = 1 << (signum - 1)
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(("SigPnd:", "ShdPnd:")):
                if int(line.split()[1], 16) & bit:
                    return True
    return False


def wait_signal_pending(pid, signum, timeout=WATCHDOG):
    """Wait until *signum* is pending on *pid*: for a SIGSTOPped backend,
    proof that a cancel request reached the server."""
    _until(lambda: signal_pending(pid, signum),
           "signal %d pending on %d" % (signum, pid), timeout)


def can_stop_backends():
    """SIGSTOP/SIGCONT of the server's backends needs root (the test
    cluster runs as another user) and Linux /proc."""
    return hasattr(os, "geteuid") and os.geteuid() == 0 \
        and os.path.exists("/proc/self/status")


class stopped_backend:
    """Context manager: the backend *pid* is stopped (SIGSTOP) inside,
    continued on the way out whatever happens."""

    def __init__(self, pid):
        self.pid = pid

    def __enter__(self):
        os.kill(self.pid, signal.SIGSTOP)
        return self

    def __exit__(self, *exc):
        os.kill(self.pid, signal.SIGCONT)


class Proxy:
    """A TCP proxy to the test server, run by threads of the test process.

    ``Proxy(dsn)`` listens on 127.0.0.1:``port``; ``proxied_dsn()`` is
    *dsn* through it. Every accepted connection is forwarded to the server
    of *dsn*. The first one is "the" connection (``main``); each later one
    is taken for a cancel request (``cancels``: one Event per request, set
    when the server closed it, i.e. delivered the cancel).
    ``wait_connections(n)`` returns once *n* connections were accepted.

    Faults it can make:

    * ``hold()`` keeps back what the client sends on the main connection
      (``held`` is set when bytes are waiting) until ``release()``.
    * ``freeze()`` stops all forwarding, and new connections are accepted
      but never answered: a server that stopped answering. ``hang=True``
      starts frozen (a server that never answers, whatever *dsn* names).
    * ``cut()`` closes every connection at once, both sides: the network
      cut.

    ``close()`` (or the end of a ``with`` block) stops it all.
    """

    def __init__(self, dsn, hang=False):
        params = ext.parse_dsn(dsn)
        self.dsn = dsn
        self.target = (params.get("host", "127.0.0.1"),
                       int(params.get("port", 5432)))
        self.lock = threading.Condition()
        self.holding = False
        self.frozen = hang
        self.buffer = []
        self.held = threading.Event()
        self.accepted = 0
        self.cancels = []
        self.socks = []
        self.main = self.main_server = None
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def proxied_dsn(self, **kwargs):
        params = ext.parse_dsn(self.dsn)
        params.update(host="127.0.0.1", port=str(self.port), **kwargs)
        return ext.make_dsn(**params)

    def wait_connections(self, n, timeout=WATCHDOG):
        with self.lock:
            if not self.lock.wait_for(lambda: self.accepted >= n, timeout):
                raise AssertionError("the proxy accepted %d connections, not %d"
                                     % (self.accepted, n))

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            with self.lock:
                self.socks.append(client)
                self.accepted += 1
                self.lock.notify_all()
                if self.frozen:
                    continue  # never answered
                first = self.main is None
                if first:
                    self.main = client
                    done = None
                else:
                    done = threading.Event()
                    self.cancels.append(done)
            try:
                server = socket.create_connection(self.target, timeout=WATCHDOG)
                server.settimeout(None)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.socks.append(server)
                if first:
                    self.main_server = server
            threading.Thread(target=self._pump, daemon=True,
                             args=(client, server, first, None)).start()
            threading.Thread(target=self._pump, daemon=True,
                             args=(server, client, False, done)).start()

    def _pump(self, src, dst, gated, done):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                with self.lock:
                    while self.frozen:
                        self.lock.wait()
                    if gated:
                        # under the lock, so nothing overtakes held bytes
                        if self.holding:
                            self.buffer.append(data)
                            self.held.set()
                        else:
                            dst.sendall(data)
                        continue
                dst.sendall(data)
        except OSError:
            pass
        _shutdown(src, dst)
        if done is not None:
            done.set()

    def hold(self):
        with self.lock:
            self.holding = True

    def release(self):
        with self.lock:
            data, self.buffer = b"".join(self.buffer), []
            self.holding = False
            if data:
                self.main_server.sendall(data)

    def freeze(self):
        with self.lock:
            self.frozen = True

    def cut(self):
        with self.lock:
            socks, self.socks = self.socks, []
        _shutdown(*socks)
        for s in socks:
            s.close()

    def close(self):
        with self.lock:
            self.frozen = False
            self.lock.notify_all()
        self.listener.close()
        self.cut()


def _shutdown(*socks):
    for s in socks:
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
