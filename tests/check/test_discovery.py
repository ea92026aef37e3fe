"""How `check` finds what it judges: the stacks of a folder (both, for a mixed repository),
the services below a folder that is none, and why a module that serves nothing is no service."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from visiobook_scaffold.check.detect import detect_stack, find_services
from visiobook_scaffold.errors import ScaffoldError

STACKS = {"fastapi", "go", "node", "vue"}
PYPROJECT_WITH_FASTAPI = (
    '[project]\nname = "api"\ndependencies = [\n  "fastapi[standard]>=0.115",\n]\n'
)
GO_SERVER = """package main

import "net/http"

func main() { _ = http.ListenAndServe(":8080", nil) }
"""
GO_GIN = (
    'package main\n\nimport "github.com/gin-gonic/gin"\n\nfunc main() { gin.Default().Run() }\n'
)
# A client of an HTTP API is no server: net/http alone does not make a service.
GO_CLI = """package main

import (
\t"flag"
\t"fmt"
\t"net/http"
)

func main() {
\turl := flag.String("url", "", "what to fetch")
\tflag.Parse()
\tresponse, _ := http.Get(*url)
\tfmt.Println(response.Status)
}
"""


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


@pytest.mark.parametrize(
    ("files", "stack"),
    [
        ({"go.mod": "module x\n", "internal/server/server.go": GO_SERVER}, "go"),
        ({"go.mod": "module x\n", "cmd/api/main.go": GO_GIN}, "go"),
        ({"package.json": json.dumps({"dependencies": {"vue": "^3", "express": "^5"}})},
         "node+vue"),
        ({"go.mod": "module x\n", "main.go": GO_SERVER,
          "package.json": json.dumps({"dependencies": {"vue": "^3.5.0"}})}, "go+vue"),
        ({"pyproject.toml": PYPROJECT_WITH_FASTAPI,
          "package.json": json.dumps({"devDependencies": {"vue": "^3.5.0"}})}, "fastapi+vue"),
    ],
)  # fmt: skip
def test_a_mixed_repository_is_every_stack_it_holds(
    tmp_path: Path, files: dict[str, str], stack: str
) -> None:
    write(tmp_path, files)
    assert detect_stack(tmp_path, STACKS) == stack


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"main.go": GO_CLI}, "is a Go command-line tool, not a service: no HTTP or gRPC server"),
        ({"lib.go": "package lib\n\nfunc Add(a, b int) int { return a + b }\n"},
         "is a Go library, not a service"),
    ],
)  # fmt: skip
def test_a_go_module_that_serves_nothing_says_what_it_is(
    tmp_path: Path, files: dict[str, str], message: str
) -> None:
    write(tmp_path, {"go.mod": "module example.com/tool\n", **files})
    with pytest.raises(ScaffoldError, match=f"^{re.escape(str(tmp_path))} {message}"):
        detect_stack(tmp_path, STACKS)


def test_a_python_package_without_fastapi_says_so(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": '[project]\ndependencies = ["flask"]\n'})
    with pytest.raises(ScaffoldError, match=r"its pyproject\.toml is a Python package without"):
        detect_stack(tmp_path, STACKS)


def test_services_are_found_below_a_folder_but_not_inside_a_service(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "backend/pyproject.toml": PYPROJECT_WITH_FASTAPI,
            "frontend/package.json": json.dumps({"dependencies": {"vue": "^3"}}),
            "frontend/index.html": "<div id=app></div>\n",
            "frontend/node_modules/x/package.json": json.dumps({"dependencies": {"koa": "2"}}),
            "services/orders/package.json": json.dumps({"dependencies": {"express": "^5"}}),
            "services/orders/admin/package.json": json.dumps({"dependencies": {"vue": "^3"}}),
            "tools/lint/go.mod": "module tools\n",
            "a/b/c/d/e/package.json": json.dumps({"dependencies": {"vue": "^3"}}),
        },
    )
    found = [path.relative_to(tmp_path).as_posix() for path in find_services(tmp_path, STACKS)]
    assert found == ["backend", "frontend", "services/orders"]


def test_a_workspace_root_is_no_service_and_its_apps_not_its_libraries_are_found(
    tmp_path: Path,
) -> None:
    # A pnpm monorepo laid out as vue-vben-admin: the root's package.json holds the shared
    # tooling (Vue among it), the apps are packages under apps/.
    write(
        tmp_path,
        {
            "pnpm-workspace.yaml": "packages:\n  - apps/*\n  - packages/*\n",
            "package.json": json.dumps({"devDependencies": {"vue": "catalog:", "vite": "7"}}),
            "apps/web-antd/package.json": json.dumps({"dependencies": {"vue": "catalog:"}}),
            "apps/web-antd/src/main.ts": "import { createApp } from 'vue'\n",
            "apps/web-antd/index.html": "<div id=app></div>\n",
            "packages/icons/package.json": json.dumps({"dependencies": {"vue": "catalog:"}}),
            "packages/icons/src/index.ts": "export {}\n",
        },
    )
    with pytest.raises(ScaffoldError, match="is the root of a JavaScript workspace, not a service"):
        detect_stack(tmp_path, STACKS)
    found = [path.relative_to(tmp_path).as_posix() for path in find_services(tmp_path, STACKS)]
    # packages/icons is a library the apps share: no page of its own.
    assert found == ["apps/web-antd"]


def test_a_workspace_root_with_an_app_of_its_own_is_that_app(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "package.json": json.dumps(
                {"workspaces": ["packages/*"], "dependencies": {"vue": "^3.5.0"}}
            ),
            "src/main.ts": "import { createApp } from 'vue'\n",
            "packages/ui/package.json": json.dumps({"dependencies": {"vue": "^3.5.0"}}),
        },
    )
    assert detect_stack(tmp_path, STACKS) == "vue"
