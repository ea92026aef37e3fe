"""Slow tier: `visiobook add resource` grows a generated service, and the service stays whole:
its own lint, type check and tests pass against real PostgreSQL with the added resources, their
migrations apply after the example's on a database that already holds its rows, and schemathesis
finds nothing on their routes in the booted service. A Vue app pointed at the grown backends'
contract (`--api`) passes its own checks, and in Chromium creates, lists, edits and deletes an
item of every resource through each booted backend."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.helpers import EVERY_TYPE
from tests.slow.nginx import StaticServer
from tests.slow.postgres import PostgresServer, free_port
from tests.slow.prisma import migrate_deploy
from tests.slow.project import (
    GoProject,
    NodeProject,
    PythonProject,
    ServiceProject,
    VueProject,
    generate,
    run,
)
from tests.slow.redis import RedisServer
from tests.slow.services import JWT_SECRET, access_token, schemathesis, start, stop_gracefully
from tests.slow.test_fastapi_service import passes_its_tests
from tests.slow.test_go_service import assert_race_tests_pass_with_coverage
from tests.slow.test_node_service import (
    jest_suites,
    migrated_database,
    passes_its_tests_with_coverage,
)
from tests.slow.test_vue_service import assert_unit_tests_pass_with_coverage

pytestmark = pytest.mark.slow


def add_resource(root: Path, name: str, *options: str) -> str:
    """Adds the resource with the CLI, then commits it as a team would; the CLI's output."""
    added = subprocess.run(
        [sys.executable, "-m", "visiobook_scaffold", "add", "resource", name, str(root), *options],
        capture_output=True,
        text=True,
        check=False,
    )
    assert added.returncode == 0, added.stderr
    committed = run(root, "git", "add", "-A")
    assert committed.code == 0, committed.output
    committed = run(root, "git", "commit", "-q", "-m", f"Add {name}")
    assert committed.code == 0, committed.output
    return added.stdout


# A domain file as a team keeps one: `add resource media-assets --from` adds publishers first.
DOMAIN = """\
resources:
  publishers:
    fields:
      name: string(120):required:unique
      founded: date
  media-assets:
    fields:
      title: {type: string, max_length: 200, required: true}
      sizeBytes: integer:required:indexed
      publisher: reference(publishers):required
"""


@pytest.fixture(scope="module")
def grown_fastapi_service(
    tmp_path_factory: pytest.TempPathFactory, fastapi_service: PythonProject
) -> PythonProject:
    """A FastAPI service grown beside its example resource (`items`) with people (the
    example's fields), books (every field type, two references to people) and, from a domain
    file, publishers and media-assets (which refers to publishers)."""
    folder = tmp_path_factory.mktemp("grown")
    root = generate(folder / "svc", "--stack", "fastapi", "--name", "svc")
    add_resource(root, "people")
    add_resource(root, "books", *(option for spec in EVERY_TYPE for option in ("--field", spec)))
    domain = folder / "domain.yaml"
    domain.write_text(DOMAIN)
    added = add_resource(root, "media-assets", "--from", str(domain))
    assert added.startswith("Added the resources publishers, media-assets:")
    project = PythonProject(root)
    # Same requirements: the fixture's installed virtualenv serves this one too.
    project.bin.parent.symlink_to(fastapi_service.bin.parent)
    return project


def test_added_resources_leave_a_fastapi_service_lint_clean_and_typed(
    grown_fastapi_service: PythonProject,
) -> None:
    lint = grown_fastapi_service.told("lint")
    assert lint.code == 0, lint.output[-4000:]
    types = grown_fastapi_service.told("type_check")
    assert types.code == 0, types.output[-4000:]


def test_added_resources_pass_the_fastapi_service_s_own_tests_against_postgres(
    grown_fastapi_service: PythonProject, postgres: PostgresServer, tmp_path: Path
) -> None:
    database_url = postgres.create_database("grown_own_tests")
    modules = passes_its_tests(grown_fastapi_service, {"DATABASE_URL": database_url}, tmp_path)
    assert {
        "tests.integration.test_people_api", "tests.unit.test_person_service",
        "tests.integration.test_books_api", "tests.unit.test_book_service",
        "tests.integration.test_publishers_api", "tests.unit.test_publisher_service",
        "tests.integration.test_media_assets_api", "tests.unit.test_media_asset_service",
    } <= modules  # fmt: skip


