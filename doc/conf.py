"""Sphinx configuration for the psycopg2 (rebuilt) documentation.

Build with ``make docs`` (HTML in build/docs/html). Autodoc imports the
in-place build (``make`` first). Pages made from data at build time go to
_generated/: the error classes and SQLSTATE names (from psycopg2.errors and
psycopg2.errorcodes) and the benchmark table (from bench/results/latest.json,
if a run has been recorded).
"""
import json
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "build", "lib-inplace"))

import psycopg2  # noqa: E402
import psycopg2.errorcodes  # noqa: E402
import psycopg2.errors  # noqa: E402

project = "psycopg2, rebuilt"
author = "the psycopg2-rebuilt developers"
copyright = "the psycopg2-rebuilt developers"
release = psycopg2.__version__.split()[0]
version = ".".join(release.split(".")[:2])

extensions = ["sphinx.ext.autodoc"]
autodoc_member_order = "bysource"
autodoc_typehints = "none"   # the stubs carry the types; keep signatures short
add_module_names = False
exclude_patterns = ["_build"]
templates_path = []
html_theme = "alabaster"
html_static_path = []
html_title = "psycopg2, rebuilt %s" % release
suppress_warnings = []

GEN = os.path.join(HERE, "_generated")


def _write(name, text):
    os.makedirs(GEN, exist_ok=True)
    path = os.path.join(GEN, name)
    old = open(path).read() if os.path.exists(path) else None
    if old != text:  # keep the mtime when unchanged: no needless rebuilds
        with open(path, "w") as f:
            f.write(text)


def _errors_page():
    base = {"Error", "Warning", "InterfaceError", "DatabaseError", "DataError",
            "OperationalError", "IntegrityError", "InternalError",
            "ProgrammingError", "NotSupportedError", "QueryCanceledError",
            "TransactionRollbackError"}
    by_code = {}
    for code, cls in sorted(psycopg2.errors._sqlstate_errors.items()):
        by_code[code] = cls
    lines = []
    for code, cls in by_code.items():
        if cls.__name__ in base:
            continue
        parent = cls.__mro__[1].__name__
        lines += [".. py:exception:: %s" % cls.__name__, "",
                  "   SQLSTATE ``%s``; subclass of :py:exc:`%s`." % (code, parent), ""]
    _write("errors_table.rst", "\n".join(lines))

    codes = [(name, value) for name, value in vars(psycopg2.errorcodes).items()
             if name.isupper() and isinstance(value, str)]
    lines = [".. list-table::", "   :header-rows: 1", "", "   * - constant", "     - value"]
    for name, value in codes:
        lines += ["   * - .. py:data:: %s" % name, "     - ``'%s'``" % value]
    lines.append("")
    _write("errorcodes_table.rst", "\n".join(lines))


def _bench_page():
    src = os.path.join(ROOT, "bench", "results")
    data = os.path.join(src, "latest.json")
    png = os.path.join(src, "latest.png")
    if not os.path.exists(data):
        _write("bench.rst", "No benchmark run has been recorded in this checkout "
               "(``bench/results/latest.json`` is missing): run ``make bench`` "
               "and build the documentation again.\n")
        return
    with open(data) as f:
        results = json.load(f)
    meta = results.get("meta", {})
    text = ["Recorded on %s (%s CPUs, %s; PostgreSQL %s; Python %s)." % (
        meta.get("date", "?"), meta.get("nproc", "?"), meta.get("cpu_model", "?"),
        meta.get("server_version", "?"), meta.get("python", "?")), ""]
    if os.path.exists(png):
        shutil.copyfile(png, os.path.join(GEN, "bench.png"))
        text += [".. image:: /_generated/bench.png",
                 "   :alt: ratios of each driver to the libpq floor",
                 "   :width: 100%", ""]
    text += ["The table as the benchmark printed it:", "", ".. code-block:: text", ""]
    text += ["   " + line if line else "" for line in results.get("text", "").splitlines()]
    text.append("")
    _write("bench.rst", "\n".join(text))


os.makedirs(GEN, exist_ok=True)
_errors_page()
_bench_page()
