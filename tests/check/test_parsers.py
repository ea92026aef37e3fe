"""The small readers the rules stand on: Dockerfiles, version constraints, secrets, routes."""

from __future__ import annotations

import datetime
import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from packaging.version import Version

from visiobook_scaffold.check.detect import detect_stack
from visiobook_scaffold.check.dockerfile import image_tag_problem, instructions, stages
from visiobook_scaffold.check.formats import Unparsable, json_problem, toml_problem, yaml_problem
from visiobook_scaffold.check.repo import Repo
from visiobook_scaffold.check.routes import routes
from visiobook_scaffold.check.rules.api import naming_problems
from visiobook_scaffold.check.secrets import is_placeholder, is_secret_name, url_password
from visiobook_scaffold.check.versions import lowest_version
from visiobook_scaffold.errors import ScaffoldError

STACKS = {"fastapi", "node", "go", "vue"}
PYPROJECT_WITH_FASTAPI = '[project]\ndependencies = [\n  "fastapi[standard]>=0.110",\n]\n'


def test_dockerfile_instructions_join_continuations_and_keep_their_first_line() -> None:
    text = "# comment\nFROM node:22 AS build\nRUN a \\\n  # inside\n  && b\n\nuser app\n"
    assert [(i.keyword, i.arguments, i.line) for i in instructions(text)] == [
        ("FROM", "node:22 AS build", 2),
        ("RUN", "a  && b", 3),
        ("USER", "app", 7),
    ]


def test_dockerfile_stages_substitute_build_arguments_in_base_images() -> None:
    text = (
        "ARG NODE=22\nFROM --platform=$BUILDPLATFORM node:${NODE}-slim AS build\nRUN make\n"
        "FROM build AS test\nFROM gcr.io/distroless/nodejs22-debian12\nUSER 1000\n"
    )
    parsed = stages(text)
    assert [(s.base, s.name, s.line) for s in parsed] == [
        ("node:22-slim", "build", 2),
        ("build", "test", 4),
        ("gcr.io/distroless/nodejs22-debian12", None, 5),
    ]
    assert parsed[-1].last("USER") is not None


@pytest.mark.parametrize(
    ("image", "problem"),
    [
        ("node:22-alpine", None),
        ("registry:5000/team/app:1.2", None),
        ("alpine@sha256:" + "a" * 64, None),
        ("node", "has no tag (it means latest)"),
        ("registry:5000/team/app", "has no tag (it means latest)"),
        ("nginx:latest", "is tagged latest"),
        ("node:${NODE}", "has a tag set by a build argument without a default"),
    ],
)
def test_base_image_pinning(image: str, problem: str | None) -> None:
    assert image_tag_problem(image) == problem


@pytest.mark.parametrize(
    ("constraint", "lowest"),
    [
        ("^5.2.0", "5.2.0"),
        ("~4.18.1", "4.18.1"),
        (">=22", "22"),
        (">=3.12,<4", "3.12"),
        ("5.x", "5"),
        ("v1.12.0", "1.12.0"),
        ("<5", None),
        ("*", None),
        ("latest", None),
        ("github:org/repo", None),
    ],
)
def test_lowest_version_a_constraint_allows(constraint: str, lowest: str | None) -> None:
    assert lowest_version(constraint) == (Version(lowest) if lowest else None)


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("JWT_SECRET", True),
        ("DB_PASSWORD", True),
        ("apiKey", True),
        ("AZURE_STORAGE_KEY", True),
        ("GITHUB_TOKEN", True),
        ("secretName", False),
        ("key", False),
        ("JWT_EXPIRES_IN", False),
        ("CORRELATION_ID_HEADER", False),
    ],
)
def test_secret_names(name: str, secret: bool) -> None:
    assert is_secret_name(name) is secret


@pytest.mark.parametrize(
    ("value", "placeholder"),
    [
        ("", True),
        ("change-me-to-a-random-string", True),
        ("your-jwt-secret", True),
        ("${{ secrets.JWT_SECRET }}", True),
        ("<jwt secret>", True),
        ("ci-only-secret-with-at-least-32-characters", True),
        ("q8Zr2mVx4LpT9sKw7NbY3cHd6FgJ1aQe", False),
        ("hunter2", False),
    ],
)
def test_placeholder_values(value: str, placeholder: bool) -> None:
    assert is_placeholder(value) is placeholder


def test_passwords_in_urls() -> None:
    assert url_password("postgresql://app:Tr0ub4dor3@db:5432/app") == "Tr0ub4dor3"
    assert url_password("postgresql://app:change-me@localhost/app") is None
    assert url_password("redis://redis-service:6379") is None


@pytest.mark.parametrize(
    ("segment", "problems"),
    [
        ("media-assets", []),
        ("people", []),
        ("storage", []),
        ("mediaAssets", ["'mediaAssets' is not kebab-case"]),
        ("create-user", ["'create-user' starts with a verb (the HTTP method says the action)"]),
        ("user", ["'user' is not plural"]),
        ("status", ["'status' is not plural"]),
    ],
)
def test_resource_segment_naming(segment: str, problems: list[str]) -> None:
    assert naming_problems(segment) == problems


