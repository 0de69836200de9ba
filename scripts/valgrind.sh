#!/usr/bin/env bash
# valgrind memcheck over scripts/valgrind_workload.py, against a throwaway
# cluster (or PSYCOPG2_TESTDSN). Fails on any memcheck error or definite
# leak whose stack passes through _psycopg; CPython and libpq noise is
# suppressed by scripts/valgrind.supp and by that filter.
#
#   scripts/valgrind.sh [ITERATIONS]     (make valgrind)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
command -v valgrind >/dev/null || {
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null
    else
        echo "valgrind.sh: install valgrind (apt-get install valgrind)" >&2; exit 1
    fi
}
mkdir -p build/valgrind
log=build/valgrind/memcheck.log
run() {
    PYTHONMALLOC=malloc PYTHONPATH="$PWD/build/lib-inplace" \
    valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite \
        --errors-for-leak-kinds=definite --num-callers=30 --fullpath-after= \
        --suppressions=scripts/valgrind.supp --log-file="$log" \
        "$PYTHON" scripts/valgrind_workload.py "${1:-3}"
}
if [ -n "${PSYCOPG2_TESTDSN:-}" ]; then
    run "${1:-3}"
else
    "$PYTHON" scripts/cluster.py run -- "$0" "${1:-3}"
    exit $?
fi
"$PYTHON" - "$log" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
# one record per "==pid== <blank>"-separated block
blocks = re.split(r"\n==\d+== \n", text)
ours = [b for b in blocks
        if ("definitely lost" in b or "Invalid " in b or "uninitialised" in b
            or "Mismatched" in b or "overlap" in b)
        and ("_psycopg" in b or re.search(r"\(psycopg/\w+\.[ch]:", b))]
summary = re.search(r"ERROR SUMMARY: .*", text)
print("valgrind:", summary.group(0) if summary else "no summary",
      "| records involving psycopg/*.c:", len(ours))
for b in ours:
    print(re.sub(r"==\d+== ", "", b))
    print("-" * 60)
sys.exit(1 if ours else 0)
PY
