# One line per target; every target sets up .venv first (a fresh machine needs only python3.11 and make).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
STAMP := $(VENV)/.installed
# every installed version comes from the lock (pinned, hashed); `make lock` refreshes it from
# pyproject.toml's ranges with uv, kept in its own folder so it never joins the locked set
LOCK := requirements.lock
UV_VERSION := 0.13.9
TS := clients/ts
TS_STAMP := $(TS)/node_modules/.installed

.PHONY: install run test lint fmt bench openapi migrate clean lock

# setup.py compiles the kernels (app/*/_*.c) in place: a changed kernel reinstalls
$(STAMP): pyproject.toml $(LOCK) setup.py $(wildcard app/*/_*.c)
	$(PY) -m venv $(VENV) && $(BIN)/pip install -q --require-hashes --no-deps -r $(LOCK) && $(BIN)/pip install -q --no-deps --no-build-isolation -e . && touch $(STAMP)
	-git config core.hooksPath .githooks 2>/dev/null

lock:
	$(PY) -m venv .lock-tools && .lock-tools/bin/pip install -q uv==$(UV_VERSION) && .lock-tools/bin/uv pip compile pyproject.toml --all-extras --universal --python-version 3.11 --generate-hashes --no-header -o $(LOCK) && .lock-tools/bin/uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes --no-header -c $(LOCK) -o requirements-runtime.lock

install: $(STAMP)

$(TS_STAMP): $(TS)/package.json $(TS)/package-lock.json
	cd $(TS) && npm ci --no-audit --no-fund && touch node_modules/.installed

migrate: $(STAMP)
	@if [ -f alembic.ini ]; then $(BIN)/alembic upgrade head; fi

run: migrate
	$(BIN)/python -m app.server --host $(HOST) --port $(PORT)

test: $(STAMP)
	$(BIN)/pytest -q -n 2 --dist loadgroup

lint: $(STAMP) $(TS_STAMP)
	$(BIN)/ruff check app tests bench && $(BIN)/ruff format --check app tests bench && $(BIN)/mypy app/engine && $(BIN)/lint-imports && $(BIN)/hadolint Dockerfile && npm --prefix $(TS) run -s check

fmt: $(STAMP)
	$(BIN)/ruff format app tests bench && $(BIN)/ruff check --fix app tests bench

openapi: $(STAMP)
	$(BIN)/python -m app.openapi > openapi/openapi.json

bench: $(STAMP)
	$(BIN)/python bench/run.py && $(BIN)/python bench/batch.py && $(BIN)/python bench/document.py

clean:
	rm -rf $(VENV) .lock-tools .pytest_cache .mypy_cache .ruff_cache .hypothesis $(TS)/node_modules