def repo(root: Path, stack: str) -> Repo:
    return Repo(root, stack, "service", datetime.date(2026, 11, 25))


def test_routes_are_read_per_framework_with_their_line(tmp_path: Path) -> None:
    (tmp_path / "app/api").mkdir(parents=True)
    (tmp_path / "app/api/users.py").write_text(
        'router = APIRouter(prefix="/api/v1/users")\n\n@router.get("/{user_id}")\n'
    )
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests/test_users.py").write_text('client.get("/api/v1/not-a-route")\n')
    assert [(r.path, r.file, r.line) for r in routes(repo(tmp_path, "fastapi"))] == [
        ("/api/v1/users", "app/api/users.py", 1),
        ("/{user_id}", "app/api/users.py", 3),
    ]


def test_files_come_from_git_when_it_is_a_repository(tmp_path: Path) -> None:
    (tmp_path / "kept.txt").write_text("x")
    (tmp_path / "node_modules/pkg").mkdir(parents=True)
    (tmp_path / "node_modules/pkg/index.js").write_text("x")
    (tmp_path / "build.log").write_text("x")
    (tmp_path / ".gitignore").write_text("*.log\n")
    # Outside git, as if it were a repository of its own: its .gitignore applies.
    assert set(repo(tmp_path, "node").files) == {"kept.txt", ".gitignore"}
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    assert set(repo(tmp_path, "node").files) == {"kept.txt", ".gitignore"}


def test_without_git_dependency_folders_and_what_gitignore_ignores_are_left_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "kept.txt").write_text("x")
    (tmp_path / "node_modules/pkg").mkdir(parents=True)
    (tmp_path / "node_modules/pkg/index.js").write_text("x")
    (tmp_path / "build.log").write_text("x")
    (tmp_path / ".gitignore").write_text("*.log\n")
    monkeypatch.setenv("PATH", str(tmp_path / "no-git-here"))
    assert set(repo(tmp_path, "node").files) == {"kept.txt", ".gitignore"}


@pytest.mark.parametrize(
    ("files", "stack"),
    [
        ({"go.mod": "module x\n"}, "go"),
        ({"package.json": json.dumps({"dependencies": {"vue": "^3.5.0"}})}, "vue"),
        ({"package.json": json.dumps({"dependencies": {"express": "^5.0.0"}})}, "node"),
        ({"requirements.txt": "fastapi==0.115.0\nuvicorn\n"}, "fastapi"),
        ({"pyproject.toml": PYPROJECT_WITH_FASTAPI}, "fastapi"),
        ({".copier-answers.yml": "stack: go\n", "package.json": "{}"}, "go"),
    ],
)  # fmt: skip
def test_the_stack_is_recorded_or_recognised(
    tmp_path: Path, files: dict[str, str], stack: str
) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    assert detect_stack(tmp_path, STACKS) == stack


@pytest.mark.parametrize(
    "files",
    [
        {},
        {"package.json": json.dumps({"dependencies": {"lodash": "^4"}})},
        {"pyproject.toml": '[project]\ndependencies = ["flask"]\n'},
        {"package.json": "not json"},
    ],
)
def test_anything_else_is_no_service(tmp_path: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    with pytest.raises(ScaffoldError, match=r"^no service found in "):
        detect_stack(tmp_path, STACKS)


@pytest.mark.parametrize(
    ("problem_of", "text", "expected"),
    [
        (json_problem, '{"name": "x"}\n', None),
        (json_problem, '{\n  "name": "x",\n}\n', Unparsable(
            "not valid JSON: Expecting property name enclosed in double quotes", 3)),
        (toml_problem, 'description = "\U0001f3ac"\n', None),
        (toml_problem, '[project]\ndescription = "\\ud83c\\udfac"\n', Unparsable(
            "not valid TOML: Escaped character is not a Unicode scalar value", 2)),
        (toml_problem, "a = 1\na = 2\n", Unparsable("not valid TOML: Cannot overwrite a value", 2)),
        (yaml_problem, "a: 1\n---\nb: [2]\n", None),
        # Values are not built: a date the calendar has not is a string to helm and kubectl.
        (yaml_problem, "expires: 2027-02-30\nloop: &x [*x]\n", None),
        (yaml_problem, "a: 1\nb: [2\n", Unparsable(
            "not valid YAML: expected ',' or ']', but got '<stream end>'", 3)),
        (yaml_problem, 'a: 1\nb: "\\q"\n', Unparsable(
            "not valid YAML: found unknown escape character 'q'", 2)),
        (yaml_problem, 'a: 1\n---\nb: "\\ud83c\\udfac"\n', Unparsable(
            "not valid YAML: an escape gives half of a UTF-16 pair, not a character"
            " (write the character itself)", 3)),
    ],
)  # fmt: skip
def test_settings_files_parse_as_their_tools_parse_them(
    problem_of: Callable[[str], Unparsable | None], text: str, expected: Unparsable | None
) -> None:
    assert problem_of(text) == expected
