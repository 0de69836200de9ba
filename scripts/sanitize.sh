#!/usr/bin/env bash
# Build psycopg2._psycopg with AddressSanitizer + UndefinedBehaviorSanitizer
# into build/asan (the in-place build in lib/ is left alone) and run pytest
# against it.
#
#   scripts/sanitize.sh build            # build only
#   scripts/sanitize.sh test [PYTEST...] # build, then run pytest with the
#                                        # sanitized extension
#   scripts/sanitize.sh env              # print the environment to use it
#
# The compiler is $SAN_CC (default gcc; clang works too). The sanitizer
# runtime is LD_PRELOADed into the (uninstrumented) Python; PostgreSQL
# server processes started by scripts/cluster.py drop LD_PRELOAD again.
# PYTHONMALLOC=malloc makes every PyMem_* allocation a real malloc, so ASan
# sees the buffers our C code allocates through Python too.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
SAN_CC=${SAN_CC:-gcc}
OUT=build/asan
PKG=$OUT/pkg/psycopg2

san_flags="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g -O1"

build() {
    mkdir -p "$OUT"
    CC="$SAN_CC" LDSHARED="$SAN_CC -shared" \
    CFLAGS="$san_flags" LDFLAGS="-fsanitize=address,undefined" \
        "$PYTHON" setup.py -q build_ext --build-lib "$OUT/lib" \
        --build-temp "$OUT/tmp" >"$OUT/build.log" 2>&1 || {
            cat "$OUT/build.log" >&2
            echo "sanitize.sh: build failed" >&2
            exit 1
        }
    # A package directory: the Python sources of lib/ (links, so edits are
    # seen) and the sanitized extension.
    rm -rf "$PKG"
    mkdir -p "$PKG"
    for f in lib/*; do
        case "$f" in
            *.so|*/__pycache__) continue ;;
        esac
        ln -s "$PWD/$f" "$PKG/"
    done
    cp "$OUT"/lib/psycopg2/_psycopg*.so "$PKG/"
}

runtime() {
    if [ "$SAN_CC" = gcc ] || "$SAN_CC" --version | grep -q "Free Software"; then
        "$SAN_CC" -print-file-name=libasan.so
    else
        "$SAN_CC" -print-file-name=libclang_rt.asan-x86_64.so
    fi
}

export_env() {
    export LD_PRELOAD
    LD_PRELOAD=$(runtime)
    export PYTHONMALLOC=malloc
    # Leak detection would report every allocation CPython keeps until exit;
    # reference leaks are checked by tests/test_leaks.py and valgrind.
    export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1:halt_on_error=1:detect_stack_use_after_return=0:allocator_may_return_null=1}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
    export PSYCOPG2_TEST_LIBDIR="$PWD/$OUT/pkg"
    export PSYCOPG2_SANITIZED=1
}

case "${1:-test}" in
    build)
        build ;;
    env)
        export_env
        echo "export LD_PRELOAD=$LD_PRELOAD PYTHONMALLOC=$PYTHONMALLOC"
        echo "export ASAN_OPTIONS=$ASAN_OPTIONS UBSAN_OPTIONS=$UBSAN_OPTIONS"
        echo "export PSYCOPG2_TEST_LIBDIR=$PSYCOPG2_TEST_LIBDIR PSYCOPG2_SANITIZED=1" ;;
    test)
        shift || true
        build
        export_env
        exec "$PYTHON" -m pytest -p no:cacheprovider "$@" ;;
    *)
        echo "usage: $0 build|test [pytest args]|env" >&2
        exit 2 ;;
esac
