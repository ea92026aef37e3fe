import time
from pathlib import Path

import jwt
import pytest

from app.core.security import verification_key, verify_access_token
from app.dev_token import main
from tests.conftest import TEST_SECRET, make_settings


@pytest.fixture
def service_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with a .env, and an environment with none of the service's variables."""
    monkeypatch.chdir(tmp_path)
    for name in ("DATABASE_URL", "REDIS_URL", "JWT_SECRET", "JWT_ROLES_CLAIM"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / ".env").write_text(
        f"DATABASE_URL=postgresql://db/app\nREDIS_URL=redis://cache:6379/0\nJWT_SECRET={TEST_SECRET}\n"
    )
    return tmp_path


def claims_of(token: str, secret: str = TEST_SECRET) -> dict[str, object]:
    decoded: dict[str, object] = jwt.decode(token, secret, algorithms=["HS256"])
    return decoded


def test_prints_a_token_the_service_accepts_signed_with_the_env_file_secret(
    service_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out.count("\n") == 1
    token = out.strip()
    settings = make_settings("postgresql://db/app")
    principal = verify_access_token(token, verification_key(settings), settings.jwt_roles_claim)
    assert principal.subject == "dev"
    assert principal.roles == {"admin"}  # may do everything
    claims = claims_of(token)
    assert set(claims) == {"sub", "roles", "iat", "exp"}
    assert claims["roles"] == ["admin"]
    assert claims["exp"] == claims["iat"] + 3600  # type: ignore[operator]
    assert abs(claims["iat"] - time.time()) < 5  # type: ignore[operator]


def test_sub_and_expires_are_options(
    service_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--sub", "alice", "--expires", "2d"]) == 0
    claims = claims_of(capsys.readouterr().out.strip())
    assert claims["sub"] == "alice"
    assert claims["exp"] == claims["iat"] + 2 * 86400  # type: ignore[operator]


@pytest.mark.parametrize(
    ("listed", "roles"),
    [
        ("editor", ["editor"]),
        (" editor , admin ", ["editor", "admin"]),
        ("viewer,,", ["viewer"]),
        ("", []),  # a token that may only read
        (" , ", []),
    ],
)
def test_roles_are_a_comma_separated_list(
    service_folder: Path, capsys: pytest.CaptureFixture[str], listed: str, roles: list[str]
) -> None:
    assert main(["--roles", listed]) == 0
    assert claims_of(capsys.readouterr().out.strip())["roles"] == roles


def test_roles_go_under_the_configured_claim(
    service_folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("JWT_ROLES_CLAIM", "groups")
    assert main(["--roles", "editor"]) == 0
    claims = claims_of(capsys.readouterr().out.strip())
    assert claims["groups"] == ["editor"]
    assert "roles" not in claims


def test_the_environment_wins_over_the_env_file(
    service_folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    other = "another-secret-of-at-least-32-characters"
    monkeypatch.setenv("JWT_SECRET", other)
    assert main([]) == 0
    assert claims_of(capsys.readouterr().out.strip(), other)["sub"] == "dev"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--expires", "1w"], "must be a duration such as 500ms, 5s, 24h or 7d"),
        (["--expires", "0s"], "must be more than 0"),
        (["--sub", ""], "must not be empty"),
        (["--sub"], "expected one argument"),
        (["--roles"], "expected one argument"),
        (["--bogus"], "unrecognized arguments"),
        (["extra"], "unrecognized arguments"),
    ],
)
def test_a_bad_option_is_one_line_on_stderr_and_exit_2(
    service_folder: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(args) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("dev-token: ")
    assert message in err
    assert err.count("\n") == 1


def test_a_short_secret_is_the_configuration_error(
    service_folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("JWT_SECRET", "short")
    assert main([]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == "invalid configuration: JWT_SECRET must be at least 32 characters\n"


def test_every_missing_or_wrong_setting_is_named_on_one_line(
    service_folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (service_folder / ".env").write_text("JWT_SECRET=short\n")
    assert main([]) == 2
    assert capsys.readouterr().err == (
        "invalid configuration: DATABASE_URL is required;"
        " REDIS_URL is required;"
        " JWT_SECRET must be at least 32 characters\n"
    )


def test_help_prints_the_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    assert capsys.readouterr().out == (
        "usage: dev-token [--sub NAME] [--roles LIST] [--expires DURATION]\n"
    )
