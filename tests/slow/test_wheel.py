"""Slow tier: the built wheel carries the templates and generates a service on its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest
import yaml
from packaging.version import Version

from tests.helpers import AVAILABLE_STACKS, REPO_ROOT, git
from visiobook_scaffold.releases import recorded, restore_tags
from visiobook_scaffold.versions import CANONICAL_SOURCE

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv with the wheel built from this checkout installed into it."""
    root = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(root / "dist"), str(REPO_ROOT)],
        check=True,
        capture_output=True,
    )
    venv.create(root / "venv", with_pip=True)
    wheel = next((root / "dist").glob("*.whl"))
    subprocess.run(
        [str(root / "venv/bin/pip"), "install", "-q", "--disable-pip-version-check", str(wheel)],
        check=True,
        capture_output=True,
    )
    return root / "venv" / "bin"


@pytest.mark.parametrize("stack", AVAILABLE_STACKS)
def test_installed_wheel_generates_from_its_embedded_template(
    installed: Path, tmp_path: Path, stack: str
) -> None:
    dest = tmp_path / "svc"
    # Run from an empty folder, far from this checkout, so only the wheel's copy can be used.
    result = subprocess.run(
        [
            str(installed / "visiobook"),
            "new",
            str(dest),
            "--stack",
            stack,
            "--name",
            "svc",
            "--no-git",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    answers = yaml.safe_load((dest / ".copier-answers.yml").read_text())
    # A name later updates can find again, never the package's own (moving) folder.
    assert answers["_src_path"] == CANONICAL_SOURCE
    assert answers["_commit"]
    # Shared files, linked in the source tree, arrive as real files.
    for shared in (
        "README.md",
        ".env.example",
        "k8s/helm/templates/deployment.yaml",
        ".github/workflows/ci-cd.yml",
    ):
        assert (dest / shared).is_file(), shared
    # Every file the checkout's template renders (a file whose name renders empty, such as a
    # frontend's compose.yaml, is none), and no other.
    from_checkout = tmp_path / "from-checkout"
    subprocess.run(
        [sys.executable, "-m", "visiobook_scaffold", "new", str(from_checkout), "--stack", stack,
         "--name", "svc", "--no-git"],
        cwd=tmp_path, capture_output=True, check=True,
    )  # fmt: skip
    assert files_under(dest) == files_under(from_checkout)


def files_under(root: Path) -> set[str]:
    return {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()}


def test_installed_cli_lists_stacks_without_copier(installed: Path) -> None:
    result = subprocess.run(
        [str(installed / "python"), "-X", "importtime", "-m", "visiobook_scaffold", "list"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.startswith("fastapi  Python")
    assert " copier" not in result.stderr


def test_wheel_built_through_the_sdist_embeds_the_same_template(tmp_path: Path) -> None:
    """`python -m build` makes the wheel from the sdist; linked shared folders must survive it."""

    def embedded(*options: str) -> set[str]:
        out = tmp_path / "-".join(options or ("default",))
        command = [sys.executable, "-m", "build", *options, "--outdir", str(out), str(REPO_ROOT)]
        subprocess.run(command, check=True, capture_output=True)
        (wheel,) = out.glob("*.whl")
        with zipfile.ZipFile(wheel) as archive:
            return {name for name in archive.namelist() if "/_template/" in name}

    direct, through_sdist = embedded("--wheel"), embedded()
    assert through_sdist == direct
    for stack in AVAILABLE_STACKS:
        prefix = f"visiobook_scaffold/_template/templates/{stack}/"
        assert f"{prefix}k8s/helm/templates/deployment.yaml" in direct
        assert f"{prefix}.github/workflows/ci-cd.yml.jinja" in direct


def install_wheel_of(checkout: Path, venv_bin: Path, out: Path) -> None:
    command = [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(checkout)]
    subprocess.run(command, check=True, capture_output=True)
    (wheel,) = out.glob("*.whl")
    pip = [str(venv_bin / "pip"), "install", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, "--force-reinstall", "--no-deps", str(wheel)], check=True)


def test_a_service_made_by_one_release_updates_with_the_next_one_offline(
    tmp_path: Path,
) -> None:
    """The tool is upgraded between `new` and `update`; its templates come from the bundle
    each wheel embeds, and the recorded source name (not a network address) finds them."""
    checkout = tmp_path / "scaffold"
    git(tmp_path, "clone", "--quiet", str(REPO_ROOT), str(checkout))
    # Versions above any this repository will tag for a long while: the clone carries its tags.
    git(checkout, "tag", "v999.0.0")
    venv.create(tmp_path / "venv", with_pip=True)
    bin_dir = tmp_path / "venv" / "bin"
    subprocess.run(
        [str(bin_dir / "pip"), "install", "-q", "--disable-pip-version-check", str(checkout)],
        check=True,
    )
    env = {**os.environ, "COPIER_CACHE_DIR": str(tmp_path / "copier-cache")}

    def visiobook(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(bin_dir / "visiobook"), *args],
            cwd=tmp_path / "svc" if (tmp_path / "svc").is_dir() else tmp_path,
            capture_output=True,
            text=True,
            check=False,
            env=env,
        )

    def audited_by() -> str:
        """The visiobook-scaffold release the service's guidelines job installs."""
        workflow = yaml.safe_load((tmp_path / "svc/.github/workflows/ci-cd.yml").read_text())
        return str(workflow["env"]["VISIOBOOK_SCAFFOLD"]).rsplit("@", 1)[1]

    made = visiobook("new", "svc", "--stack", "fastapi", "--name", "svc", "--defaults")
    assert made.returncode == 0, made.stderr
    assert audited_by() == "v999.0.0"
    readme = "templates/shared/README.md.jinja"
    text = (checkout / readme).read_text()
    (checkout / readme).write_text(text + "\nUpdated by the next release.\n")
    git(checkout, "commit", "--quiet", "--all", "--message", "next release")
    git(checkout, "tag", "v999.1.0")
    install_wheel_of(checkout, bin_dir, tmp_path / "dist-next")

    behind = visiobook("update", "--check")
    assert behind.returncode == 1, behind.stdout + behind.stderr
    assert "svc is on template v999.0.0; v999.1.0 is released" in behind.stdout
    updated = visiobook("update")
    assert updated.returncode == 0, updated.stderr
    assert "from template v999.0.0 to v999.1.0" in updated.stdout
    assert (tmp_path / "svc/README.md").read_text().endswith("Updated by the next release.\n")
    answers = yaml.safe_load((tmp_path / "svc/.copier-answers.yml").read_text())
    assert (answers["_src_path"], answers["_commit"]) == (CANONICAL_SOURCE, "v999.1.0")
    assert audited_by() == "v999.1.0"


def test_a_clone_that_lost_its_tags_builds_a_wheel_carrying_every_release(
    tmp_path: Path,
) -> None:
    """Published without its tags, the repository still records its releases in
    releases.toml: the build tags them again, the bundle carries them, and a service made
    with `--vcs-ref` of a release records that release."""
    checkout = tmp_path / "scaffold"
    git(tmp_path, "clone", "--quiet", "--no-tags", str(REPO_ROOT), str(checkout))
    assert git(checkout, "tag", "--list") == ""
    releases = recorded(checkout)
    assert releases

    wheel = build_wheel(checkout, tmp_path / "dist")

    with zipfile.ZipFile(wheel) as archive:
        bundle = tmp_path / "versions.bundle"
        bundle.write_bytes(archive.read("visiobook_scaffold/_template/versions.bundle"))
    heads = {}
    for line in git(tmp_path, "bundle", "list-heads", str(bundle)).splitlines():
        commit, ref = line.split(" ", 1)
        heads[ref] = commit
    for version, commit in releases.items():
        assert heads.get(f"refs/tags/v{version}") == commit
    bin_dir = fresh_venv_with(wheel, tmp_path / "venv")
    oldest = min(releases, key=Version)
    made = new_service(bin_dir, tmp_path / "svc", "--vcs-ref", f"v{oldest}")
    assert made["_commit"] == f"v{oldest}"


def test_a_wheel_generates_the_commit_it_was_built_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not whatever branch a clone of its bundle guesses HEAD to be: Copier keeps one cached
    clone of the canonical name, whose HEAD stays the branch the first wheel's bundle had."""
    monkeypatch.setenv("COPIER_CACHE_DIR", str(tmp_path / "copier-cache"))
    checkout = tmp_path / "scaffold"
    git(tmp_path, "clone", "--quiet", str(REPO_ROOT), str(checkout))
    git(checkout, "checkout", "--quiet", "-B", "main")
    bin_dir = fresh_venv_with(build_wheel(checkout, tmp_path / "dist-main"), tmp_path / "venv")
    on_main = new_service(bin_dir, tmp_path / "from-main")
    assert on_main["_commit"] == git(checkout, "describe", "--tags", "--always")

    git(checkout, "checkout", "--quiet", "-b", "feature")
    git(checkout, "commit", "--quiet", "--allow-empty", "--message", "feature work")
    install_wheel_of(checkout, bin_dir, tmp_path / "dist-feature")
    on_feature = new_service(bin_dir, tmp_path / "from-feature")

    assert on_feature["_commit"] == git(checkout, "describe", "--tags", "--always")
    assert on_feature["_commit"] != on_main["_commit"]


def build_wheel(checkout: Path, out: Path) -> Path:
    build = [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(checkout)]
    subprocess.run(build, check=True, capture_output=True)
    (wheel,) = out.glob("*.whl")
    return wheel


def fresh_venv_with(wheel: Path, root: Path) -> Path:
    venv.create(root, with_pip=True)
    pip = [str(root / "bin/pip"), "install", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, str(wheel)], check=True, capture_output=True)
    return root / "bin"


def new_service(bin_dir: Path, dest: Path, *args: str) -> dict[str, object]:
    """Generates a Go service (the quickest to render) with the installed CLI; its answers."""
    made = subprocess.run(
        [str(bin_dir / "visiobook"), "new", str(dest), "--stack", "go", "--name", "svc",
         "--defaults", "--no-git", *args],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    answers: dict[str, object] = yaml.safe_load((dest / ".copier-answers.yml").read_text())
    return answers


def test_a_service_made_by_the_previous_release_updates_with_the_newest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The releases users install: the previous one's wheel makes a service, the newest one's
    wheel tells it is behind and updates it, with nothing left to resolve."""
    monkeypatch.setenv("COPIER_CACHE_DIR", str(tmp_path / "copier-cache"))
    releases = sorted(recorded(REPO_ROOT), key=Version)
    if len(releases) < 2:
        pytest.skip("one release only: nothing to update from")
    previous, newest = releases[-2], releases[-1]
    checkout = tmp_path / "scaffold"
    git(tmp_path, "clone", "--quiet", str(REPO_ROOT), str(checkout))
    restore_tags(checkout)  # as `make` and the build do where publishing dropped them
    git(checkout, "checkout", "--quiet", f"v{previous}")
    bin_dir = fresh_venv_with(build_wheel(checkout, tmp_path / "dist-previous"), tmp_path / "venv")
    service = tmp_path / "svc"
    made = subprocess.run(
        [str(bin_dir / "visiobook"), "new", str(service), "--stack", "fastapi", "--name", "svc",
         "--defaults", "--vcs-ref", f"v{previous}"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    git(checkout, "checkout", "--quiet", f"v{newest}")
    install_wheel_of(checkout, bin_dir, tmp_path / "dist-newest")

    def visiobook(*args: str) -> subprocess.CompletedProcess[str]:
        command = [str(bin_dir / "visiobook"), *args]
        return subprocess.run(command, cwd=service, capture_output=True, text=True, check=False)

    behind = visiobook("update", "--check")
    assert (behind.returncode, behind.stdout) == (
        1,
        f"svc is on template v{previous}; v{newest} is released: run `visiobook update`.\n",
    )
    updated = visiobook("update", "--json")
    assert updated.returncode == 0, updated.stdout + updated.stderr
    summary = json.loads(updated.stdout)
    assert (summary["from"], summary["to"]) == (f"v{previous}", f"v{newest}")
    assert (summary["conflicted"], summary["kept"]) == ([], [])
