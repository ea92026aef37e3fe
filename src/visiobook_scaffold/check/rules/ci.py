"""Spec 6.1 and 9.1 (Tests): the CI pipeline and the coverage gate."""

from __future__ import annotations

import re
from collections.abc import Iterator

import yaml

from visiobook_scaffold.check.limits import load_tests
from visiobook_scaffold.check.model import Finding, Severity
from visiobook_scaffold.check.profiles import profile_of
from visiobook_scaffold.check.registry import rule
from visiobook_scaffold.check.repo import Repo

MIN_COVERAGE = 80
# A job is recognised by what its steps use and run; its id or name alone only for test and
# security work. A build job builds the image (guidelines 6.1): a job that only compiles
# (`go build`, `npm run build`) is not one, whatever its name.
STEP_KINDS = {
    "test": re.compile(
        r"\bgo test\b|\bpytest\b|python -m (?:pytest|unittest)|\bnpm (?:run )?test\b"
        r"|\b(?:pnpm|yarn|bun) (?:run )?test\b|\bnpx (?:vitest|jest)\b|\bvitest\b|\bjest\b"
        r"|\bmake (?:test|check|cover|coverage)\b|\btox\b|\bnox\b|\bgotestsum\b|\bginkgo\b"
        r"|\b(?:npm|pnpm|yarn) (?:run )?(?:test|coverage)[:\w-]*",
        re.IGNORECASE,
    ),
    "security": re.compile(
        r"github/codeql-action/(?:init|analyze|autobuild)|aquasecurity/trivy-action|\btrivy\b"
        r"|anchore/scan-action|\bgrype\b|snyk/actions|\bsnyk\b|securego/gosec|\bgosec\b"
        r"|\bbandit\b|pip-audit|pypa/gh-action-pip-audit|govulncheck|\b(?:npm|pnpm|yarn) audit\b"
        r"|\bsafety (?:check|scan)\b|semgrep|osv-scanner|google/osv-scanner"
        r"|dependency-review-action|\baudit-ci\b",
        re.IGNORECASE,
    ),
    "build": re.compile(
        r"docker/build-push-action|\bdocker(?: buildx)? build\b|\bdocker(?: image)? push\b"
        r"|\bdocker compose build\b|redhat-actions/buildah-build|\bbuildah\b|\bpodman build\b"
        r"|ko-build/setup-ko|\bko (?:build|publish|resolve|apply)\b|\bkaniko\b|/kaniko/executor"
        r"|\bjib(?:DockerBuild)?\b|\bpack build\b"
        # A make target named for the image (`make image`, `make docker-push`).
        r"|\bmake +[\w-]*(?:image|docker|container)[\w-]*",
        re.IGNORECASE,
    ),
}
NAME_KINDS = {
    "test": re.compile(r"test|coverage", re.IGNORECASE),
    "security": re.compile(r"security|audit|scan|codeql|trivy|snyk|vuln", re.IGNORECASE),
    "build": re.compile(r"image|docker|container", re.IGNORECASE),
}
KIND_WORDS = {
    "test": "test (runs the tests)",
    "security": "security (a dependency audit or a vulnerability scan)",
    "build": "build (builds the image)",
}


def workflows(repo: Repo) -> list[str]:
    return repo.under((".github/workflows",), (".yml", ".yaml"))


def job_kinds(job_id: str, job: object) -> set[str]:
    """What a workflow job does, from its steps (`uses:` and `run:`) and its id or name."""
    body = job if isinstance(job, dict) else {}
    label = f"{job_id} {body.get('name', '')}"
    steps = body.get("steps")
    commands = " ".join(
        f"{step.get('uses', '')} {step.get('run', '')}"
        for step in (steps if isinstance(steps, list) else [])
        if isinstance(step, dict)
    )
    # A job that calls a reusable workflow (`uses:` at job level) is judged by its name and by
    # that workflow's own jobs (read too when it is in .github/workflows).
    commands += f" {body.get('uses', '')}"
    kinds = {kind for kind, pattern in STEP_KINDS.items() if pattern.search(commands)}
    kinds |= {kind for kind, pattern in NAME_KINDS.items() if pattern.search(label)}
    return kinds


@rule(
    "ci-jobs",
    category="ci",
    severity=Severity.ERROR,
    spec="6.1",
    title="A GitHub Actions pipeline with test, security and build jobs",
    fix="Add .github/workflows/ci-cd.yml with `test`, `security` (dependency audit, image scan)"
    " and `build` (image) jobs, as in guidelines 6.1.",
)
def pipeline_jobs(repo: Repo) -> Iterator[Finding]:
    found: set[str] = set()
    for path in workflows(repo):
        try:
            workflow = yaml.safe_load(repo.text(path) or "")
        except yaml.YAMLError as error:
            yield Finding(f"not valid YAML: {str(error).splitlines()[0]}", path)
            continue
        jobs = workflow.get("jobs") if isinstance(workflow, dict) else None
        for job_id, job in (jobs if isinstance(jobs, dict) else {}).items():
            found |= job_kinds(str(job_id), job)
    if not workflows(repo):
        yield Finding("no workflow in .github/workflows")
        return
    missing = [KIND_WORDS[kind] for kind in STEP_KINDS if kind not in found]
    if missing:
        # One finding: the pipeline as a whole lacks them, no job is where they are missing.
        yield Finding(f"no {', no '.join(missing)} job in any workflow", workflows(repo)[0])


@rule(
    "coverage-gate",
    category="ci",
    severity=Severity.ERROR,
    spec="9.1",
    title=f"The test tool enforces at least {MIN_COVERAGE}% coverage",
    fix=f"Configure an {MIN_COVERAGE}% minimum in the test tool (Jest coverageThreshold, Vitest"
    " coverage.thresholds, coverage.py fail_under, a Makefile COVERAGE_MIN for Go).",
)
def coverage_gate(repo: Repo) -> Iterator[Finding]:
    gate = profile_of(repo).coverage
    low: list[Finding] = []
    configured = False
    for path in (*gate.files, *workflows(repo)):
        text = repo.text(path)
        if not text:
            continue
        for block in gate.block.finditer(text):
            values = [float(v) for v in gate.threshold.findall(block.group(0))]
            if not values:
                continue
            line = text.count("\n", 0, block.start()) + 1
            if min(values) < MIN_COVERAGE:
                low.append(Finding(f"coverage minimum {min(values):g}% is under 80%", path, line))
            else:
                configured = True
    if low:
        yield from low
    elif not configured:
        yield Finding(f"no coverage minimum found in {', '.join(gate.files)}")


@rule(
    "load-test-thresholds",
    category="ci",
    severity=Severity.WARNING,
    spec="9.2",
    title="A load test judges the service's objectives",
    fix="Keep a load test (k6, Locust, Artillery, Gatling) whose run fails when an objective is"
    " missed (k6 `thresholds`, Locust's `process_exit_code`, Artillery `ensure`, Gatling"
    " `assertions`), and run it against staging after each deploy.",
    kinds=("service",),
)
def load_test_thresholds(repo: Repo) -> Iterator[Finding]:
    found = load_tests(repo)
    if not found:
        yield Finding("no load test (a k6, Locust, Artillery or Gatling script) in the files")
    elif not any(test.can_fail for test in found):
        for test in found:
            yield Finding(f"the {test.tool} load test cannot fail: it sets no threshold", test.path)
