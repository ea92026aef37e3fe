"""Settings from the environment (Visiobook guidelines 1.3), validated at start-up."""

import ipaddress
import re
from functools import lru_cache
from typing import Annotated, Any, Literal, Self
from urllib.parse import urlsplit

from pydantic import (
    BeforeValidator,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

DURATION = re.compile(r"([0-9]+)(ms|s|m|h|d)?")
SECONDS_PER_UNIT = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}
# An HTTP header name (RFC 9110 token).
HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
JWT_SECRET_MIN_LENGTH = 32
"""HS256 needs a key at least as long as its 256-bit hash (RFC 7518, 3.2)."""
# The name of an external service (EXTERNAL_SERVICES): lower-case letters, digits and hyphens.
SERVICE_NAME = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


def parse_duration(value: object) -> float:
    """Seconds in a duration: a whole number with a unit, `500ms`, `5s`, `30m`, `24h`, `7d`, or a
    bare number of seconds. The same format in every Visiobook backend."""
    text = str(value).strip()
    match = DURATION.fullmatch(text)
    # The words of every backend: "SHUTDOWN_TIMEOUT must be a duration such as ...".
    if match is None:
        raise ValueError("must be a duration such as 500ms, 5s, 24h or 7d")
    if int(match[1]) == 0:
        raise ValueError("must be more than 0")
    return int(match[1]) * SECONDS_PER_UNIT[match[2] or "s"]


Duration = Annotated[float, BeforeValidator(parse_duration)]


def duration_words(seconds: float) -> str:
    """A duration in the unit it reads best, in the words of every backend: `500 ms` under a
    second, `5 s` in whole seconds under a minute, `2 min` in whole minutes, else seconds
    (`90 s`)."""
    milliseconds = round(seconds * 1000)
    if milliseconds < 1000:
        return f"{milliseconds} ms"
    if milliseconds % 60_000 == 0:
        return f"{milliseconds // 60_000} min"
    if milliseconds % 1000 == 0:
        return f"{milliseconds // 1000} s"
    return f"{milliseconds / 1000:g} s"


def comma_list(text: str) -> list[str]:
    """The items of a comma-separated list: spaces around them and empty ones dropped, each
    item once."""
    return list(dict.fromkeys(item.strip() for item in text.split(",") if item.strip()))


def is_http_url(text: str) -> bool:
    try:
        url = urlsplit(text)
        return url.scheme in {"http", "https"} and bool(url.hostname)
    except ValueError:  # e.g. an unclosed IPv6 address
        return False


def url_variable(service: str) -> str:
    """The variable holding an external service's base URL: `storage-service` is
    STORAGE_SERVICE_URL."""
    return service.upper().replace("-", "_") + "_URL"


