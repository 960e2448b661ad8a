# Two commands matter: `make serve` and `make test`. Both set up what they need on a
# fresh machine: a .venv (Python 3.12+), the npm packages, and (for tests) Debian's
# Chromium, Firefox ESR and WebKitGTK.

SHELL := /bin/bash
.DEFAULT_GOAL := help

# First Python 3.12+ found (pyenv reads .python-version in this folder).
PYTHON ?= $(shell for c in python3.12 python3.13 python3; do \
	p=$$(command -v $$c 2>/dev/null) && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null \
	&& { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin

# Python caches compiled modules (__pycache__, ignored by git) as it does by default;
# an environment that turns this off (PYTHONDONTWRITEBYTECODE, as this machine's does)
# would make every build, test process and benchmark compile the plugin and the lab
# afresh, about a quarter of a second each time.
export PYTHONDONTWRITEBYTECODE :=
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help setup serve site test lint typecheck check pytest chromium browsers clean constraints bench

help:
	@echo "make serve   set up, then serve the site at http://$(HOST):$(PORT) with live reload"
	@echo "make test    set up, then run every check: lint, types, unit, claims, site, browser"
	@echo "make site    strict build into site/"
	@echo "make bench   benchmarks, written to bench/results/"

$(BIN)/.installed: pyproject.toml constraints.txt
	@test -n "$(PYTHON)" || { echo "Python 3.12 or newer is needed (see .python-version)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev,bench]'
	@touch $@

# The browser code (ES modules) that `npm run build` bundles: a change rebuilds them.
FRONTEND := $(shell find tools/sima/frontend -name '*.mjs')

node_modules/.installed: package.json package-lock.json $(FRONTEND)
	npm ci --no-audit --no-fund --loglevel=error
	npm run --silent build
	@touch $@

setup: $(BIN)/.installed node_modules/.installed

# Debian's Chromium for the browser tests (Playwright cannot download browsers here).
chromium:
	@command -v chromium >/dev/null || { \
		echo "installing Debian chromium (about a minute)"; \
		$$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$( [ "$$(id -u)" = 0 ] || echo sudo ) \
			apt-get install -y -qq chromium chromium-driver >/dev/null; }

# The other engines readers use, for tests/browser/test_engines.py: Firefox ESR
# (puppeteer-core drives it) and WebKitGTK's MiniBrowser with its WebDriver (selenium
# drives it, on an Xvfb display the tests start). Each only if missing.
browsers: chromium
	@missing=""; \
	command -v firefox-esr >/dev/null || missing="$$missing firefox-esr"; \
	command -v WebKitWebDriver >/dev/null || missing="$$missing webkit2gtk-driver"; \
	command -v Xvfb >/dev/null || missing="$$missing xvfb"; \
	test -z "$$missing" || { \
		echo "installing Debian$$missing (a few minutes)"; \
		$$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$( [ "$$(id -u)" = 0 ] || echo sudo ) \
			apt-get install -y -qq $$missing >/dev/null; }

serve: setup
	NO_MKDOCS_2_WARNING=1 SIMA_SITE_URL=http://$(HOST):$(PORT)/ $(BIN)/mkdocs serve --dirty --dev-addr $(HOST):$(PORT) --livereload

site: setup
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir site

# Scenario files are linted and type-checked too; the snippets themselves are not
# (they show the mistakes the lessons are about). mypy takes one scenarios.py at a
# time: every folder's is a module named `scenarios`.
SCENARIOS := $(wildcard snippets/*/scenarios.py)

# ESLint (eslint.config.mjs) over every .js and .mjs under tools/ and tests/browser/.
lint: setup
	$(BIN)/ruff check tools tests $(SCENARIOS)
	$(BIN)/ruff format --check tools tests $(SCENARIOS)
	npx --no-install eslint --max-warnings=0 eslint.config.mjs tools tests/browser

typecheck: setup
	$(BIN)/mypy
	@for f in $(SCENARIOS); do $(BIN)/mypy --no-error-summary "$$f" || exit 1; done

# sima verify --mutants: every claim holds, and rejects every broken variant of its
# snippet (see sima_lab.mutants).
check: setup
	$(BIN)/sima check
	$(BIN)/sima verify --mutants

# Unit tests, every snippet claim, strict builds of the real site and of bad inputs,
# and the browser tests (which need the browsers); then the site tests under ProperDocs.
# In WORKERS processes (pytest-xdist), each given whole test files so that a file's
# fixtures are set up once; the real site is built once for all of them. WORKERS=0
# runs everything in one process.
WORKERS ?= 2
XDIST = $(if $(filter 0,$(WORKERS)),-p no:xdist,-n $(WORKERS) --dist loadfile)

pytest: setup browsers
	NO_MKDOCS_2_WARNING=1 $(BIN)/pytest $(XDIST)
	@echo "The site tests again, built by ProperDocs (the maintained continuation of MkDocs 1.x):"
	SIMA_GENERATOR=properdocs NO_MKDOCS_2_WARNING=1 $(BIN)/pytest $(XDIST) tests/test_site.py tests/test_generators.py

test: lint typecheck check pytest

# Benchmarks (not part of test): results as JSON under bench/results/, and a table;
# docs/benchmarks.md shows them. About 40 minutes here, most of it the plain 5,000-page
# build (a full sidebar on every page grows with the square of the page count).
bench: setup chromium
	$(BIN)/python -m sima_bench.first_verdict --runs 5
	$(BIN)/python -m sima_bench.search --runs 5
	$(BIN)/python -m sima_bench.claims --runs 5
	$(BIN)/python -m sima_bench.serve --size 1000 --runs 3
	$(BIN)/python -m sima_bench.build --sizes 100 1000 5000 --runs 3 --profile 5000

constraints:
	$(BIN)/python -m pip freeze --exclude-editable > constraints.txt

clean:
	rm -rf site .pytest_cache .mypy_cache .ruff_cache
