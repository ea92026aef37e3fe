"""no-committed-secrets judges values, not lines: each settings file is read by its format, and
only a real-looking value under a secret-like name (or a password in a URL) is a finding."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from visiobook_scaffold.check.repo import Repo
from visiobook_scaffold.check.rules.configuration import committed_secrets
from visiobook_scaffold.check.secrets import looks_real, url_password
from visiobook_scaffold.check.settings import Setting, settings

REAL = "q8Zr2mVx4LpT9sKw7NbY3cHd6FgJ1aQe"
# The variables of the guidelines' section 1.3, as the spec writes them.
SPEC_ENV_EXAMPLE = """\
SERVICE_NAME=user-service
DATABASE_URL=postgresql://user:password@database-service:5432/visiobook
REDIS_URL=redis://redis-service:6379
JWT_SECRET=your-jwt-secret
JWT_EXPIRES_IN=24h
AZURE_STORAGE_ACCOUNT=visiobook
AZURE_STORAGE_KEY=your-key
VITE_SENTRY_DSN=your-sentry-dsn
"""


@pytest.mark.parametrize(
    ("value", "real"),
    [
        (REAL, True),
        ("8f14e45fceea167a5a36dedd4bea2543", True),  # a hex digest
        ("hunter2hunter2hunter2", True),
        ("yourAccessKeySecret", False),
        ("1234", False),
        ("password", False),
        ("admin", False),
        ("changethis", False),
        ("local-dev-secret-value", False),  # words a person wrote as a hint
        ("aaaaaaaaaaaa", False),
        ("${JWT_SECRET}", False),
        ("{{ .Values.jwtSecret }}", False),
        ("<your token>", False),
        ("JWT_SECRET", False),  # the variable that holds it (node-config)
    ],
)
def test_a_value_looks_real_when_long_varied_and_no_placeholder(value: str, real: bool) -> None:
    assert looks_real(value) is real


def test_a_url_repeating_its_user_as_password_is_a_placeholder() -> None:
    assert url_password("postgres://postgres:postgres@db:5432/app") is None
    assert url_password("postgresql://user:password@database-service:5432/visiobook") is None
    assert url_password("amqp://app:1234@rabbit/") is None
    assert url_password("postgresql://app:Tr0ub4dor3@db:5432/app") == "Tr0ub4dor3"


def test_settings_give_each_value_the_line_it_is_written_on() -> None:
    yaml_text = "a: 1\n---\nservices:\n  db:\n    environment:\n      - DB_PASSWORD=x1\n"
    assert list(settings("compose.yaml", yaml_text)) == [Setting("DB_PASSWORD", "x1", 6)]
    json_text = '{\n  "db": {\n    "password": "x2"\n  }\n}\n'
    assert list(settings("config/default.json", json_text)) == [Setting("password", "x2", 3)]
    toml_text = '[db]\nhost = "h"\npassword = "x3"\n'
    assert list(settings("settings.toml", toml_text))[-1] == Setting("password", "x3", 3)
    docker = "FROM node:22\nENV A=1 \\\n    API_TOKEN=x4\nARG NPM_TOKEN x5\n"
    assert list(settings("Dockerfile", docker)) == [
        Setting("A", "1", 2),
        Setting("API_TOKEN", "x4", 3),
        Setting("NPM_TOKEN", "x5", 4),
    ]
    npmrc = "//registry.npmjs.org/:_authToken=x6\n"
    assert list(settings(".npmrc", npmrc)) == [Setting("_authToken", "x6", 1)]


def findings(root: Path, files: dict[str, str], kind: str = "service") -> list[str]:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    repo = Repo(root, "node", kind, datetime.date(2026, 11, 25))
    return [f"{finding.location()} {finding.message}" for finding in committed_secrets(repo)]


def test_the_guidelines_own_env_example_passes(tmp_path: Path) -> None:
    assert findings(tmp_path, {".env.example": SPEC_ENV_EXAMPLE}) == []


def test_a_real_value_is_found_at_its_line(tmp_path: Path) -> None:
    config = f"server:\n  port: 8080\nstripe:\n  secretKey: {REAL}\n"
    assert findings(tmp_path, {"config/production.yaml": config}) == [
        "config/production.yaml:4 secretKey has a real-looking value"
    ]


def test_schemas_locales_permissions_and_object_names_are_not_values(tmp_path: Path) -> None:
    swagger = (
        '{"openapi": "3.0.0", "components": {"securitySchemes": {"secret-key":'
        ' {"type": "apiKey", "name": "X-Secret-Key", "in": "header"}},'
        f' "schemas": {{"Login": {{"properties": {{"password": {{"example": "{REAL}"}}}}}}}}}}}}\n'
    )
    files = {
        "docs/swagger.json": swagger,
        "src/locales/en.json": f'{{"Password": "Password", "token": "{REAL}"}}\n',
        "locale/fr.po": f'msgid "password"\nmsgstr "{REAL}"\n',
        ".github/workflows/ci.yml": "permissions:\n  id-token: write\n  contents: read\n",
        "k8s/ingress.yaml": "spec:\n  tls:\n    - secretName: api-tls-2025\n"
        "      hosts: [a]\n---\ntlsSecret: wildcard-tls-certificate\n",
        "charts/api/values.yaml": "postgresql:\n  auth:\n    existingSecret: api-db-creds\n",
    }
    assert findings(tmp_path, files) == []


def test_test_fixtures_are_not_judged(tmp_path: Path) -> None:
    files = {
        "tests/fixtures/config.json": f'{{"jwtSecret": "{REAL}"}}\n',
        "src/auth.spec.ts": f"const JWT_SECRET = '{REAL}'\n",
        "internal/auth/testdata/key.pem": "-----BEGIN PRIVATE KEY-----\nMII\n",
        "pkg/token_test.go": f'const apiToken = "{REAL}"\n',
    }
    assert findings(tmp_path, files) == []


def test_a_vite_app_commits_its_mode_files_but_not_a_secret_in_them(tmp_path: Path) -> None:
    files = {
        ".env.development": f"VITE_API_URL=http://localhost:8080\nVITE_MAPS_KEY={REAL}\n",
        ".env.production": f"VITE_API_URL=https://api.example.org\nSENTRY_AUTH_TOKEN={REAL}\n",
        ".env.local": "VITE_API_URL=http://localhost:9000\n",
    }
    assert findings(tmp_path, files, kind="frontend") == [
        ".env.local .env.local is committed: keep it out of git and share .env.example",
        ".env.production:2 SENTRY_AUTH_TOKEN has a real-looking value",
    ]


def test_a_service_env_file_is_found_by_its_name(tmp_path: Path) -> None:
    assert findings(tmp_path, {".env.production": "LOG_LEVEL=info\n"}) == [
        ".env.production .env.production is committed: keep it out of git and share .env.example"
    ]


def test_repeated_findings_in_a_file_are_capped(tmp_path: Path) -> None:
    lines = "".join(f"SERVICE_{n}_TOKEN={REAL}{n}\n" for n in range(8))
    found = findings(tmp_path, {"config/app.ini": lines})
    assert len(found) == 6
    assert found[:2] == [
        "config/app.ini:1 SERVICE_0_TOKEN has a real-looking value",
        "config/app.ini:2 SERVICE_1_TOKEN has a real-looking value",
    ]
    assert found[-1] == "config/app.ini and 3 more in this file"


def test_a_helm_template_is_read_line_by_line(tmp_path: Path) -> None:
    template = (
        "stringData:\n  jwt-secret: {{ .Values.jwtSecret | quote }}\n"
        f"{{{{- if .Values.x }}}}\n  api-token: {REAL}\n{{{{- end }}}}\n"
    )
    assert findings(tmp_path, {"chart/templates/secret.yaml": template}) == [
        "chart/templates/secret.yaml:4 api-token has a real-looking value"
    ]


def test_a_configmap_signing_key_is_found(tmp_path: Path) -> None:
    manifest = f"kind: ConfigMap\ndata:\n  signing-key: '{REAL}'\n"
    assert findings(tmp_path, {"k8s/configmap.yaml": manifest}) == [
        "k8s/configmap.yaml:3 signing-key has a real-looking value"
    ]


def test_an_env_file_the_gitignore_ignores_is_not_committed_outside_git(tmp_path: Path) -> None:
    files = {".gitignore": ".env\n", ".env": f"JWT_SECRET={REAL}\n"}
    assert findings(tmp_path, files) == []


def test_without_git_the_gitignore_still_says_what_is_committed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "")  # no git to ask
    files = {
        ".gitignore": ".env\n/build-output/\n*.local.yaml\n!keep.local.yaml\n",
        ".env": f"JWT_SECRET={REAL}\n",
        "build-output/app.yaml": f"apiToken: {REAL}\n",
        "config/.gitignore": "secrets.yaml\n",
        "config/secrets.yaml": f"apiToken: {REAL}\n",
        "app.local.yaml": f"apiToken: {REAL}\n",
        "keep.local.yaml": f"apiToken: {REAL}\n",
        "services/api/.env": "LOG_LEVEL=debug\n",
    }
    assert findings(tmp_path, files) == ["keep.local.yaml:1 apiToken has a real-looking value"]
