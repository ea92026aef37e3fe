"""What counts as a secret: by the name it is stored under, or by its shape."""

from __future__ import annotations

import re

# Last word of a variable name that says it holds a secret: JWT_SECRET, DB_PASSWORD, apiKey.
_SECRET_WORDS = frozenset({"secret", "password", "passwd", "pwd", "token", "credentials"})
# "key" alone is too common (a Secret's `key:`); these qualify it: API_KEY, AZURE_STORAGE_KEY.
_KEY_QUALIFIERS = frozenset(
    {"api", "private", "access", "storage", "secret", "signing", "encryption"}
)
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
# Values that say they are not the real thing, or point to where it really lives.
_PLACEHOLDER = re.compile(
    r"change[-_]?me|your[-_]|example|placeholder|dummy|fake|sample|test|ci-only|redacted|xxx|\*\*\*"
    r"|^<.*>$|\$\{|\$\(|\{\{|^\$[A-Z_]+$|^(true|false|null|none|~)$",
    re.IGNORECASE,
)
PRIVATE_KEY = re.compile(r"-----BEGIN (?:[A-Z]+ )*PRIVATE KEY-----")
URL_CREDENTIALS = re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s:/@'\"]+:(?P<password>[^\s@/'\"]+)@")


def is_secret_name(name: str) -> bool:
    words = [word.lower() for word in _WORD.findall(name)]
    if not words:
        return False
    if words[-1] in _SECRET_WORDS:
        return True
    return words[-1] == "key" and len(words) > 1 and words[-2] in _KEY_QUALIFIERS


def is_placeholder(value: str) -> bool:
    value = value.strip().strip("\"'")
    return not value or bool(_PLACEHOLDER.search(value))


def url_password(value: str) -> str | None:
    """The password written in a URL (postgresql://user:password@host), if it is a real one."""
    match = URL_CREDENTIALS.search(value)
    if match is None or is_placeholder(match["password"]):
        return None
    return match["password"]
