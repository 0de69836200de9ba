#!/usr/bin/env bash
# Build and run the libFuzzer targets of tests/fuzz/fuzz_psycopg.c.
#
#   scripts/fuzz.sh [TARGET...]     (make fuzz; default: every target)
#
# FUZZ_SECONDS (default 60) is the run time of each target. Seeds come from
# tests/fuzz/corpus/<target>/ (committed); new inputs go to
# build/fuzz/work/<target>/, crashes to build/fuzz/crash-*. A crash makes
# the script fail: minimise it, fix it, and add it to the seeds and to a
# regression test.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=(query array datetime numeric bytea escape)

if ! command -v clang >/dev/null || ! echo 'int LLVMFuzzerTestOneInput(const char*d,long n){return 0;}' \
        | clang -x c -fsanitize=fuzzer - -o /dev/null 2>/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "fuzz.sh: installing clang and libclang-rt-dev (libFuzzer)"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq clang >/dev/null
        v=$(clang --version | sed -n 's/.*clang version \([0-9]*\).*/\1/p' | head -1)
        apt-get install -y -qq "libclang-rt-$v-dev" >/dev/null 2>&1 || true
    else
        echo "fuzz.sh: clang with libFuzzer needed (apt-get install clang libclang-rt-14-dev)" >&2
        exit 1
    fi
fi

OUT=build/fuzz
mkdir -p "$OUT/obj" "$OUT/work"
pg_config=${PG_CONFIG:-pg_config}
pg_version=$("$PYTHON" - "$pg_config" <<'PY'
import re, subprocess, sys
v = subprocess.check_output([sys.argv[1], "--version"], text=True)
m = re.search(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?", v)
a, b, c = int(m.group(1)), int(m.group(2) or 0), int(m.group(3) or 0)
print(a * 10000 + b if a >= 10 else a * 10000 + b * 100 + c)
PY
)
version=$(sed -n 's/^VERSION = "\(.*\)"/\1/p' setup.py)
pyinc=$("$PYTHON" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
pylibdir=$("$PYTHON" -c 'import sysconfig; print(sysconfig.get_config_var("LIBDIR"))')
pyver=$("$PYTHON" -c 'import sysconfig; print(sysconfig.get_config_var("LDVERSION"))')
CFLAGS=(-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined
        -fno-sanitize-recover=undefined -Ipsycopg -I"$("$pg_config" --includedir)"
        -I"$pyinc" -DPG_VERSION_NUM="$pg_version" -DPSYCOPG_VERSION="\"$version\""
        -w)

# the extension, instrumented, once for all targets
objs=()
for src in psycopg/*.c; do
    obj="$OUT/obj/$(basename "${src%.c}").o"
    if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] || [ -n "$(find psycopg -name '*.h' -newer "$obj")" ]; then
        clang "${CFLAGS[@]}" -c "$src" -o "$obj" &
    fi
    objs+=("$obj")
done
wait

status=0
for t in "${TARGETS[@]}"; do
    T=$(echo "$t" | tr a-z A-Z)
    bin="$OUT/fuzz_$t"
    clang "${CFLAGS[@]}" -DFUZZ_TARGET_"$T" -fsanitize=fuzzer,address,undefined \
        tests/fuzz/fuzz_psycopg.c "${objs[@]}" -o "$bin" \
        -L"$("$pg_config" --libdir)" -lpq -L"$pylibdir" -lpython"$pyver" \
        -Wl,-rpath,"$pylibdir" -ldl -lm
    mkdir -p "$OUT/work/$t" "tests/fuzz/corpus/$t"
    log="$OUT/fuzz_$t.log"
    echo "fuzz $t: ${FUZZ_SECONDS}s"
    if ! PSYCOPG2_FUZZ_PYTHONPATH="$PWD/build/lib-inplace" \
         ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1 \
         UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
         PYTHONMALLOC=malloc \
         "$bin" -max_total_time="$FUZZ_SECONDS" -detect_leaks=0 -timeout=10 \
             -rss_limit_mb=4096 -print_final_stats=1 -artifact_prefix="$OUT/" \
             "$OUT/work/$t" "tests/fuzz/corpus/$t" >"$log" 2>&1; then
        tail -60 "$log" >&2
        echo "fuzz $t: FAILED (log: $log)" >&2
        status=1
        continue
    fi
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    echo "fuzz $t: ok, $execs executions"
done
# the hostile-server random mode (tests/test_hostile_server.py), ~400 queries a second, a new seed each run
echo "fuzz hostile server: $((FUZZ_SECONDS * 400)) queries"; HOSTILE_FUZZ_ITERATIONS=$((FUZZ_SECONDS * 400)) HOSTILE_FUZZ_SEED=${HOSTILE_FUZZ_SEED:-$RANDOM} "$PYTHON" -m pytest -q -p no:cacheprovider tests/test_hostile_server.py -k random_server_messages || status=1
exit $status
