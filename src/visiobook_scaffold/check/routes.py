"""The HTTP routes a service's sources declare, as literal path fragments.

Routers compose (a router mounted at /api/v1/items declares "/:id"), so each fragment is a
piece of a path, not a whole one. Enough to judge the naming rules of guidelines 3.1 and to
see that the probe routes exist, without running the service.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from visiobook_scaffold.check.repo import Repo

# Per stack: where the sources are, and the calls that declare a route or a mount point.
_JS = re.compile(
    r"""\.(?:get|post|put|patch|delete|all|use|route)\(\s*(['"`])(?P<path>/[^'"`]*)\1"""
)
_PY = re.compile(
    r"""(?:\.(?:get|post|put|patch|delete|api_route|websocket)\(\s*|\bprefix\s*=\s*)"""
    r"""(['"])(?P<path>/[^'"]*)\1"""
)
_GO = re.compile(
    r"""\.(?:GET|POST|PUT|PATCH|DELETE|Any|Handle|Group|Match)\(\s*(")(?P<path>/[^"]*)\1"""
)
_NGINX = re.compile(r"""\blocation\s+(?:=\s*|\^~\s*)?(?P<path>/\S*)""")
SOURCES: dict[str, tuple[tuple[str, ...], tuple[str, ...], re.Pattern[str]]] = {
    "node": (("src",), (".ts", ".js", ".mts", ".mjs", ".cjs"), _JS),
    "fastapi": (("app",), (".py",), _PY),
    "go": (("cmd", "internal", "pkg"), (".go",), _GO),
    # A frontend's routes are its nginx configuration's; its code sends the correlation id.
    "vue": (("docker", "src"), (".conf", ".conf.template", ".ts", ".vue"), _NGINX),
}
_TEST_FILE = re.compile(r"(^|/)(tests?|__tests__|mocks?)/|_test\.go$|\.(test|spec)\.[cm]?[jt]s$")


@dataclass(frozen=True)
class Route:
    path: str
    file: str
    line: int


def source_files(repo: Repo) -> list[str]:
    """The service's own code (tests excluded): where routes and middleware live."""
    folders, suffixes, _ = SOURCES[repo.stack]
    return [f for f in repo.under(folders, suffixes) if not _TEST_FILE.search(f)]


def routes(repo: Repo) -> list[Route]:
    return repo.memo("routes", lambda: _routes(repo))


def _routes(repo: Repo) -> list[Route]:
    pattern = SOURCES[repo.stack][2]
    found = []
    for path in source_files(repo):
        text = repo.text(path)
        if not text:
            continue
        for match in pattern.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.append(Route(match["path"], path, line))
    return found
