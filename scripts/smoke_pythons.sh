#!/usr/bin/env bash
# Build-and-import smoke test on every CPython >= 3.9 found under pyenv
# other than the default $PYTHON: build the extension with it into
# build/smoke/X.Y/ and import psycopg2 from there. Interpreters without
# setuptools get a cached venv (build/smoke/X.Y/venv) with setuptools from
# PyPI. The builds run in parallel; any failure fails the script.
set -uo pipefail
. "$(dirname "$0")/common.sh"
enter_root

# Interpreters, one per minor version (the newest patch release wins).
declare -A pick=()
while read -r ver py; do
    pick[$ver]=$py
done < <(other_pythons)

if [ ${#pick[@]} -eq 0 ]; then
    echo "smoke: no other CPython >= 3.9 under ${PYENV_ROOT:-$HOME/.pyenv}/versions: nothing to do"
    exit 0
fi

smoke_one() {
    local ver=$1 py=$2 dir="$ROOT/build/smoke/$1"
    mkdir -p "$dir"
    if ! "$py" -c 'import setuptools' 2>/dev/null; then
        if ! "$dir/venv/bin/python" -c 'import setuptools' 2>/dev/null; then
            rm -rf "$dir/venv"
            "$py" -m venv "$dir/venv" &&
                "$dir/venv/bin/python" -m pip install -q --disable-pip-version-check setuptools ||
                return 1
        fi
        py="$dir/venv/bin/python"
    fi
    # Cheap code generation: this checks that the sources compile, link and
    # import with this Python; the optimised build is the default one's.
    CFLAGS="${SMOKE_CFLAGS:--O1 -g0}" \
    "$py" setup.py -q build --build-lib "$dir/lib" --build-temp "$dir/tmp" || return 1
    # Import from a neutral directory so the source tree cannot interfere.
    (cd "$dir" && "$py" -c '
import sys; sys.path.insert(0, sys.argv[1])
import psycopg2, psycopg2._psycopg
assert psycopg2.__file__.startswith(sys.argv[1]), psycopg2.__file__
# exercise the C paths that need no server: errors raised and freed,
# adaptation, typecasting
import gc, datetime, psycopg2.extensions as ext, psycopg2.extras
try:
    psycopg2.connect("host=127.0.0.1 port=1 connect_timeout=2")
except psycopg2.OperationalError as e:
    assert e.pgcode is None and e.diag.sqlstate is None
gc.collect()
assert ext.adapt([1, "ab", None]).getquoted() == b"ARRAY[1,\x27ab\x27,NULL]"
assert ext.DATE("2020-01-02", None) == datetime.date(2020, 1, 2)
assert ext.new_array_type((1007,), "X", ext.INTEGER)("{1,NULL}", None) == [1, None]
gc.collect()
print("Python %d.%d.%d: psycopg2 %s" % (sys.version_info[:3] + (psycopg2.__version__,)))
' "$dir/lib")
}

declare -A pids=()
for ver in "${!pick[@]}"; do
    mkdir -p "build/smoke/$ver"
    smoke_one "$ver" "${pick[$ver]}" >"build/smoke/$ver/log" 2>&1 &
    pids[$ver]=$!
done

failed=()
for ver in $(printf '%s\n' "${!pids[@]}" | sort -V); do
    if wait "${pids[$ver]}"; then
        echo "smoke: ok   $(tail -n 1 "build/smoke/$ver/log")"
    else
        failed+=("$ver")
        echo "smoke: FAIL Python $ver (${pick[$ver]}), last lines of build/smoke/$ver/log:" >&2
        tail -n 25 "build/smoke/$ver/log" | sed 's/^/    /' >&2
    fi
done

if [ ${#failed[@]} -gt 0 ]; then
    echo "smoke: failed on Python ${failed[*]}" >&2
    exit 1
fi
