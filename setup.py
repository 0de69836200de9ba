"""Build script for psycopg2, rebuilt.

The C extension ``psycopg2._psycopg`` is compiled from every ``psycopg/*.c``
file (adding a source file needs no edit here) and linked against libpq,
which is located with ``pg_config``:

* ``pg_config`` found on ``PATH``, or
* the ``PG_CONFIG`` environment variable, or
* ``python setup.py build_ext --pg-config /path/to/pg_config``.

Debug logging (``Dprintf``) is compiled in with
``python setup.py build_ext --define PSYCOPG_DEBUG`` or with the environment
variable ``PSYCOPG_DEBUG_BUILD=1``.

Missing build prerequisites (pg_config, libpq-fe.h, Python.h) stop the build
before the compiler runs, with one line naming the package to install.
"""

import os
import re
import shutil
import subprocess
import sys
import sysconfig
from glob import glob

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

VERSION = "2.10.0.dev0"

# The distribution name. The same sources also build as "psycopg2-binary"
# (PSYCOPG2_DIST_NAME=psycopg2-binary, what `make wheel` does for the
# self-contained wheel), so that requirements naming that distribution can
# take this one; the import name is psycopg2 either way, and the sdist is
# always "psycopg2".
DIST_NAMES = ("psycopg2", "psycopg2-binary")
DIST_NAME = os.environ.get("PSYCOPG2_DIST_NAME") or "psycopg2"

HERE = os.path.dirname(os.path.abspath(__file__))
# Paths below are relative to the source tree.
os.chdir(HERE)

WARNING_FLAGS = [
    "-Wall",
    "-Wextra",
    "-Wno-unused-parameter",
    "-Wno-missing-field-initializers",
]

# Stricter warnings, for the project's own builds only: PSYCOPG_WARNINGS=strict
# adds them (`make build`), PSYCOPG_WARNINGS=error also makes every warning an
# error (`make lint`, so `make check`). A user building the sdist gets only
# WARNING_FLAGS: an older compiler may not know these.
STRICT_WARNING_FLAGS = [
    "-Wshadow",
    "-Wformat=2",
    # the fixed FETCH/MOVE templates of named cursors are passed as arguments
    "-Wno-format-nonliteral",
    "-Wstrict-prototypes",
    "-Wold-style-definition",
    "-Wmissing-prototypes",
    "-Wmissing-declarations",
    "-Wnested-externs",
    "-Wpointer-arith",
    "-Wvla",
    "-Wimplicit-fallthrough",
    "-Wundef",
    "-Wunused-macros",
    # gcc only; clang ignores them with the next flag (gcc ignores that one)
    "-Wjump-misses-init",  # a goto exit over an initialisation
    "-Wlogical-op",
    "-Wduplicated-cond",
    "-Wduplicated-branches",
    "-Wno-unknown-warning-option",
]


def warning_flags(mode):
    """The compiler's warning flags for PSYCOPG_WARNINGS=*mode*."""
    if mode in ("", "default"):
        return list(WARNING_FLAGS)
    if mode == "strict":
        return WARNING_FLAGS + STRICT_WARNING_FLAGS
    if mode == "error":
        return WARNING_FLAGS + STRICT_WARNING_FLAGS + ["-Werror"]
    raise BuildError("PSYCOPG_WARNINGS must be default, strict or error, not %r" % mode)


class BuildError(SystemExit):
    """A missing prerequisite: reported as one line, then exit status 1."""

    def __init__(self, message):
        super().__init__("error: " + message)


def _find_pg_config(option_value):
    """Return the path of the pg_config to use, or raise BuildError."""
    candidate = option_value or os.environ.get("PG_CONFIG")
    if candidate:
        path = shutil.which(candidate) if os.path.sep not in candidate else candidate
        if not path or not os.access(path, os.X_OK):
            raise BuildError(
                "pg_config not found or not executable at %r "
                "(from --pg-config or PG_CONFIG)" % candidate
            )
        return path
    path = shutil.which("pg_config")
    if not path:
        raise BuildError(
            "pg_config not found: install libpq-dev "
            "(apt-get install libpq-dev), or set PG_CONFIG=/path/to/pg_config"
        )
    return path


def _pg_config(pg_config, option):
    try:
        out = subprocess.check_output([pg_config, option], stderr=subprocess.PIPE)
    except (OSError, subprocess.CalledProcessError) as ex:
        raise BuildError("running %s %s failed: %s" % (pg_config, option, ex)) from ex
    return out.decode("utf-8", "replace").strip()


