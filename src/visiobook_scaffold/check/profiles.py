"""What `check` knows of each stack, in one place: the rules read a repository's profile and
name no stack.

A profile says where the stack's project declares what it uses (its ecosystem: the manifests
that list dependencies and pin the runtime, read by versions.py), which base image carries its
runtime, the language its routes are written in (routes.py), the tree guidelines 1.1 draws for
it, the minimum versions 7.1 approves, and where its test tool configures the coverage gate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from visiobook_scaffold.check.repo import Repo

RUNTIME = "runtime"
"""The name the language itself goes by among a service's declared versions."""

Ecosystem = Literal["npm", "python", "go"]
RouteLanguage = Literal["javascript", "python", "go", "nginx"]


@dataclass(frozen=True)
class CoverageGate:
    """Where a test tool's coverage minimum is configured, and how to read it."""

    files: tuple[str, ...]
    block: re.Pattern[str]
    """The configuration of the gate, within one of the files."""
    threshold: re.Pattern[str]
    """A minimum inside that block (its first group)."""


@dataclass(frozen=True)
class Profile:
    stack: str
    ecosystem: Ecosystem
    runtime_image: str
    """The official image that carries the runtime, in the Dockerfile (`node:22-alpine`)."""
    route_language: RouteLanguage
    routes_where: str
    """Where the routes are, as a finding says it."""
    tree: tuple[str, ...]
    """Guidelines 1.1's tree, as paths that must exist: a trailing "/" marks a folder. Where
    1.1 shows only `docker/`, 1.2 asks for the production Dockerfile in it."""
    minimums: dict[str, str]
    """Guidelines 7.1's "Stack Approuvée" minimums (package names as declared, RUNTIME for the
    language)."""
    coverage: CoverageGate


_METRIC = re.compile(r"(?:lines|branches|functions|statements)[\"']?\s*:\s*(\d+(?:\.\d+)?)")

PROFILES: dict[str, Profile] = {
    "node": Profile(
        stack="node",
        ecosystem="npm",
        runtime_image="node",
        route_language="javascript",
        routes_where="the sources",
        tree=(
            "src/controllers/", "src/services/", "src/models/", "src/middleware/", "src/utils/",
            "src/config/", "src/types/", "src/app.ts",
            "prisma/schema.prisma", "prisma/migrations/",
            "tests/unit/", "tests/integration/", "tests/mocks/",
            "docker/Dockerfile", "docker/Dockerfile.dev",
            "k8s/deployment.yaml", "k8s/service.yaml", "k8s/configmap.yaml",
            ".env.example", "package.json", "tsconfig.json", "jest.config.js", "README.md",
        ),
        minimums={
            RUNTIME: "18.18", "typescript": "5.2", "express": "4.18", "@nestjs/core": "10",
            "prisma": "5.6", "@prisma/client": "5.6", "zod": "3.22", "jest": "29",
            "axios": "1.6", "winston": "3.11",
        },
        coverage=CoverageGate(
            ("jest.config.js", "jest.config.ts", "jest.config.cjs", "jest.config.mjs",
             "package.json"),
            re.compile(r"coverageThreshold[\s\S]{0,400}"),
            _METRIC,
        ),
    ),
    "fastapi": Profile(
        stack="fastapi",
        ecosystem="python",
        runtime_image="python",
        route_language="python",
        routes_where="the sources",
        tree=(
            "app/api/v1/", "app/api/dependencies.py", "app/core/config.py", "app/core/security.py",
            "app/models/", "app/services/", "app/utils/", "app/main.py",
            "alembic/versions/", "alembic/env.py",
            "tests/unit/", "tests/integration/", "tests/conftest.py",
            "docker/Dockerfile", "docker/Dockerfile.dev", "k8s/",
            "requirements.txt", "requirements-dev.txt", "pyproject.toml", "README.md",
        ),
        minimums={
            RUNTIME: "3.11", "fastapi": "0.104", "pytest": "7.4", "pydantic": "2.4",
            "torch": "2.1", "transformers": "4.35", "spacy": "3.7", "numpy": "1.24",
            "pandas": "2.1",
        },
        coverage=CoverageGate(
            ("pyproject.toml", "setup.cfg", ".coveragerc", "pytest.ini", "tox.ini"),
            re.compile(r"fail[_-]under[^\n]*"),
            re.compile(r"fail[_-]under\s*[=:]?\s*=?\s*(\d+(?:\.\d+)?)"),
        ),
    ),
    "go": Profile(
        stack="go",
        ecosystem="go",
        runtime_image="golang",
        route_language="go",
        routes_where="the sources",
        tree=(
            "cmd/server/main.go",
            "internal/handlers/", "internal/services/", "internal/models/",
            "internal/middleware/", "internal/config/", "internal/utils/",
            "pkg/", "migrations/", "tests/", "docker/Dockerfile", "k8s/",
            "go.mod", "go.sum", "README.md",
        ),
        minimums={
            RUNTIME: "1.21", "github.com/gin-gonic/gin": "1.9",
            "github.com/gofiber/fiber/v2": "2.50", "gorm.io/gorm": "1.25",
        },
        coverage=CoverageGate(
            ("Makefile", ".testcoverage.yml", ".testcoverage.yaml"),
            re.compile(
                r"(?i)cover\w*[_-](?:min|minimum|threshold)\w*\s*[:?]?=[^\n]*|total:[^\n]*"
            ),
            re.compile(r"(?i)(?:=|total:)\s*(\d+(?:\.\d+)?)"),
        ),
    ),
    "vue": Profile(
        stack="vue",
        ecosystem="npm",
        runtime_image="node",
        # A frontend's routes are its nginx configuration's; its code sends the correlation id.
        route_language="nginx",
        routes_where="docker/ (nginx) and src/",
        tree=(
            "src/components/", "src/views/", "src/stores/", "src/services/", "src/types/",
            "src/utils/", "src/assets/", "src/main.ts",
            "public/", "tests/unit/", "tests/e2e/", "docker/Dockerfile", "k8s/",
            "package.json", "vite.config.ts", "tsconfig.json", "README.md",
        ),
        minimums={
            "vue": "3.3", "typescript": "5.0", "vite": "4.0", "vuetify": "3", "vue-router": "4",
        },
        coverage=CoverageGate(
            ("vitest.config.ts", "vitest.config.js", "vitest.config.mts", "vite.config.ts",
             "vite.config.js"),
            re.compile(r"thresholds[\s\S]{0,300}"),
            _METRIC,
        ),
    ),
}  # fmt: skip


def profile_of(repo: Repo) -> Profile:
    return PROFILES[repo.stack]


def stacks_of(ecosystem: Ecosystem) -> tuple[str, ...]:
    """The stacks whose projects live in `ecosystem`, for a rule about that ecosystem only."""
    return tuple(name for name, profile in PROFILES.items() if profile.ecosystem == ecosystem)
