#!/usr/bin/env bash
# The load test (load/locustfile.py) against the service at URL, by default the one running
# locally. LOAD_TEST_TOKEN must hold a bearer token that may read (locally: the dev token).
# Exit status 1 when an objective of load/locust.conf is missed.
#   LOAD_TEST_TOKEN=$(python -m app.dev_token) bash load/run.sh [URL]
set -euo pipefail
cd "$(dirname "$0")/.."
url=${1:-http://localhost:8000}
if [ ! -x load/.venv/bin/locust ]; then
  python3 -m venv load/.venv
  load/.venv/bin/pip install --disable-pip-version-check -q -r load/requirements.txt
fi
exec load/.venv/bin/locust --config load/locust.conf --host "$url"