def test_added_fastapi_resources_migrate_in_turn_over_the_earlier_ones_rows(
    grown_fastapi_service: PythonProject, postgres: PostgresServer
) -> None:
    database = "grown_migrations"
    database_url = postgres.create_database(database)
    env = {"DATABASE_URL": database_url, "JWT_SECRET": JWT_SECRET}
    alembic = str(grown_fastapi_service.bin / "alembic")
    first = run(grown_fastapi_service.root, alembic, "upgrade", "0001", env=env)
    assert first.code == 0, first.output
    postgres.psql(database, "-c", "INSERT INTO items (name) VALUES ('kept')")
    second = run(grown_fastapi_service.root, alembic, "upgrade", "0002", env=env)
    assert second.code == 0, second.output
    postgres.psql(database, "-c", "INSERT INTO people (name) VALUES ('Ann')")

    migrated = grown_fastapi_service.told("migrate", env=env)
    assert migrated.code == 0, migrated.output
    assert postgres.psql(database, "-tAc", "SELECT name FROM items").strip() == "kept"
    # The rows of earlier resources serve the later ones' references.
    postgres.psql(
        database, "-c",
        "INSERT INTO books (title, in_print, status, author_id)"
        " SELECT 'Dune', true, 'draft', id FROM people",
    )  # fmt: skip
    assert postgres.psql(database, "-tAc", "SELECT count(*) FROM books").strip() == "1"
    history = run(grown_fastapi_service.root, alembic, "history", env=env)
    assert history.code == 0, history.output
    # Newest first: each added resource's migration follows the one before it.
    assert history.output.splitlines()[:5] == [
        "0004 -> 0005 (head), Create the media_assets table.",
        "0003 -> 0004, Create the publishers table.",
        "0002 -> 0003, Create the books table.",
        "0001 -> 0002, Create the people table.",
        "<base> -> 0001, Create the items table.",
    ]


def test_schemathesis_finds_nothing_on_the_added_resources_of_a_booted_fastapi_service(
    grown_fastapi_service: PythonProject, postgres: PostgresServer, tmp_path: Path
) -> None:
    added = ["people", "books", "publishers", "media-assets"]
    service = start(grown_fastapi_service, postgres, "grown_booted")
    try:
        served = httpx.get(f"{service.base}/api/docs/openapi.json", timeout=10).json()
        assert {f"/api/v1/{resource}/{{id}}" for resource in added} <= set(served["paths"])
        tags = [option for resource in added for option in ("--include-tag", resource)]
        tested = schemathesis(
            grown_fastapi_service.root / "api" / "openapi.json", service.base, tmp_path, *tags
        )
    finally:
        stop_gracefully(service)
    assert_every_operation_of(tested, added)


def assert_every_operation_of(tested: list[str], resources: list[str]) -> None:
    """schemathesis exercised each operation of each resource."""
    for resource in resources:
        for operation in ("GET", "POST"):
            assert f"{operation} /api/v1/{resource}" in tested
        for operation in ("GET", "PUT", "PATCH", "DELETE"):
            assert f"{operation} /api/v1/{resource}/{{id}}" in tested


@pytest.fixture(scope="module")
def grown_go_service(tmp_path_factory: pytest.TempPathFactory, go_service: GoProject) -> GoProject:
    """A Go service (Redis variant: the most code per resource) grown as the FastAPI one is:
    people, books (every field type) and, from the domain file, publishers and media-assets.
    The modules are in Go's cache since the `go_service` fixture downloaded them."""
    folder = tmp_path_factory.mktemp("grown-go")
    root = generate(folder / "svc", "--stack", "go", "--name", "svc", "--data", "cache=redis")
    add_resource(root, "people")
    add_resource(root, "books", *(option for spec in EVERY_TYPE for option in ("--field", spec)))
    domain = folder / "domain.yaml"
    domain.write_text(DOMAIN)
    add_resource(root, "media-assets", "--from", str(domain))
    return GoProject(root)


def test_added_resources_leave_a_go_service_gofmt_staticcheck_and_vet_clean(
    grown_go_service: GoProject,
) -> None:
    lint = grown_go_service.told("lint")
    assert lint.code == 0, lint.output[-4000:]
    vet = grown_go_service.told("type_check")
    assert vet.code == 0, vet.output[-4000:]


