#!/usr/bin/env bash
# Run SQLAlchemy's own tests for the postgresql+psycopg2 dialect on this module.
#
#   scripts/sqlalchemy_suite.sh [PYTEST_ARGS...]
#
# Default selection: test/dialect/test_suite.py (the dialect compliance
# suite, sqlalchemy.testing.suite) and test/dialect/postgresql.
# Needs SQLAlchemy installed for $PYTHON (make check puts it in .venv/:
# PYTHON=.venv/bin/python scripts/sqlalchemy_suite.sh).
# Downloads the sdist of the *installed* version into build/sqlalchemy-suite/
# (once), runs its tests with pytest against PSYCOPG2_TESTDSN or a throwaway
# cluster. Summary in build/sqlalchemy-suite/summary.txt, full log in log.txt.
set -uo pipefail
. "$(dirname "$0")/common.sh"
enter_root
OUT=$ROOT/build/sqlalchemy-suite
mkdir -p "$OUT"

ver=$("$PYTHON" -c 'import sqlalchemy; print(sqlalchemy.__version__)') || {
    echo "sqlalchemy_suite: SQLAlchemy is not installed for $PYTHON" >&2; exit 2; }
src=$(suite_sdist sqlalchemy "$ver" "$OUT") || exit 2
make -s build >/dev/null || exit 2

if [ $# -eq 0 ]; then
    set -- test/dialect/test_suite.py test/dialect/postgresql
fi

run() {
    local uri
    uri=$("$PYTHON" - <<'PY'
import os, sys
sys.path.insert(0, os.path.join(os.environ["ROOT"], "build", "lib-inplace"))
from psycopg2.extensions import parse_dsn
p = parse_dsn(os.environ["PSYCOPG2_TESTDSN"])
# some tests put the password back into URLs they build: give one (a
# trust-authenticated test server ignores it)
print("postgresql+psycopg2://%s:%s@%s:%s/%s" % (
    p.get("user", "postgres"), p.get("password", "unused"), p.get("host", "localhost"),
    p.get("port", "5432"), p.get("dbname", "postgres")))
PY
)
    # the suite wants the schemas "test_schema" and "test_schema_2", hstore,
    # btree_gist and an "en_US" collation
    "$PYTHON" - <<'PY'
import os, sys
sys.path.insert(0, os.path.join(os.environ["ROOT"], "build", "lib-inplace"))
import psycopg2
c = psycopg2.connect(os.environ["PSYCOPG2_TESTDSN"]); c.autocommit = True
cur = c.cursor()
for s in ("test_schema", "test_schema_2"):
    cur.execute("CREATE SCHEMA IF NOT EXISTS %s" % s)
cur.execute("CREATE EXTENSION IF NOT EXISTS hstore")
cur.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
# the collation tests use "en_US", which a cluster made with the C locale lacks
try:
    cur.execute("""CREATE COLLATION IF NOT EXISTS "en_US" (provider = icu, locale = 'en-US')""")
except psycopg2.Error:
    cur.execute("""CREATE COLLATION IF NOT EXISTS "en_US" (locale = 'C.UTF-8')""")
c.close()
PY
    cd "$src" &&
    PYTHONPATH="$ROOT/build/lib-inplace:$src/lib" "$PYTHON" -m pytest -p no:cacheprovider \
        --dburi "$uri" -q -rfE "$@"
}

export ROOT OUT src PYTHON
with_test_server run "$@" >"$OUT/log.txt" 2>&1
rc=$?
{
    echo "SQLAlchemy $ver: $*"
    grep -E '^(FAILED|ERROR) ' "$OUT/log.txt" | sed 's/ - .*//' | sort | uniq
    tail -1 "$OUT/log.txt"
} >"$OUT/summary.txt"
cat "$OUT/summary.txt"
exit $rc
