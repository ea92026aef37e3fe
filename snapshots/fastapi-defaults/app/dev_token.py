"""`python -m app.dev_token [--sub NAME] [--roles LIST] [--expires 1h]`: print a development
bearer token.

The token is signed with the service's own configuration (JWT_SECRET from the environment, else
from .env, as the service reads it) and carries what the service accepts: `sub` (default `dev`),
the roles, a JSON array under the claim JWT_ROLES_CLAIM names (`--roles editor,admin`; default
`admin`, which may do everything; `--roles ""` may only read), `iat` and `exp` (default an hour
from now). The same command, options and output in every Visiobook backend: the token alone on
stdout; a bad option or configuration is one line on stderr and exit status 2.
"""

import argparse
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import NoReturn

import jwt
from pydantic import ValidationError

from app.core.config import Settings, configuration_error, parse_duration
from app.core.security import ALGORITHM

USAGE = "usage: dev-token [--sub NAME] [--roles LIST] [--expires DURATION]"


class UsageError(Exception):
    """A bad option: one line on stderr, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def _duration(text: str) -> timedelta:
    try:
        return timedelta(seconds=parse_duration(text))
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from error


def _subject(text: str) -> str:
    if not text:
        raise argparse.ArgumentTypeError("must not be empty")
    return text


def _roles(text: str) -> list[str]:
    """Comma-separated role names, each trimmed; empty ones dropped, so "" is no role."""
    return [name.strip() for name in text.split(",") if name.strip()]


def mint(subject: str, roles: list[str], lifetime: timedelta, settings: Settings) -> str:
    """An HS256 token with `sub`, the roles (under JWT_ROLES_CLAIM), `iat` and `exp`, signed
    with JWT_SECRET."""
    now = datetime.now(UTC)
    claims = {
        "sub": subject,
        settings.jwt_roles_claim: roles,
        "iat": now,
        "exp": now + lifetime,
    }
    return jwt.encode(claims, settings.jwt_secret.get_secret_value(), algorithm=ALGORITHM)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _Parser(
        prog="dev-token", usage=USAGE[len("usage: ") :], add_help=False, allow_abbrev=False
    )
    parser.add_argument("-h", "--help", action="store_true")
    parser.add_argument("--sub", type=_subject, default="dev")
    parser.add_argument("--roles", type=_roles, default=["admin"])
    parser.add_argument("--expires", type=_duration, default=timedelta(hours=1))
    try:
        options = parser.parse_args(argv)
    except UsageError as error:
        print(f"dev-token: {error}", file=sys.stderr)
        return 2
    if options.help:
        print(USAGE)
        return 0
    try:
        settings = Settings()  # the environment, then .env: as the service reads them
    except ValidationError as error:
        print(configuration_error(error), file=sys.stderr)
        return 2
    print(mint(options.sub, options.roles, options.expires, settings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
