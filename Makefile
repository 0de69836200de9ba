# psycopg2, rebuilt -- developer entry points.
#
#   make          build the extension in place (lib/_psycopg*.so) and link
#                 build/lib-inplace/psycopg2 -> ../../lib for the tests
#   make check    install what is missing, build, run the test suite with
#                 $(PYTHON), then build-and-import on every other CPython
#                 3.9+ found under pyenv
#   make check-asan  build with ASan+UBSan into build/asan, run the suite
#                 against it (scripts/sanitize.sh)
#   make fuzz     build the libFuzzer targets (tests/fuzz/), run each for
#                 FUZZ_SECONDS (default 60; make check runs them 5 s each)
#   make valgrind memcheck over scripts/valgrind_workload.py (scripts/valgrind.sh)
#   make demo     install what is missing, build, run examples/tour.py
#   make docs     build the documentation (doc/) into build/docs/html
#   make dist-check  build sdist and wheel, install each in a fresh venv, smoke test
#   make bench    install what is missing, build, run the side-by-side
#                 benchmark (bench/run.py, BENCH.md; ~5 min, peers from PyPI
#                 into .venv-peers/ on the first run); bench-quick: 0.2 s smoke
#   make clean    remove build outputs

PYTHON ?= python3
PYTEST_ARGS ?=
INPLACE = build/lib-inplace

.PHONY: all build deps check test smoke demo bench bench-quick docs dist-check clean

all: build

build:
	$(PYTHON) setup.py build_ext --inplace
	@mkdir -p $(INPLACE) && ln -sfn ../../lib $(INPLACE)/psycopg2

deps:
	@PYTHON="$(PYTHON)" scripts/ensure_deps.sh
	@PYTHON="$(PYTHON)" scripts/ensure_integration_deps.sh

# Sub-makes keep the order deps -> build -> test -> smoke even under make -j.
check:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory build
	@$(MAKE) --no-print-directory test
	@$(MAKE) --no-print-directory smoke
	@$(MAKE) --no-print-directory check-asan ASAN_PYTEST_ARGS='-m "not slow"'
	@$(MAKE) --no-print-directory fuzz-smoke

# The whole suite again, against the extension built with AddressSanitizer
# and UndefinedBehaviorSanitizer (build/asan; lib/ is not touched).
# make check runs it without the tests marked slow (leak loops, 100 MB
# values, fail-over) to stay within CI's time.
ASAN_PYTEST_ARGS ?=
check-asan:
	@PYTHON="$(PYTHON)" scripts/sanitize.sh test -q $(ASAN_PYTEST_ARGS) $(PYTEST_ARGS)

# pytest exits with 5 when it collects no tests: make fails on it like any
# other non-zero status.
test:
	@$(PYTHON) -m pytest $(PYTEST_ARGS); rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests: FAILED" >&2; fi; \
	  exit $$rc

smoke:
	@PYTHON="$(PYTHON)" scripts/smoke_pythons.sh

# libFuzzer targets for the C parsers and formatters (scripts/fuzz.sh).
FUZZ_SECONDS ?= 60
fuzz: build
	@PYTHON="$(PYTHON)" FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh

fuzz-smoke: build
	@PYTHON="$(PYTHON)" FUZZ_SECONDS=5 scripts/fuzz.sh

# valgrind memcheck on a representative workload: fails on any error or
# definite leak in our code.
valgrind: build
	@PYTHON="$(PYTHON)" scripts/valgrind.sh

demo:
	@PYTHON="$(PYTHON)" scripts/ensure_deps.sh --no-pytest
	@$(MAKE) --no-print-directory build
	@PYTHON="$(PYTHON)" scripts/demo.sh

bench:
	@PYTHON="$(PYTHON)" scripts/ensure_deps.sh --no-pytest
	@$(MAKE) --no-print-directory build
	$(PYTHON) bench/run.py $(BENCH_ARGS)

bench-quick:
	@PYTHON="$(PYTHON)" scripts/ensure_deps.sh --no-pytest
	@$(MAKE) --no-print-directory build
	$(PYTHON) bench/run.py --quick $(BENCH_ARGS)

# Sphinx HTML into build/docs/html; warnings are errors.
docs:
	@PYTHON="$(PYTHON)" scripts/ensure_integration_deps.sh --docs
	@$(MAKE) --no-print-directory build
	$(PYTHON) -m sphinx -W --keep-going -q -b html doc build/docs/html

# sdist + wheel with `python -m build`, each installed in a fresh venv and
# smoke-tested (scripts/check_dist.sh).
dist-check:
	@PYTHON="$(PYTHON)" scripts/check_dist.sh

clean:
	rm -rf build dist .eggs *.egg-info lib/*.egg-info .pytest_cache
	rm -f lib/_psycopg*.so
	find . -name __pycache__ -type d -prune -not -path './.git/*' -exec rm -rf {} +
