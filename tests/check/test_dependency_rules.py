"""The dependency rules judge the versions a service declares where it declares them (a pnpm
catalog too), and skip, saying so, when it declares none."""

from __future__ import annotations

import datetime
import json
import subprocess
from pathlib import Path

import pytest

from visiobook_scaffold.check.model import Status
from visiobook_scaffold.check.runner import run_check

TODAY = datetime.date(2026, 11, 25)
WORKSPACE = """packages:
  - apps/*
catalog:
  vite: ^6.2.0
  vue: {default_vue}
catalogs:
  legacy:
    vue: {legacy_vue}
"""


def results(path: Path) -> dict[str, tuple[Status, list[str]]]:
    report = run_check(path, TODAY)
    return {
        result.rule.id: (
            result.status,
            [f"{finding.location()}: {finding.message}" for finding in result.findings],
        )
        for result in report.results
    }


def vue_app(root: Path, dependencies: dict[str, str], **files: str) -> Path:
    app = root / "apps" / "web"
    app.mkdir(parents=True)
    (app / "package.json").write_text(json.dumps({"dependencies": dependencies}, indent=2))
    (app / "index.html").write_text("<div id=app></div>\n")
    for name, text in files.items():
        (root / name).write_text(text)
    # A workspace is one git repository: the app finds the root's files through it.
    identity = ["-c", "user.name=team", "-c", "user.email=team@example.com"]
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "--all"], cwd=root, check=True)
    subprocess.run(["git", *identity, "commit", "-q", "-m", "app"], cwd=root, check=True)
    return app


@pytest.mark.parametrize(
    ("reference", "default_vue", "legacy_vue", "finding"),
    [
        ("catalog:", "^3.2.0", "^3.5.0", "../../pnpm-workspace.yaml:5: vue ^3.2.0"),
        ("catalog:legacy", "^3.5.0", "^3.0.0", "../../pnpm-workspace.yaml:8: vue ^3.0.0"),
    ],
    ids=["default catalog", "named catalog"],
)
def test_a_catalog_version_is_judged_where_the_workspace_sets_it(
    tmp_path: Path, reference: str, default_vue: str, legacy_vue: str, finding: str
) -> None:
    workspace = WORKSPACE.format(default_vue=default_vue, legacy_vue=legacy_vue)
    app = vue_app(tmp_path, {"vue": reference}, **{"pnpm-workspace.yaml": workspace})
    status, findings = results(app)["version-floors"]
    assert status is Status.FAILED
    assert findings == [f"{finding} is below the approved minimum 3.3"]


def test_rules_with_no_version_to_judge_skip_and_say_why(tmp_path: Path) -> None:
    # Every version comes from a catalog the repository does not have.
    app = vue_app(tmp_path, {"vue": "catalog:"})
    by_rule = results(app)
    assert by_rule["version-floors"][0] is Status.SKIPPED
    assert by_rule["runtime-supported"][0] is Status.SKIPPED
    report = run_check(app, TODAY)
    notes = {result.rule.id: result.note for result in report.results}
    assert notes["version-floors"] == (
        "no version of the runtime or of an approved library found to judge"
    )
    assert notes["runtime-supported"] == "no Node.js version declared to judge"
