"""Shared fixtures: where the tests find psycopg2 and a PostgreSQL server.

The server, in order of preference:

1. ``PSYCOPG2_TESTDSN``, a libpq connection string;
2. a DSN built from ``PSYCOPG2_TESTDB`` (default ``psycopg2_test``),
   ``PSYCOPG2_TESTDB_HOST``, ``PSYCOPG2_TESTDB_PORT``,
   ``PSYCOPG2_TESTDB_USER``, ``PSYCOPG2_TESTDB_PASSWORD`` if any is set;
3. otherwise a throwaway cluster (``scripts/cluster.py``) started on first
   use and removed at the end of the session, also when interrupted.

The chosen DSN is exported as ``PSYCOPG2_TESTDSN`` for tests that spawn
subprocesses.

psycopg2 itself is imported from the in-place build: ``make`` runs
``setup.py build_ext --inplace`` (the extension lands in ``lib/``) and links
``build/lib-inplace/psycopg2 -> ../../lib``, which pytest puts on
``sys.path`` (``pythonpath`` in pyproject.toml). The link is (re)made here
too, so a hand-made in-place build works without ``make``.
"""

import importlib.util
import os
import signal
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INPLACE = os.path.join(ROOT, "build", "lib-inplace")
# Another build to test instead (scripts/sanitize.sh sets it to the
# sanitized one): a directory holding a psycopg2 package.
LIBDIR = os.environ.get("PSYCOPG2_TEST_LIBDIR")

TESTDB_VARS = {
    "PSYCOPG2_TESTDB": "dbname",
    "PSYCOPG2_TESTDB_HOST": "host",
    "PSYCOPG2_TESTDB_PORT": "port",
    "PSYCOPG2_TESTDB_USER": "user",
    "PSYCOPG2_TESTDB_PASSWORD": "password",
}


def _ensure_inplace_path():
    link = os.path.join(INPLACE, "psycopg2")
    if not os.path.lexists(link):
        try:
            os.makedirs(INPLACE, exist_ok=True)
            os.symlink(os.path.join("..", "..", "lib"), link)
        except OSError:
            pass
    if INPLACE not in sys.path:
        sys.path.insert(0, INPLACE)
    if LIBDIR:
        sys.path.insert(0, LIBDIR)
    # The directory may have been missing when pytest added it to sys.path.
    sys.path_importer_cache.pop(INPLACE, None)
    importlib.invalidate_caches()


_ensure_inplace_path()


def _quote_conninfo(value):
    if value and not any(c in value for c in " \t\n'\\"):
        return value
    return "'%s'" % value.replace("\\", "\\\\").replace("'", "\\'")


def dsn_from_environ(environ=os.environ):
    """The DSN configured by the environment, or None."""
    dsn = environ.get("PSYCOPG2_TESTDSN")
    if dsn:
        return dsn
    if not any(var in environ for var in TESTDB_VARS):
        return None
    parts = []
    for var, key in TESTDB_VARS.items():
        value = environ.get(var)
        if key == "dbname" and not value:
            value = "psycopg2_test"
        if value:
            parts.append("%s=%s" % (key, _quote_conninfo(value)))
    return " ".join(parts)


def pytest_report_header(config):
    lines = []
    dsn = dsn_from_environ()
    lines.append(
        "test server: %s" % (dsn if dsn else "throwaway cluster (scripts/cluster.py)")
    )
    spec = importlib.util.find_spec("psycopg2")
    lines.append(
        "psycopg2 from: %s" % (os.path.dirname(spec.origin) if spec else "NOT FOUND")
    )
    return lines


@pytest.fixture(scope="session")
def dsn():
    """A libpq connection string for the test database."""
    configured = dsn_from_environ()
    if configured:
        os.environ["PSYCOPG2_TESTDSN"] = configured
        yield configured
        return

    from pgsync import load_cluster  # imports psycopg2: not before this

    cluster = load_cluster().Cluster()
    try:
        cluster.start()  # also registers atexit/SIGTERM/SIGHUP cleanup
    except Exception as ex:
        pytest.exit(
            "could not start a throwaway PostgreSQL cluster: %s\n"
            "(set PSYCOPG2_TESTDSN to use an existing server)" % ex,
            returncode=3,
        )
    os.environ["PSYCOPG2_TESTDSN"] = cluster.dsn
    try:
        yield cluster.dsn
    finally:
        os.environ.pop("PSYCOPG2_TESTDSN", None)
        cluster.stop()


