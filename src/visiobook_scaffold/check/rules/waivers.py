"""Waivers themselves are checked: each needs a known rule, a reason and a future expiry."""

from __future__ import annotations

from collections.abc import Iterator

from visiobook_scaffold.check.model import Finding, Severity
from visiobook_scaffold.check.registry import rule, rule_ids
from visiobook_scaffold.check.repo import Repo
from visiobook_scaffold.check.waivers import WAIVERS_FILE, load_waivers


@rule(
    "waivers-valid",
    category="waivers",
    severity=Severity.ERROR,
    spec="9",
    title=f"Waivers in {WAIVERS_FILE} name a rule, a reason and an expiry to come",
    fix="Give each waiver `rule`, `reason` and `expires: YYYY-MM-DD`; fix the rule or renew"
    " the waiver (with its reason) when it expires.",
)
def valid_waivers(repo: Repo) -> Iterator[Finding]:
    yield from load_waivers(repo, rule_ids()).problems
