"""CONTRIBUTING.md's checklists name files, make targets and sections that exist."""

from __future__ import annotations

import re

import yaml

from tests.helpers import REPO_ROOT

TEXT = (REPO_ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
CODE_SPANS = re.findall(r"`([^`]+)`", TEXT)


def named_paths() -> list[str]:
    """The code spans that are paths: one word with a slash or a file extension, not a
    placeholder (`<stack>`, `X.Y.Z`) or a bare suffix (`.jinja`)."""
    return [
        span.rstrip("/")
        for span in CODE_SPANS
        if re.fullmatch(r"\.?[\w-][\w./-]*", span)
        and re.search(r"/|\.\w+$", span)
        and "X.Y" not in span
        and not re.fullmatch(r"\.\w+", span)
    ]


def test_every_path_the_checklists_name_exists() -> None:
    paths = named_paths()
    assert {"src/visiobook_scaffold/template.py", ".ci/run", "CHANGELOG.md"} <= set(paths)
    missing = [path for path in paths if not (REPO_ROOT / path).exists()]
    assert not missing, f"CONTRIBUTING.md names files that do not exist: {missing}"


def test_every_make_target_the_checklists_name_exists() -> None:
    makefile = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")
    targets = {match[1] for match in re.finditer(r"`make ([\w-]+)`", TEXT)}
    assert targets >= {"snapshots", "node-lock"}
    missing = [target for target in targets if not re.search(rf"^{target}:", makefile, re.M)]
    assert not missing, f"CONTRIBUTING.md names make targets that do not exist: {missing}"


def test_the_sections_it_points_to_exist() -> None:
    architecture = (REPO_ROOT / "docs/architecture.md").read_text(encoding="utf-8")
    headings = {
        line.lstrip("#").strip() for line in architecture.splitlines() if line.startswith("#")
    }
    named = re.findall(r'docs/architecture\.md, "([^"]+)"', " ".join(TEXT.split()))
    assert named
    assert set(named) <= headings


def test_the_names_it_says_a_file_holds_are_there() -> None:
    for name, path in re.findall(r"`([A-Z_]+)`[^`]* in `([\w/.-]+\.py)`", TEXT):
        assert name in (REPO_ROOT / path).read_text(encoding="utf-8"), (name, path)


def test_the_pre_commit_hooks_run_the_linters_at_the_versions_pyproject_pins() -> None:
    config = yaml.safe_load((REPO_ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    assert set(hooks) == {"ruff-check", "ruff-format", "mypy"}
    pinned = re.findall(r'"((?:ruff|mypy)==[\d.]+)"', (REPO_ROOT / "pyproject.toml").read_text())
    ruff = next(pin for pin in pinned if pin.startswith("ruff=="))
    assert hooks["ruff-check"]["additional_dependencies"] == [ruff]
    assert hooks["ruff-format"]["additional_dependencies"] == [ruff]
    # mypy runs where `make` installed the pinned one, beside the package and its types.
    assert hooks["mypy"]["entry"] == ".venv/bin/mypy"
