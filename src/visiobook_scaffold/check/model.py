"""What `visiobook check` reports: rules, their findings, and the outcome of each rule."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from visiobook_scaffold.check.repo import Repo


class Severity(StrEnum):
    """An `error` fails the check (exit 1); a `warning` lowers the score only."""

    ERROR = "error"
    WARNING = "warning"


class Status(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    WAIVED = "waived"
    """Failed, but a valid waiver in .visiobook.yml accepts it."""
    SKIPPED = "skipped"
    """Could not be judged here (e.g. helm is not installed); does not count in the score."""


@dataclass(frozen=True)
class Finding:
    """One thing a rule found wrong, where it is (a path relative to the repo root)."""

    message: str
    path: str | None = None
    line: int | None = None

    def location(self) -> str:
        if self.path is None:
            return ""
        return f"{self.path}:{self.line}" if self.line else self.path


class Skip(Exception):  # noqa: N818 - a signal that a rule cannot judge, not an error
    """Raised by a rule that cannot judge this repo; the message says why."""


Check = Callable[["Repo"], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    id: str
    category: str
    severity: Severity
    spec: str
    """The guidelines section the rule enforces, e.g. "1.2"."""
    title: str
    fix: str
    check: Check
    stacks: frozenset[str] | None = None
    """The stacks the rule applies to; None: every stack."""
    kinds: frozenset[str] | None = None
    """The stack kinds (`service`, `frontend`) the rule applies to; None: every kind."""

    def applies_to(self, stack: str, kind: str) -> bool:
        return (self.stacks is None or stack in self.stacks) and (
            self.kinds is None or kind in self.kinds
        )


@dataclass(frozen=True)
class Waiver:
    rule: str
    reason: str
    expires: str


@dataclass(frozen=True)
class RuleResult:
    rule: Rule
    status: Status
    findings: tuple[Finding, ...] = ()
    note: str = ""
    """Why it was skipped, or the waiver's reason and expiry."""


@dataclass(frozen=True)
class Report:
    root: str
    stack: str
    results: tuple[RuleResult, ...]
    manifest: str | None = None
    """The file that makes the repository a service (package.json, go.mod, ...): where a
    finding about the service as a whole is anchored for tools that want a file."""
    repository_root: str | None = None
    """The top of the git repository holding the service (a monorepo's); None: `root`."""
    folder: str = ""
    """The service's folder relative to `repository_root` ("" when it is the root): SARIF
    writes paths from the repository root, where code scanning looks for them."""

    @property
    def judged(self) -> int:
        """Rules that count in the score: passed, failed, or failed and waived."""
        return sum(1 for r in self.results if r.status is not Status.SKIPPED)

    @property
    def score(self) -> int:
        """Percentage of judged rules that pass; a waived rule counts as passing."""
        if not self.judged:
            return 100
        passing = sum(1 for r in self.results if r.status in (Status.PASSED, Status.WAIVED))
        return (100 * passing) // self.judged

    @property
    def failed(self) -> list[RuleResult]:
        return [r for r in self.results if r.status is Status.FAILED]

    @property
    def has_errors(self) -> bool:
        return any(r.rule.severity is Severity.ERROR for r in self.failed)
