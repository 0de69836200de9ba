#!/usr/bin/env bash
# The original psycopg2, for the parity harness (tests/parity/): a virtualenv
# in .venv-peers/ at the root of the repository with psycopg2-binary pinned
# to the version the harness was written against. Does nothing when it is
# already there (bench/run.py keeps its own venvs in subdirectories of
# .venv-peers/ and is not disturbed).
#
#   PYTHON=python3 scripts/ensure_peers.sh
set -euo pipefail

PEER_VERSION=2.9.13
PYTHON=${PYTHON:-python3}
root=$(cd "$(dirname "$0")/.." && pwd)
venv="$root/.venv-peers"
py="$venv/bin/python"

if [ -x "$py" ] && "$py" -c "import psycopg2, sys; sys.exit(psycopg2.__version__.split()[0] != '$PEER_VERSION')" 2>/dev/null; then
    exit 0
fi

echo "ensure_peers: installing psycopg2-binary==$PEER_VERSION into $venv"
if [ ! -x "$py" ]; then
    "$PYTHON" -m venv "$venv"
fi
"$py" -m pip install --quiet --disable-pip-version-check "psycopg2-binary==$PEER_VERSION"
"$py" -c "import psycopg2; print('ensure_peers: original psycopg2', psycopg2.__version__)"
