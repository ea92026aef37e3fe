"""Spec 1.1: the standard project tree of each stack."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath

from visiobook_scaffold.check.dockerfile import production_dockerfile
from visiobook_scaffold.check.manifests import chart_dirs, raw_manifest_paths
from visiobook_scaffold.check.model import Finding, Severity
from visiobook_scaffold.check.registry import rule
from visiobook_scaffold.check.repo import Repo

# The trees of guidelines 1.1, as paths that must exist: a trailing "/" marks a folder. Where
# 1.1 shows only `docker/`, 1.2 asks for the production Dockerfile in it.
SPEC_TREES: dict[str, tuple[str, ...]] = {
    "node": (
        "src/controllers/", "src/services/", "src/models/", "src/middleware/", "src/utils/",
        "src/config/", "src/types/", "src/app.ts",
        "prisma/schema.prisma", "prisma/migrations/",
        "tests/unit/", "tests/integration/", "tests/mocks/",
        "docker/Dockerfile", "docker/Dockerfile.dev",
        "k8s/deployment.yaml", "k8s/service.yaml", "k8s/configmap.yaml",
        ".env.example", "package.json", "tsconfig.json", "jest.config.js", "README.md",
    ),
    "fastapi": (
        "app/api/v1/", "app/api/dependencies.py", "app/core/config.py", "app/core/security.py",
        "app/models/", "app/services/", "app/utils/", "app/main.py",
        "alembic/versions/", "alembic/env.py",
        "tests/unit/", "tests/integration/", "tests/conftest.py",
        "docker/Dockerfile", "docker/Dockerfile.dev", "k8s/",
        "requirements.txt", "requirements-dev.txt", "pyproject.toml", "README.md",
    ),
    "go": (
        "cmd/server/main.go",
        "internal/handlers/", "internal/services/", "internal/models/", "internal/middleware/",
        "internal/config/", "internal/utils/",
        "pkg/", "migrations/", "tests/", "docker/Dockerfile", "k8s/",
        "go.mod", "go.sum", "README.md",
    ),
    "vue": (
        "src/components/", "src/views/", "src/stores/", "src/services/", "src/types/",
        "src/utils/", "src/assets/", "src/main.ts",
        "public/", "tests/unit/", "tests/e2e/", "docker/Dockerfile", "k8s/",
        "package.json", "vite.config.ts", "tsconfig.json", "README.md",
    ),
}  # fmt: skip


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
    for path in SPEC_TREES[repo.stack]:
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
