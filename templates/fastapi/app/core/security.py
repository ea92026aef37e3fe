"""JWT bearer authentication and bcrypt password hashing."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import bcrypt
import jwt

from app.core.config import Settings

ALGORITHM = "HS256"


class InvalidTokenError(Exception):
    """The bearer token is missing, malformed, expired or wrongly signed."""


@dataclass(frozen=True)
class Principal:
    """Who is calling, as asserted by a verified token."""

    subject: str
    claims: dict[str, Any] = field(default_factory=dict)


def create_access_token(
    subject: str, settings: Settings, extra_claims: dict[str, Any] | None = None
) -> str:
    now = datetime.now(UTC)
    claims = {
        **(extra_claims or {}),
        "sub": subject,
        "iat": now,
        "exp": now + timedelta(seconds=settings.jwt_expires_seconds),
        "iss": settings.service_name,
    }
    return jwt.encode(claims, settings.jwt_secret.get_secret_value(), algorithm=ALGORITHM)


def verify_access_token(token: str, settings: Settings) -> Principal:
    try:
        claims = jwt.decode(
            token,
            settings.jwt_secret.get_secret_value(),
            algorithms=[ALGORITHM],
            options={"require": ["exp", "sub"]},
        )
    except jwt.PyJWTError as error:
        raise InvalidTokenError(str(error)) from error
    return Principal(subject=str(claims["sub"]), claims=claims)


def hash_password(password: str, rounds: int) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=rounds)).decode()


def verify_password(password: str, hashed: str) -> bool:
    try:
        return bcrypt.checkpw(password.encode(), hashed.encode())
    except ValueError:  # not a bcrypt hash
        return False
