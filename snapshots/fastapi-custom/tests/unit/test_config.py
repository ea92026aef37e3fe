from pathlib import Path

import pytest
from pydantic import ValidationError

from app.core.config import Settings, configuration_error, duration_words, parse_duration
from tests.conftest import make_settings


@pytest.fixture(autouse=True)
def redis_url(monkeypatch: pytest.MonkeyPatch) -> None:
    """REDIS_URL is required; these tests are about the other settings (test_cache.py: it)."""
    monkeypatch.setenv("REDIS_URL", "redis://cache:6379/0")


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("3600", 3600), ("500ms", 0.5), ("45s", 45), ("30m", 1800), ("24h", 86400), ("7d", 604800)],
)
def test_durations_are_a_whole_number_with_a_unit_or_seconds(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "h", "-5m", "1.5h", "5 s", "5S", "ten", "1w"])
def test_invalid_durations_are_rejected(text: str) -> None:
    with pytest.raises(ValueError, match=r"^must be a duration such as 500ms, 5s, 24h or 7d$"):
        parse_duration(text)


@pytest.mark.parametrize("text", ["0", "0s", "0ms"])
def test_a_zero_duration_is_rejected(text: str) -> None:
    with pytest.raises(ValueError, match=r"^must be more than 0$"):
        parse_duration(text)


def test_defaults_are_the_contract_ones() -> None:
    settings = make_settings("postgresql://db/app")
    assert settings.request_body_max_bytes == 1_048_576
    assert settings.db_pool_size == 10
    assert settings.shutdown_timeout == 10
    assert settings.jwt_expires_in == 86400
    assert settings.jwt_roles_claim == "roles"
    assert settings.log_level == "info"
    assert settings.correlation_id_header == "x-correlation-id"
    assert settings.cors_origins == []
    assert settings.prometheus_port == 9090


def test_durations_come_from_the_environment_with_their_unit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DB_CONNECT_TIMEOUT", "1500ms")
    monkeypatch.setenv("SHUTDOWN_TIMEOUT", "1m")
    monkeypatch.setenv("JWT_EXPIRES_IN", "2")
    settings = Settings(_env_file=None, database_url="postgresql://db/app", jwt_secret="x" * 32)
    assert (settings.db_connect_timeout, settings.shutdown_timeout) == (1.5, 60)
    assert settings.jwt_expires_in == 2


def test_database_url_gets_the_psycopg_driver() -> None:
    settings = make_settings("postgresql://u:p@db:5432/app")
    assert settings.sqlalchemy_url == "postgresql+psycopg://u:p@db:5432/app"
    assert make_settings("postgres://u@db/app").sqlalchemy_url == "postgresql+psycopg://u@db/app"


def test_non_postgres_database_url_is_refused() -> None:
    with pytest.raises(ValueError, match="postgresql://"):
        _ = make_settings("mysql://u@db/app").sqlalchemy_url


def test_cors_origins_are_a_comma_separated_list() -> None:
    settings = make_settings(
        "postgresql://db/app", cors_origins="https://a.example, http://b:5173,"
    )
    assert settings.cors_origins == ["https://a.example", "http://b:5173"]


def test_short_jwt_secret_is_refused() -> None:
    with pytest.raises(ValidationError, match="jwt_secret"):
        make_settings("postgresql://db/app", jwt_secret="short")


def test_the_roles_claim_is_named_by_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JWT_ROLES_CLAIM", "groups")
    settings = Settings(_env_file=None, database_url="postgresql://db/app", jwt_secret="x" * 32)
    assert settings.jwt_roles_claim == "groups"


def test_an_empty_roles_claim_is_refused() -> None:
    with pytest.raises(ValidationError, match="jwt_roles_claim") as refused:
        make_settings("postgresql://db/app", jwt_roles_claim="")
    assert configuration_error(refused.value) == (
        "invalid configuration: JWT_ROLES_CLAIM must not be empty"
    )


