# One line per target; every target sets up .venv first (a fresh machine needs only python3.11 and make).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
STAMP := $(VENV)/.installed
TS := clients/ts
TS_STAMP := $(TS)/node_modules/.installed

.PHONY: install run test lint fmt bench openapi migrate clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV) && $(BIN)/pip install -q --upgrade pip && $(BIN)/pip install -q -e '.[dev]' && touch $(STAMP)

install: $(STAMP)

$(TS_STAMP): $(TS)/package.json $(TS)/package-lock.json
	cd $(TS) && npm ci --no-audit --no-fund && touch node_modules/.installed

migrate: $(STAMP)
	@if [ -f alembic.ini ]; then $(BIN)/alembic upgrade head; fi

run: migrate
	$(BIN)/python -m app.server --host $(HOST) --port $(PORT)

test: $(STAMP)
	$(BIN)/pytest -q -n 2

lint: $(STAMP) $(TS_STAMP)
	$(BIN)/ruff check app tests bench && $(BIN)/ruff format --check app tests bench && $(BIN)/mypy app/engine && $(BIN)/lint-imports && $(BIN)/hadolint Dockerfile && npm --prefix $(TS) run -s check

fmt: $(STAMP)
	$(BIN)/ruff format app tests bench && $(BIN)/ruff check --fix app tests bench

openapi: $(STAMP)
	$(BIN)/python -m app.openapi > openapi/openapi.json

bench: $(STAMP)
	$(BIN)/pip install -q -e '.[dev,bench]' && $(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis $(TS)/node_modules
