"""Which template release a service is on, and whether a newer one is out: what `visiobook
update --check`, `update` itself and the `template-current` rule of `check` ask.

Releases are the template repository's version tags (`v1.2.0`); a service records the version
it was generated or last updated from in its answers file (`_commit`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from packaging.version import InvalidVersion, Version

from visiobook_scaffold import git
from visiobook_scaffold.service import Service


@dataclass(frozen=True)
class Currency:
    current: str
    """The template version the service records (`_commit`)."""
    newest: str | None
    """The newest released version of its template, when newer than `current`."""
    released: bool
    """Whether the template has released (tagged) versions at all."""


def check_currency(service: Service) -> Currency:
    """Whether a newer template version has been released (a tag of the template's repository)
    than the one the service records. Reads only; the tree may have uncommitted changes."""
    current = service.version
    source = service.source
    with service.reachable():
        newest = newest_release(source)
    if newest is None:
        return Currency(current, None, released=False)
    newest_version, newest_tag = newest
    behind = is_behind(current, newest_version)
    return Currency(current, newest_tag if behind else None, released=True)


def is_behind(current: str, release: Version) -> bool:
    """Whether the template version a service records (`_commit`) is older than `release`."""
    tag = past_tag(current)
    try:
        return release > release_version(tag or current)
    except InvalidVersion:
        return True  # recorded as a bare commit: any release is worth a look


def past_tag(version: str) -> str | None:
    """The tag a commit past it is named after: `git describe` names the third commit after
    v1.2.0 `v1.2.0-3-gabc1234`; None for a tag itself or a bare commit."""
    match = re.fullmatch(r"(?P<tag>.+)-\d+-g[0-9a-f]+", version)
    return match["tag"] if match else None


def newest_release(source: str) -> tuple[Version, str] | None:
    """The highest release tag (no pre-release) of the template repository at `source`."""
    releases = []
    for tag in git.remote_tags(source):
        try:
            version = release_version(tag)
        except InvalidVersion:
            continue
        if not version.is_prerelease:
            releases.append((version, tag))
    return max(releases) if releases else None


def release_version(tag: str) -> Version:
    """v1.2.0 as a version; InvalidVersion for a tag that names none."""
    return Version(tag.removeprefix("v"))
