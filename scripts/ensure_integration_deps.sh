#!/usr/bin/env bash
# Install the third-party packages the integration tests run on, for $PYTHON:
# Django, SQLAlchemy 2, pandas, mypy and Sphinx (tests/integration/,
# tests/typing/, the docs build test). With --docs: Sphinx only (make docs).
#
#   PYTHON=python3 scripts/ensure_integration_deps.sh [--docs]
#
# Idempotent and quick when everything is there (one import check). Never
# fails the build: if PyPI can't be reached or pip refuses (an externally
# managed interpreter), it says so and the tests that need the package skip
# with the reason. PSYCOPG2_NO_INTEGRATION_DEPS=1 turns it off.
set -uo pipefail

PYTHON=${PYTHON:-python3}
[ "${PSYCOPG2_NO_INTEGRATION_DEPS:-0}" = 1 ] && exit 0

if [ "${1:-}" = "--docs" ]; then
    wanted=("sphinx:sphinx>=5")
else
    wanted=("django:django>=4.2,<6" "sqlalchemy:sqlalchemy>=2,<3" "pandas:pandas" "mypy:mypy>=1.8"
            "sphinx:sphinx>=5")
fi

missing=()
for item in "${wanted[@]}"; do
    mod=${item%%:*}
    spec=${item#*:}
    "$PYTHON" -c "import $mod" >/dev/null 2>&1 || missing+=("$spec")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "ensure_integration_deps: $PYTHON -m pip install ${missing[*]}"
if ! timeout 600 "$PYTHON" -m pip install -q --disable-pip-version-check "${missing[@]}"; then
    echo "ensure_integration_deps: could not install ${missing[*]}:" \
         "the tests that need them will be skipped" >&2
fi
exit 0
