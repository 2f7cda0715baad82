# WinZone money backend. `make run` starts every service on embedded SQLite (`make run-mongo`: on a local MongoDB
# replica set from the bundled mongod); `make test` runs the linters, the layer contracts, the type check and the
# suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP_RUN := $(VENV)/.installed-run
STAMP_DEV := $(VENV)/.installed-dev

.PHONY: run run-mongo test lint bench protos clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP_RUN): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(STAMP_DEV): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@ $(STAMP_RUN)

run: $(STAMP_RUN)
	$(BIN)/winzone up

run-mongo: $(STAMP_RUN)
	$(BIN)/winzone up --mongo

test: $(STAMP_DEV)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/python -m pytest

lint: $(STAMP_DEV)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

bench: $(STAMP_DEV)
	$(BIN)/python bench/wallet_postings.py
	$(BIN)/python bench/rewards.py

protos: $(STAMP_DEV)
	$(BIN)/python scripts/gen_protos.py

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