def _close_quietly(conn):
    """Close *conn*, rolling back first if it sits in a failed transaction."""
    import psycopg2

    try:
        if not conn.closed:
            try:
                from psycopg2.extensions import TRANSACTION_STATUS_INERROR
            except ImportError:
                TRANSACTION_STATUS_INERROR = 3
            if conn.get_transaction_status() == TRANSACTION_STATUS_INERROR:
                conn.rollback()
    except psycopg2.Error:
        pass
    finally:
        conn.close()


@pytest.fixture
def conn(dsn):
    """A connection to the test database, closed after the test."""
    import psycopg2

    conn = psycopg2.connect(dsn)
    try:
        yield conn
    finally:
        _close_quietly(conn)


@pytest.fixture
def cursor(conn):
    """A cursor on the ``conn`` fixture."""
    cur = conn.cursor()
    try:
        yield cur
    finally:
        try:
            cur.close()
        except Exception:
            pass


@pytest.fixture
def conn_factory(dsn):
    """A callable opening more connections; all are closed after the test.

    ``conn_factory(dsn=None, **kwargs)`` passes its arguments to
    ``psycopg2.connect``; *dsn* defaults to the test DSN.
    """
    import psycopg2

    opened = []

    def factory(dsn_=None, **kwargs):
        if "dsn" in kwargs:
            dsn_ = kwargs.pop("dsn")
        c = psycopg2.connect(dsn if dsn_ is None else dsn_, **kwargs)
        opened.append(c)
        return c

    try:
        yield factory
    finally:
        for c in reversed(opened):
            try:
                _close_quietly(c)
            except Exception:
                pass


@pytest.fixture
def child_env(dsn):
    """Environment for a child Python process importing this psycopg2."""
    import psycopg2

    here = os.path.dirname(os.path.dirname(os.path.abspath(psycopg2.__file__)))
    path = os.environ.get("PYTHONPATH")
    return dict(os.environ, PSYCOPG2_TESTDSN=dsn,
                PYTHONPATH=here + (os.pathsep + path if path else ""))


SANITIZED = bool(os.environ.get("PSYCOPG2_SANITIZED"))


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "rss: measures the process RSS; skipped under the sanitizers "
        "(scripts/sanitize.sh), whose quarantine and shadow memory make it "
        "meaningless")
    config.addinivalue_line(
        "markers", "slow: takes more than a few seconds")
    # A run started in the background of a non-interactive shell (nohup,
    # `cmd &` in a CI script) inherits SIGINT ignored, and Python then
    # installs no KeyboardInterrupt handler, in this process or in the
    # children the tests start.  The Ctrl-C tests need what a user at a
    # terminal has: Python's default handler (children then start with
    # SIGINT at its default and install theirs).
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


# Tests that never load the sanitized extension in a way the sanitizers
# could check (they build their own, or only read Python sources): the
# sanitized run skips them.
NOT_UNDER_SANITIZER = ("test_debug_build.py", "typing/test_typing.py",
                       "integration/test_docs.py")


def pytest_collection_modifyitems(config, items):
    if not SANITIZED:
        return
    skip = pytest.mark.skip(reason="RSS is meaningless under ASan")
    skip_other = pytest.mark.skip(
        reason="does not exercise the sanitized extension")
    for item in items:
        if item.get_closest_marker("rss"):
            item.add_marker(skip)
        path = str(item.fspath).replace(os.sep, "/")
        if path.endswith(NOT_UNDER_SANITIZER):
            item.add_marker(skip_other)


@pytest.fixture(autouse=True)
def _global_registries():
    """Undo global adapter/caster registrations a test (or a framework it
    drives, e.g. register_hstore) made, so tests stay independent."""
    import psycopg2.extensions as ext

    adapters = dict(ext.adapters)
    casters = dict(ext.string_types)
    try:
        yield
    finally:
        if ext.adapters != adapters:
            ext.adapters.clear()
            ext.adapters.update(adapters)
        if ext.string_types != casters:
            ext.string_types.clear()
            ext.string_types.update(casters)
