"""The stubs shipped with the package (lib/*.pyi, lib/py.typed).

* ``mypy --strict`` accepts tests/typing/check_api.py and examples/;
* it rejects wrong uses (so the stubs are read and are not just ``Any``);
* ``mypy.stubtest`` finds the stubs consistent with the built module, with
  nothing public missing (tests/typing/stubtest_allowlist.txt lists the
  deliberate differences);
* lib/errors.pyi and lib/errorcodes.pyi are up to date.

Skipped when mypy can't be imported (``pip install mypy``).
"""
import glob
import os
import subprocess
import sys

import pytest

mypy = pytest.importorskip("mypy", reason="mypy is not installed (pip install mypy)")

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
INPLACE = os.path.join(ROOT, "build", "lib-inplace")


def run_mypy(*args, cwd=None):
    env = dict(os.environ, MYPYPATH=INPLACE, PYTHONPATH=INPLACE)
    # a cache of our own: parallel or older runs can't interfere
    cache = os.path.join(ROOT, "build", "mypy-cache")
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", cache, "--no-color-output"]
        + list(args),
        cwd=cwd or INPLACE, env=env, capture_output=True, text=True, timeout=300)


def test_py_typed_and_stubs_present():
    assert os.path.exists(os.path.join(ROOT, "lib", "py.typed"))
    for mod in ("__init__", "_psycopg", "extensions", "extras", "sql", "pool",
                "errors", "errorcodes", "tz"):
        assert os.path.exists(os.path.join(ROOT, "lib", mod + ".pyi")), mod


def test_strict_api_usage():
    p = run_mypy("--strict", os.path.join(HERE, "check_api.py"))
    assert p.returncode == 0, p.stdout + p.stderr


# tour.py (what `make demo` runs) is written for reading, untyped on purpose;
# every other example is type-checked.
UNTYPED_EXAMPLES = {"tour.py"}


def test_strict_examples():
    files = sorted(f for f in glob.glob(os.path.join(ROOT, "examples", "*.py"))
                   if os.path.basename(f) not in UNTYPED_EXAMPLES)
    if not files:
        pytest.skip("no typed examples")
    p = run_mypy("--strict", *files)
    assert p.returncode == 0, p.stdout + p.stderr


BAD = '''
import psycopg2
import psycopg2.extras
from psycopg2 import sql

conn = psycopg2.connect("")
conn.commit(1)
cur = conn.cursor()
n: str = cur.rowcount
cur.execute(42)
row = cur.fetchone()
row[0]
sql.Identifier(1)
psycopg2.extras.execute_values(cur, "x", [(1,)], page_size="a")
conn.no_such_method()
'''


def test_wrong_uses_are_rejected(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text(BAD)
    p = run_mypy("--strict", str(bad))
    assert p.returncode == 1
    errors = [line for line in p.stdout.splitlines() if ": error:" in line]
    lines = sorted({int(line.split(":")[1]) for line in errors})
    # every statement after the connect is an error
    assert lines == [7, 9, 10, 12, 13, 14, 15], p.stdout


def test_stubtest():
    allow = os.path.join(HERE, "stubtest_allowlist.txt")
    env = dict(os.environ, MYPYPATH=INPLACE, PYTHONPATH=INPLACE)
    p = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "psycopg2", "--concise",
         "--ignore-disjoint-bases", "--allowlist", allow,
         "--mypy-config-file", os.devnull],
        cwd=str(HERE), env=env, capture_output=True, text=True, timeout=300)
    if "unrecognized arguments: --ignore-disjoint-bases" in p.stderr:
        pytest.skip("this mypy's stubtest is too old")
    assert p.returncode == 0, (
        "the stubs (lib/*.pyi) and the module differ: update the stub of the "
        "changed object, or list a deliberate difference in "
        "tests/typing/stubtest_allowlist.txt\n" + p.stdout + p.stderr)


def test_error_stubs_up_to_date():
    import psycopg2.errorcodes
    import psycopg2.errors

    text = open(os.path.join(ROOT, "lib", "errors.pyi")).read()
    for name, obj in vars(psycopg2.errors).items():
        if isinstance(obj, type) and issubclass(obj, psycopg2.Error):
            assert (" %s(" % name in text or "%s = " % name in text
                    or "%s as %s" % (name, name) in text), (
                "%s missing: run scripts/make_error_stubs.py" % name)
    text = open(os.path.join(ROOT, "lib", "errorcodes.pyi")).read()
    for name, obj in vars(psycopg2.errorcodes).items():
        if name.isupper() and isinstance(obj, str):
            assert "\n%s: str" % name in text, (
                "%s missing: run scripts/make_error_stubs.py" % name)