def test_bad_durations_are_refused_at_start_up() -> None:
    with pytest.raises(ValidationError) as refused:
        make_settings("postgresql://db/app", jwt_expires_in="soon")
    assert configuration_error(refused.value) == (
        "invalid configuration: JWT_EXPIRES_IN must be a duration such as 500ms, 5s, 24h or 7d"
    )


@pytest.mark.parametrize("level", ["DEBUG", "Info", "warn", "ERROR"])
def test_log_levels_are_the_four_of_every_stack_in_any_case(level: str) -> None:
    assert make_settings("postgresql://db/app", log_level=level).log_level == level.lower()


@pytest.mark.parametrize("level", ["warning", "critical", "trace"])
def test_other_log_levels_are_refused(level: str) -> None:
    with pytest.raises(ValidationError, match="log_level"):
        make_settings("postgresql://db/app", log_level=level)


def test_the_correlation_header_is_a_header_name_in_lower_case() -> None:
    settings = make_settings("postgresql://db/app", correlation_id_header="X-Trace")
    assert settings.correlation_id_header == "x-trace"
    with pytest.raises(ValidationError, match="not an HTTP header name"):
        make_settings("postgresql://db/app", correlation_id_header="x trace")


def test_the_metrics_port_must_differ_from_the_api_port() -> None:
    with pytest.raises(ValidationError, match="must differ from PORT") as refused:
        make_settings("postgresql://db/app", port=8000, prometheus_port=8000)
    assert configuration_error(refused.value) == (
        "invalid configuration: PROMETHEUS_PORT must differ from PORT"
    )


def test_ports_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "9090")
    monkeypatch.setenv("PROMETHEUS_PORT", "9100")
    settings = Settings(_env_file=None, database_url="postgresql://db/app", jwt_secret="x" * 32)
    assert (settings.port, settings.prometheus_port) == (9090, 9100)
    monkeypatch.delenv("PROMETHEUS_PORT")  # PORT now takes the metrics port's default
    with pytest.raises(ValidationError, match="must differ from PORT"):
        Settings(_env_file=None, database_url="postgresql://db/app", jwt_secret="x" * 32)


@pytest.mark.parametrize("port", [0, 65536])
def test_the_metrics_port_is_a_tcp_port(port: int) -> None:
    with pytest.raises(ValidationError, match="prometheus_port"):
        make_settings("postgresql://db/app", prometheus_port=port)


def test_no_external_service_by_default() -> None:
    settings = make_settings("postgresql://db/app")
    assert settings.external_services == []
    assert settings.required_external_services == []


def test_external_services_are_names_separated_by_commas_each_counted_once() -> None:
    settings = make_settings(
        "postgresql://db/app",
        external_services=" storage-service, billing,,storage-service,",
        required_external_services="billing , billing",
        external_service_urls={"storage-service": "http://storage:8089", "billing": "https://b"},
    )
    assert settings.external_services == ["storage-service", "billing"]
    assert settings.required_external_services == ["billing"]


