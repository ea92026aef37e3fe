"""Run every rule that applies to a repository's stack, then apply its waivers."""

from __future__ import annotations

import datetime
from pathlib import Path

from visiobook_scaffold.check.detect import detect_stack
from visiobook_scaffold.check.model import Report, Rule, RuleResult, Skip, Status, Waiver
from visiobook_scaffold.check.registry import all_rules
from visiobook_scaffold.check.repo import Repo
from visiobook_scaffold.check.waivers import load_waivers
from visiobook_scaffold.errors import ScaffoldError, one_line
from visiobook_scaffold.template import embedded_template_root, load_config

UNWAIVABLE = frozenset({"waivers-valid"})
"""A broken waiver cannot be waived away."""
MANIFESTS = ("package.json", "go.mod", "pyproject.toml", "requirements.txt", ".copier-answers.yml")


def run_check(
    path: Path, today: datetime.date | None = None, template: str | None = None
) -> Report:
    """Judge the service at `path`. `today` decides which waivers have expired; `template`
    is where to read the template's releases from instead of the recorded source."""
    root = path.resolve()
    if not root.is_dir():
        raise ScaffoldError(f"{path} is not a folder")
    stacks = load_config(embedded_template_root()).stacks
    stack = detect_stack(root, set(stacks))
    repo = Repo(root, stack, stacks[stack].kind, today or datetime.date.today(), template)
    rules = all_rules()
    waivers = load_waivers(repo, {rule.id for rule in rules}).valid
    results = tuple(
        _judge(rule, repo, waivers.get(rule.id))
        for rule in rules
        if rule.applies_to(repo.stack, repo.kind)
    )
    manifest = next((name for name in MANIFESTS if repo.has_file(name)), None)
    return Report(str(root), stack, results, manifest)


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
