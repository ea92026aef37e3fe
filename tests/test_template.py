"""The Copier template itself: every question path renders, bad answers are rejected."""

from __future__ import annotations

import json
import keyword
import os
import re
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import (
    AVAILABLE_STACKS,
    BASE_ANSWERS,
    REPO_ROOT,
    SERVICE_STACKS,
    probe_template,
    render,
)

SHARED = REPO_ROOT / "templates" / "shared"


def rejection(copie: Any, **answers: Any) -> str:
    result = copie.copy(extra_answers={**BASE_ANSWERS, **answers})
    assert result.exit_code != 0, f"{answers} was accepted"
    return str(result.exception)


@pytest.mark.parametrize("stack", AVAILABLE_STACKS)
def test_every_shared_file_reaches_every_stack_through_a_link(stack: str) -> None:
    # A stack links a shared folder whole, or (when it adds files of its own there, as Go's
    # api/ does) links each shared file of it.
    stack_dir = REPO_ROOT / "templates" / stack
    reached = {
        (Path(folder) / name).resolve()
        for folder, _, names in os.walk(stack_dir, followlinks=True)
        for name in names
    }
    for shared in SHARED.rglob("*"):
        if shared.is_file():
            assert shared.resolve() in reached, f"{stack} does not link shared/{shared.name}"


def test_shared_files_are_not_copied_into_stack_trees() -> None:
    shared_names = {path.relative_to(SHARED) for path in SHARED.rglob("*") if path.is_file()}
    for stack in AVAILABLE_STACKS:
        stack_dir = REPO_ROOT / "templates" / stack
        for path in stack_dir.rglob("*"):
            if path.is_file() and not any(p.is_symlink() for p in [path, *path.parents]):
                assert path.relative_to(stack_dir) not in shared_names, path


@pytest.mark.parametrize("stack", AVAILABLE_STACKS)
def test_defaults_render_the_shared_skeleton_and_answers_file(copie: Any, stack: str) -> None:
    project = render(copie, stack=stack)
    for shared in [
        "README.md",
        ".env.example",
        "k8s/helm/Chart.yaml",
        "k8s/helm/values.yaml",
        "k8s/helm/templates/deployment.yaml",
        ".github/workflows/ci-cd.yml",
    ]:
        assert (project / shared).is_file(), shared
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["stack"] == stack
    assert answers["service_name"] == "media-service"
    # Derived names and stack facts are computed, never stored.
    for computed in ("stacks", "model_name", "resource_snake", "item", "package_name"):
        assert computed not in answers


def test_helm_values_and_chart_carry_the_answers(copie: Any) -> None:
    project = render(
        copie,
        image_registry="registry.example.com:5000/team",
        port=8123,
        public_domain="media.example.org",
    )
    chart = yaml.safe_load((project / "k8s/helm/Chart.yaml").read_text())
    values = yaml.safe_load((project / "k8s/helm/values.yaml").read_text())
    assert chart["name"] == "media-service"
    assert values["image"]["repository"] == "registry.example.com:5000/team/media-service"
    assert values["service"]["targetPort"] == 8123
    assert values["env"]["PORT"] == "8123"


def test_helm_templates_are_copied_verbatim(copie: Any) -> None:
    project = render(copie)
    rendered = (project / "k8s/helm/templates/deployment.yaml").read_text()
    assert rendered == (SHARED / "k8s/helm/templates/deployment.yaml").read_text()


def test_workflow_keeps_github_expressions_and_gets_stack_commands(copie: Any) -> None:
    project = render(copie, language_version="3.12")
    workflow = yaml.safe_load((project / ".github/workflows/ci-cd.yml").read_text())
    steps = workflow["jobs"]["test"]["steps"]
    assert {"uses": "actions/setup-python@v7", "with": {"python-version": "3.12"}} in steps
    assert {"name": "Type check", "run": "mypy"} in steps
    login = workflow["jobs"]["build"]["steps"][2]
    assert login["with"]["password"] == "${{ secrets.GITHUB_TOKEN }}"


@pytest.mark.parametrize("version", ["3.12", "3.13", "3.14"])
def test_each_python_version_renders(copie: Any, version: str) -> None:
    project = render(copie, language_version=version)
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["language_version"] == version


