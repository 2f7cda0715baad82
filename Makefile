# WinZone money backend. `make run` starts every service on embedded SQLite (`make run-mongo`: on a local MongoDB
# replica set from the bundled mongod); `make test` runs the linters, the layer contracts, the type check, the web
# app's checks and build, and the suite (its browser tests in Debian's Chromium).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP_RUN := $(VENV)/.installed-run
STAMP_DEV := $(VENV)/.installed-dev
WEB_MODULES := web/node_modules/.package-lock.json

.PHONY: run run-mongo web-app test lint bench protos clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP_RUN): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(STAMP_DEV): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@ $(STAMP_RUN)

run: $(STAMP_RUN) web-app
	$(BIN)/winzone up

run-mongo: $(STAMP_RUN) web-app
	$(BIN)/winzone up --mongo

# The web app served at http://localhost:5000, built when missing or older than its sources (needs Node.js 20).
web-app:
	@scripts/build_web.sh || echo "The web app did not build (see above): starting the API with the last build, if any."

# The web app's packages, installed again when package-lock.json changes (no browser download: the browser tests
# use Debian's Chromium, which scripts/ensure_chromium.sh installs when it is missing).
$(WEB_MODULES): web/package-lock.json
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix web --no-audit --no-fund
	touch $@

test: $(STAMP_DEV)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	bash scripts/ensure_chromium.sh
	@$(MAKE) --no-print-directory $(WEB_MODULES)
	npm --prefix web run lint
	npm --prefix web run typecheck
	npm --prefix web test
	npm --prefix web run build
	$(BIN)/python -m pytest

lint: $(STAMP_DEV)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

# Each benchmark prints its targets met or MISSED (bench/rewards.py also exits 1 on a miss); `-` runs them all.
bench: $(STAMP_DEV)
	-$(BIN)/python bench/wallet_postings.py
	-$(BIN)/python bench/wallet_batches.py
	-$(BIN)/python bench/rewards.py
	-$(BIN)/python bench/rest.py

protos: $(STAMP_DEV)
	$(BIN)/python scripts/gen_protos.py

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
