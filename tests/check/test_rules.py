"""Every rule proves itself on real services: a fresh one of each stack passes them all, and
each breakage in breakages.py makes its rule, and only its rule, fail."""

from __future__ import annotations

import datetime
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.check.breakages import BREAKAGES, Breakage
from tests.helpers import AVAILABLE_STACKS, REPO_ROOT
from visiobook_scaffold.check import runner
from visiobook_scaffold.check.model import Finding, Rule, Severity, Status
from visiobook_scaffold.check.registry import CATEGORIES, all_rules
from visiobook_scaffold.check.runner import run_check
from visiobook_scaffold.generate import NewProject, generate

TODAY = datetime.date(2026, 11, 25)
HELM = shutil.which("helm") is not None
SPEC = REPO_ROOT.parent / "shared/spec/visiobook-guidelines.md"


@pytest.mark.parametrize("stack", AVAILABLE_STACKS)
def test_a_freshly_generated_service_scores_100(generated: dict[str, Path], stack: str) -> None:
    report = run_check(generated[stack], TODAY)
    assert report.stack == stack
    assert [(r.rule.id, r.findings) for r in report.failed] == []
    assert report.score == 100
    assert not report.has_errors
    skipped = {r.rule.id: r.note for r in report.results if r.status is Status.SKIPPED}
    assert skipped == ({} if HELM else {"helm-renders": skipped.get("helm-renders")})


@pytest.mark.parametrize("breakage", BREAKAGES, ids=[b.id for b in BREAKAGES])
def test_breaking_a_rule_fails_that_rule_only(
    service_copy: Callable[[str], Path], breakage: Breakage
) -> None:
    if breakage.needs_helm and not HELM:
        pytest.skip("needs helm on PATH (make tools)")
    service = service_copy(breakage.stack)
    breakage.apply(service)
    report = run_check(service, TODAY)
    failed = {r.rule.id: r.findings for r in report.failed}
    assert set(failed) == {breakage.rule}, failed
    assert report.score < 100
    assert all(finding.message for finding in failed[breakage.rule])


def test_every_rule_has_a_breakage_that_proves_it() -> None:
    proved = {breakage.rule for breakage in BREAKAGES}
    assert {rule.id for rule in all_rules()} - proved == set()


def test_rules_are_described_for_people_and_tools() -> None:
    for rule in all_rules():
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.id), rule.id
        assert rule.category in CATEGORIES
        assert rule.title, rule.id
        assert rule.fix.endswith((".", ")")), rule.id


@pytest.mark.skipif(not SPEC.is_file(), reason="the guidelines are not beside this checkout")
def test_each_rule_names_a_section_of_the_guidelines() -> None:
    headings = re.findall(r"^#{2,4} (\d+(?:\.\d+)*)", SPEC.read_text(), re.MULTILINE)
    for rule in all_rules():
        assert rule.spec in headings, f"{rule.id}: no section {rule.spec}"


def test_a_rule_that_trips_is_skipped_with_the_reason_and_the_others_still_run(
    generated: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    def trips(_: object) -> list[Finding]:
        raise RuntimeError("unexpected input")

    tripping = Rule(
        "trips", "structure", Severity.ERROR, "1.1", "A rule with a bug", "Fix it.", trips
    )
    monkeypatch.setattr(runner, "all_rules", lambda: [tripping, *all_rules()])
    report = runner.run_check(generated["go"], TODAY)
    first, *others = report.results
    assert first.status is Status.SKIPPED
    assert first.note == "could not be judged: RuntimeError: unexpected input"
    assert [r.rule.id for r in others] == [
        rule.id for rule in all_rules() if rule.applies_to("go", "service")
    ]
    assert all(r.status is Status.PASSED for r in others if r.rule.id != "helm-renders")


@pytest.mark.parametrize(
    "answers",
    [
        {"stack": "fastapi", "resource": "media-assets", "language_version": "3.12"},
        {"stack": "node", "resource": "people", "language_version": "24", "port": 8123},
        {"stack": "go", "resource": "storage-buckets", "language_version": "1.26"},
        {"stack": "vue", "resource": "media-assets", "language_version": "24"},
    ],
    ids=lambda answers: answers["stack"],
)
def test_other_answers_score_100_too(tmp_path: Path, answers: dict[str, object]) -> None:
    service = tmp_path / "svc"
    answers = {**answers, "service_name": "media-service"}
    generate(NewProject(service, str(REPO_ROOT), "HEAD", answers, False, False, git=True))
    report = run_check(service, TODAY)
    assert [(r.rule.id, r.findings) for r in report.failed] == []
    assert report.score == 100
