"""The chart's Grafana dashboard as the tests read it: its queries, in plain PromQL.

Used by the fast tier (tests/test_dashboard.py) and by the slow tier's scrape of booted
backends (tests/slow/test_alerting.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from scripts.build_dashboard import OUTPUT

# What Grafana puts in place of the dashboard's variables before it sends a query: a value of
# the same shape, so the query parses as PromQL.
VARIABLES = {
    "$__rate_interval": "5m",
    "$job": "media-service",
    "$namespace": "production",
    "$pod": "media-service-7d9c8b6f5-x2x4z",
}
# A query variable's `label_values(selector, label)`.
LABEL_VALUES = re.compile(r"^label_values\((?P<selector>.+),\s*(?P<label>\w+)\)$")
LEGEND_LABEL = re.compile(r"\{\{\s*(\w+)\s*\}\}")


@dataclass(frozen=True)
class Query:
    """One query of the dashboard: where it is, its PromQL, and the labels it reads beyond
    those the PromQL names (a legend's {{label}}, the label a variable lists)."""

    where: str
    expr: str
    labels: tuple[str, ...]


def load() -> dict[str, Any]:
    model: dict[str, Any] = json.loads(OUTPUT.read_text())
    return model


def promql(text: str) -> str:
    for variable, value in VARIABLES.items():
        text = text.replace(variable, value)
    assert "$" not in text, f"a Grafana variable the tests do not know: {text}"
    return text


def panels(model: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every panel, those inside collapsed rows too."""
    for panel in model["panels"]:
        yield panel
        yield from panel.get("panels", [])


def queries(model: dict[str, Any]) -> Iterator[Query]:
    for variable in model["templating"]["list"]:
        if variable["type"] == "query":
            found = LABEL_VALUES.match(variable["query"])
            assert found, f"variable {variable['name']}: not label_values(selector, label)"
            where = f"variable {variable['name']}"
            yield Query(where, promql(found["selector"]), (found["label"],))
    for panel in panels(model):
        for target in panel.get("targets", []):
            legend = tuple(LEGEND_LABEL.findall(target.get("legendFormat", "")))
            where = f"panel {panel['title']!r} query {target['refId']}"
            yield Query(where, promql(target["expr"]), legend)