@pytest.mark.parametrize(
    ("resource", "item_snake", "model", "item_camel", "resource_camel"),
    [
        ("items", "item", "Item", "item", "items"),
        ("media-assets", "media_asset", "MediaAsset", "mediaAsset", "mediaAssets"),
        ("categories", "category", "Category", "category", "categories"),
        ("boxes", "box", "Box", "box", "boxes"),
        ("statuses", "status", "Status", "status", "statuses"),
        ("data", "data", "Data", "data", "data"),
        ("people", "person", "Person", "person", "people"),
    ],
)
def test_resource_names_are_derived_once(
    copie: Any,
    resource: str,
    item_snake: str,
    model: str,
    item_camel: str,
    resource_camel: str,
    tmp_path: Path,
) -> None:
    probe = probe_template(tmp_path / "probe")
    (probe / "templates" / "fastapi").mkdir()
    (probe / "templates/fastapi/names.txt.jinja").write_text(
        "{{ resource_snake }} {{ item_snake }} {{ model_name }} "
        "{{ item_camel }} {{ resource_camel }}"
    )
    result = copie.copy(extra_answers={**BASE_ANSWERS, "resource": resource}, template_dir=probe)
    assert result.exception is None, result.exception
    text = (Path(result.project_dir) / "names.txt").read_text()
    snake = resource.replace("-", "_")
    assert text == f"{snake} {item_snake} {model} {item_camel} {resource_camel}"


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"service_name": "Media-Service"}, "DNS-1123"),
        ({"service_name": "media_service"}, "DNS-1123"),
        ({"service_name": "1media"}, "DNS-1123"),
        ({"service_name": "media-"}, "DNS-1123"),
        ({"service_name": ""}, "DNS-1123"),
        ({"service_name": "a" * 41}, "at most 40"),
        ({"description": "   "}, "must not be empty"),
        ({"description": "tab\there"}, "without control characters"),
        ({"description": "carriage\rreturn"}, "without control characters"),
        ({"description": "bell\x07"}, "without control characters"),
        ({"public_domain": "a" * 64 + ".visiobook.com"}, "public_domain"),
        ({"resource": "abcdefghij-klmnopqrstuvws"}, "at most 24 characters (it has 25)"),
        ({"resource": "item"}, "plural"),
        ({"resource": "status"}, "plural"),
        ({"resource": "Items"}, "kebab-case"),
        ({"resource": "media_assets"}, "kebab-case"),
        ({"org": "-visiobook"}, "org must be"),
        ({"image_registry": "GHCR.io/Visio"}, "image_registry"),
        ({"public_domain": "localhost"}, "public_domain"),
        ({"port": 80}, "between 1024 and 65535"),
        ({"port": 70000}, "between 1024 and 65535"),
        ({"port": 9090}, "reserved for Prometheus"),
        ({"stack": "vue", "port": 8081}, "port 8081 is reserved in the web app's pod"),
        ({"stack": "vue", "port": 9113}, "port 9113 is reserved in the web app's pod"),
        ({"language_version": "2.7"}, "language_version"),
        ({"stack": "cobol"}, "stack"),
    ],
)
def test_bad_answers_are_rejected_with_a_reason(
    copie: Any, answers: dict[str, Any], message: str
) -> None:
    assert message in rejection(copie, **answers)


def test_node_service_has_the_guidelines_tree(copie: Any) -> None:
    project = render(copie, stack="node", resource="media-assets")
    for path in [
        "src/app.ts",
        "src/server.ts",
        "src/controllers/media-asset.controller.ts",
        "src/services/media-asset.service.ts",
        "src/models/media-asset.schemas.ts",
        "src/middleware/authenticate.ts",
        "src/utils/logger.ts",
        "src/config/env.ts",
        "src/types/express.d.ts",
        "prisma/schema.prisma",
        "prisma/migrations/migration_lock.toml",
        "prisma/migrations/20261124000000_create_media_assets/migration.sql",
        "tests/unit/app.test.ts",
        "tests/integration/media-asset.api.test.ts",
        "tests/mocks/prisma.ts",
        "docker/Dockerfile",
        "docker/Dockerfile.dev",
        "package.json",
        "package-lock.json",
        "tsconfig.json",
        "jest.config.js",
    ]:
        assert (project / path).is_file(), path
    schema = (project / "prisma/schema.prisma").read_text()
    assert "model MediaAsset {" in schema
    assert '@@map("media_assets")' in schema


