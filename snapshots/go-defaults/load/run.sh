#!/usr/bin/env bash
# The load test (load/locustfile.py) against the service at URL, by default the one running
# locally, as `make load-test` runs it. LOAD_TEST_TOKEN is the bearer token the
# clients send; unset, a read-only development token is signed with the service's own
# configuration (JWT_SECRET from the environment, else .env).
# Exit status 1 when an objective of load/locust.conf is missed.
#   bash load/run.sh [URL]
set -euo pipefail
cd "$(dirname "$0")/.."
url=${1:-http://localhost:8080}
if [ -z "${LOAD_TEST_TOKEN:-}" ]; then
  LOAD_TEST_TOKEN=$(go run ./cmd/server dev-token --sub load-test --roles "" --expires 15m)
  export LOAD_TEST_TOKEN
fi
if [ ! -x load/.venv/bin/locust ]; then
  python3 -m venv load/.venv
  load/.venv/bin/pip install --disable-pip-version-check -q -r load/requirements.txt
fi
exec load/.venv/bin/locust --config load/locust.conf --host "$url"