def test_added_resources_pass_the_go_service_s_own_race_tests_against_postgres_and_redis(
    grown_go_service: GoProject, postgres: PostgresServer, redis: RedisServer
) -> None:
    """Every test of the Redis variant runs and passes, with coverage >= 80%: the example's,
    its cache tests, and the added resources' (this is the slow tier's run of the Redis
    variant's own tests)."""
    if not redis.is_accepting():
        redis.start()  # test_cache.py may have stopped it last
    env = {"DATABASE_URL": postgres.create_database("grown_go_tests"), "REDIS_URL": redis.url}
    added = {
        "TestLifecycleOfAPerson",
        "TestLifecycleOfABook",
        "TestBookEachFilterKeepsTheRowsItMatches",
        "TestBookTheListSortsOnEachSortableField",
        "TestBookAuthorNamesAnExistingPersonEmbeddedOnRequest",
        "TestLifecycleOfAPublisher",
        "TestMediaAssetPublisherNamesAnExistingPublisherEmbeddedOnRequest",
        "TestAReadItemIsServedFromTheCacheUntilEachWriteDropsIt",
        "TestPagesAreCachedByGenerationAndQueryUntilAWrite",
        "TestWithoutRedisTheAPIAnswersFromTheDatabaseAndTheProbesSayWhy",
    }
    assert_race_tests_pass_with_coverage(grown_go_service, env, added)


def test_added_go_resources_migrate_in_turn_over_the_earlier_ones_rows(
    grown_go_service: GoProject, postgres: PostgresServer, tmp_path: Path
) -> None:
    """The service as it was before the resources were added migrates its database, which gets a
    row; then the grown service migrates the same database, as a deployment of it would."""
    before = GoProject(tmp_path / "before")
    cloned = run(tmp_path, "git", "clone", "-q", str(grown_go_service.root), str(before.root))
    assert cloned.code == 0, cloned.output
    assert run(before.root, "git", "checkout", "-q", "HEAD~3").code == 0
    database = "grown_go_migrations"
    env = {
        "DATABASE_URL": postgres.create_database(database),
        "JWT_SECRET": JWT_SECRET,
        "REDIS_URL": "redis://127.0.0.1:1",
    }
    first = before.told("migrate", env=env)
    assert first.code == 0, first.output
    postgres.psql(database, "-c", "INSERT INTO items (name) VALUES ('kept')")

    migrated = grown_go_service.told("migrate", env=env)

    assert migrated.code == 0, migrated.output
    assert postgres.psql(database, "-tAc", "SELECT name FROM items").strip() == "kept"
    versions = postgres.psql(
        database, "-c", "SELECT version_id FROM goose_db_version WHERE version_id > 0 ORDER BY id"
    )
    assert versions.split() == ["1", "2", "3", "4", "5"]
    # The rows of earlier resources serve the later ones' references.
    postgres.psql(database, "-c", "INSERT INTO people (name) VALUES ('Ann')")
    postgres.psql(
        database, "-c",
        "INSERT INTO books (title, in_print, status, author_id)"
        " SELECT 'Dune', true, 'draft', id FROM people",
    )  # fmt: skip
    assert postgres.psql(database, "-tAc", "SELECT count(*) FROM books").strip() == "1"


def test_schemathesis_finds_nothing_on_the_added_resources_of_a_booted_go_service(
    grown_go_service: GoProject, postgres: PostgresServer, redis: RedisServer, tmp_path: Path
) -> None:
    if not redis.is_accepting():
        redis.start()
    added = ["people", "books", "publishers", "media-assets"]
    service = start(grown_go_service, postgres, "grown_go_booted", {"REDIS_URL": redis.url})
    try:
        tags = [option for resource in added for option in ("--include-tag", resource)]
        tested = schemathesis(
            grown_go_service.root / "api" / "openapi.json", service.base, tmp_path, *tags
        )
    finally:
        stop_gracefully(service)
    assert_every_operation_of(tested, added)