class ExternalServiceUrls(PydanticBaseSettingsSource):
    """The `external_service_urls` setting: the <NAME>_URL variable of each service
    EXTERNAL_SERVICES names. Their names are only known once EXTERNAL_SERVICES is read, so no
    field can declare them; they are read from the environment, else from .env, as every other
    setting is."""

    def __init__(
        self,
        settings_cls: type[BaseSettings],
        environment: PydanticBaseSettingsSource,
        dotenv: PydanticBaseSettingsSource,
    ) -> None:
        super().__init__(settings_cls)
        self.variables: dict[str, str | None] = {}
        for source in (dotenv, environment):  # the environment wins over .env
            if isinstance(source, EnvSettingsSource):  # the .env source is one too
                self.variables.update(source.env_vars)

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # one value for the whole setting: __call__ gives it

    def __call__(self) -> dict[str, Any]:
        urls = {}
        for service in comma_list(self.variables.get("external_services") or ""):
            # The source's variable names are lower-cased: settings ignore case.
            url = self.variables.get(url_variable(service).lower())
            if url is not None:
                urls[service] = url
        return {"external_service_urls": urls} if urls else {}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    # Service configuration
    service_name: str = "media-service"
    service_version: str = "0.1.0"
    port: int = Field(default=8000, ge=1, le=65535)
    # The guidelines call the environment NODE_ENV for every stack.
    node_env: Literal["development", "test", "staging", "production"] = "development"
    # Durations are in seconds here; the environment may give them with a unit (DURATION).
    shutdown_timeout: Duration = 10

    # Database
    database_url: str
    db_pool_size: int = Field(default=10, ge=1)
    db_connect_timeout: Duration = 5

    # Security
    jwt_secret: SecretStr
    jwt_expires_in: Duration = 24 * 3600
    # The token claim that holds the caller's roles: an identity provider may name it otherwise
    # (e.g. groups). docs/contract.md, Authorization.
    jwt_roles_claim: str = "roles"
    # An identity provider's key set (its jwks_uri): its RS256 and ES256 tokens are accepted too,
    # when their iss is JWT_ISSUER and their aud holds JWT_AUDIENCE (app/core/jwks.py). Empty:
    # only tokens signed with JWT_SECRET.
    jwt_jwks_url: str = ""
    jwt_issuer: str = ""
    jwt_audience: str = ""

    # Monitoring: /metrics is served on this port alone, apart from the API (app/__main__.py)
    prometheus_port: int = Field(default=9090, ge=1, le=65535)
    log_level: Literal["debug", "info", "warn", "error"] = "info"
    correlation_id_header: str = "x-correlation-id"

    # External services
    api_gateway_url: str | None = None
    storage_service_url: str | None = None
    # Those /health reports, each checked at its URL + /health (docs/contract.md, Probes), and
    # those of them the service cannot work without (503 on /health and /ready while one is down).
    external_services: Annotated[list[str], NoDecode] = []
    required_external_services: Annotated[list[str], NoDecode] = []
    # Each listed service's base URL, by name, from its <NAME>_URL variable (ExternalServiceUrls).
    external_service_urls: dict[str, str] = {}

    # HTTP
    cors_origins: Annotated[list[str], NoDecode] = []
    request_body_max_bytes: int = Field(default=1_048_576, ge=1)
    # Requests each client may make per window (app/core/rate_limit.py); 0 turns the limit off,
    # for a service behind a gateway that limits already. The window is whole seconds: the
    # RateLimit headers speak in seconds.
    rate_limit_requests: int = Field(default=6000, ge=0)
    rate_limit_window: Duration = 60
    # The proxies whose X-Forwarded-For is believed: IP addresses or CIDR ranges. None by
    # default, so no client can choose the address it is counted under.
    trusted_proxies: Annotated[list[str], NoDecode] = []
    # An /api/v1 request is answered 503 once it has taken this long, and its database statement
    # cancelled (app/core/admission.py); PostgreSQL's statement_timeout is the same
    # (app/db/session.py).
    request_timeout: Duration = 5
    # /api/v1 requests in progress at once; one more is answered 503 at once (load shedding).
    max_concurrent_requests: int = Field(default=100, ge=1)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        urls = ExternalServiceUrls(settings_cls, env_settings, dotenv_settings)
        return init_settings, env_settings, dotenv_settings, urls, file_secret_settings

    @field_validator(
        "cors_origins",
        "external_services",
        "required_external_services",
        "trusted_proxies",
        mode="before",
    )
    @classmethod
    def split_lists(cls, value: object) -> object:
        return comma_list(value) if isinstance(value, str) else value

    @field_validator("log_level", mode="before")
    @classmethod
    def lower_log_level(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value

    @field_validator("jwt_secret")
    @classmethod
    def check_secret_length(cls, value: SecretStr) -> SecretStr:
        # Said as the other stacks say it (pydantic's own words count "items").
        if len(value.get_secret_value()) < JWT_SECRET_MIN_LENGTH:
            raise ValueError(f"must be at least {JWT_SECRET_MIN_LENGTH} characters")
        return value

    @field_validator("jwt_roles_claim")
    @classmethod
    def check_roles_claim(cls, value: str) -> str:
        # "JWT_ROLES_CLAIM must not be empty": the words of every backend.
        if not value:
            raise ValueError("must not be empty")
        return value

    @field_validator("jwt_jwks_url")
    @classmethod
    def check_jwks_url(cls, value: str) -> str:
        # "JWT_JWKS_URL must be an http or https URL": the words of every backend.
        if value and not is_http_url(value):
            raise ValueError("must be an http or https URL")
        return value

    @field_validator("rate_limit_window")
    @classmethod
    def check_whole_seconds(cls, value: float) -> float:
        # "RATE_LIMIT_WINDOW must be a whole number of seconds": the words of every backend.
        if round(value * 1000) % 1000:
            raise ValueError("must be a whole number of seconds")
        return float(round(value))

    @field_validator("trusted_proxies")
    @classmethod
    def check_proxies(cls, value: list[str]) -> list[str]:
        # "TRUSTED_PROXIES has 'x', not an IP address or CIDR range": the words of every
        # backend. Each entry is written as uvicorn's ProxyHeadersMiddleware reads it: a range
        # with its host bits cleared (10.0.0.1/8 is 10.0.0.0/8), which it would otherwise
        # silently take for a name.
        proxies = []
        for entry in value:
            try:
                if "/" in entry:
                    proxies.append(str(ipaddress.ip_network(entry, strict=False)))
                else:
                    proxies.append(str(ipaddress.ip_address(entry)))
            except ValueError:
                raise ValueError(f"has {entry!r}, not an IP address or CIDR range") from None
        return proxies

    @field_validator("prometheus_port")
    @classmethod
    def check_ports_differ(cls, value: int, info: ValidationInfo) -> int:
        # "PROMETHEUS_PORT must differ from PORT": the words of every backend.
        if value == info.data.get("port"):
            raise ValueError("must differ from PORT")
        return value

    @field_validator("correlation_id_header")
    @classmethod
    def check_header(cls, value: str) -> str:
        if not HEADER_NAME.fullmatch(value):
            raise ValueError(f"{value!r} is not an HTTP header name")
        return value.lower()

    @model_validator(mode="after")
    def check_external_services(self) -> Self:
        # Each problem in the words of every backend (docs/contract.md, Probes).
        problems = []
        for service in self.external_services:
            variable = url_variable(service)
            url = self.external_service_urls.get(service, "")
            if not SERVICE_NAME.fullmatch(service):
                problems.append(
                    f"EXTERNAL_SERVICES has {service!r}, not a service name"
                    " (lower-case letters, digits and hyphens)"
                )
            elif not url:
                problems.append(f"EXTERNAL_SERVICES names {service!r}, so {variable} must be set")
            elif not is_http_url(url):
                problems.append(f"{variable} must be an http or https URL")
        for service in self.required_external_services:
            if service not in self.external_services:
                problems.append(
                    f"REQUIRED_EXTERNAL_SERVICES names {service!r},"
                    " which EXTERNAL_SERVICES does not list"
                )
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @model_validator(mode="after")
    def check_identity_provider(self) -> Self:
        # A provider signs tokens for every application it serves: only those it issued for this
        # one may pass. Without JWT_JWKS_URL, JWT_ISSUER and JWT_AUDIENCE are not used.
        if not self.jwt_jwks_url:
            return self
        required = {"JWT_ISSUER": self.jwt_issuer, "JWT_AUDIENCE": self.jwt_audience}
        missing = [
            f"{name} is required when JWT_JWKS_URL is set"
            for name, value in required.items()
            if not value
        ]
        if missing:
            raise ValueError("; ".join(missing))
        return self

    @property
    def sqlalchemy_url(self) -> str:
        """DATABASE_URL (a plain postgresql:// URL) with SQLAlchemy's psycopg 3 driver."""
        scheme, sep, rest = self.database_url.partition("://")
        if not sep or scheme not in {"postgres", "postgresql", "postgresql+psycopg"}:
            raise ValueError("DATABASE_URL must be a postgresql:// URL")
        return f"postgresql+psycopg://{rest}"


# pydantic's problems with a number, in the words of every backend.
NUMBER_PROBLEMS = {
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "int_type": "must be a whole number",
    "greater_than_equal": "must be at least {ge}",
    "less_than_equal": "must be at most {le}",
}


def configuration_error(error: ValidationError) -> str:
    """One line, worded as the other stacks word it: "invalid configuration: JWT_SECRET must be at
    least 32 characters; DATABASE_URL is required"."""
    problems = []
    for problem in error.errors():
        name = ".".join(str(part) for part in problem["loc"]).upper()
        reason = problem["msg"].removeprefix("Value error, ")
        if problem["type"] == "missing":
            problems.append(f"{name} is required")
        elif problem["type"] == "literal_error":  # pydantic's "'a', 'b' or 'c'"
            choices = re.findall(r"'([^']*)'", problem["ctx"]["expected"])
            problems.append(f"{name} must be one of: {' '.join(choices)}")
        elif problem["type"] in NUMBER_PROBLEMS:
            words = NUMBER_PROBLEMS[problem["type"]].format(**problem.get("ctx", {}))
            problems.append(f"{name} {words}")
        else:  # a check of several settings at once names them itself
            problems.append(f"{name} {reason}" if name else reason)
    return "invalid configuration: " + "; ".join(problems)


@lru_cache
def get_settings() -> Settings:
    return Settings()  # required fields come from the environment