@pytest.mark.parametrize(("stack", "cache"), [("node", "none"), ("node", "redis"), ("vue", "none")])
def test_lock_file_pins_exactly_the_package_json_dependencies(
    copie: Any, stack: str, cache: str
) -> None:
    answers = {"cache": cache} if stack == "node" else {}
    project = render(copie, stack=stack, language_version="24", **answers)
    manifest = json.loads((project / "package.json").read_text())
    lock = json.loads((project / "package-lock.json").read_text())
    root = lock["packages"][""]
    assert lock["name"] == root["name"] == manifest["name"] == "media-service"
    for group in ("dependencies", "devDependencies"):
        assert root[group] == manifest[group], f"{group}: run `make {stack}-lock`"
    for name in manifest["dependencies"]:
        assert f"node_modules/{name}" in lock["packages"], name


@pytest.mark.parametrize("cache", ["none", "redis"])
def test_redis_client_is_a_dependency_of_the_redis_variant_only(copie: Any, cache: str) -> None:
    node = json.loads((render(copie, stack="node", cache=cache) / "package.json").read_text())
    go_mod = (render(copie, stack="go", cache=cache) / "go.mod").read_text()
    fastapi = (render(copie, stack="fastapi", cache=cache) / "requirements.txt").read_text()
    assert ("@redis/client" in node["dependencies"]) == (cache == "redis")
    assert ("github.com/redis/go-redis/v9 v" in go_mod) == (cache == "redis")
    assert ("\nredis==" in f"\n{fastapi}") == (cache == "redis")


@pytest.mark.parametrize("cache", ["none", "redis"])
def test_go_sum_holds_every_module_go_mod_requires(copie: Any, cache: str) -> None:
    project = render(copie, stack="go", cache=cache)
    required = re.findall(
        r"^\s+(\S+) (v\S+)(?: // indirect)?$", (project / "go.mod").read_text(), re.MULTILINE
    )
    go_sum = (project / "go.sum").read_text()
    assert required
    for module, version in required:
        assert f"{module} {version}/go.mod h1:" in go_sum, f"{module} {version}: run `make go-lock`"


@pytest.mark.parametrize("stack", SERVICE_STACKS)
def test_workflow_migrates_the_database_before_the_tests(copie: Any, stack: str) -> None:
    project = render(copie, stack=stack)
    workflow = yaml.safe_load((project / ".github/workflows/ci-cd.yml").read_text())
    names = [step.get("name") for step in workflow["jobs"]["test"]["steps"]]
    assert names.index("Apply the database migrations") < names.index(
        "Tests with coverage gate (unit, integration, contract)"
    )


def test_a_stack_marked_unavailable_is_rejected_by_copier_too(copie: Any, tmp_path: Path) -> None:
    config = (REPO_ROOT / "copier.yml").read_text()
    vue_facts = config.index("    vue:\n")
    probe = probe_template(
        tmp_path / "probe",
        config[:vue_facts] + config[vue_facts:].replace("available: true", "available: false", 1),
    )
    (probe / "templates" / "vue").mkdir()
    result = copie.copy(extra_answers={**BASE_ANSWERS, "stack": "vue"}, template_dir=probe)
    assert result.exit_code != 0
    assert "not available in this template version yet" in str(result.exception)


def test_vue_app_has_the_guidelines_tree(copie: Any) -> None:
    project = render(copie, stack="vue", service_name="web-portal", resource="media-assets")
    for path in [
        "src/main.ts",
        "src/App.vue",
        "src/router.ts",
        "src/resources/index.ts",
        "src/resources/media-assets.ts",
        "src/services/http.ts",
        "src/stores/session.ts",
        "src/views/ListView.vue",
        "src/views/DetailView.vue",
        "src/components/ResourceForm.vue",
        "src/types/resource.ts",
        "src/utils/errors.ts",
        "public/config.js",
        "tests/unit/setup.ts",
        "playwright.config.ts",
        "docker/Dockerfile",
        "docker/Dockerfile.dev",
        "package.json",
        "package-lock.json",
        "vite.config.ts",
        "tsconfig.json",
    ]:
        assert (project / path).is_file(), path
    assert list((project / "tests/e2e").glob("*.spec.ts")), "no browser tests"


