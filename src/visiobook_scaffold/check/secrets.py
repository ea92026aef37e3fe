"""What counts as a secret: a value stored under a secret-like name that looks real, a
password written in a URL, or a private key."""

from __future__ import annotations

import math
import re
from collections import Counter

# Last word of a variable name that says it holds a secret: JWT_SECRET, DB_PASSWORD, apiKey.
_SECRET_WORDS = frozenset({"secret", "password", "passwd", "pwd", "token", "credentials"})
# "key" alone is too common (a Secret's `key:`); these qualify it: API_KEY, AZURE_STORAGE_KEY.
_KEY_QUALIFIERS = frozenset(
    {"api", "private", "access", "storage", "secret", "signing", "encryption"}
)
# `tlsSecret: wildcard-tls`, `existingSecret: db-credentials`: the name of a Kubernetes Secret.
_OBJECT_QUALIFIERS = frozenset({"tls", "existing", "pull", "image", "ca", "cert", "ref", "name"})
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
# Values that say they are not the real thing, or point to where it really lives (a reference,
# or the name of the variable that holds it: node-config's `"jwtSecret": "JWT_SECRET"`).
_PLACEHOLDER = re.compile(
    r"change[-_]?(me|it|this)|(^|[-_. ])your|example|placeholder|dummy|fake|sample|test"
    r"|ci-only|insecure|redacted|replace|insert|todo|xxx|\*\*\*|\.\.\.|^<.*>$|\$\{|\$\(|\{\{|%\("
    r"|^\$[A-Za-z_]+$|^(true|false|null|none|nil|~)$|^(env|process\.env|os\.environ)\b",
    re.IGNORECASE,
)
_VARIABLE_NAME = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")
# Words that stand for a secret rather than being one: `password`, `admin`, `postgres`.
_STAND_INS = frozenset(
    {"password", "passwd", "secret", "admin", "root", "postgres", "mysql", "user", "guest",
     "pass", "token", "key", "string", "default", "none", "empty", "local", "development"}
)  # fmt: skip
_WORDS_ONLY = re.compile(r"[a-z]+(?:[-_. ][a-z]+)*")
MIN_LENGTH = 8
"""Shorter values are stand-ins (`1234`, `admin`): no generated secret is that short."""
PRIVATE_KEY = re.compile(r"-----BEGIN (?:[A-Z]+ )*PRIVATE KEY-----")
URL_CREDENTIALS = re.compile(
    r"\b[a-z][a-z0-9+.-]*://(?P<user>[^\s:/@'\"]+):(?P<password>[^\s@/'\"]+)@"
)


def words_of(name: str) -> list[str]:
    return [word.lower() for word in _WORD.findall(name)]


def is_secret_name(name: str) -> bool:
    words = words_of(name)
    if not words:
        return False
    if words[-1] in _SECRET_WORDS:
        return not (words[-1] == "secret" and len(words) > 1 and words[-2] in _OBJECT_QUALIFIERS)
    return words[-1] == "key" and len(words) > 1 and words[-2] in _KEY_QUALIFIERS


def is_placeholder(value: str) -> bool:
    value = value.strip().strip("\"'")
    return not value or bool(_PLACEHOLDER.search(value) or _VARIABLE_NAME.fullmatch(value))


def looks_real(value: str) -> bool:
    """Whether a value under a secret-like name looks like a real secret: not a placeholder nor
    a stand-in word, long enough, and varied enough (several kinds of characters, or long and
    of high entropy) to have been generated or chosen as one."""
    value = value.strip().strip("\"'")
    if is_placeholder(value) or value.lower() in _STAND_INS or len(value) < MIN_LENGTH:
        return False
    if len(set(value)) <= 2 or _entropy(value) < 2.5:
        return False  # aaaaaaaa, 12121212
    if _WORDS_ONLY.fullmatch(value):
        return False  # local-dev-secret, mysupersecretpassword: written by a person, as a hint
    kinds = sum(
        1
        for kind in (str.islower, str.isupper, str.isdigit)
        if any(kind(character) for character in value)
    ) + any(not character.isalnum() for character in value)
    if kinds >= 2:
        return True
    # One kind only (lowercase words, digits): real when long and random, as a hex digest is.
    return len(value) >= 16 and _entropy(value) >= 3.5


def _entropy(value: str) -> float:
    """Shannon entropy, in bits per character."""
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def url_password(value: str) -> str | None:
    """The password written in a URL (postgresql://user:password@host), if it is a real one:
    `user:password`, `postgres:postgres` (the user's name again) and references are not."""
    match = URL_CREDENTIALS.search(value)
    if match is None:
        return None
    password = match["password"]
    if is_placeholder(password) or password.lower() in _STAND_INS or password == match["user"]:
        return None
    if password.isdigit() and len(password) < MIN_LENGTH:
        return None
    return password
