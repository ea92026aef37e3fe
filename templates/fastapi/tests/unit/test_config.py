import pytest
from pydantic import ValidationError

from app.core.config import parse_duration
from tests.conftest import make_settings


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("3600", 3600), ("45s", 45), ("30m", 1800), ("24h", 86400), ("7d", 604800)],
)
def test_durations_accept_the_jwt_expires_in_formats(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "h", "0", "-5m", "1.5h", "ten"])
def test_invalid_durations_are_rejected(text: str) -> None:
    with pytest.raises(ValueError, match="invalid duration"):
        parse_duration(text)


def test_database_url_gets_the_psycopg_driver() -> None:
    settings = make_settings("postgresql://u:p@db:5432/app")
    assert settings.sqlalchemy_url == "postgresql+psycopg://u:p@db:5432/app"
    assert make_settings("postgres://u@db/app").sqlalchemy_url == "postgresql+psycopg://u@db/app"


def test_non_postgres_database_url_is_refused() -> None:
    with pytest.raises(ValueError, match="postgresql://"):
        _ = make_settings("mysql://u@db/app").sqlalchemy_url


def test_comma_separated_lists_are_split() -> None:
    settings = make_settings("postgresql://db/app", allowed_hosts="a.example, b.example,")
    assert settings.allowed_hosts == ["a.example", "b.example"]


def test_short_jwt_secret_is_refused() -> None:
    with pytest.raises(ValidationError, match="jwt_secret"):
        make_settings("postgresql://db/app", jwt_secret="short")


def test_bad_jwt_expiry_is_refused_at_start_up() -> None:
    with pytest.raises(ValidationError, match="invalid duration"):
        make_settings("postgresql://db/app", jwt_expires_in="soon")


def test_log_level_and_header_are_normalised() -> None:
    settings = make_settings(
        "postgresql://db/app", log_level="DEBUG", correlation_id_header="X-Trace"
    )
    assert settings.log_level == "debug"
    assert settings.correlation_id_header == "x-trace"
    assert settings.jwt_expires_seconds == 86400