def parse_pg_version(text):
    """Turn 'PostgreSQL 15.5 (Debian ...)' into 150005 (PG_VERSION_NUM style).

    Handles 9.x three-part versions (9.6.3 -> 90603) and development
    versions such as '17devel', '17beta2' or '16rc1' (-> 170000).
    """
    m = re.search(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?", text)
    if not m:
        raise BuildError("cannot parse the PostgreSQL version from %r" % text)
    major = int(m.group(1))
    minor = int(m.group(2) or 0)
    patch = int(m.group(3) or 0)
    if major >= 10:
        return major * 10000 + minor
    return major * 10000 + minor * 100 + patch


def check_python_headers():
    include = sysconfig.get_paths().get("include") or sysconfig.get_config_var(
        "INCLUDEPY"
    )
    if not include or not os.path.exists(os.path.join(include, "Python.h")):
        raise BuildError(
            "Python.h not found in %s: install python3-dev "
            "(apt-get install python3-dev) for %s" % (include, sys.executable)
        )


class psycopg_build_ext(build_ext):
    user_options = build_ext.user_options + [
        ("pg-config=", None, "path of the pg_config program to locate libpq"),
    ]

    def initialize_options(self):
        super().initialize_options()
        self.pg_config = None

    def finalize_options(self):
        super().finalize_options()
        # --define may already hold macros parsed by distutils: a list of
        # (name, value) tuples.
        if self.define is None:
            self.define = []
        if os.environ.get("PSYCOPG_DEBUG_BUILD", "") not in ("", "0"):
            if not any(name == "PSYCOPG_DEBUG" for name, _ in self.define):
                self.define.append(("PSYCOPG_DEBUG", None))

    def _configure(self):
        """Check the prerequisites and fill in the libpq details."""
        check_python_headers()
        pg_config = _find_pg_config(self.pg_config)
        includedir = _pg_config(pg_config, "--includedir")
        libdir = _pg_config(pg_config, "--libdir")
        version = _pg_config(pg_config, "--version")
        if not os.path.exists(os.path.join(includedir, "libpq-fe.h")):
            raise BuildError(
                "libpq-fe.h not found in %s: install libpq-dev "
                "(apt-get install libpq-dev)" % includedir
            )
        version_num = parse_pg_version(version)
        for ext in self.extensions:
            ext.include_dirs.append(includedir)
            ext.library_dirs.append(libdir)
            if "pq" not in ext.libraries:
                ext.libraries.append("pq")
            ext.define_macros.append(("PG_VERSION_NUM", str(version_num)))

    def run(self):
        self._configure()
        super().run()

    def build_extensions(self):
        # distutils compiles the sources of one extension one after the
        # other; compile them in parallel (-j N / --parallel N, default: all
        # CPUs). The compiler is a subprocess, so threads are enough.
        jobs = self.parallel
        if jobs is True or not jobs:
            jobs = os.cpu_count() or 1
        serial_compile = self.compiler.compile

        def compile(sources, *args, **kwargs):
            if jobs <= 1 or len(sources) <= 1:
                return serial_compile(sources, *args, **kwargs)
            from multiprocessing.pool import ThreadPool

            with ThreadPool(min(jobs, len(sources))) as pool:
                per_source = pool.map(
                    lambda src: serial_compile([src], *args, **kwargs), sources
                )
            return [obj for objs in per_source for obj in objs]

        self.compiler.compile = compile
        super().build_extensions()


def psycopg_sources():
    # Relative paths (setuptools wants them), sorted: a new psycopg/*.c
    # file is picked up by itself.
    return sorted(glob(os.path.join("psycopg", "*.c")))


ext = Extension(
    "psycopg2._psycopg",
    sources=psycopg_sources(),
    include_dirs=["psycopg"],
    define_macros=[("PSYCOPG_VERSION", '"%s"' % VERSION)],
    depends=sorted(glob(os.path.join("psycopg", "*.h"))),
    extra_compile_args=warning_flags(os.environ.get("PSYCOPG_WARNINGS", "")),
)

if DIST_NAME not in DIST_NAMES:
    raise BuildError("PSYCOPG2_DIST_NAME must be one of %s, not %r"
                     % (", ".join(DIST_NAMES), DIST_NAME))
if DIST_NAME != "psycopg2" and "sdist" in sys.argv:
    raise BuildError("the source distribution is always named psycopg2: "
                     "unset PSYCOPG2_DIST_NAME")

setup(
    name=DIST_NAME,
    version=VERSION,
    packages=["psycopg2"],
    package_dir={"psycopg2": "lib"},
    package_data={"psycopg2": ["py.typed", "*.pyi"]},
    ext_modules=[ext],
    cmdclass={"build_ext": psycopg_build_ext},
)
