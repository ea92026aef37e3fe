"""Waivers: a team accepts a failing rule for a reason, until a date (.visiobook.yml).

waivers:
  - rule: docker-healthcheck
    reason: the mesh sidecar probes the container
    expires: 2027-03-31
"""

from __future__ import annotations

import contextlib
import datetime
from dataclasses import dataclass

import yaml

from visiobook_scaffold.check import yaml_lines
from visiobook_scaffold.check.model import Finding, Waiver
from visiobook_scaffold.check.repo import Repo
from visiobook_scaffold.check.yaml_lines import LINE

WAIVERS_FILE = ".visiobook.yml"


@dataclass(frozen=True)
class Waivers:
    valid: dict[str, Waiver]
    """By rule id: the waivers that apply today."""
    problems: list[Finding]
    """Expired, reasonless, undated or unknown-rule waivers, and an unreadable file."""


def load_waivers(repo: Repo, known_rules: set[str]) -> Waivers:
    return repo.memo("waivers", lambda: _load(repo, known_rules))


def _load(repo: Repo, known_rules: set[str]) -> Waivers:
    text = repo.text(WAIVERS_FILE)
    if text is None:
        return Waivers({}, [])
    try:
        document = yaml_lines.load(text)
    except yaml.YAMLError as error:
        return Waivers({}, [Finding(f"not valid YAML: {str(error).splitlines()[0]}", WAIVERS_FILE)])
    entries = document.get("waivers") if isinstance(document, dict) else None
    if document is not None and not isinstance(entries, list):
        return Waivers({}, [Finding("expected a `waivers:` list", WAIVERS_FILE, 1)])
    valid: dict[str, Waiver] = {}
    problems: list[Finding] = []
    for entry in entries or []:
        line = entry.get(LINE) if isinstance(entry, dict) else None
        problem = _problem(entry, known_rules, repo.today)
        if problem:
            problems.append(Finding(problem, WAIVERS_FILE, line))
        else:
            rule = str(entry["rule"])
            valid[rule] = Waiver(rule, str(entry["reason"]).strip(), str(entry["expires"]))
    return Waivers(valid, problems)


def _problem(entry: object, known_rules: set[str], today: datetime.date) -> str | None:
    """Why a waiver entry cannot be applied, or None when it applies."""
    if not isinstance(entry, dict) or not entry.get("rule"):
        return "a waiver without `rule:`"
    rule = str(entry["rule"])
    if rule not in known_rules:
        return f"waiver for {rule}: no such rule"
    if not str(entry.get("reason") or "").strip():
        return f"waiver for {rule} gives no reason"
    expires = entry.get("expires")
    if isinstance(expires, str):
        with contextlib.suppress(ValueError):
            expires = datetime.date.fromisoformat(expires)
    if not isinstance(expires, datetime.date):
        return f"waiver for {rule} has no expiry date (expires: YYYY-MM-DD)"
    if expires < today:
        return f"waiver for {rule} expired on {expires.isoformat()}"
    return None
