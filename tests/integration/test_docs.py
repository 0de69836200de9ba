"""The documentation (doc/) builds without warnings and names every public
object of every module. Skipped when Sphinx is not installed."""
import inspect
import os
import subprocess
import sys

import pytest

from .conftest import ROOT

sphinx = pytest.importorskip("sphinx", reason="Sphinx is not installed (make docs installs it)")

MODULES = ["psycopg2", "psycopg2.extensions", "psycopg2.extras", "psycopg2.sql",
           "psycopg2.pool", "psycopg2.errors", "psycopg2.errorcodes", "psycopg2.tz"]


@pytest.fixture(scope="module")
def inventory(tmp_path_factory):
    out = tmp_path_factory.mktemp("docs")
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "build", "lib-inplace"))
    p = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
         "-d", str(out / "doctrees"), os.path.join(ROOT, "doc"), str(out / "html")],
        env=env, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    from sphinx.util.inventory import InventoryFile

    with open(out / "html" / "objects.inv", "rb") as f:
        inv = InventoryFile.load(f, "", os.path.join)
    names = set()
    for kind, entries in inv.items():
        if kind.startswith("py:"):
            names.update(entries)
    return names


def public_names(modname):
    import importlib

    mod = importlib.import_module(modname)
    names = getattr(mod, "__all__", None)
    if names is None:
        names = [n for n in dir(mod) if not n.startswith("_")]
    return [n for n in names if not inspect.ismodule(getattr(mod, n))]  # extras.json


@pytest.mark.parametrize("modname", MODULES)
def test_every_public_name_documented(inventory, modname):
    missing = []
    for name in public_names(modname):
        # psycopg2.errors re-exports the DB-API classes, documented elsewhere
        elsewhere = ["psycopg2.%s" % name, "psycopg2.extensions.%s" % name] \
            if modname == "psycopg2.errors" else []
        if not any(n in inventory for n in ["%s.%s" % (modname, name)] + elsewhere):
            missing.append(name)
    assert not missing, "undocumented in %s: %s" % (modname, missing)


@pytest.mark.parametrize("cls", ["connection", "cursor"])
def test_connection_and_cursor_members_documented(inventory, cls):
    import psycopg2.extensions

    obj = getattr(psycopg2.extensions, cls)
    missing = [n for n in dir(obj)
               if not n.startswith("_") and n != "async"
               and "psycopg2.extensions.%s.%s" % (cls, n) not in inventory]
    assert not missing, "undocumented %s members: %s" % (cls, missing)


def test_performance_page_uses_recorded_results(inventory):
    generated = os.path.join(ROOT, "doc", "_generated", "bench.rst")
    text = open(generated).read()
    if os.path.exists(os.path.join(ROOT, "bench", "results", "latest.json")):
        assert "The table as the benchmark printed it" in text
    else:
        assert "No benchmark run has been recorded" in text
