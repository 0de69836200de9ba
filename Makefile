# psycopg2, rebuilt -- developer entry points.
#
#   make          build the extension in place (lib/_psycopg*.so) and link
#                 build/lib-inplace/psycopg2 -> ../../lib for the tests, with
#                 the strict C warnings of setup.py (PSYCOPG_WARNINGS=strict)
#   make lint     ruff over the Python files, and the C sources built with
#                 the strict warnings as errors into build/lint (scripts/lint.sh)
#   make check    what CI runs (scripts/check.sh): install missing system
#                 packages (apt), create .venv/ from $(PYTHON) with the
#                 packages pinned in tests/requirements.txt, lint, build, run
#                 the suite in .venv/, build-and-import on every other CPython
#                 3.9+ under pyenv, the suite under ASan, fuzz smoke.
#                 Nothing is installed into $(PYTHON) itself. ~7 min.
#   make venv     create or update .venv/ only (tests/requirements.txt)
#   make check-asan  build with ASan+UBSan into build/asan, run the suite
#                 against it (scripts/sanitize.sh)
#   make fuzz     build the libFuzzer targets (tests/fuzz/), run each for
#                 FUZZ_SECONDS (default 60; make check runs them 5 s each)
#   make valgrind memcheck over scripts/valgrind_workload.py (scripts/valgrind.sh)
#   make demo     install what is missing, build in .venv/, run examples/tour.py
#   make docs     build the documentation (doc/) into build/docs/html
#   make wheel    self-contained binary wheels (libpq bundled by auditwheel)
#                 named psycopg2 and psycopg2-binary, into dist/
#   make dist-check  build the sdist and both wheels, install each in a fresh
#                 venv, smoke test, check that the wheels load their own libpq
#   make bench    install what is missing, build, run the side-by-side
#                 benchmark (bench/run.py, BENCH.md; ~5 min, peers from PyPI
#                 into .venv-peers/ on the first run); bench-quick: 0.2 s smoke
#   make clean    remove build outputs

# PYTHON is the interpreter to build and test with. make check, demo, docs
# and dist-check only use it to create the project virtualenv $(VENV) and
# then run everything with $(VPY); nothing is pip-installed into PYTHON.
PYTHON ?= python3
VENV ?= .venv
VPY = $(VENV)/bin/python
PYTEST_ARGS ?=
INPLACE = build/lib-inplace

.PHONY: all build deps venv check lint test smoke demo bench bench-quick docs wheel dist-check clean

all: build

# Developers' builds warn about more than a user's build of the sdist
# (setup.py's STRICT_WARNING_FLAGS); PSYCOPG_WARNINGS=default turns that off.
PSYCOPG_WARNINGS ?= strict
build:
	PSYCOPG_WARNINGS=$(PSYCOPG_WARNINGS) $(PYTHON) setup.py build_ext --inplace
	@mkdir -p $(INPLACE) && ln -sfn ../../lib $(INPLACE)/psycopg2

# System packages from apt when missing, then the project virtualenv.
deps:
	@PYTHON="$(PYTHON)" scripts/ensure_deps.sh
	@PYTHON="$(PYTHON)" VENV="$(VENV)" scripts/ensure_venv.sh >/dev/null
	@PYTHON="$(PYTHON)" scripts/ensure_peers.sh

venv:
	@PYTHON="$(PYTHON)" VENV="$(VENV)" scripts/ensure_venv.sh >/dev/null

# deps -> lint -> build -> test -> smoke -> check-asan -> fuzz-smoke, in that order,
# stopping at the first failure and naming it (and the failing tests).
check:
	@MAKE="$(MAKE)" PYTHON="$(PYTHON)" VENV="$(VENV)" scripts/check.sh

# The whole suite again, against the extension built with AddressSanitizer
# and UndefinedBehaviorSanitizer (build/asan; lib/ is not touched).
# make check runs it without the tests marked slow (leak loops, 100 MB
# values, fail-over) to stay within CI's time.
ASAN_PYTEST_ARGS ?=
check-asan:
	@PYTHON="$(PYTHON)" scripts/sanitize.sh test -q $(ASAN_PYTEST_ARGS) $(PYTEST_ARGS)

# ruff, and the C sources with the strict warnings as errors: fails on any
# finding.
lint: venv
	@PYTHON="$(VPY)" scripts/lint.sh

# pytest exits with 5 when it collects no tests: make fails on it like any
# other non-zero status.
# The suite, in the project virtualenv.
test: venv
	@$(VPY) -m pytest $(PYTEST_ARGS); rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests: FAILED" >&2; fi; \
	  exit $$rc

smoke:
	@PYTHON="$(PYTHON)" scripts/smoke_pythons.sh

# libFuzzer targets for the C parsers and formatters (scripts/fuzz.sh).
FUZZ_SECONDS ?= 60
fuzz: build
	@PYTHON="$(PYTHON)" FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh
	@PSYCOPG_STRESS_ITERATIONS=60 $(PYTHON) -m pytest -q -p no:cacheprovider tests/test_reentrancy_stress.py

fuzz-smoke: build
	@PYTHON="$(PYTHON)" FUZZ_SECONDS=5 scripts/fuzz.sh

# valgrind memcheck on a representative workload: fails on any error or
# definite leak in our code.
valgrind: build
	@PYTHON="$(PYTHON)" scripts/valgrind.sh

demo:
	@PYTHON="$(PYTHON)" scripts/ensure_deps.sh
	@PYTHON="$(PYTHON)" VENV="$(VENV)" scripts/ensure_venv.sh --minimal >/dev/null
	@$(MAKE) --no-print-directory build PYTHON="$(VPY)"
	@PYTHON="$(VPY)" scripts/demo.sh

bench:
	@PYTHON="$(PYTHON)" scripts/ensure_deps.sh
	@$(MAKE) --no-print-directory build
	$(PYTHON) bench/run.py $(BENCH_ARGS)

bench-quick:
	@PYTHON="$(PYTHON)" scripts/ensure_deps.sh
	@$(MAKE) --no-print-directory build
	$(PYTHON) bench/run.py --quick $(BENCH_ARGS)

# Sphinx HTML into build/docs/html; warnings are errors.
docs:
	@PYTHON="$(PYTHON)" VENV="$(VENV)" scripts/ensure_venv.sh >/dev/null
	@$(MAKE) --no-print-directory build PYTHON="$(VPY)"
	$(VPY) -m sphinx -W --keep-going -q -b html doc build/docs/html

# Binary wheels like psycopg2-binary (scripts/build_wheel.sh); WHEEL_NAMES
# picks psycopg2 and/or psycopg2-binary (default both).
WHEEL_NAMES ?= psycopg2 psycopg2-binary
wheel:
	@PYTHON="$(PYTHON)" VENV="$(VENV)" scripts/ensure_venv.sh >/dev/null
	@PYTHON="$(VPY)" scripts/build_wheel.sh $(WHEEL_NAMES)

# The sdist and both wheels, each installed in a fresh venv and smoke-tested
# (scripts/check_dist.sh).
dist-check:
	@PYTHON="$(PYTHON)" VENV="$(VENV)" scripts/ensure_venv.sh >/dev/null
	@PYTHON="$(VPY)" scripts/check_dist.sh

clean:
	rm -rf build dist .eggs *.egg-info lib/*.egg-info .pytest_cache .ruff_cache
	rm -f lib/_psycopg*.so
	find . -name __pycache__ -type d -prune -not -path './.git/*' -exec rm -rf {} +
