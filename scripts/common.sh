# Shell functions shared by the scripts of this folder; not run by itself.
#
#   . "$(dirname "$0")/common.sh"
#
# Each function says what it needs; only enter_root changes directory.

# enter_root: cd to the repository root and set ROOT to it, and PYTHON
# (default python3). A relative $PYTHON (.venv/bin/python) is made absolute
# first, so that it still names the same file after the cd.
enter_root() {
    case ${PYTHON:-} in
        */*) PYTHON=$(cd "$(dirname "$PYTHON")" && pwd)/$(basename "$PYTHON") ;;
    esac
    PYTHON=${PYTHON:-python3}
    cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
    ROOT=$PWD
}

# need_modules WHO MODULE...: exit 2, naming the first module that $PYTHON
# cannot import, with the way to get it (the project venv).
need_modules() {
    local who=$1 mod
    shift
    for mod in "$@"; do
        "$PYTHON" -c "import $mod" 2>/dev/null || {
            echo "$who: $PYTHON has no '$mod' module: run 'make venv' and use .venv/bin/python" >&2
            exit 2; }
    done
}

# other_pythons: one line "X.Y /path/to/python3" for each CPython >= 3.9
# under pyenv ($PYENV_ROOT, default ~/.pyenv) other than $PYTHON's version,
# one per minor version (the newest patch release wins), sorted.
other_pythons() {
    local root=${PYENV_ROOT:-$HOME/.pyenv} default_ver py ver
    local -A pick=()
    default_ver=$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
    for py in "$root"/versions/3.*/bin/python3; do
        [ -x "$py" ] || continue
        ver=$("$py" -c 'import sys, platform
if platform.python_implementation() == "CPython" and sys.version_info >= (3, 9):
    print("%d.%d" % sys.version_info[:2])' 2>/dev/null) || continue
        [ -n "$ver" ] && [ "$ver" != "$default_ver" ] || continue
        pick[$ver]=$py
    done
    for ver in $(printf '%s\n' "${!pick[@]}" | sort -V); do
        echo "$ver ${pick[$ver]}"
    done
}

# suite_sdist DIST VERSION DIR: unpack the sdist of DIST==VERSION from PyPI
# into DIR/DIST-VERSION (once: kept for the next run) and print that path.
# The tarball's own name may differ in case (Django-4.2.tar.gz).
suite_sdist() {
    local dist=$1 ver=$2 dir=$3 src=$3/$1-$2 tarball
    if [ ! -f "$src/.unpacked" ]; then
        "$PYTHON" -m pip download -q --no-deps --no-binary "$dist" -d "$dir" "$dist==$ver" >&2 ||
            return 1
        tarball=$(find "$dir" -maxdepth 1 -iname "$dist-$ver.tar.gz" | head -n 1)
        [ -n "$tarball" ] || { echo "no $dist-$ver.tar.gz in $dir" >&2; return 1; }
        rm -rf "$src" "$dir/.unpack" && mkdir -p "$dir/.unpack" &&
            tar -xzf "$tarball" -C "$dir/.unpack" &&
            mv "$dir/.unpack"/* "$src" && rmdir "$dir/.unpack" || return 1
        touch "$src/.unpacked"
    fi
    echo "$src"
}

# with_test_server FUNCTION ARG...: run the shell FUNCTION with the test
# server in PSYCOPG2_TESTDSN: the one given, else a throwaway cluster
# (scripts/cluster.py) for the call. Variables the function reads must be
# exported by the caller. Returns the function's status.
with_test_server() {
    if [ -n "${PSYCOPG2_TESTDSN:-}" ]; then
        "$@"
    else
        export -f "$1"
        "$PYTHON" "$(dirname "${BASH_SOURCE[0]}")/cluster.py" run -- \
            bash -c '"$@"' _ "$@"
    fi
}
