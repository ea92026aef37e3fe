"""JWT bearer authentication, and the roles that authorize a caller (docs/contract.md,
Authorization)."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from jwt.utils import base64url_encode

from app.core.config import Settings

ALGORITHM = "HS256"

# Who may do what: reading needs no role; each route names the roles it needs (app/api/v1).
WRITE_ROLES = ("editor", "admin")  # creating, replacing and changing
DELETE_ROLES = ("admin",)


class InvalidTokenError(Exception):
    """The bearer token is missing, malformed, expired or wrongly signed, or its roles cannot
    be read."""


@dataclass(frozen=True)
class Principal:
    """Who is calling, as asserted by a verified token."""

    subject: str
    roles: frozenset[str] = frozenset()
    claims: dict[str, Any] = field(default_factory=dict)


def create_access_token(
    subject: str,
    settings: Settings,
    extra_claims: dict[str, Any] | None = None,
    roles: Sequence[str] | None = None,
) -> str:
    """A token of this service's own signing; `roles`, when given, go under JWT_ROLES_CLAIM."""
    now = datetime.now(UTC)
    role_claim = {} if roles is None else {settings.jwt_roles_claim: list(roles)}
    claims = {
        **(extra_claims or {}),
        **role_claim,
        "sub": subject,
        "iat": now,
        "exp": now + timedelta(seconds=settings.jwt_expires_in),
        "iss": settings.service_name,
    }
    return jwt.encode(claims, settings.jwt_secret.get_secret_value(), algorithm=ALGORITHM)


def verification_key(settings: Settings) -> jwt.PyJWK:
    """JWT_SECRET as an HS256 key: built once at start-up, it is bound to its algorithm, so a
    token verifies with HS256 and one HMAC whatever its header says."""
    secret = base64url_encode(settings.jwt_secret.get_secret_value().encode()).decode()
    return jwt.PyJWK({"kty": "oct", "k": secret}, algorithm=ALGORITHM)


def roles_of(claims: dict[str, Any], roles_claim: str) -> frozenset[str]:
    """The roles a token grants: its claim `roles_claim` (JWT_ROLES_CLAIM) is a JSON array of
    names, or one string of names separated by spaces (OAuth's `scope`); no claim, no role. Any
    other value is an invalid token: what it grants cannot be told."""
    if roles_claim not in claims:
        return frozenset()
    value = claims[roles_claim]
    if isinstance(value, str):
        return frozenset(name for name in value.split(" ") if name)
    if isinstance(value, list) and all(isinstance(name, str) for name in value):
        return frozenset(value)
    raise InvalidTokenError(f"{roles_claim} must be an array of strings or a string")


def verify_access_token(token: str, key: jwt.PyJWK, roles_claim: str) -> Principal:
    """The caller named by a valid token: HS256 only (so never `alg: none`), signed with
    JWT_SECRET (`verification_key`), `exp` required and in the future, `nbf` (when present) in
    the past, `sub` a non-empty string, and its roles, under the claim `roles_claim`
    (JWT_ROLES_CLAIM), well formed (`roles_of`). No clock leeway."""
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            # Only these claims are judged, as in every other Visiobook backend.
            options={
                "require": ["exp", "sub"],
                "verify_iat": False,
                "verify_aud": False,
                "verify_jti": False,
            },
        )
    except jwt.PyJWTError as error:
        raise InvalidTokenError(str(error)) from error
    for claim in ("exp", "nbf"):
        # PyJWT would read "123" as a date too; a JWT NumericDate is a JSON number.
        value = claims.get(claim, 0)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidTokenError(f"{claim} must be a number")
    subject = claims["sub"]
    if not isinstance(subject, str) or not subject:
        raise InvalidTokenError("sub must be a non-empty string")
    return Principal(subject=subject, roles=roles_of(claims, roles_claim), claims=claims)
