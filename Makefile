# Two commands for a new user: `make run` and `make test`. Everything else is a helper of those.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.run-installed
TEST_STAMP := $(VENV)/.test-installed
PYTEST_ARGS ?=

.PHONY: run test lint typecheck migrations-check pytest browser wrk clean messages screenshots bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@ $(RUN_STAMP)

run: $(RUN_STAMP)
	$(BIN)/billing-center migrate --noinput
	$(BIN)/billing-center demo
	$(BIN)/billing-center serve

# Debian's Chromium drives the browser journeys; a browser is never downloaded by a test tool.
browser:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  echo "Installing Debian's chromium for the browser tests"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

# ruff, the import layers (pyproject's [tool.importlinter]) and mypy --strict.
lint: $(TEST_STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports
	$(BIN)/mypy

typecheck: $(TEST_STAMP)
	$(BIN)/mypy

migrations-check: $(TEST_STAMP)
	DATA_DIR=$$(mktemp -d) $(BIN)/billing-center manage makemigrations --check --dry-run

pytest: $(TEST_STAMP) browser
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

test: lint migrations-check pytest

# Regenerate docs/screenshots/ (main pages, 390 and 1280 px, English and Chinese) in headless Chromium.
screenshots: $(TEST_STAMP) browser
	$(BIN)/pytest -q tests/e2e/screenshots.py

# Debian's wrk is the benchmark's load generator; installed like chromium above when missing.
wrk:
	@command -v wrk >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  echo "Installing Debian's wrk for the benchmark"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk >/dev/null; }

# The hot-endpoint benchmark: both deployments (embedded SQLite; PostgreSQL + Redis), one table each, with
# wrk (installed by the wrk target). BENCH_ARGS e.g. "--configs embedded --contracts 100000 --seconds 3".
BENCH_ARGS ?=
bench: $(RUN_STAMP) wrk
	$(BIN)/python bench/hot_endpoints_bench.py $(BENCH_ARGS)

# Rebuild the compiled translation catalogs (needs gettext's msgfmt; the .mo files are committed).
messages: $(TEST_STAMP)
	cd src/billing_center && ../../$(BIN)/billing-center manage makemessages -l zh_Hans --no-obsolete && ../../$(BIN)/billing-center manage compilemessages

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