def test_frontend_platform_files_carry_no_database_nor_secrets(copie: Any) -> None:
    project = render(copie, stack="vue", service_name="web-portal", org="studio")
    values = yaml.safe_load((project / "k8s/helm/values.yaml").read_text())
    assert values["secrets"] == {}
    assert "migrations" not in values
    # nginx serves no /metrics: only the exporter sidecar, off by default, does.
    assert values["monitoring"]["enabled"] is False
    assert values["monitoring"]["nginxExporter"]["enabled"] is False
    # The API's base URL is the platform's one API host (a Helm template the chart renders);
    # web vitals are off until an endpoint is set.
    assert values["global"] == {"apiHost": "api.studio.com"}
    assert values["configMap"] == {
        "VITE_API_URL": "https://{{ .Values.global.apiHost }}",
        "VITE_WEB_VITALS_URL": "",
    }
    env_example = (project / ".env.example").read_text()
    assert "DATABASE_URL" not in env_example
    assert "JWT_SECRET" not in env_example
    assert "VITE_API_URL=" in env_example
    assert "VITE_WEB_VITALS_URL=" in env_example
    workflow = yaml.safe_load((project / ".github/workflows/ci-cd.yml").read_text())
    test_job = workflow["jobs"]["test"]
    assert "services" not in test_job
    runs = [step.get("run", "") for step in test_job["steps"]]
    assert "npm run test:unit" in runs
    assert any("npm run test:e2e" in run for run in runs)