@pytest.fixture(scope="module")
def grown_node_service(
    tmp_path_factory: pytest.TempPathFactory, node_service: NodeProject
) -> NodeProject:
    """A Node service grown as the FastAPI one is: people, books (every field type) and, from
    the domain file, publishers and media-assets."""
    folder = tmp_path_factory.mktemp("grown-node")
    root = generate(folder / "svc", "--stack", "node", "--name", "svc")
    add_resource(root, "people")
    add_resource(root, "books", *(option for spec in EVERY_TYPE for option in ("--field", spec)))
    domain = folder / "domain.yaml"
    domain.write_text(DOMAIN)
    add_resource(root, "media-assets", "--from", str(domain))
    # Same lock file: the fixture's installed tree serves this one too.
    (root / "node_modules").symlink_to(node_service.root / "node_modules")
    project = NodeProject(root)
    generated = project.npm("exec", "--", "prisma", "generate")
    assert generated.code == 0, generated.output
    return project


def test_added_resources_leave_a_node_service_lint_clean_and_typed(
    grown_node_service: NodeProject,
) -> None:
    lint = grown_node_service.told("lint")
    assert lint.code == 0, lint.output[-4000:]
    types = grown_node_service.told("type_check")
    assert types.code == 0, types.output[-4000:]


def test_added_resources_pass_the_node_service_s_own_tests_against_postgres(
    grown_node_service: NodeProject, postgres: PostgresServer, tmp_path: Path
) -> None:
    database_url = migrated_database(postgres, "grown_node_own_tests", grown_node_service)
    passes_its_tests_with_coverage(grown_node_service, tmp_path, {"DATABASE_URL": database_url})
    suites = {Path(suite).name for suite in jest_suites(tmp_path)}
    assert {
        f"{item}.{suite}.test.ts"
        for item in ("person", "book", "publisher", "media-asset")
        for suite in ("api", "contract", "service")
    } <= suites, suites


def test_added_resources_of_a_node_service_migrate_after_the_example_on_a_database_holding_its_rows(
    grown_node_service: NodeProject, postgres: PostgresServer, tmp_path: Path
) -> None:
    migrations = grown_node_service.root / "prisma" / "migrations"
    names = sorted(folder.name for folder in migrations.iterdir() if folder.is_dir())
    # Named by timestamp: each added resource's sorts after the one before it.
    assert names[0] == "20261124000000_create_items", names
    assert [name.split("_", 1)[1] for name in names] == [
        "create_items",
        "create_people",
        "create_books",
        "create_publishers",
        "create_media_assets",
    ]
    # The service as deployed before the resources were added: the example's migration alone.
    before = tmp_path / "before"
    shutil.copytree(migrations / names[0], before / "prisma" / "migrations" / names[0])
    database = "grown_node_migrations"
    postgres.create_database(database)
    migrate_deploy(postgres, database, before)
    postgres.psql(database, "-c", "INSERT INTO items (name) VALUES ('kept')")

    # What `npx prisma migrate deploy` does (tests/slow/prisma.py): the new ones, in order.
    migrate_deploy(postgres, database, grown_node_service.root)
    assert postgres.psql(database, "-tAc", "SELECT name FROM items").strip() == "kept"
    applied = postgres.psql(
        database, "-tAc", 'SELECT migration_name FROM "_prisma_migrations" ORDER BY started_at'
    )
    assert applied.split() == names
    # The rows of earlier resources serve the later ones' references.
    postgres.psql(database, "-c", "INSERT INTO people (name) VALUES ('Ann')")
    postgres.psql(
        database, "-c",
        "INSERT INTO books (title, in_print, status, author_id)"
        " SELECT 'Dune', true, 'draft', id FROM people",
    )  # fmt: skip
    assert postgres.psql(database, "-tAc", "SELECT count(*) FROM books").strip() == "1"


def test_schemathesis_finds_nothing_on_the_added_resources_of_a_booted_node_service(
    grown_node_service: NodeProject, postgres: PostgresServer, tmp_path: Path
) -> None:
    added = ["people", "books", "publishers", "media-assets"]
    service = start(grown_node_service, postgres, "grown_node_booted")
    try:
        served = httpx.get(f"{service.base}/api/docs/openapi.json", timeout=10).json()
        assert {f"/api/v1/{resource}/{{id}}" for resource in added} <= set(served["paths"])
        tags = [option for resource in added for option in ("--include-tag", resource)]
        tested = schemathesis(
            grown_node_service.root / "api" / "openapi.json", service.base, tmp_path, *tags
        )
    finally:
        stop_gracefully(service)
    assert_every_operation_of(tested, added)


