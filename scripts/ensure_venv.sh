#!/usr/bin/env bash
# Create or update the project virtualenv that the tests run in, so that
# `make check` never installs anything into the interpreter it starts from.
#
#   PYTHON=python3 VENV=.venv scripts/ensure_venv.sh [--minimal]
#
# --minimal (make demo, make build-venv): only make sure the venv exists
# and can build the extension (setuptools); the pinned test packages are
# left for `make check`.
#
# $VENV (default .venv, git-ignored) is made with `$PYTHON -m venv`, then
# gets the packages pinned in tests/requirements.txt. A stamp file records
# the requirements it was filled from: when they are unchanged this takes a
# fraction of a second and needs no network; when they change, pip brings
# the venv in line. Prints the venv's python on the last line of stdout.
#
# If PyPI cannot be reached, the venv is still usable for the core suite as
# long as pytest and setuptools are in it; the integration tests whose
# package is missing are skipped with the reason.
set -uo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}
REQS=tests/requirements.txt
STAMP=$VENV/.requirements.stamp
VPY=$VENV/bin/python

say() { echo "ensure_venv: $*" >&2; }

# A venv made by another Python (or a moved checkout) is made again.
base=$("$PYTHON" -c 'import sys, os; print(os.path.realpath(sys.base_prefix), "%d.%d" % sys.version_info[:2])') || {
    say "$PYTHON does not run"; exit 1; }
if [ -x "$VPY" ]; then
    vbase=$("$VPY" -c 'import sys, os; print(os.path.realpath(sys.base_prefix), "%d.%d" % sys.version_info[:2])' 2>/dev/null || true)
    if [ "$vbase" != "$base" ]; then
        say "$VENV was made by another Python ($vbase); making it again with $PYTHON"
        rm -rf "$VENV"
    fi
fi

if [ ! -x "$VPY" ]; then
    say "creating $VENV with $PYTHON (once)"
    if ! "$PYTHON" -m venv "$VENV" >&2; then
        rm -rf "$VENV"
        say "cannot create a virtualenv with $PYTHON: install its venv module (Debian: apt-get install python3-venv)"
        exit 1
    fi
fi

if [ "${1:-}" = "--minimal" ]; then
    if ! "$VPY" -c 'import setuptools' >/dev/null 2>&1; then
        setuptools_pin=$(grep -E '^setuptools[=<>]' "$REQS" | head -n 1)
        say "installing ${setuptools_pin:-setuptools} into $VENV"
        "$VPY" -m pip install -q --disable-pip-version-check "${setuptools_pin:-setuptools}" >&2 || {
            say "cannot install setuptools into $VENV (no access to PyPI?)"; exit 1; }
    fi
    echo "$VPY"; exit 0
fi

want=$(cat "$REQS" 2>/dev/null | sha256sum | cut -d' ' -f1)
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
    echo "$VPY"; exit 0
fi

# Split the file at the "--no-deps" marker.
normal=$(mktemp) nodeps=$(mktemp)
trap 'rm -f "$normal" "$nodeps"' EXIT
awk -v a="$normal" -v b="$nodeps" '
    /^#[[:space:]]*--no-deps/ { out = b; next }
    { print > (out ? out : a) }' "$REQS"
touch "$nodeps"

say "installing tests/requirements.txt into $VENV (first run: about 2 minutes)"
pip=("$VPY" -m pip install -q --disable-pip-version-check)
ok=1
timeout 900 "${pip[@]}" -r "$normal" >&2 || ok=0
timeout 300 "${pip[@]}" --no-deps -r "$nodeps" >&2 || ok=0

if [ "$ok" = 1 ]; then
    echo "$want" > "$STAMP"
else
    rm -f "$STAMP"
    if "$VPY" -c 'import pytest, setuptools' >/dev/null 2>&1; then
        say "some packages could not be installed: the tests that need them will be skipped"
    else
        say "cannot install pytest and setuptools into $VENV (no access to PyPI?)"
        exit 1
    fi
fi
echo "$VPY"
