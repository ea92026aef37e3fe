"""JWT bearer authentication, and the roles that authorize a caller (docs/contract.md,
Authentication and Authorization).

Two kinds of token are accepted: the service's own, HS256 with JWT_SECRET, and, when JWT_JWKS_URL
is set, an identity provider's, RS256 or ES256 with a key of its set (app/core/jwks.py). The
token header's `alg` picks the kind before any key is used (`TokenVerifier`).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from jwt.utils import base64url_encode

from app.core.config import Settings
from app.core.jwks import KeySet, SigningKey

ALGORITHM = "HS256"  # the service's own tokens
PROVIDER_ALGORITHMS = frozenset({"RS256", "ES256"})  # an identity provider's
# The claims every token must have; a provider's must name who issued it and for whom, too.
REQUIRED_CLAIMS = ["exp", "sub"]
PROVIDER_REQUIRED_CLAIMS = [*REQUIRED_CLAIMS, "iss", "aud"]

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
    """The caller named by a valid token of the service's own: HS256 only (so never `alg:
    none`), signed with JWT_SECRET (`verification_key`), and its claims as `principal_of` wants
    them. `iss` and `aud` are not judged, as in every other Visiobook backend."""
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            options={
                "require": REQUIRED_CLAIMS,
                "verify_iat": False,
                "verify_aud": False,
                "verify_jti": False,
            },
        )
    except jwt.PyJWTError as error:
        raise InvalidTokenError(str(error)) from error
    return principal_of(claims, roles_claim)


def verify_provider_token(
    token: str, key: SigningKey, algorithm: str, settings: Settings
) -> Principal:
    """The caller named by a valid identity provider's token: signed with `key` using
    `algorithm` (which the key must suit), `iss` equal to JWT_ISSUER, `aud` equal to
    JWT_AUDIENCE or an array holding it, and the claims `principal_of` wants."""
    if not key.verifies(algorithm):  # e.g. an ES256 token naming an RSA key
        raise InvalidTokenError(f"key does not verify {algorithm}")
    try:
        claims = jwt.decode(
            token,
            key.public_key,
            algorithms=[algorithm],
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            options={"require": PROVIDER_REQUIRED_CLAIMS, "verify_iat": False, "verify_jti": False},
        )
    except jwt.PyJWTError as error:
        raise InvalidTokenError(str(error)) from error
    return principal_of(claims, settings.jwt_roles_claim)


def principal_of(claims: dict[str, Any], roles_claim: str) -> Principal:
    """The caller a verified token's claims name: `exp` required and in the future (PyJWT has
    checked that), `nbf` (when present) in the past, both JSON numbers, `sub` a non-empty string,
    and its roles, under the claim `roles_claim` (JWT_ROLES_CLAIM), well formed (`roles_of`). No
    clock leeway."""
    for claim in ("exp", "nbf"):
        # PyJWT would read "123" as a date too; a JWT NumericDate is a JSON number.
        value = claims.get(claim, 0)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidTokenError(f"{claim} must be a number")
    subject = claims["sub"]
    if not isinstance(subject, str) or not subject:
        raise InvalidTokenError("sub must be a non-empty string")
    return Principal(subject=subject, roles=roles_of(claims, roles_claim), claims=claims)


class TokenVerifier:
    """Verifies bearer tokens, of the service's own (HS256, JWT_SECRET) and, when `provider_keys`
    is given (JWT_JWKS_URL), of the identity provider's (RS256, ES256). Built once at start-up."""

    def __init__(self, settings: Settings, provider_keys: KeySet | None = None) -> None:
        self.settings = settings
        self.secret_key = verification_key(settings)
        self.provider_keys = provider_keys

    async def verify(self, token: str) -> Principal:
        """The caller a valid token names. Raises InvalidTokenError (401), or
        SigningKeysUnavailableError (503) when the provider's key the token names is not held
        and its key set could not be fetched."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as error:
            raise InvalidTokenError(str(error)) from error
        algorithm = header.get("alg")
        # The header picks the kind of token, and no key is used for another kind: an HS256
        # token never meets a provider's public key, an RS256 token never JWT_SECRET.
        if algorithm == ALGORITHM:
            return verify_access_token(token, self.secret_key, self.settings.jwt_roles_claim)
        if not isinstance(algorithm, str) or algorithm not in PROVIDER_ALGORITHMS:
            raise InvalidTokenError(f"alg {algorithm!r} is not accepted")
        if self.provider_keys is None:
            raise InvalidTokenError(f"{algorithm} tokens are not accepted without JWT_JWKS_URL")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise InvalidTokenError("a provider's token must name its key (kid)")
        key = await self.provider_keys.key(kid)
        if key is None:
            raise InvalidTokenError(f"no signing key {kid!r}")
        return verify_provider_token(token, key, algorithm, self.settings)
