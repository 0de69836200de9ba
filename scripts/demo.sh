#!/usr/bin/env bash
# Run examples/tour.py with the in-place build: against PSYCOPG2_TESTDSN if
# it is set, else against a throwaway cluster that is removed afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
export PYTHONPATH="$PWD/build/lib-inplace${PYTHONPATH:+:$PYTHONPATH}"

if [ ! -f examples/tour.py ]; then
    echo "make demo: examples/tour.py does not exist yet" >&2
    exit 1
fi
if [ -n "${PSYCOPG2_TESTDSN:-}" ]; then
    exec "$PYTHON" examples/tour.py
fi
exec "$PYTHON" scripts/cluster.py run -- "$PYTHON" examples/tour.py
