import time
from typing import Any

import jwt
import pytest

from app.core.security import (
    InvalidTokenError,
    create_access_token,
    verification_key,
    verify_access_token,
)
from tests.conftest import make_settings

# 64 bytes: long enough for PyJWT to sign an HS512 token with it without a warning.
SETTINGS = make_settings("postgresql://db/app", jwt_secret="s" * 64)
SECRET = SETTINGS.jwt_secret.get_secret_value()
KEY = verification_key(SETTINGS)
LATER = int(time.time()) + 600


def signed(claims: dict[str, Any], algorithm: str = "HS256", key: str = SECRET) -> str:
    return jwt.encode(claims, key, algorithm=algorithm)


def test_a_token_round_trips_with_its_subject_and_claims() -> None:
    token = create_access_token("user-1", SETTINGS, {"role": "admin"})
    principal = verify_access_token(token, KEY)
    assert principal.subject == "user-1"
    assert principal.claims["role"] == "admin"
    assert principal.claims["exp"] - principal.claims["iat"] == SETTINGS.jwt_expires_in


def test_claims_no_other_backend_judges_are_not_judged() -> None:
    claims = {"sub": "u", "exp": LATER, "iat": LATER, "aud": "other", "jti": 7, "nbf": 1}
    assert verify_access_token(signed(claims), KEY).subject == "u"


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        (
            signed({"sub": "u", "exp": LATER}, key="another-secret-of-more-than-32-chars!"),
            "Signature",
        ),
        (signed({"sub": "u", "exp": 1}), "expired"),
        (signed({"sub": "u"}), "exp"),
        (signed({"sub": "u", "exp": str(LATER)}), "exp"),
        (signed({"exp": LATER}), "sub"),
        (signed({"sub": "", "exp": LATER}), "sub"),
        (signed({"sub": 5, "exp": LATER}), "[Ss]ubject|sub"),
        (signed({"sub": "u", "exp": LATER, "nbf": LATER}), "not yet valid"),
        (signed({"sub": "u", "exp": LATER}, "HS512"), "alg value is not allowed"),
        (
            jwt.encode({"sub": "u", "exp": LATER}, None, algorithm="none"),
            "alg value is not allowed",
        ),
        ("not.a.jwt", None),
    ],
)
def test_invalid_tokens_are_rejected(token: str, reason: str | None) -> None:
    with pytest.raises(InvalidTokenError, match=reason):
        verify_access_token(token, KEY)
