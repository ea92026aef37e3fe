"""Released template versions: `releases.toml` records each one, and its tag comes back from
it when the way the repository was published dropped the tag."""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

from tests.helpers import git
from visiobook_scaffold.releases import recorded, restore_tags

REPO_ROOT = Path(__file__).resolve().parents[1]


def repository_with_two_commits(root: Path) -> tuple[str, str]:
    root.mkdir()
    git(root, "init", "--quiet")
    commits = []
    for version in ("0.1.0", "0.2.0"):
        (root / "version.txt").write_text(version)
        git(root, "add", "--all")
        git(root, "commit", "--quiet", "--message", f"release {version}")
        commits.append(git(root, "rev-parse", "HEAD"))
    return commits[0], commits[1]


def record(root: Path, releases: dict[str, str]) -> None:
    lines = ["[releases]", *(f'"{version}" = "{commit}"' for version, commit in releases.items())]
    (root / "releases.toml").write_text("\n".join(lines) + "\n")


def test_a_release_whose_tag_was_lost_is_tagged_again_at_its_commit(tmp_path: Path) -> None:
    first, second = repository_with_two_commits(tmp_path / "repo")
    record(tmp_path / "repo", {"0.1.0": first, "0.2.0": second})

    assert restore_tags(tmp_path / "repo") == []

    assert git(tmp_path / "repo", "rev-parse", "v0.1.0^{commit}") == first
    assert git(tmp_path / "repo", "rev-parse", "v0.2.0^{commit}") == second
    assert git(tmp_path / "repo", "describe", "--tags", first) == "v0.1.0"


def test_a_tag_that_names_another_commit_is_left_alone_and_reported(tmp_path: Path) -> None:
    first, second = repository_with_two_commits(tmp_path / "repo")
    git(tmp_path / "repo", "tag", "v0.1.0", second)
    record(tmp_path / "repo", {"0.1.0": first})

    warnings = restore_tags(tmp_path / "repo")

    assert warnings == [f"v0.1.0 names {second[:12]}, releases.toml says {first[:12]}"]
    assert git(tmp_path / "repo", "rev-parse", "v0.1.0^{commit}") == second


def test_a_release_whose_commit_is_not_in_the_clone_is_reported_not_tagged(
    tmp_path: Path,
) -> None:
    repository_with_two_commits(tmp_path / "repo")
    missing = "0123456789abcdef0123456789abcdef01234567"
    record(tmp_path / "repo", {"0.1.0": missing})

    warnings = restore_tags(tmp_path / "repo")

    assert warnings == ["v0.1.0: commit 0123456789ab is not in this clone"]
    assert git(tmp_path / "repo", "tag", "--list") == ""


def test_every_recorded_release_is_that_version_at_its_commit_with_a_changelog_section() -> None:
    releases = recorded(REPO_ROOT)
    assert "0.1.0" in releases, "releases.toml records the first release"
    headings = set(re.findall(r"^## \[([^\]]+)\]", (REPO_ROOT / "CHANGELOG.md").read_text(), re.M))
    for version, commit in releases.items():
        assert re.fullmatch(r"[0-9a-f]{40}", commit), f"{version}: a full commit id, not {commit}"
        pyproject = git(REPO_ROOT, "show", f"{commit}:pyproject.toml")
        assert tomllib.loads(pyproject)["project"]["version"] == version
        assert version in headings, f"CHANGELOG.md has no section for {version}"
        tag = subprocess.run(
            ["git", "rev-parse", "--quiet", "--verify", f"refs/tags/v{version}^{{commit}}"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
        assert tag in ("", commit), f"v{version} names {tag}, releases.toml says {commit}"
