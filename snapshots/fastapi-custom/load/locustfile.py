"""The service's load test (Locust): its API under a steady load, judged against its objectives.

`bash load/run.sh [URL]` runs it (README, "Load test"); `locust.conf` beside this file holds the
load and the objectives. The users read every resource the contract (api/openapi.json) lists:
pages of each list, then items of those pages. They write nothing, so the test can run against
a database that holds real rows (staging) and leaves it as it was.

The run fails (exit status 1) when an objective is missed: too many failed requests, a p95 or
p99 latency over its limit, or fewer requests per second than the minimum. Each miss is one
line on stderr.
"""

# ruff: noqa: S311 - random picks which pages and items the load reads; it guards no secret

import json
import os
import random
import re
import sys
from pathlib import Path
from typing import Any

from locust import FastHttpUser, constant_throughput, events, task
from locust.env import Environment

CONTRACT = Path(__file__).resolve().parent.parent / "api" / "openapi.json"
# A resource's collection: /api/v1/<resource>, served with GET.
COLLECTION = re.compile(r"^/api/v1/[a-z][a-z0-9-]*$")


def collections() -> list[str]:
    paths = json.loads(CONTRACT.read_text())["paths"]
    return [path for path, item in paths.items() if COLLECTION.match(path) and "get" in item]


@events.init_command_line_parser.add_listener
def objectives(parser: Any) -> None:
    """The objectives' options, whose values are in locust.conf (one run may change one: e.g.
    LOCUST_MIN_RPS=100 or --min-rps 100). An objective without a value is not judged."""
    group = parser.add_argument_group("objectives (a miss fails the run)")
    for option, meaning in (
        ("max-error-rate", "the share of requests that may fail"),
        ("max-p95-ms", "the 95th percentile latency, at most"),
        ("max-p99-ms", "the 99th percentile latency, at most"),
        ("min-rps", "requests per second, at least"),
    ):
        variable = "LOCUST_" + option.upper().replace("-", "_")
        group.add_argument(f"--{option}", type=float, env_var=variable, help=meaning)


def misses(environment: Environment) -> list[str]:
    """The objectives the run missed, each as a sentence; empty when it met them all."""
    options = environment.parsed_options
    total = environment.stats.total
    if total.num_requests == 0:
        return ["no request was made"]
    found = []
    most_failing = getattr(options, "max_error_rate", None)
    if most_failing is not None and total.fail_ratio > most_failing:
        found.append(f"{total.fail_ratio:.2%} of the requests failed (at most {most_failing:.2%})")
    for percent in (95, 99):
        limit = getattr(options, f"max_p{percent}_ms", None)
        latency = total.get_response_time_percentile(percent / 100)
        if limit is not None and latency > limit:
            found.append(f"p{percent} was {latency:.0f} ms (at most {limit:.0f} ms)")
    least_rps = getattr(options, "min_rps", None)
    if least_rps is not None and total.total_rps < least_rps:
        found.append(f"{total.total_rps:.1f} requests/s (at least {least_rps:.0f})")
    return found


@events.init.add_listener
def require_token(**_: Any) -> None:
    if not os.environ.get("LOAD_TEST_TOKEN"):
        sys.exit("load test: set LOAD_TEST_TOKEN to a bearer token of the service")


@events.quitting.add_listener
def judge(environment: Environment, **_: Any) -> None:
    missed = misses(environment)
    for miss in missed:
        print(f"load test: objective missed: {miss}", file=sys.stderr)
    environment.process_exit_code = 1 if missed else 0


class Reader(FastHttpUser):
    """A client of the API that lists and reads, 8 requests a second at most: the load is the
    users' count. The users share one token, so one caller's rate limit: 10 users make at most
    4,800 requests a minute, within the default budget (RATE_LIMIT_REQUESTS, 6,000)."""

    wait_time = constant_throughput(8)

    def on_start(self) -> None:
        self.headers = {"Authorization": f"Bearer {os.environ['LOAD_TEST_TOKEN']}"}
        self.collections = collections()
        self.seen: dict[str, list[str]] = {}

    @task(3)
    def list_page(self) -> None:
        collection = random.choice(self.collections)
        page = random.choice((1, 1, 1, 2))
        answer = self.client.get(
            f"{collection}?page={page}&limit=10", name=collection, headers=self.headers
        )
        if answer.status_code == 200:
            ids = [entry["id"] for entry in answer.json()["data"]]
            if ids:
                self.seen[collection] = ids

    @task(2)
    def read_item(self) -> None:
        if not self.seen:
            self.list_page()
            return
        collection = random.choice(list(self.seen))
        item = random.choice(self.seen[collection])
        self.client.get(f"{collection}/{item}", name=f"{collection}/{{id}}", headers=self.headers)
