import time
from typing import Any

import jwt
import pytest

from app.core.security import (
    InvalidTokenError,
    create_access_token,
    roles_of,
    verification_key,
    verify_access_token,
)
from tests.conftest import make_settings

# 64 bytes: long enough for PyJWT to sign an HS512 token with it without a warning.
SETTINGS = make_settings("postgresql://db/app", jwt_secret="s" * 64)
SECRET = SETTINGS.jwt_secret.get_secret_value()
KEY = verification_key(SETTINGS)
ROLES = SETTINGS.jwt_roles_claim
LATER = int(time.time()) + 600


def signed(claims: dict[str, Any], algorithm: str = "HS256", key: str = SECRET) -> str:
    return jwt.encode(claims, key, algorithm=algorithm)


def test_a_token_round_trips_with_its_subject_and_claims() -> None:
    token = create_access_token("user-1", SETTINGS, {"role": "admin"})
    principal = verify_access_token(token, KEY, ROLES)
    assert principal.subject == "user-1"
    assert principal.claims["role"] == "admin"
    assert principal.claims["exp"] - principal.claims["iat"] == SETTINGS.jwt_expires_in
    assert principal.roles == frozenset()  # no roles claim: no role


def test_a_token_carries_the_roles_it_is_given_under_the_configured_claim() -> None:
    token = create_access_token("user-1", SETTINGS, roles=["editor", "admin"])
    assert jwt.decode(token, SECRET, algorithms=["HS256"])["roles"] == ["editor", "admin"]
    assert verify_access_token(token, KEY, ROLES).roles == {"editor", "admin"}
    groups = make_settings("postgresql://db/app", jwt_secret="s" * 64, jwt_roles_claim="groups")
    token = create_access_token("user-1", groups, roles=["editor"])
    assert "roles" not in jwt.decode(token, SECRET, algorithms=["HS256"])
    assert verify_access_token(token, KEY, groups.jwt_roles_claim).roles == {"editor"}
    assert verify_access_token(token, KEY, ROLES).roles == frozenset()


@pytest.mark.parametrize(
    ("value", "roles"),
    [
        (["editor", "admin"], {"editor", "admin"}),
        ([], set()),
        ("editor admin", {"editor", "admin"}),
        ("  viewer   editor ", {"viewer", "editor"}),  # runs of spaces, as OAuth's scope
        ("", set()),
        (["Admin"], {"Admin"}),  # names are compared as written: this is not admin
    ],
)
def test_the_roles_claim_is_an_array_or_a_string_of_names(value: object, roles: set[str]) -> None:
    assert roles_of({"roles": value}, "roles") == roles
    token = signed({"sub": "u", "exp": LATER, "roles": value})
    assert verify_access_token(token, KEY, ROLES).roles == roles


def test_no_roles_claim_is_no_role() -> None:
    assert roles_of({"sub": "u"}, "roles") == frozenset()


@pytest.mark.parametrize(
    "value", [7, 1.5, True, None, {"editor": True}, ["editor", 1], [["admin"]], [None]]
)
def test_any_other_roles_claim_makes_the_token_invalid(value: object) -> None:
    token = signed({"sub": "u", "exp": LATER, "roles": value})
    with pytest.raises(InvalidTokenError, match="roles must be"):
        verify_access_token(token, KEY, ROLES)
    # Under another claim name, the same value is judged only when that name is configured.
    other = signed({"sub": "u", "exp": LATER, "groups": value})
    assert verify_access_token(other, KEY, ROLES).roles == frozenset()
    with pytest.raises(InvalidTokenError, match="groups must be"):
        verify_access_token(other, KEY, "groups")


def test_claims_no_other_backend_judges_are_not_judged() -> None:
    claims = {"sub": "u", "exp": LATER, "iat": LATER, "aud": "other", "jti": 7, "nbf": 1}
    assert verify_access_token(signed(claims), KEY, ROLES).subject == "u"


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
            jwt.encode({"sub": "u", "exp": LATER}, "", algorithm="none"),
            "alg value is not allowed",
        ),
        ("not.a.jwt", None),
    ],
)
def test_invalid_tokens_are_rejected(token: str, reason: str | None) -> None:
    with pytest.raises(InvalidTokenError, match=reason):
        verify_access_token(token, KEY, ROLES)
