"""Helpers for the integration tests (frameworks running on this module).

The third-party packages come from PyPI (``make check`` installs them into
the project virtualenv ``.venv/``, pinned in ``tests/requirements.txt``); a
test whose package is missing is skipped with the reason.
"""
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def need(module, reason=None):
    """Import *module* or skip the calling test module."""
    return pytest.importorskip(
        module, reason=reason or "%s is not installed (make check installs "
        "it into .venv/ from tests/requirements.txt)" % module)


@pytest.fixture(scope="module")
def scratch_db(dsn):
    """Make a fresh database for one test module; yield a DSN to it."""
    import psycopg2
    from psycopg2 import sql
    from psycopg2.extensions import make_dsn, parse_dsn

    def factory(name):
        admin = psycopg2.connect(dsn)
        admin.autocommit = True
        with admin.cursor() as cur:
            cur.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        admin.close()
        made.append(name)
        params = parse_dsn(dsn)
        params["dbname"] = name
        return make_dsn(**params)

    made = []
    yield factory
    import psycopg2  # noqa: F811

    admin = psycopg2.connect(dsn)
    admin.autocommit = True
    with admin.cursor() as cur:
        for name in made:
            cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = %s AND pid <> pg_backend_pid()", (name,))
            cur.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
    admin.close()


@pytest.fixture(scope="module")
def module_child_env(dsn):
    """Like the ``child_env`` fixture, for module-scoped fixtures."""
    import psycopg2

    here = os.path.dirname(os.path.dirname(os.path.abspath(psycopg2.__file__)))
    path = os.environ.get("PYTHONPATH")
    return dict(os.environ, PSYCOPG2_TESTDSN=dsn,
                PYTHONPATH=here + (os.pathsep + path if path else ""))


def run_python(args, env, cwd=None, timeout=120):
    """Run ``python args...``; return the CompletedProcess (text)."""
    return subprocess.run([sys.executable] + list(args), env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=timeout)
