"""A PSYCOPG_DEBUG build traces to stderr only when PSYCOPG_DEBUG is set."""

import glob
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_debug_build_traces_on_demand(tmp_path, dsn):
    lib = tmp_path / "lib"
    subprocess.run(
        [sys.executable, "setup.py", "build_ext", "--define", "PSYCOPG_DEBUG",
         "--build-lib", str(lib), "--build-temp", str(tmp_path / "tmp")],
        cwd=ROOT, check=True, capture_output=True, timeout=300)
    pkg = tmp_path / "pkg" / "psycopg2"
    shutil.copytree(os.path.join(ROOT, "lib"), pkg,
                    ignore=shutil.ignore_patterns("*.so", "__pycache__"))
    for so in glob.glob(str(lib / "psycopg2" / "_psycopg*.so")):
        shutil.copy(so, pkg)
    code = ("import psycopg2, sys; c = psycopg2.connect(sys.argv[1]); "
            "c.cursor().execute('select 42')")
    secret_dsn = dsn + " password=hunter2"
    env = dict(os.environ, PYTHONPATH=str(pkg.parent))
    env.pop("PSYCOPG_DEBUG", None)
    quiet = subprocess.run([sys.executable, "-c", code, secret_dsn],
                           env=env, capture_output=True, text=True,
                           timeout=60)
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stderr == ""
    env["PSYCOPG_DEBUG"] = "1"
    loud = subprocess.run([sys.executable, "-c", code, secret_dsn],
                          env=env, capture_output=True, text=True,
                          timeout=60)
    assert loud.returncode == 0, loud.stderr
    assert "select 42" in loud.stderr
    assert "[%s]" % "" not in loud.stderr
    assert "hunter2" not in loud.stderr


def test_release_build_ignores_variable(child_env):
    env = dict(child_env, PSYCOPG_DEBUG="1")
    p = subprocess.run(
        [sys.executable, "-c",
         "import os, psycopg2; c = psycopg2.connect("
         "os.environ['PSYCOPG2_TESTDSN']); c.cursor().execute('select 1')"],
        env=env, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stderr == ""