def test_every_released_template_version_has_a_changelog_section() -> None:
    tags = subprocess.run(
        ["git", "tag", "--list", "v*"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    headings = set(re.findall(r"^## \[([^\]]+)\]", (REPO_ROOT / "CHANGELOG.md").read_text(), re.M))
    assert "Unreleased" in headings
    for tag in tags:
        assert tag.removeprefix("v") in headings, f"CHANGELOG.md has no section for {tag}"


HOSTILE_DESCRIPTIONS = [
    'a "quoted" back\\slash: \\u0041 and \\n, not escapes',
    "emoji \U0001f680 and accents: \u00e9t\u00e9, \u4e2d\u6587",
    "{{ jinja }} {% if x %} and YAML: - [a, b] # comment &anchor *alias !tag",
    "' single quotes' and <html> & ampersands",
]


@pytest.mark.parametrize("description", HOSTILE_DESCRIPTIONS)
@pytest.mark.parametrize("stack", AVAILABLE_STACKS)
def test_the_description_reaches_every_file_intact_whatever_it_holds(
    copie: Any, stack: str, description: str
) -> None:
    """Each file is read back by its format's own parser, and holds the description as given."""
    project = render(copie, stack=stack, description=description)
    chart = yaml.safe_load((project / "k8s/helm/Chart.yaml").read_text(encoding="utf-8"))
    assert chart["description"] == description
    if stack == "fastapi":
        pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
        assert pyproject["project"]["description"] == description
    if stack in ("node", "vue"):
        package = json.loads((project / "package.json").read_text(encoding="utf-8"))
        assert package["description"] == description
    readme = (project / "README.md").read_text(encoding="utf-8")
    assert f"\n{description}\n" in readme


def plural_of(word: str) -> str:
    if re.search("(s|x|z|ch|sh)$", word):
        return word + "es"
    if re.search("[^aeiou]y$", word):
        return word[:-1] + "ies"
    return word + "s"


def test_a_python_keyword_never_becomes_a_module_or_class_name(copie: Any, tmp_path: Path) -> None:
    """Each resource a keyword could reach (the word, its plural) is refused, or its derived
    names are identifiers Python accepts (FastAPI's modules and classes bear them)."""
    probe = probe_template(tmp_path / "probe")
    (probe / "templates" / "fastapi").mkdir()
    (probe / "templates/fastapi/names.txt.jinja").write_text(
        "{{ resource_snake }} {{ item_snake }} {{ model_name }}"
    )
    for word in keyword.kwlist:
        for resource in {word.lower(), plural_of(word.lower())}:
            result = copie.copy(
                extra_answers={**BASE_ANSWERS, "resource": resource}, template_dir=probe
            )
            if result.exit_code != 0:
                continue
            names = (Path(result.project_dir) / "names.txt").read_text().split()
            for name in names:
                assert name.isidentifier(), (resource, name)
                assert not keyword.iskeyword(name), f"resource={resource} gives {name}"


@pytest.mark.parametrize("stack", SERVICE_STACKS)
def test_every_backend_readme_says_it_reads_dot_env_under_the_environment(
    copie: Any, stack: str
) -> None:
    readme = " ".join((render(copie, stack=stack) / "README.md").read_text().split())
    assert "cp .env.example .env" in readme
    assert "reads `.env` from the folder it is started in" in readme
    assert "a variable set in the environment wins over `.env`" in readme


@pytest.mark.parametrize(("version", "fallback"), [("1.27", True), ("1.26", False)])
def test_the_go_readme_names_the_go_release_its_go_mod_needs(
    copie: Any, version: str, fallback: bool
) -> None:
    project = render(copie, stack="go", language_version=version)
    assert f"\ngo {version}.0\n" in (project / "go.mod").read_text()
    readme = " ".join((project / "README.md").read_text().split())
    assert f"`go.mod` asks for Go {version}" in readme
    assert "GOTOOLCHAIN=auto" in readme
    assert "GOTOOLCHAIN=local" in readme
    assert ("--data language_version=1.26" in readme) is fallback


def test_the_vue_unit_tests_read_no_dot_env(copie: Any) -> None:
    project = render(copie, stack="vue")
    assert "envDir: false," in (project / "vitest.config.ts").read_text()
    readme = " ".join((project / "README.md").read_text().split())
    assert (
        "Unit tests (Vitest, Vue Testing Library, jsdom) need nothing, and read no `.env`" in readme
    )


@pytest.mark.parametrize(
    ("stack", "command", "entry"),
    [
        ("fastapi", "python -m app.dev_token", "app/dev_token.py"),
        ("node", "npm run --silent dev-token --", "src/dev-token.ts"),
        ("go", "go run ./cmd/server dev-token", "internal/app/devtoken.go"),
    ],
)
def test_every_backend_readme_says_how_to_get_a_development_token(
    copie: Any, stack: str, command: str, entry: str
) -> None:
    facts = yaml.safe_load((REPO_ROOT / "copier.yml").read_text())["stacks"]["default"]
    assert facts[stack]["commands"]["dev_token"] == command
    project = render(copie, stack=stack)
    assert (project / entry).is_file()
    readme = (project / "README.md").read_text()
    run_it = readme.split("## Run it locally", 1)[1].split("## API", 1)[0]
    assert f"\nTOKEN=$({command})\n" in run_it
    assert f"`{command} --sub alice --roles editor --expires 8h`" in " ".join(run_it.split())
    api = " ".join(readme.split("## API", 1)[1].split("\n## ", 1)[0].split())
    assert f"Get a development token: `{command}`" in api
    if stack == "node":
        assert json.loads((project / "package.json").read_text())["scripts"]["dev-token"]


def test_the_frontend_has_no_development_token_command(copie: Any) -> None:
    facts = yaml.safe_load((REPO_ROOT / "copier.yml").read_text())["stacks"]["default"]
    assert "dev_token" not in facts["vue"]["commands"]
    assert "development token" not in (render(copie, stack="vue") / "README.md").read_text()


def test_a_name_nothing_defines_stops_the_rendering(tmp_path: Path) -> None:
    """copier.yml asks Copier for StrictUndefined, and this Copier honours it: a misspelt fact
    in a template is an error, not an empty string in the output."""
    import copier

    settings = yaml.safe_load((REPO_ROOT / "copier.yml").read_text())
    template = tmp_path / "template"
    template.mkdir()
    (template / "copier.yml").write_text(
        yaml.safe_dump({"_envops": settings["_envops"], "port": {"type": "int", "default": 80}})
    )
    (template / "run.sh.jinja").write_text("serve --port {{ prot }}\n")
    with pytest.raises(Exception, match="'prot' is undefined"):
        copier.run_copy(str(template), tmp_path / "out", defaults=True, quiet=True)
    assert not (tmp_path / "out" / "run.sh").exists()
