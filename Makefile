# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# every package at the version and hash the tests ran on (made by `make lock` from pyproject.toml)
LOCK   := requirements.lock
UV     := uv==0.13.8
DEMO_DB := data/pool.duckdb
DB     ?= $(or $(VSLA_DB),$(DEMO_DB))
HOST   ?= 127.0.0.1
PORT   ?= 8050
# two pytest workers (pytest-xdist), each test file whole in one (tests/conftest.py)
PYTEST_WORKERS ?= -n 2 --dist loadgroup

.PHONY: run test check unit lint format lock demo screenshots samples bench messages clean help

help:
	@echo "make run    set up, build the demo pool if none exists, serve http://$(HOST):$(PORT)"
	@echo "           (real data: vsla import FILES --db data/network.duckdb, then make run DB=data/network.duckdb)"
	@echo "make test   set up, lint, run every test (browser tests included; about 20 minutes on 2 cores)"
	@echo "make check  lint and the tests without a browser (the edit-test loop)"
	@echo "make unit   the unit tests alone: no app, no other program (tests/tiers.py)"
	@echo "make lock   re-resolve $(LOCK) after a change to pyproject.toml's dependencies"
	@echo "           (make lock UPGRADE=1: the newest versions its ranges allow)"
	@echo "make demo   rebuild the demo pool ($(DB))"
	@echo "make screenshots  every page at 1366x768, 1920x1080 and 390x844 (build/screenshots, docs/screenshots)"
	@echo "make samples  one file of each export kind, and PNG pages of them (build/samples)"
	@echo "make bench  pools of 20k to 1.5M groups, every page timed through gunicorn and in a browser; load test"
	@echo "make messages  extract the strings into the catalogs (dashboard/locale) and check them"
	@echo "make clean  remove the virtual environment, caches and generated pools"

# The lock's exact versions (every file checked against its hash), then the project itself,
# editable, with the lock's setuptools and no further download.
$(STAMP): pyproject.toml $(LOCK)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $(STAMP)

# Resolve pyproject.toml's ranges again (runtime, the redis extra and the tests' tools) for
# Python 3.11 on Linux x86_64, every file with its hash, keeping the locked versions that
# still fit (after a dependency is added or a range changed); `make lock UPGRADE=1` takes the
# newest versions the ranges allow. Then installs the lock and checks the plotly.js bundle.
lock: $(STAMP)
	@$(BIN)/python -m pip install --quiet $(UV)
	$(BIN)/uv pip compile pyproject.toml --extra test $(if $(UPGRADE),--upgrade) \
	  --generate-hashes --python-version 3.11 --python-platform x86_64-unknown-linux-gnu \
	  --custom-compile-command "make lock" --quiet --output-file $(LOCK)
	@$(MAKE) --no-print-directory $(STAMP)
	@$(BIN)/python -m scripts.plotly_bundle --check || { echo "The locked plotly serves" \
	  "another plotly.js: rebuild the bundle (python -m scripts.plotly_bundle)." >&2; exit 1; }

# Only the demo pool is built when missing: real data go into a pool of their own, by import.
$(DB): | $(STAMP)
	@if [ "$(DB)" != "$(DEMO_DB)" ]; then \
	  echo "There is no pool at $(DB): import your data into it first," \
	    "e.g. $(BIN)/vsla import FILES --db $(DB) (README: Importing real data)." >&2; exit 1; fi
	$(BIN)/vsla demo --db $(DB)

run: $(STAMP) $(DB)
	-@scripts/ensure-system.sh serve  # Chromium draws chart images and PDFs; the app runs without
	VSLA_DB=$(DB) $(BIN)/vsla serve --host $(HOST) --port $(PORT)

test: $(STAMP)
	@scripts/ensure-system.sh test
	@$(BIN)/python -m scripts.fetch_axe >/dev/null  # axe-core from the npm registry (a11y tests)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest $(PYTEST_WORKERS) --durations=15

check: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest $(PYTEST_WORKERS) --ignore=tests/browser

unit: $(STAMP)
	$(BIN)/python -m pytest -m unit --ignore=tests/browser -q

lint: $(STAMP)
	$(BIN)/ruff check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages: $(STAMP)
	$(BIN)/python -m dashboard.core.catalogs update
	$(BIN)/python -m dashboard.core.catalogs check

demo: $(STAMP)
	$(BIN)/vsla demo --db $(DB) --force

screenshots: $(STAMP) $(DB)
	@scripts/ensure-system.sh test
	$(BIN)/python -m scripts.screenshots --db $(DB) --out build/screenshots --docs docs/screenshots

samples: $(STAMP) $(DB)
	@scripts/ensure-system.sh test
	$(BIN)/python -m scripts.export_samples --db $(DB) --out build/samples

bench: $(STAMP)
	@scripts/ensure-system.sh test
	$(BIN)/python -m scripts.bench --out docs/benchmark.md --readme

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
	rm -f data/*.duckdb data/*.duckdb.wal data/users.sqlite data/sessions.sqlite
