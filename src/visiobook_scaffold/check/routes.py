"""The HTTP routes a service's sources declare, as path fragments read without running it.

Routers compose (a router mounted at /api/v1/items declares "/:id"), so each fragment is a
piece of a path, not a whole one. Enough to judge the naming rules of guidelines 3.1 and to
see that the probe routes exist.

What is read, in every source file of the stack outside tests, vendored and generated code:
route calls and mount points with a literal path (`app.get("/x")`, `r.Group("api/v1")`,
routing-controllers' `routePrefix: "/api"`, Fastify's `{ prefix: "/x" }`,
`APIRouter(prefix="/x")`, `include_router(r, prefix="/x")`, `app.use("/x", router)`),
decorators (`@Controller("users")`, `@JsonController("/users")`, `@Get(":id")`), and a path
given by a name (`prefix=settings.API_V1_STR`, `app.use(API_PREFIX, router)`) when that name is
assigned one string literal somewhere in the sources (`API_V1_STR: str = "/api/v1"`,
`const API_PREFIX = "/api/v1"`). What is not: paths built at run time (concatenations, values
read from the environment, a name assigned several different values), and routes declared in
data (an OpenAPI file) rather than code.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from visiobook_scaffold.check.profiles import RouteLanguage, profile_of
from visiobook_scaffold.check.repo import Repo

# A path argument: a string literal (captured as `literal`) or a name (`name`, possibly dotted:
# settings.API_V1_STR), resolved against the string constants of the sources.
_JS_STRING = r"""(?:(['"`])(?P<literal>[^'"`\n]*)\1|(?P<name>[A-Za-z_$][\w$]*(?:\.[\w$]+)*)\s*,)"""
_PY_STRING = r"""(?:[fr]?(['"])(?P<literal>[^'"\n]*)\1|(?P<name>[A-Za-z_]\w*(?:\.\w+)*)\s*[,)])"""
_GO_STRING = r"""(?:"(?P<literal>[^"\n]*)"|(?P<name>[A-Za-z_]\w*(?:\.\w+)*)\s*[,)])"""

_JS = re.compile(
    r"""(?:\.(?:get|post|put|patch|delete|all|use|route)\(\s*(?=['"`/A-Za-z_$])"""
    r"""|@(?:Controller|JsonController|Get|Post|Put|Patch|Delete|All|Head|Options)\(\s*"""
    r"""|\.setGlobalPrefix\(\s*|\b(?:routePrefix|prefix)\s*:\s*"""
    r"""|@Controller\(\s*\{[^}]*?\bpath\s*:\s*)""" + _JS_STRING
)
_PY = re.compile(
    r"""(?:\.(?:get|post|put|patch|delete|head|options|api_route|add_api_route|add_route"""
    r"""|websocket|route)\(\s*"""
    r"""|\b(?:Route|Mount|WebSocketRoute)\(\s*|\bprefix\s*=\s*)""" + _PY_STRING
)
_GO = re.compile(
    r"""\.(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|Any|Handle|HandleFunc|Group|Match"""
    r"""|Get|Post|Put|Patch|Delete|Route|Mount)\(\s*""" + _GO_STRING
)
_NGINX = re.compile(r"""\blocation\s+(?:=\s*|\^~\s*)?(?P<literal>/\S*)""")

# String constants a path argument may name, per language.
_JS_CONSTANT = re.compile(
    r"""(?:\b(?:const|let|var)\s+|^\s*(?:readonly\s+|static\s+)*)(?P<name>[A-Za-z_$][\w$]*)"""
    r"""\s*(?::\s*[\w<>\[\]| ]+)?\s*[=:]\s*(['"`])(?P<value>[^'"`\n]*)\2""",
    re.MULTILINE,
)
_PY_CONSTANT = re.compile(
    r"""^\s*(?P<name>[A-Za-z_]\w*)\s*(?::[^=\n]+)?=\s*(['"])(?P<value>[^'"\n]*)\2\s*$""",
    re.MULTILINE,
)
_GO_CONSTANT = re.compile(
    r"""^\s*(?:const\s+|var\s+)?(?P<name>[A-Za-z_]\w*)\s*(?:string\s*)?:?=\s*"(?P<value>[^"\n]*)\"""",
    re.MULTILINE,
)


@dataclass(frozen=True)
class Language:
    suffixes: tuple[str, ...]
    route: re.Pattern[str]
    constant: re.Pattern[str] | None


LANGUAGES: dict[RouteLanguage, Language] = {
    "javascript": Language((".ts", ".js", ".mts", ".mjs", ".cjs"), _JS, _JS_CONSTANT),
    "python": Language((".py",), _PY, _PY_CONSTANT),
    "go": Language((".go",), _GO, _GO_CONSTANT),
    # A frontend's routes are its nginx configuration's; its code sends the correlation id.
    "nginx": Language((".conf", ".conf.template", ".ts", ".vue"), _NGINX, None),
}
# Calls whose literal is a path even without a leading '/': Gin/Echo groups and methods take
# relative paths, Nest decorators and global prefixes bare ones. Elsewhere `.get("key")` is a
# lookup, not a route.
_BARE_PATH_CALL = re.compile(
    r"^(?:\.(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|Group|setGlobalPrefix)\(|@)"
)
_TEST_FILE = re.compile(
    r"(^|/)(tests?|__tests__|__mocks__|mocks?|testdata|e2e|fixtures|spec)/"
    r"|_test\.go$|\.(test|spec)\.[cm]?[jt]s$|(^|/)(test_[^/]*|[^/]*_test|conftest)\.py$"
)
# Vendored and generated code: not the service's own routes.
_NOT_OWN_CODE = re.compile(
    r"(^|/)(third_party|generated|__generated__|gen)/|\.pb(\.gw)?\.go$|_gen\.go$|\.gen\.[jt]s$"
    r"|\.d\.ts$|\.min\.js$"
)
_GO_METHOD_PREFIX = re.compile(r"^[A-Z]+\s+")


@dataclass(frozen=True)
class Route:
    path: str
    file: str
    line: int


def _language(repo: Repo) -> Language:
    return LANGUAGES[profile_of(repo).route_language]


def source_files(repo: Repo) -> list[str]:
    """The service's own code, wherever it lives (tests, vendored and generated code excluded):
    where routes and middleware are."""
    suffixes = _language(repo).suffixes
    return [
        f
        for f in repo.under(("",), suffixes)
        if not _TEST_FILE.search(f) and not _NOT_OWN_CODE.search(f)
    ]


def routes(repo: Repo) -> list[Route]:
    return repo.memo("routes", lambda: _routes(repo))


def no_route_reason(repo: Repo) -> str:
    """Why no route was read: for a rule that has nothing to judge."""
    files = len(source_files(repo))
    suffixes = "/".join(_language(repo).suffixes)
    if profile_of(repo).route_language == "nginx":
        return f"no route found in the sources: no nginx `location` in {files} {suffixes} file(s)"
    return (
        f"no route found in the sources: {files} {suffixes} file(s) read (tests, vendored and"
        " generated code left out), no route call, decorator or mount with a static path"
    )


def _routes(repo: Repo) -> list[Route]:
    language = _language(repo)
    constants = _constants(repo, language)
    found = []
    for path in source_files(repo):
        text = repo.text(path)
        if not text:
            continue
        for match in language.route.finditer(text):
            fragment = _fragment(match, constants)
            if fragment is None:
                continue
            if not fragment.startswith("/"):
                if not _BARE_PATH_CALL.match(match.group(0)):
                    continue
                fragment = "/" + fragment
            line = text.count("\n", 0, match.start()) + 1
            found.append(Route(fragment, path, line))
    return found


def _fragment(match: re.Match[str], constants: dict[str, str]) -> str | None:
    """The path a route call declares; None when it has none or it cannot be read statically."""
    literal = match["literal"]
    if literal is None:
        name = match.groupdict().get("name")
        literal = constants.get(name.rsplit(".", 1)[-1]) if name else None
        if literal is None:
            return None
    literal = _GO_METHOD_PREFIX.sub("", literal)  # Go 1.22 patterns: "GET /health"
    literal = _PLACEHOLDER.sub(lambda m: _resolve(m, constants), literal)
    return literal or None


# `f"{settings.API_V1_STR}/items"`, `${API_PREFIX}/users`: names inside a template.
_PLACEHOLDER = re.compile(r"\$?\{(?P<name>[A-Za-z_$][\w$]*(?:\.[\w$]+)*)\}")


def _resolve(placeholder: re.Match[str], constants: dict[str, str]) -> str:
    value = constants.get(placeholder["name"].rsplit(".", 1)[-1])
    # Unresolved, it stays a parameter-like segment that no naming rule judges.
    return value.rstrip("/") if value is not None else placeholder.group(0)


def _constants(repo: Repo, language: Language) -> dict[str, str]:
    """Names assigned exactly one string literal in the sources; a name given several values is
    ambiguous and left unresolved."""
    if language.constant is None:
        return {}
    values: dict[str, set[str]] = defaultdict(set)
    for path in source_files(repo):
        text = repo.text(path)
        if text:
            for match in language.constant.finditer(text):
                values[match["name"]].add(match["value"])
    return {name: next(iter(found)) for name, found in values.items() if len(found) == 1}
