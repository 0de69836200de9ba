#!/usr/bin/env bash
# `make lint` (and the lint step of `make check`): fails on any finding.
#
#   PYTHON=.venv/bin/python scripts/lint.sh
#
# 1. ruff over every Python file of the repository (rules and exceptions in
#    pyproject.toml; ruff is pinned in tests/requirements.txt).
# 2. The C sources compiled with the strict warnings of setup.py, every
#    warning an error (PSYCOPG_WARNINGS=error), into build/lint/: lib/ and
#    the in-place build are not touched.
# Both run even when the first fails, so one pass shows every finding.
set -uo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
rc=0
mkdir -p build

echo "lint: ruff check"
if ! "$PYTHON" -m ruff --version >/dev/null 2>&1; then
    echo "lint: ruff is not installed in $PYTHON (make venv installs tests/requirements.txt)" >&2
    rc=1
elif ! "$PYTHON" -m ruff check --no-cache .; then
    rc=1
fi

echo "lint: C sources with strict warnings as errors"
if ! PSYCOPG_WARNINGS=error "$PYTHON" setup.py -q build_ext --force \
        --build-temp build/lint/temp --build-lib build/lint/lib >build/lint.log 2>&1; then
    grep -E 'error|warning' build/lint.log || cat build/lint.log
    rc=1
fi

if [ "$rc" -ne 0 ]; then
    echo "lint: FAILED" >&2
else
    echo "lint: ok"
fi
exit "$rc"