def test_each_service_url_is_read_from_its_variable_in_the_environment_or_env_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(
        "EXTERNAL_SERVICES=storage-service,billing-v2\n"
        "STORAGE_SERVICE_URL=http://from-the-file:8089\n"
        "BILLING_V2_URL=http://billing-v2:8080/\n"
    )
    for variable in ("EXTERNAL_SERVICES", "REQUIRED_EXTERNAL_SERVICES", "BILLING_V2_URL"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("STORAGE_SERVICE_URL", "http://storage-service:8089")
    monkeypatch.setenv("REQUIRED_EXTERNAL_SERVICES", "billing-v2")
    settings = Settings(_env_file=env_file, database_url="postgresql://db/app", jwt_secret="x" * 32)
    assert settings.external_services == ["storage-service", "billing-v2"]
    assert settings.external_service_urls == {
        "storage-service": "http://storage-service:8089",  # the environment wins over .env
        "billing-v2": "http://billing-v2:8080/",
    }
    assert settings.required_external_services == ["billing-v2"]


def test_the_url_of_a_service_not_listed_is_not_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXTERNAL_SERVICES", "")
    monkeypatch.setenv("STORAGE_SERVICE_URL", "not checked: no service is listed")
    settings = Settings(_env_file=None, database_url="postgresql://db/app", jwt_secret="x" * 32)
    assert settings.external_service_urls == {}


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {"external_services": "Storage!"},
            "EXTERNAL_SERVICES has 'Storage!', not a service name"
            " (lower-case letters, digits and hyphens)",
        ),
        (
            {"external_services": "storage-"},
            "EXTERNAL_SERVICES has 'storage-', not a service name"
            " (lower-case letters, digits and hyphens)",
        ),
        (
            {"external_services": "storage-service"},
            "EXTERNAL_SERVICES names 'storage-service', so STORAGE_SERVICE_URL must be set",
        ),
        (
            {
                "external_services": "storage-service",
                "external_service_urls": {"storage-service": ""},
            },
            "EXTERNAL_SERVICES names 'storage-service', so STORAGE_SERVICE_URL must be set",
        ),
        (
            {
                "external_services": "storage-service",
                "external_service_urls": {"storage-service": "storage-service:8089"},
            },
            "STORAGE_SERVICE_URL must be an http or https URL",
        ),
        (
            {"external_services": "billing", "external_service_urls": {"billing": "ftp://b"}},
            "BILLING_URL must be an http or https URL",
        ),
        (
            {"external_services": "billing", "external_service_urls": {"billing": "http://[::1"}},
            "BILLING_URL must be an http or https URL",
        ),
        (
            {"required_external_services": "billing"},
            "REQUIRED_EXTERNAL_SERVICES names 'billing', which EXTERNAL_SERVICES does not list",
        ),
    ],
)
def test_each_mistake_in_the_external_services_is_said_in_the_contract_words(
    values: dict[str, object], message: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        make_settings("postgresql://db/app", **values)
    assert configuration_error(refused.value) == f"invalid configuration: {message}"


def test_no_identity_provider_by_default_and_its_claims_are_then_not_required() -> None:
    settings = make_settings("postgresql://db/app")
    assert (settings.jwt_jwks_url, settings.jwt_issuer, settings.jwt_audience) == ("", "", "")
    assert make_settings("postgresql://db/app", jwt_issuer="https://idp.test").jwt_jwks_url == ""


def test_the_identity_provider_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JWT_JWKS_URL", "https://idp.test/realms/app/certs")
    monkeypatch.setenv("JWT_ISSUER", "https://idp.test/realms/app")
    monkeypatch.setenv("JWT_AUDIENCE", "media-service")
    settings = Settings(_env_file=None, database_url="postgresql://db/app", jwt_secret="x" * 32)
    assert settings.jwt_jwks_url == "https://idp.test/realms/app/certs"
    assert (settings.jwt_issuer, settings.jwt_audience) == (
        "https://idp.test/realms/app",
        "media-service",
    )


PROVIDER = {"jwt_issuer": "https://idp.test", "jwt_audience": "media-service"}


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {**PROVIDER, "jwt_jwks_url": "ftp://idp.test/certs"},
            "JWT_JWKS_URL must be an http or https URL",
        ),
        (
            {**PROVIDER, "jwt_jwks_url": "idp.test/certs"},
            "JWT_JWKS_URL must be an http or https URL",
        ),
        ({**PROVIDER, "jwt_jwks_url": "http://[::1"}, "JWT_JWKS_URL must be an http or https URL"),
        (
            {"jwt_jwks_url": "https://idp.test/certs", "jwt_audience": "media-service"},
            "JWT_ISSUER is required when JWT_JWKS_URL is set",
        ),
        (
            {"jwt_jwks_url": "https://idp.test/certs", "jwt_issuer": "https://idp.test"},
            "JWT_AUDIENCE is required when JWT_JWKS_URL is set",
        ),
        (
            {"jwt_jwks_url": "https://idp.test/certs"},
            "JWT_ISSUER is required when JWT_JWKS_URL is set;"
            " JWT_AUDIENCE is required when JWT_JWKS_URL is set",
        ),
    ],
)
def test_each_mistake_about_the_identity_provider_is_said_in_the_contract_words(
    values: dict[str, object], message: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        make_settings("postgresql://db/app", **values)
    assert configuration_error(refused.value) == f"invalid configuration: {message}"


def test_the_rate_limit_is_6000_requests_a_minute_behind_no_trusted_proxy() -> None:
    settings = make_settings("postgresql://db/app")
    assert (settings.rate_limit_requests, settings.rate_limit_window) == (6000, 60)
    assert settings.trusted_proxies == []


def test_the_rate_limit_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RATE_LIMIT_REQUESTS", "0")  # no limit: a gateway limits already
    monkeypatch.setenv("RATE_LIMIT_WINDOW", "2m")
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.1, 10.1.2.3/16,::1, fd00::/8,")
    settings = Settings(_env_file=None, database_url="postgresql://db/app", jwt_secret="x" * 32)
    assert (settings.rate_limit_requests, settings.rate_limit_window) == (0, 120)
    # Ranges as uvicorn reads them: their host bits cleared.
    assert settings.trusted_proxies == ["10.0.0.1", "10.1.0.0/16", "::1", "fd00::/8"]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {"rate_limit_window": "1500ms"},
            "RATE_LIMIT_WINDOW must be a whole number of seconds",
        ),
        (
            {"trusted_proxies": "10.0.0.1,proxy.internal"},
            "TRUSTED_PROXIES has 'proxy.internal', not an IP address or CIDR range",
        ),
        (
            {"trusted_proxies": "10.0.0.0/33"},
            "TRUSTED_PROXIES has '10.0.0.0/33', not an IP address or CIDR range",
        ),
    ],
)
def test_a_bad_rate_limit_setting_is_said_in_the_contract_words(
    values: dict[str, str], message: str
) -> None:
    with pytest.raises(ValidationError) as error:
        make_settings("postgresql://db/app", **values)
    assert configuration_error(error.value) == f"invalid configuration: {message}"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"rate_limit_requests": -1}, "RATE_LIMIT_REQUESTS must be at least 0"),
        ({"rate_limit_requests": "many"}, "RATE_LIMIT_REQUESTS must be a whole number"),
        ({"db_pool_size": 0}, "DB_POOL_SIZE must be at least 1"),
        ({"db_pool_size": "1.5"}, "DB_POOL_SIZE must be a whole number"),
        ({"port": 70000}, "PORT must be at most 65535"),
        ({"node_env": "prod"}, "NODE_ENV must be one of: development test staging production"),
        ({"log_level": "loud"}, "LOG_LEVEL must be one of: debug info warn error"),
    ],
)
def test_a_number_out_of_bounds_or_a_choice_not_listed_is_said_in_the_contract_words(
    values: dict[str, object], message: str
) -> None:
    with pytest.raises(ValidationError) as error:
        make_settings("postgresql://db/app", **values)
    assert configuration_error(error.value) == f"invalid configuration: {message}"


def test_a_request_has_5_s_and_100_may_be_in_progress_at_once() -> None:
    settings = make_settings("postgresql://db/app")
    assert (settings.request_timeout, settings.max_concurrent_requests) == (5, 100)


def test_the_deadline_and_the_concurrency_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("REQUEST_TIMEOUT", "1500ms")
    monkeypatch.setenv("MAX_CONCURRENT_REQUESTS", "1")
    settings = Settings(_env_file=None, database_url="postgresql://db/app", jwt_secret="x" * 32)
    assert (settings.request_timeout, settings.max_concurrent_requests) == (1.5, 1)


def test_at_least_one_request_may_be_in_progress() -> None:
    with pytest.raises(ValidationError, match="max_concurrent_requests"):
        make_settings("postgresql://db/app", max_concurrent_requests=0)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("500ms", "500 ms"),
        ("5s", "5 s"),
        ("2m", "2 min"),
        ("90s", "90 s"),
        ("1500ms", "1.5 s"),
        ("60s", "1 min"),
        ("1h", "60 min"),
    ],
)
def test_a_duration_is_said_in_the_unit_it_reads_best(text: str, words: str) -> None:
    assert duration_words(parse_duration(text)) == words
