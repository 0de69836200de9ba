#!/usr/bin/env bash
# `make check`: every step of CI in order, stopping at the first failure.
#
#   MAKE=make PYTHON=python3 VENV=.venv scripts/check.sh
#
# Each step's output goes to the terminal and to build/check/<step>.log.
# When a step fails, the last lines name the step, its log, and the failing
# test ids (pytest's FAILED/ERROR summary lines), instead of make's bare
# "Error 2". Nothing is installed into $PYTHON: the tests run in $VENV.
set -uo pipefail
cd "$(dirname "$0")/.."

MAKE=${MAKE:-make}
PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}
VPY=$VENV/bin/python
LOGS=build/check
mkdir -p "$LOGS"
rm -f "$LOGS"/*.log

start_all=$SECONDS
fmt() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

step() {  # name command...
    local name=$1 t0=$SECONDS rc
    shift
    echo "==> make check: $name"
    "$@" 2>&1 | tee "$LOGS/$name.log"
    rc=${PIPESTATUS[0]}
    if [ "$rc" -ne 0 ]; then
        # Tests ids from pytest's short summary (-ra), if the step ran pytest.
        local ids
        ids=$(grep -E '^(FAILED|ERROR) ' "$LOGS/$name.log" | sort -u || true)
        echo
        echo "make check: step '$name' failed (exit $rc) after $(fmt $((SECONDS - t0)));" \
             "full output in $LOGS/$name.log"
        if [ -n "$ids" ]; then
            echo "make check: failing tests ($(printf '%s\n' "$ids" | wc -l)):"
            printf '%s\n' "$ids" | sed 's/^/    /'
        fi
        exit "$rc"
    fi
    echo "==> make check: $name ok ($(fmt $((SECONDS - t0))))"
}

mk() { "$MAKE" --no-print-directory "$@"; }

step deps   mk deps PYTHON="$PYTHON" VENV="$VENV"
step lint   mk lint PYTHON="$PYTHON" VENV="$VENV"
step build  mk build PYTHON="$VPY"
step test   mk test PYTHON="$PYTHON" VENV="$VENV"
step smoke  mk smoke PYTHON="$VPY"
step asan   mk check-asan PYTHON="$VPY" 'ASAN_PYTEST_ARGS=-m "not slow"'
step fuzz   mk fuzz-smoke PYTHON="$VPY"

echo "make check: all steps passed in $(fmt $((SECONDS - start_all)))"
