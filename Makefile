# Every target bootstraps its own virtualenv in .venv (Python 3.11+ needed).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

# Go-built tools for the slow tier, pinned, installed into .tools/bin (needs Go).
TOOLS ?= $(CURDIR)/.tools/bin
HELM_VERSION := v3.22.0
ACTIONLINT_VERSION := v1.7.12

.PHONY: demo test test-fast test-slow lint tools bench node-lock vue-lock go-lock clean

$(BIN)/visiobook: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check -q -e '.[dev]'
	touch $@

## demo: generate a FastAPI demo service into ./demo from the embedded templates
demo: $(BIN)/visiobook
	rm -rf demo
	$(BIN)/visiobook new demo --stack fastapi --name demo-service --defaults

## test: lint, type check, and both test tiers (the slow one needs PostgreSQL, Go, shellcheck)
test: lint tools
	$(BIN)/pytest

test-fast: $(BIN)/visiobook
	$(BIN)/pytest -m "not slow"

test-slow: $(BIN)/visiobook tools
	$(BIN)/pytest -m slow

lint: $(BIN)/visiobook
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

tools: $(TOOLS)/helm $(TOOLS)/actionlint

$(TOOLS)/helm:
	GOBIN=$(TOOLS) go install helm.sh/helm/v3/cmd/helm@$(HELM_VERSION)

$(TOOLS)/actionlint:
	GOBIN=$(TOOLS) go install github.com/rhysd/actionlint/cmd/actionlint@$(ACTIONLINT_VERSION)

## bench: time the CLI against raw Copier, and `check` on 2,000 files; writes docs/benchmarks.md
bench: $(BIN)/visiobook tools
	PATH="$(TOOLS):$$PATH" $(BIN)/python benchmarks/run.py --write docs/benchmarks.md

## node-lock: refresh the Node template's package-lock.json after changing its package.json
node-lock: $(BIN)/visiobook
	$(BIN)/python scripts/lock_node_template.py

## vue-lock: refresh the Vue template's package-lock.json after changing its package.json
vue-lock: $(BIN)/visiobook
	$(BIN)/python scripts/lock_node_template.py vue

## go-lock: refresh the Go template's go.mod and go.sum after changing its imports
go-lock: $(BIN)/visiobook
	$(BIN)/python scripts/lock_go_template.py

clean:
	rm -rf $(VENV) demo dist .tools
