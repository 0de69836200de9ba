#!/usr/bin/env bash
# Check the system packages that building and testing need; install the
# missing ones when running as root with apt-get, else print exactly what to
# install and exit 1. Python packages are not installed here: they go into
# the project virtualenv (scripts/ensure_venv.sh, tests/requirements.txt),
# never into $PYTHON itself.
#
#   PYTHON=python3 scripts/ensure_deps.sh
#
# Needs: a C compiler; pg_config and libpq-fe.h (libpq-dev); Python.h for
# $PYTHON (python3-dev); the venv module of $PYTHON (python3-venv); the
# PostgreSQL server binaries (postgresql) unless a test server is configured
# through PSYCOPG2_TESTDSN / PSYCOPG2_TESTDB*.
set -euo pipefail

PYTHON=${PYTHON:-python3}
# (--no-pytest, from when pytest was installed here, is accepted and ignored)

apt_pkgs=()      # Debian packages to install
manual=()        # things we cannot install ourselves

if ! command -v "$PYTHON" >/dev/null 2>&1; then
    echo "ensure_deps: $PYTHON not found: install python3 (apt-get install python3) or set PYTHON=" >&2
    exit 1
fi

# Is $PYTHON the Debian system interpreter (its packages come from apt)?
py_prefix=$("$PYTHON" -c 'import sys; print(sys.base_prefix)')
py_in_venv=$("$PYTHON" -c 'import sys; print(int(sys.prefix != sys.base_prefix))')
system_python=0
[ "$py_prefix" = "/usr" ] && [ "$py_in_venv" = 0 ] && system_python=1

# C compiler
if ! command -v "${CC:-cc}" >/dev/null 2>&1 && ! command -v gcc >/dev/null 2>&1; then
    apt_pkgs+=(gcc)
fi

# libpq headers via pg_config
pg_config=${PG_CONFIG:-$(command -v pg_config || true)}
if [ -z "$pg_config" ] || [ ! -x "$pg_config" ]; then
    apt_pkgs+=(libpq-dev)
elif [ ! -f "$("$pg_config" --includedir)/libpq-fe.h" ]; then
    apt_pkgs+=(libpq-dev)
fi

# Python.h
py_include=$("$PYTHON" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
if [ ! -f "$py_include/Python.h" ]; then
    if [ "$system_python" = 1 ]; then
        apt_pkgs+=(python3-dev)
    else
        manual+=("Python.h for $PYTHON (expected in $py_include): reinstall that Python with its headers, or use PYTHON=/usr/bin/python3 with python3-dev")
    fi
fi

# the venv module (with ensurepip), for the project virtualenv
if ! "$PYTHON" -c 'import venv, ensurepip' >/dev/null 2>&1; then
    if [ "$system_python" = 1 ]; then
        apt_pkgs+=(python3-venv)
    else
        manual+=("the venv module of $PYTHON (python -m venv): reinstall that Python with it")
    fi
fi

# PostgreSQL server binaries, for the throwaway test cluster
need_server=1
if [ -n "${PSYCOPG2_TESTDSN:-}" ] || env | grep -q '^PSYCOPG2_TESTDB'; then
    need_server=0
fi
if [ "$need_server" = 1 ]; then
    have_initdb=0
    if [ -n "${PG_BINDIR:-}" ] && [ -x "$PG_BINDIR/initdb" ]; then have_initdb=1; fi
    if [ -n "$pg_config" ] && [ -x "$pg_config" ] && [ -x "$("$pg_config" --bindir)/initdb" ]; then have_initdb=1; fi
    if compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then have_initdb=1; fi
    if command -v initdb >/dev/null 2>&1; then have_initdb=1; fi
    [ "$have_initdb" = 0 ] && apt_pkgs+=(postgresql)
fi

if [ ${#manual[@]} -gt 0 ]; then
    for m in "${manual[@]}"; do echo "ensure_deps: missing $m" >&2; done
    exit 1
fi
if [ ${#apt_pkgs[@]} -eq 0 ]; then
    exit 0
fi

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "ensure_deps: installing ${apt_pkgs[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${apt_pkgs[@]}"
    exit 0
fi

echo "ensure_deps: missing build/test dependencies; please install:" >&2
if [ ${#apt_pkgs[@]} -gt 0 ]; then
    echo "    sudo apt-get install ${apt_pkgs[*]}" >&2
fi
exit 1
