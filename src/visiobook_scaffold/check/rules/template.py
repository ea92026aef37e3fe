"""The service keeps up with its template (the same releases `visiobook update` reads)."""

from __future__ import annotations

from collections.abc import Iterator

from visiobook_scaffold.check.model import Finding, Severity, Skip
from visiobook_scaffold.check.registry import rule
from visiobook_scaffold.check.repo import Repo
from visiobook_scaffold.errors import ScaffoldError
from visiobook_scaffold.service import ANSWERS_FILE, read_service


@rule(
    "template-current",
    category="template",
    severity=Severity.WARNING,
    spec="10.4",
    title="The service is on the newest released template version",
    fix="Run `visiobook update` (a three-way merge that keeps the team's changes).",
)
def template_current(repo: Repo) -> Iterator[Finding]:
    from visiobook_scaffold.currency import check_currency

    if not repo.has_file(ANSWERS_FILE):
        raise Skip(f"not generated from the template (no {ANSWERS_FILE})")
    try:
        currency = check_currency(read_service(repo.root, repo.template))
    except ScaffoldError as error:
        raise Skip(f"template versions not reachable: {error}") from None
    if currency.newest is not None:
        yield Finding(
            f"on template {currency.current}; {currency.newest} is released", ANSWERS_FILE
        )
