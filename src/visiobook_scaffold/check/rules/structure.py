"""Spec 1.1: the standard project tree of each stack."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath

from visiobook_scaffold.check.dockerfile import production_dockerfile
from visiobook_scaffold.check.manifests import chart_dirs, raw_manifest_paths
from visiobook_scaffold.check.model import Finding, Severity
from visiobook_scaffold.check.profiles import profile_of
from visiobook_scaffold.check.registry import rule
from visiobook_scaffold.check.repo import Repo


@rule(
    "structure-tree",
    category="structure",
    severity=Severity.ERROR,
    spec="1.1",
    title="The standard project tree of the stack",
    fix="Create the missing file or folder where guidelines 1.1 puts it, or move it there"
    " (git keeps no empty folder: give a new one a .gitkeep).",
)
def standard_tree(repo: Repo) -> Iterator[Finding]:
    lowered = {name.lower() for name in repo.files}
    for path in profile_of(repo).tree:
        if path.endswith("/"):
            if not repo.has_dir(path.rstrip("/")):
                yield Finding(f"missing folder {path}{_found_elsewhere(repo, path)}")
        elif path == "docker/Dockerfile":
            # Docker reads `dockerfile` as it reads `Dockerfile`: the place is what counts.
            if path.lower() not in lowered:
                yield Finding(f"missing file {path}{_found_elsewhere(repo, path)}")
        elif not repo.has_file(path):
            yield Finding(f"missing file {path}{_found_elsewhere(repo, path)}")


def _found_elsewhere(repo: Repo, path: str) -> str:
    """Where the repository keeps instead what the guidelines put at `path` (the docker and
    Kubernetes rules judge it there): the finding says so."""
    if path == "docker/Dockerfile":
        dockerfile = production_dockerfile(repo.files)
        return f" (the production Dockerfile is {dockerfile})" if dockerfile else ""
    if path.startswith("k8s/") and not repo.has_dir("k8s"):
        folders = {str(PurePosixPath(path).parent) for path in raw_manifest_paths(repo)}
        kept = [f"{folder}/" for folder in chart_dirs(repo) + sorted(folders - {"."})]
        if kept:
            return f" (the Kubernetes files are in {', '.join(kept)})"
    return ""
