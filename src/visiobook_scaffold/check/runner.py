"""Run every rule that applies to a repository's stack, then apply its waivers."""

from __future__ import annotations

import datetime
from pathlib import Path

from visiobook_scaffold.check.detect import (
    STACK_ORDER,
    NoServiceError,
    detect_stack,
    find_services,
    why_not_a_service,
)
from visiobook_scaffold.check.model import (
    Finding,
    Report,
    Rule,
    RuleResult,
    Skip,
    Status,
    Waiver,
)
from visiobook_scaffold.check.registry import all_rules
from visiobook_scaffold.check.repo import Repo
from visiobook_scaffold.check.waivers import load_waivers
from visiobook_scaffold.errors import ScaffoldError, one_line
from visiobook_scaffold.template import Stack, embedded_template_root, load_config

UNWAIVABLE = frozenset({"waivers-valid"})
"""A broken waiver cannot be waived away."""
EITHER_STACK = frozenset({"coverage-gate", "health-routes"})
"""In a mixed repository, rules one part answers for the whole: one test tool's coverage gate
covers the repository, and the app serves /health from whichever part holds its server."""
MANIFESTS = ("package.json", "go.mod", "pyproject.toml", "requirements.txt", ".copier-answers.yml")


def run_check(
    path: Path,
    today: datetime.date | None = None,
    template: str | None = None,
    stack: str | None = None,
) -> Report:
    """Judge the service at `path`. `today` decides which waivers have expired; `template`
    is where to read the template's releases from instead of the recorded source; `stack`
    overrides detection ("node", or "node+vue" for a mixed repository)."""
    root = _folder(path)
    stacks = load_config(embedded_template_root()).stacks
    key = _chosen_stack(stack, stacks) if stack is not None else _detected_stack(root, stacks)
    day = today or datetime.date.today()
    # A mixed repository is judged once per stack; a rule of both stacks reports once.
    repos = [Repo(root, part, stacks[part].kind, day, template) for part in key.split("+")]
    rules = all_rules()
    waivers = load_waivers(repos[0], {rule.id for rule in rules}).valid
    results = []
    for rule in rules:
        judged = [
            _judge(rule, repo, waivers.get(rule.id))
            for repo in repos
            if rule.applies_to(repo.stack, repo.kind)
        ]
        if judged:
            results.append(_merged(judged))
    first = repos[0]
    manifest = next((name for name in MANIFESTS if first.has_file(name)), None)
    return Report(
        str(root),
        key,
        tuple(results),
        manifest,
        repository_root=str(first.repository_root),
        folder=first.folder_in_repository,
    )


def run_all(
    path: Path,
    today: datetime.date | None = None,
    template: str | None = None,
    stack: str | None = None,
) -> list[Report]:
    """Judge every service at or below `path` (`check --all`), in path order."""
    root = _folder(path)
    services = find_services(root, set(load_config(embedded_template_root()).stacks))
    if not services:
        raise NoServiceError(why_not_a_service(root))
    return [run_check(service, today, template, stack) for service in services]


def _folder(path: Path) -> Path:
    root = path.resolve()
    if not root.is_dir():
        raise ScaffoldError(f"{path} is not a folder")
    return root


def _chosen_stack(stack: str, stacks: dict[str, Stack]) -> str:
    parts = stack.split("+")
    if not stack or any(part not in stacks for part in parts) or len(set(parts)) < len(parts):
        known = ", ".join(key for key in STACK_ORDER if key in stacks)
        raise ScaffoldError(
            f"--stack takes {known} (or two joined by +, e.g. node+vue), got {stack!r}"
        )
    return "+".join(key for key in STACK_ORDER if key in parts)


def _detected_stack(root: Path, stacks: dict[str, Stack]) -> str:
    try:
        return detect_stack(root, set(stacks))
    except NoServiceError:
        below = [service for service in find_services(root, set(stacks)) if service != root]
        if not below:
            raise
        folders = ", ".join(f"{service.relative_to(root).as_posix()}/" for service in below)
        raise NoServiceError(
            f"no service at the root of {root}; services found in {folders}: check one,"
            " or use --all"
        ) from None


def _merged(judged: list[RuleResult]) -> RuleResult:
    """One result for a rule judged under each stack of a mixed repository: its findings
    under any of them (once each), skipped only when every stack skipped it; an EITHER_STACK
    rule passes when it passes under one stack."""
    if len(judged) == 1:
        return judged[0]
    rule = judged[0].rule
    failing = [result for result in judged if result.status in (Status.FAILED, Status.WAIVED)]
    if rule.id in EITHER_STACK and any(result.status is Status.PASSED for result in judged):
        return RuleResult(rule, Status.PASSED)
    if failing:
        findings: dict[Finding, None] = {}
        for result in failing:
            findings.update(dict.fromkeys(result.findings))
        return RuleResult(rule, failing[0].status, tuple(findings), failing[0].note)
    if all(result.status is Status.SKIPPED for result in judged):
        notes = dict.fromkeys(result.note for result in judged)
        return RuleResult(rule, Status.SKIPPED, note="; ".join(notes))
    return RuleResult(rule, Status.PASSED)


def _judge(rule: Rule, repo: Repo, waiver: Waiver | None) -> RuleResult:
    try:
        findings = tuple(rule.check(repo))
    except Skip as skip:
        return RuleResult(rule, Status.SKIPPED, note=str(skip))
    except Exception as error:  # one rule tripping on odd input spares the others
        note = f"could not be judged: {type(error).__name__}: {one_line(error)}"
        return RuleResult(rule, Status.SKIPPED, note=note)
    if not findings:
        return RuleResult(rule, Status.PASSED)
    if waiver is not None and rule.id not in UNWAIVABLE:
        return RuleResult(
            rule, Status.WAIVED, findings, note=f"waived until {waiver.expires}: {waiver.reason}"
        )
    return RuleResult(rule, Status.FAILED, findings)
