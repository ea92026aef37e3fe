# Every target bootstraps its own virtualenv in .venv (Python 3.11+ needed).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test test-fast test-slow lint bench clean

$(BIN)/visiobook: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check -q -e '.[dev]'
	touch $@

## demo: generate a FastAPI demo service into ./demo from the embedded templates
demo: $(BIN)/visiobook
	rm -rf demo
	$(BIN)/visiobook new demo --stack fastapi --name demo-service --defaults

## test: lint, type check, and both test tiers (the slow one needs PostgreSQL binaries)
test: lint
	$(BIN)/pytest

test-fast: $(BIN)/visiobook
	$(BIN)/pytest -m "not slow"

test-slow: $(BIN)/visiobook
	$(BIN)/pytest -m slow

lint: $(BIN)/visiobook
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

## bench: time the CLI against raw Copier; writes docs/benchmarks.md
bench: $(BIN)/visiobook
	$(BIN)/python benchmarks/run.py --write docs/benchmarks.md

clean:
	rm -rf $(VENV) demo dist
