"""Routes read from wherever a service declares them, route rules that skip when they read
nothing, and CI jobs recognised by what they run."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from visiobook_scaffold.check.model import Skip
from visiobook_scaffold.check.repo import Repo
from visiobook_scaffold.check.routes import routes
from visiobook_scaffold.check.rules.api import naming, versioned
from visiobook_scaffold.check.rules.ci import job_kinds, pipeline_jobs
from visiobook_scaffold.check.rules.observability import health_routes, metrics_route


def repo_of(root: Path, stack: str, files: dict[str, str]) -> Repo:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return Repo(root, stack, "service", datetime.date(2026, 11, 25))


def paths(repo: Repo) -> list[tuple[str, str, int]]:
    return [(r.path, r.file, r.line) for r in routes(repo)]


def test_decorator_routes_of_routing_controllers_and_nest_are_read(tmp_path: Path) -> None:
    repo = repo_of(
        tmp_path,
        "node",
        {
            "src/controllers/UserController.ts": "@JsonController('/users')\n"
            "export class UserController {\n  @Get('/:id')\n  one() {}\n  @Post()\n  add() {}\n}\n",
            "apps/api/src/cats.controller.ts": "@Controller('cats')\nclass Cats {\n"
            "  @Get(':id') one() {}\n}\n",
            "apps/api/src/main.ts": "app.setGlobalPrefix('api/v1');\n",
        },
    )
    assert paths(repo) == [
        ("/cats", "apps/api/src/cats.controller.ts", 1),
        ("/:id", "apps/api/src/cats.controller.ts", 3),
        ("/api/v1", "apps/api/src/main.ts", 1),
        ("/users", "src/controllers/UserController.ts", 1),
        ("/:id", "src/controllers/UserController.ts", 3),
    ]


def test_express_mounts_resolve_a_constant_prefix_and_lookups_are_not_routes(
    tmp_path: Path,
) -> None:
    repo = repo_of(
        tmp_path,
        "node",
        {
            "server/index.js": 'const API_PREFIX = "/api/v1";\napp.use(express.json());\n'
            "app.use(API_PREFIX, router);\nconst id = req.get('x-correlation-id');\n"
            "router.get(`${API_PREFIX}/books`, list);\n",
        },
    )
    assert paths(repo) == [
        ("/api/v1", "server/index.js", 3),
        ("/api/v1/books", "server/index.js", 5),
    ]


def test_routing_controllers_and_fastify_prefixes_are_read(tmp_path: Path) -> None:
    repo = repo_of(
        tmp_path,
        "node",
        {
            "src/config/constants.ts": "export const API_PREFIX = '/api/v1';\n",
            "src/app.ts": "useExpressServer(app, {\n  routePrefix: API_PREFIX,\n});\n"
            "fastify.register(books, { prefix: '/books' });\n",
        },
    )
    assert paths(repo) == [("/api/v1", "src/app.ts", 2), ("/books", "src/app.ts", 4)]


def test_fastapi_prefixes_given_by_settings_constants_are_resolved(tmp_path: Path) -> None:
    repo = repo_of(
        tmp_path,
        "fastapi",
        {
            "backend/app/core/config.py": "class Settings(BaseSettings):\n"
            '    API_V1_STR: str = "/api/v1"\n',
            "backend/app/main.py": "app.include_router(api_router, prefix=settings.API_V1_STR)\n",
            "backend/app/api/routes/items.py": 'router = APIRouter(prefix="/items")\n',
            "backend/app/tests/test_items.py": 'client.get("/api/v1/not-a-route")\n',
        },
    )
    assert paths(repo) == [
        ("/items", "backend/app/api/routes/items.py", 1),
        ("/api/v1", "backend/app/main.py", 1),
    ]


def test_routes_added_by_call_are_read(tmp_path: Path) -> None:
    repo = repo_of(
        tmp_path,
        "fastapi",
        {"service/probes.py": 'app.add_api_route("/ready", ready)\napp.add_route("/metrics", m)\n'},
    )
    assert paths(repo) == [("/ready", "service/probes.py", 1), ("/metrics", "service/probes.py", 2)]


def test_a_frontend_without_nginx_locations_skips_saying_so(tmp_path: Path) -> None:
    repo = repo_of(tmp_path, "vue", {"src/main.ts": "createApp(App).mount('#app')\n"})
    with pytest.raises(Skip, match="no nginx `location` in 1 "):
        list(health_routes(repo))


def test_a_name_given_two_values_is_not_resolved(tmp_path: Path) -> None:
    repo = repo_of(
        tmp_path,
        "fastapi",
        {
            "a.py": 'PREFIX = "/api/v1"\n',
            "b.py": 'PREFIX = "/internal"\napp.include_router(r, prefix=PREFIX)\n',
        },
    )
    assert paths(repo) == []


def test_gin_routes_outside_cmd_internal_pkg_and_groups_without_a_slash_are_read(
    tmp_path: Path,
) -> None:
    repo = repo_of(
        tmp_path,
        "go",
        {
            "routes/routes.go": 'v1 := r.Group("api/v1")\nv1.GET("books", list)\n'
            'user, _ := c.Get("user")\nzap.Any("panic", recovered)\n',
            "server/probes.go": 'mux.HandleFunc("GET /ready", ready)\n',
            "routes/routes_test.go": 'r.GET("/not-a-route", h)\n',
            "api/books.pb.go": 'r.GET("/generated", h)\n',
        },
    )
    assert paths(repo) == [
        ("/api/v1", "routes/routes.go", 1),
        ("/books", "routes/routes.go", 2),
        ("/ready", "server/probes.go", 1),
    ]


def test_route_rules_skip_with_the_reason_when_no_route_was_read(tmp_path: Path) -> None:
    repo = repo_of(tmp_path, "go", {"main.go": "package main\n\nfunc main() {}\n"})
    for check in (versioned, naming, health_routes, metrics_route):
        with pytest.raises(Skip, match=r"no route found in the sources: 1 \.go file"):
            list(check(repo))


def test_probes_only_fail_versioning_and_leave_naming_nothing_to_judge(tmp_path: Path) -> None:
    repo = repo_of(tmp_path, "go", {"server.go": 'r.GET("/", hello)\nr.GET("/health", h)\n'})
    (finding,) = versioned(repo)
    assert finding.path is None
    assert "none is under /api/v{n}/: / (server.go:1), /health (server.go:2)" in finding.message
    with pytest.raises(Skip, match="no resource route to judge"):
        list(naming(repo))
    assert [f.message for f in health_routes(repo)] == ["no /ready route in the sources"]


@pytest.mark.parametrize(
    ("job", "kinds"),
    [
        ({"steps": [{"uses": "github/codeql-action/analyze@v3"}]}, {"security"}),
        ({"steps": [{"uses": "aquasecurity/trivy-action@0.28.0"}]}, {"security"}),
        ({"steps": [{"uses": "anchore/scan-action@v6"}]}, {"security"}),
        ({"steps": [{"run": "go install golang.org/x/vuln/cmd/govulncheck@latest"}]}, {"security"}),
        (
            {"steps": [{"run": "pip-audit -r requirements.txt"}, {"run": "pytest"}]},
            {"security", "test"},
        ),
        ({"steps": [{"run": "npm audit --audit-level=high"}]}, {"security"}),
        ({"steps": [{"run": "gosec ./..."}]}, {"security"}),
        ({"steps": [{"run": "bandit -r app"}]}, {"security"}),
        ({"steps": [{"run": "npm run test -- --coverage"}]}, {"test"}),
        ({"steps": [{"run": "go test -race ./..."}]}, {"test"}),
        ({"steps": [{"run": "make cover"}]}, {"test"}),
        ({"steps": [{"uses": "docker/build-push-action@v6"}]}, {"build"}),
        ({"steps": [{"run": "docker build -t app ."}]}, {"build"}),
        ({"steps": [{"run": "ko build ./cmd/api"}]}, {"build"}),
        ({"steps": [{"run": "make image VERSION=1.2.0"}]}, {"build"}),
        ({"steps": [{"run": "make docker-push"}]}, {"build"}),
        # A compile step is not the image the guidelines' build job makes.
        ({"steps": [{"run": "go build -v ./..."}]}, set()),
        ({"steps": [{"run": "npm run build"}]}, set()),
    ],
)
def test_jobs_are_recognised_by_what_they_run(job: dict[str, object], kinds: set[str]) -> None:
    assert job_kinds("job", job) == kinds


def test_jobs_are_still_recognised_by_a_test_or_security_name() -> None:
    assert job_kinds("analyze", {"name": "CodeQL", "steps": []}) == {"security"}
    assert job_kinds("unit-tests", {"steps": []}) == {"test"}
    assert job_kinds("build", {"steps": [{"run": "make"}]}) == set()


def test_a_pipeline_missing_jobs_gets_one_finding_naming_each(tmp_path: Path) -> None:
    workflow = (
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: go build ./...\n      - run: go test ./...\n"
    )
    repo = repo_of(tmp_path, "go", {".github/workflows/go.yml": workflow})
    (finding,) = pipeline_jobs(repo)
    assert finding.path == ".github/workflows/go.yml"
    assert "no security (a dependency audit" in finding.message
    assert "no build (builds the image) job" in finding.message
