# Panjereh: every setup step is a make target; `make run` and `make test` do all of it.
# Settings come from the environment and pass through to every command
# (ES_URL, ES_PORT, ES_HEAP, HOST, PORT, PANJEREH_INDEX, ...; see README).
#   make run                      fetch + start Elasticsearch, install, index, serve on 127.0.0.1:8000
#   make test PYTEST_ARGS='-k x'  the test suite
#   ES_URL=http://es:9200 make run   use an existing cluster; start none

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ES := scripts/es.sh
PYTEST_ARGS ?=
ARGS ?=
# Running as root (CI, the dev machines) lets missing system packages be installed with apt-get.
IS_ROOT := $(shell [ "$$(id -u)" = 0 ] && echo yes)
APT_GET := DEBIAN_FRONTEND=noninteractive apt-get

.PHONY: help install es-fetch es-start es-stop es-status index reindex status check-data \
	organizations run fonts test browser-deps bench-deps eval bench chaos report clean distclean

help: ## list the targets
	@echo "Panjereh make targets (settings via environment: ES_URL, ES_PORT, HOST, PORT, PYTEST_ARGS, ...):"
	@awk 'BEGIN {FS = ":.*## "} /^[a-z][a-zA-Z_-]*:.*## / {printf "  %-14s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

install: $(STAMP) ## create .venv and install the project with its dev extras

$(STAMP): pyproject.toml
	@if ! $(PY) -c 'import ensurepip, venv' 2>/dev/null; then \
	  if [ "$(IS_ROOT)" = yes ]; then \
	    echo "installing python3-venv (needed to create $(VENV))"; \
	    $(APT_GET) update -qq && $(APT_GET) install -y -qq python3-venv; \
	  else \
	    echo "$(PY) cannot create a virtualenv: install python3-venv (apt-get install python3-venv)" >&2; exit 1; \
	  fi; \
	fi
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	@# setuptools warns on every editable install that local folders shadow the package: expected here.
	PYTHONWARNINGS=ignore::UserWarning $(BIN)/pip install -q -e '.[dev]'
	touch $@

es-fetch: ## download Elasticsearch from Maven Central into .cache/ (once)
	$(ES) fetch

es-start: ## start a local single-node Elasticsearch on 127.0.0.1:$ES_PORT (none if ES_URL is set)
	$(ES) start

es-stop: ## stop the Elasticsearch node that es-start started
	$(ES) stop

es-status: ## say whether Elasticsearch runs, and its health
	$(ES) status || true

index: install es-start ## load data/ into a new index and swap the alias to it
	$(BIN)/python -m indexer load

reindex: index ## rebuild the index with zero downtime (same as index: new index, alias swap)

status: install ## the index behind the alias, its document count and health
	$(BIN)/python -m indexer status

check-data: install ## validate data/ without touching Elasticsearch
	$(BIN)/python -m indexer check

organizations: install ## regenerate data/organizations.json
	$(BIN)/python scripts/make_organizations.py

run: install fonts es-start index ## serve the search app on http://$HOST:$PORT (default 127.0.0.1:8000)
	$(BIN)/python -m search_app

fonts: ## fetch the Vazirmatn web fonts into search_app/static/fonts/ (optional; once)
	@if [ -f scripts/fonts.sh ]; then \
	  bash scripts/fonts.sh || echo "fonts not fetched: the pages fall back to system fonts"; \
	fi

browser-deps: ## install Chromium for the browser tests (apt, when missing and root)
	@if [ -x /usr/bin/chromium ]; then \
	  :; \
	elif [ "$(IS_ROOT)" = yes ]; then \
	  echo "installing chromium for the browser tests (apt-get)"; \
	  $(APT_GET) update -qq && $(APT_GET) install -y -qq chromium >/dev/null; \
	else \
	  echo "/usr/bin/chromium is missing and this is not root: install it (apt-get install chromium) or the browser tests will be skipped"; \
	fi

bench-deps: ## install wrk, the load generator of `make bench` (apt, when missing and root)
	@if command -v wrk >/dev/null; then \
	  :; \
	elif [ "$(IS_ROOT)" = yes ]; then \
	  echo "installing wrk for the benchmark (apt-get)"; \
	  $(APT_GET) update -qq && $(APT_GET) install -y -qq wrk >/dev/null; \
	else \
	  echo "wrk is missing and this is not root: install it (apt-get install wrk)" >&2; exit 1; \
	fi

test: install fonts browser-deps es-start ## run the test suite (PYTEST_ARGS='...' to pass options)
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

eval: install es-start ## relevance evaluation on tests/relevance (ARGS='...' to pass options)
	$(BIN)/python -m scripts.eval $(ARGS)

bench: install es-start bench-deps ## indexing and search benchmark (ARGS='--quick' etc.)
	$(BIN)/python scripts/bench.py $(ARGS)

chaos: install es-start ## failure-injection checks (ARGS='...')
	$(BIN)/python scripts/chaos.py $(ARGS)

report: install ## what citizens searched for and thought (ARGS='--days 7')
	$(BIN)/python -m search_app.report $(ARGS)

clean: ## remove .venv and Python caches
	rm -rf $(VENV) .pytest_cache .hypothesis *.egg-info
	find . -path ./.cache -prune -o -path ./.git -prune -o -type d -name __pycache__ -print0 | xargs -0 rm -rf

distclean: es-stop clean ## also stop Elasticsearch and remove .cache/ (download, data, logs)
	rm -rf .cache
