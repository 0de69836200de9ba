#!/usr/bin/env bash
# Run Django's own test suite for the PostgreSQL backend on this module.
#
#   scripts/django_suite.sh [TEST_LABEL...]
#
# Default labels: backends.postgresql postgres_tests transactions model_fields
# (also backends, which holds the generic backend tests the postgresql ones
# build on, is not included by default: pass it explicitly).
#
# Needs Django installed for $PYTHON (make check puts it in .venv/:
# PYTHON=.venv/bin/python scripts/django_suite.sh).
# Downloads the sdist of the *installed* Django version into
# build/django-suite/ (once), builds this module in place, and runs
# tests/runtests.py with a settings file pointing at PSYCOPG2_TESTDSN, or at
# a throwaway cluster started for the run. The summary line and the list of
# failing tests go to build/django-suite/summary.txt; the full log to
# build/django-suite/log.txt. Exit status: that of runtests.py.
set -uo pipefail
. "$(dirname "$0")/common.sh"
enter_root
OUT=$ROOT/build/django-suite
mkdir -p "$OUT"

ver=$("$PYTHON" -c 'import django; print(django.__version__)') || {
    echo "django_suite: Django is not installed for $PYTHON" >&2; exit 2; }
src=$(suite_sdist django "$ver" "$OUT") || exit 2

make -s build >/dev/null || exit 2

# A venv that sees this module's in-place build, and the packages of
# $PYTHON (Django and its dependencies; $PYTHON may itself be a venv's,
# whose packages --system-site-packages would miss) through a .pth file:
# unlike PYTHONPATH, that survives the suite's subprocesses which set their
# own PYTHONPATH.
venv=$OUT/venv
if [ ! -x "$venv/bin/python" ]; then
    "$PYTHON" -m venv --system-site-packages "$venv" || exit 2
fi
"$venv/bin/python" -c 'import tblib' 2>/dev/null ||
    "$venv/bin/python" -m pip install -q tblib || true
django_site=$("$PYTHON" -c 'import os, django; print(os.path.dirname(os.path.dirname(django.__file__)))') || exit 2
"$venv/bin/python" - "$ROOT/build/lib-inplace" "$django_site" <<'PY'
import site, sys, os
path = os.path.join(site.getsitepackages()[0], "psycopg2-inplace.pth")
open(path, "w").write("".join(p + "\n" for p in sys.argv[1:]))
PY
PYTHON=$venv/bin/python

cat > "$OUT/settings_psycopg2.py" <<'PY'
import os, sys
sys.modules.setdefault("psycopg", None)  # make Django pick psycopg2
from psycopg2.extensions import parse_dsn
_p = parse_dsn(os.environ["PSYCOPG2_TESTDSN"])
def _db(name):
    return {"ENGINE": "django.db.backends.postgresql", "NAME": name,
            "USER": _p.get("user", ""), "PASSWORD": _p.get("password", ""),
            "HOST": _p.get("host", ""), "PORT": _p.get("port", "")}
DATABASES = {"default": _db("django_default"), "other": _db("django_other")}
SECRET_KEY = "django_tests_secret_key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
USE_TZ = False
PY

if [ $# -eq 0 ]; then
    set -- backends.postgresql postgres_tests transactions model_fields
fi

run() {
    cd "$src/tests" &&
    PYTHONPATH="$OUT:$src" \
        "$PYTHON" runtests.py --settings=settings_psycopg2 --noinput \
        --parallel "${DJANGO_SUITE_PARALLEL:-2}" -v 2 "$@"
}

export ROOT OUT src PYTHON
with_test_server run "$@" >"$OUT/log.txt" 2>&1
rc=$?

{
    echo "Django $ver, labels: $*"
    grep -E '^(Ran [0-9]+ tests|OK|FAILED)' "$OUT/log.txt" | tail -3
    grep -E '^(ERROR|FAIL): ' "$OUT/log.txt" | sort | uniq
} >"$OUT/summary.txt"
cat "$OUT/summary.txt"
exit $rc
