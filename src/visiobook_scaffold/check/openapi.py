"""The OpenAPI documents a service keeps in its files (OpenAPI 3 or Swagger 2, JSON or YAML),
and who each operation lets in, read without running the service.

A document is a file named like one (`openapi`, `swagger` or `api` in its name, or in an `api/`
or `docs/` folder) whose top level has an `openapi` or `swagger` key; tests' fixtures and
vendored copies are left out. Documents a framework serves from code at run time (FastAPI's,
NestJS's) are not in the files, so they are not read.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import yaml

from visiobook_scaffold.check.repo import Repo

_NAMED_LIKE_A_DOCUMENT = re.compile(r"(^|/)(api|docs?)/|openapi|swagger|(^|/|[-_.])api[-_.]")
_NOT_OWN = re.compile(
    r"(^|/)(tests?|__tests__|__mocks__|mocks?|testdata|e2e|fixtures|node_modules|vendor|dist)/"
)
_SUFFIXES = (".json", ".yaml", ".yml")
WRITE_METHODS = ("post", "put", "patch", "delete")


@dataclass(frozen=True)
class Document:
    path: str
    content: dict[str, Any]


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    security: list[Any] | None
    """The requirement that applies: the operation's own, else the document's; None when
    neither says one."""


def documents(repo: Repo) -> list[Document]:
    return repo.memo("openapi-documents", lambda: _documents(repo))


def _documents(repo: Repo) -> list[Document]:
    found = []
    for path in repo.under(("",), _SUFFIXES):
        if _NOT_OWN.search(path) or not _NAMED_LIKE_A_DOCUMENT.search(path.lower()):
            continue
        content = _parsed(repo.text(path), path)
        if isinstance(content, dict) and ("openapi" in content or "swagger" in content):
            found.append(Document(path, content))
    return found


def _parsed(text: str | None, path: str) -> object:
    if text is None:
        return None
    try:
        return json.loads(text) if path.endswith(".json") else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError):
        return None  # not a document this reader can judge; other rules judge the file


def write_operations(document: Document) -> list[Operation]:
    """Every POST, PUT, PATCH and DELETE the document lists, with the security that applies."""
    content = document.content
    default = content.get("security")
    operations = []
    paths = content.get("paths")
    for path, item in (paths if isinstance(paths, dict) else {}).items():
        if not isinstance(item, dict):
            continue
        for method in WRITE_METHODS:
            operation = item.get(method)
            if not isinstance(operation, dict):
                continue
            security = operation.get("security", default)
            operations.append(
                Operation(
                    method.upper(), str(path), security if isinstance(security, list) else None
                )
            )
    return operations


def who_may_call(operation: Operation) -> str | None:
    """What is wrong with an operation that writes: anyone may call it, or any authenticated
    caller; None when each way in names a role or scope (or it is public on purpose,
    `security: []`)."""
    security = operation.security
    if security is None:
        return "no security requirement: anyone may call it"
    if not security:
        return None  # `security: []` on the operation: public by the document's own choice
    if any(not isinstance(way, dict) or not way for way in security):
        return "its security allows a call without credentials ({})"
    # The ways in are alternatives: one that names no role lets any authenticated caller in.
    if any(not any(scopes for scopes in way.values()) for way in security):
        return "any authenticated caller may call it: its security names no role or scope"
    return None
