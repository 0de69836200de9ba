"""Side by side with the original psycopg2 2.9 (tests/parity/README in short).

Each scenario module in ``scenarios/`` runs twice, in two processes: once on
the original (``psycopg2-binary`` in ``.venv-peers``, made by ``make deps``
through ``scripts/ensure_peers.sh``) and once on this build. Both print what
a user can observe (``runner.py``); this file compares the two records probe
by probe. A difference fails unless the probe is listed in ``deliberate.py``
(DELIBERATE: kept on purpose, documented in doc/migration.rst; PENDING: a
tracked bug being fixed elsewhere). A listed probe that no longer differs
fails too, so the lists stay true.
"""

import json
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import deliberate  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))
RUNNER = os.path.join(HERE, "runner.py")
SCENARIOS = sorted(
    f[:-3] for f in os.listdir(os.path.join(HERE, "scenarios"))
    if f.startswith("sc_") and f.endswith(".py"))


def peer_python():
    """The original's interpreter; fail (never skip) when it is missing."""
    py = os.environ.get("PSYCOPG2_PEER_PYTHON") or os.path.join(
        ROOT, ".venv-peers", "bin", "python")
    if not os.path.exists(py):
        pytest.fail(
            "the original psycopg2 is not installed (%s is missing): "
            "run `make deps` (scripts/ensure_peers.sh) or set "
            "PSYCOPG2_PEER_PYTHON" % py, pytrace=False)
    return py


def _run(python, name, libdir, dsn):
    env = dict(os.environ, PSYCOPG2_TESTDSN=dsn, PYTHONHASHSEED="0",
               PGTZ="UTC", LC_ALL="C.UTF-8")
    env.pop("PYTHONPATH", None)
    env.pop("PSYCOPG_DEBUG", None)
    proc = subprocess.run(
        [python, "-I", RUNNER, name, libdir], env=env, capture_output=True,
        text=True, timeout=300)
    if proc.returncode != 0 or not proc.stdout.strip():
        pytest.fail("%s: %s exited with %s\n%s" % (
            name, python, proc.returncode, proc.stderr[-3000:]),
            pytrace=False)
    return json.loads(proc.stdout)


def _ours_libdir():
    import psycopg2
    return os.path.dirname(os.path.dirname(os.path.abspath(psycopg2.__file__)))


def _short(obs):
    s = json.dumps(obs, sort_keys=True)
    return s if len(s) < 600 else s[:600] + "..."


def _surface_diff(x, y):
    """For two {"surface": {name: kind}, "of": path} steps: the names that
    differ, ignoring those EXTRA_NAMES lists."""
    if not (isinstance(x, list) and isinstance(y, list) and len(x) == 2
            and len(y) == 2 and x[0] == y[0] and isinstance(x[1], dict)
            and isinstance(y[1], dict) and "surface" in x[1]
            and "surface" in y[1] and x[1].get("of") == y[1].get("of")):
        return None
    sa, sb, of = x[1]["surface"], y[1]["surface"], x[1]["of"]
    out = []
    for name in sorted(set(sa) | set(sb)):
        if sa.get(name) == sb.get(name):
            continue
        if "%s.%s" % (of, name) in deliberate.EXTRA_NAMES:
            continue
        out.append("%s.%s: original %s, ours %s"
                   % (of, name, sa.get(name, "missing"),
                      sb.get(name, "missing")))
    return out


def compare(orig, ours):
    """{probe: message} for every probe whose records differ."""
    diffs = {}
    for pname in sorted(set(orig) | set(ours)):
        a, b = orig.get(pname), ours.get(pname)
        if a == b:
            continue
        if a is None or b is None:
            diffs[pname] = "probe ran on one side only"
            continue
        lines = []
        for i in range(max(len(a), len(b))):
            x = a[i] if i < len(a) else None
            y = b[i] if i < len(b) else None
            names = _surface_diff(x, y)
            if names is not None:
                if names:
                    lines.append("  step %d (%s)\n    %s"
                                 % (i, x[0], "\n    ".join(names)))
                continue
            if x != y:
                lines.append("  step %d\n    original: %s\n    ours:     %s"
                             % (i, _short(x), _short(y)))
                if len(lines) >= 3:
                    break
        if lines:
            diffs[pname] = "\n".join(lines)
    return diffs


@pytest.mark.parametrize("name", SCENARIOS)
def test_parity(name, dsn):
    peer = peer_python()
    orig = _run(peer, name, "", dsn)
    ours = _run(sys.executable, name, _ours_libdir(), dsn)
    # Each side imported the psycopg2 it should have.
    assert os.path.realpath(orig["psycopg2"]).startswith(
        os.path.realpath(os.path.dirname(os.path.dirname(peer))))
    assert os.path.realpath(ours["psycopg2"]) == os.path.realpath(
        os.path.join(ROOT, "lib")) or os.environ.get("PSYCOPG2_TEST_LIBDIR")
    assert orig["probes"], "no probes in %s" % name

    diffs = compare(orig["probes"], ours["probes"])
    listed = {}
    listed.update(deliberate.DELIBERATE)
    listed.update(deliberate.PENDING)
    problems = []
    for pname, msg in diffs.items():
        key = "%s.%s" % (name, pname)
        if key not in listed:
            problems.append("DIFFERENT %s\n%s" % (key, msg))
    for key in listed:
        mod, _, pname = key.partition(".")
        if mod == name and pname not in diffs:
            if pname not in orig["probes"]:
                problems.append("LISTED %s: no such probe" % key)
            else:
                problems.append(
                    "LISTED %s no longer differs: remove it from "
                    "tests/parity/deliberate.py" % key)
    assert not problems, "%d of %d probes:\n%s" % (
        len(problems), len(orig["probes"]), "\n".join(problems))


def main(argv):
    """python tests/parity/test_parity.py SCENARIO [PROBE-SUBSTRING]: print
    the differences (PSYCOPG2_TESTDSN must name a server)."""
    if len(argv) > 2:
        os.environ["PARITY_ONLY"] = argv[2]
    sys.path.insert(0, os.path.join(ROOT, "build", "lib-inplace"))
    dsn = os.environ["PSYCOPG2_TESTDSN"]
    py = os.environ.get("PSYCOPG2_PEER_PYTHON") or os.path.join(
        ROOT, ".venv-peers", "bin", "python")
    orig = _run(py, argv[1], "", dsn)
    ours = _run(sys.executable, argv[1], _ours_libdir(), dsn)
    diffs = compare(orig["probes"], ours["probes"])
    for pname, msg in diffs.items():
        key = "%s.%s" % (argv[1], pname)
        tag = ("DELIBERATE" if key in deliberate.DELIBERATE else
               "PENDING" if key in deliberate.PENDING else "DIFFERENT")
        print("%s %s\n%s" % (tag, key, msg))
    print("%d probes, %d differ" % (len(orig["probes"]), len(diffs)))


if __name__ == "__main__":
    main(sys.argv)