@pytest.fixture(scope="module")
def grown_vue_app(
    tmp_path_factory: pytest.TempPathFactory,
    vue_service: VueProject,
    grown_fastapi_service: PythonProject,
) -> VueProject:
    """A Vue app pointed at the grown FastAPI service's contract: books (with people, which it
    refers to) and media-assets (with publishers), each added with `--api`."""
    root = generate(tmp_path_factory.mktemp("grown-vue") / "web", "--stack", "vue", "--name", "web")
    backend = str(grown_fastapi_service.root)
    assert add_resource(root, "books", "--api", backend).startswith(
        "Added the resources people, books:"
    )
    assert add_resource(root, "media-assets", "--api", backend).startswith(
        "Added the resources publishers, media-assets:"
    )
    # Same lock file: the fixture's installed tree serves this one too; `npm ci` would have
    # written the contract's types.
    (root / "node_modules").symlink_to(vue_service.root / "node_modules")
    app = VueProject(root)
    types = app.npm("run", "api:types")
    assert types.code == 0, types.output
    return app


def contract_of(root: Path) -> dict[str, Any]:
    """What a project's api/openapi.json says of the API: its paths and components, but for the
    health report's dependencies (a backend with `cache: redis`, as the Go one is, names it)."""
    document = json.loads((root / "api" / "openapi.json").read_text())
    schemas = dict(document["components"]["schemas"])
    del schemas["Health"]
    return {
        "paths": document["paths"],
        "components": {**document["components"], "schemas": schemas},
    }


def test_a_vue_app_pointed_at_a_backend_has_its_contract_whatever_its_stack(
    grown_vue_app: VueProject,
    grown_fastapi_service: PythonProject,
    grown_go_service: GoProject,
    grown_node_service: NodeProject,
) -> None:
    ours = contract_of(grown_vue_app.root)
    for backend in (grown_fastapi_service, grown_go_service, grown_node_service):
        assert contract_of(backend.root) == ours, backend.STACK


def test_the_vue_app_s_added_resources_pass_its_lint_types_and_unit_tests(
    grown_vue_app: VueProject, tmp_path: Path
) -> None:
    for command in ("lint", "type_check"):
        result = grown_vue_app.told(command)
        assert result.code == 0, result.output[-4000:]
    assert_unit_tests_pass_with_coverage(grown_vue_app, tmp_path)


@pytest.fixture(scope="module")
def grown_vue_build(grown_vue_app: VueProject) -> Path:
    result = grown_vue_app.npm("run", "build")
    assert result.code == 0, result.output[-4000:]
    return grown_vue_app.root / "dist"


@pytest.mark.parametrize("stack", ["fastapi", "go", "node"])
def test_the_vue_app_creates_lists_edits_and_deletes_every_resource_through_each_backend(
    stack: str,
    request: pytest.FixtureRequest,
    postgres: PostgresServer,
    redis: RedisServer,
    grown_vue_app: VueProject,
    grown_vue_build: Path,
    tmp_path: Path,
) -> None:
    """The app's live browser tests (tests/e2e/live.spec.ts) in Chromium, against the grown
    backend booted on its own database (and Redis, for the Go one's cache): nothing is
    stubbed."""
    backend: ServiceProject = request.getfixturevalue(f"grown_{stack}_service")
    if not redis.is_accepting():
        redis.start()
    api_port = free_port()
    app = StaticServer(
        grown_vue_app.root, grown_vue_build, {"VITE_API_URL": f"http://127.0.0.1:{api_port}"}
    )
    report = tmp_path / "playwright.json"
    env = {"PORT": str(api_port), "CORS_ORIGINS": app.base_url, "REDIS_URL": redis.url}
    service = start(backend, postgres, f"grown_vue_{stack}", env)
    try:
        with app:
            result = grown_vue_app.npm(
                "run",
                "test:e2e",
                "--",
                "--project=live",
                "--reporter=list,json",
                env={
                    "E2E_BASE_URL": app.base_url,
                    "E2E_API_TOKEN": access_token(f"grown-vue-{stack}"),
                    "CHROMIUM_PATH": grown_vue_app.chromium(),
                    "PLAYWRIGHT_JSON_OUTPUT_NAME": str(report),
                },
            )
    finally:
        stop_gracefully(service)
        app.close()
    assert result.code == 0, result.output[-6000:] + service.log.read_text()[-3000:]
    stats = json.loads(report.read_text())["stats"]
    outcome = [stats[key] for key in ("expected", "unexpected", "skipped", "flaky")]
    assert outcome == [2, 0, 0, 0], stats
