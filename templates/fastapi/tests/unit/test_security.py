import jwt
import pytest

from app.core.security import (
    InvalidTokenError,
    create_access_token,
    hash_password,
    verify_access_token,
    verify_password,
)
from tests.conftest import make_settings

SETTINGS = make_settings("postgresql://db/app")


def test_a_token_round_trips_with_its_subject_and_claims() -> None:
    token = create_access_token("user-1", SETTINGS, {"role": "admin"})
    principal = verify_access_token(token, SETTINGS)
    assert principal.subject == "user-1"
    assert principal.claims["role"] == "admin"
    assert principal.claims["exp"] - principal.claims["iat"] == SETTINGS.jwt_expires_seconds


def test_a_token_signed_with_another_secret_is_rejected() -> None:
    other = make_settings("postgresql://db/app", jwt_secret="another-secret-of-more-than-32-chars!")
    with pytest.raises(InvalidTokenError, match="Signature"):
        verify_access_token(create_access_token("user-1", other), SETTINGS)


def test_an_expired_token_is_rejected() -> None:
    token = jwt.encode(
        {"sub": "user-1", "exp": 1}, SETTINGS.jwt_secret.get_secret_value(), algorithm="HS256"
    )
    with pytest.raises(InvalidTokenError, match="expired"):
        verify_access_token(token, SETTINGS)


def test_a_token_without_subject_is_rejected() -> None:
    token = jwt.encode(
        {"exp": 4102444800}, SETTINGS.jwt_secret.get_secret_value(), algorithm="HS256"
    )
    with pytest.raises(InvalidTokenError, match="sub"):
        verify_access_token(token, SETTINGS)


def test_passwords_are_hashed_with_the_configured_rounds() -> None:
    hashed = hash_password("correct horse", rounds=4)
    assert hashed.startswith("$2b$04$")
    assert verify_password("correct horse", hashed)
    assert not verify_password("wrong horse", hashed)
    assert not verify_password("correct horse", "not-a-bcrypt-hash")
