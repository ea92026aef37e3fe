"""What Copier's three-way update cannot see, kept from loss.

Copier merges, line by line, the files git tracks. Five kinds of the team's bytes escape it, and
it would lose them silently:
- a file git ignores (a local configuration) that the new version also writes: git holds no
  version of it to go back to;
- a binary file both sides changed: there are no lines to merge, and the template's bytes win;
- a file the team edited and the new version deletes;
- a file the new version renames (with no migration saying so): the team's edits stay at the
  old name, which goes, and the new name gets the template's text alone;
- what the team wrote by hand into the answers file (a comment, say): Copier writes that file
  anew from the answers.

So before the update the old and the new versions are rendered (`plan`); after it, each such
file is put right (`apply`): the team's bytes are put back, the template's version is written
beside them, and a rename or the answers file is merged three ways.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

from visiobook_scaffold import git
from visiobook_scaffold.service import ANSWERS_FILE

SIDE_SUFFIX = ".template"
"""Beside a file of the team's that the update keeps, the template's version of it."""
SOURCE_KEY = b"_src_path:"
"""The answers file's line recording where the template is."""
RENAME_LIKENESS = 0.6
"""How alike (difflib's ratio) a deleted file and a new one must be to be one renamed file."""


@dataclass(frozen=True)
class Kept:
    path: str
    why: str
    beside: str | None = None
    """The template's version, written beside the team's file."""


@dataclass(frozen=True)
class Plan:
    ignored: dict[str, bytes] = field(default_factory=dict)
    binary: dict[str, bytes] = field(default_factory=dict)
    deleted: dict[str, bytes] = field(default_factory=dict)
    renamed: dict[str, tuple[str, bytes, bytes]] = field(default_factory=dict)
    """Old path: (new path, the old version's bytes, the team's bytes)."""
    new_version: dict[str, bytes] = field(default_factory=dict)
    """What the new version writes at the renamed files' new paths."""
    answers: tuple[bytes, bytes] | None = None
    """The answers file as the team has it and as the old version writes it, if they differ."""


def plan(root: Path, old: Path, new: Path) -> Plan:
    """The team's files at risk, from the service and renders of its old and new versions."""
    old_files, new_files = _files(old), _files(new)
    present = [name for name in sorted(new_files) if (root / name).is_file()]
    ignored_names = set(git.ignored(root, present))
    ignored = {name: (root / name).read_bytes() for name in sorted(ignored_names)}

    binary = {}
    for name in sorted(old_files.keys() & new_files.keys() - ignored_names):
        team_path = root / name
        if not team_path.is_file():
            continue
        team, base, theirs = team_path.read_bytes(), old_files[name], new_files[name]
        if _is_binary(team, base, theirs) and len({team, base, theirs}) == 3:
            binary[name] = team

    deleted, renamed, new_version = {}, {}, {}
    arrived = {name: new_files[name] for name in new_files.keys() - old_files.keys()}
    for name in sorted(old_files.keys() - new_files.keys()):
        team_path = root / name
        if not team_path.is_file() or team_path.read_bytes() == old_files[name]:
            continue  # gone already, or untouched: the template may delete or rename it
        team = team_path.read_bytes()
        target = _renamed_to(old_files[name], arrived)
        if target is None:
            deleted[name] = team
        else:
            renamed[name] = (target, old_files[name], team)
            new_version[target] = arrived[target]
    return Plan(ignored, binary, deleted, renamed, new_version, _answers_edited(root, old_files))


def _answers_edited(root: Path, old_files: dict[str, bytes]) -> tuple[bytes, bytes] | None:
    team_path = root / ANSWERS_FILE
    if not team_path.is_file() or ANSWERS_FILE not in old_files:
        return None
    team = team_path.read_bytes()
    # The template's place is the tool's to record (a moved template is rendered from its new
    # place): the old version wrote the place the team's file records.
    base = _with_source_line_of(team, old_files[ANSWERS_FILE])
    return None if team == base else (team, base)


def _with_source_line_of(team: bytes, rendered: bytes) -> bytes:
    source = [line for line in team.splitlines(True) if line.startswith(SOURCE_KEY)]
    return b"".join(
        source[0] if line.startswith(SOURCE_KEY) and source else line
        for line in rendered.splitlines(True)
    )


def apply(root: Path, planned: Plan) -> list[Kept]:
    """Puts right, after the update, what `plan` found; returns what it kept."""
    kept = []
    for name, team in planned.ignored.items():
        if _keep_beside(root, name, team):
            kept.append(Kept(name, "ignored by git", name + SIDE_SUFFIX))
    for name, team in planned.binary.items():
        if _keep_beside(root, name, team):
            why = "binary, changed by you and by the template"
            kept.append(Kept(name, why, name + SIDE_SUFFIX))
    for name, team in planned.deleted.items():
        if not (root / name).exists():
            put_back(root, {name: team})
            kept.append(Kept(name, "deleted by the template, edited by you"))
    for name, (target, base, team) in planned.renamed.items():
        target_path = root / target
        merged_already = not target_path.is_file() or (
            target_path.read_bytes() != planned.new_version[target]
        )
        if (root / name).exists() or merged_already:
            continue  # a migration moved it, and the update merged it there
        labels = (f"{name}, before updating", f"{target}, after updating")
        _merge_into(root, target, team, base, labels)
    if planned.answers is not None and (root / ANSWERS_FILE).is_file():
        _merge_into(root, ANSWERS_FILE, *planned.answers, labels=("yours", "the update's"))
    return kept


def _merge_into(root: Path, name: str, team: bytes, base: bytes, labels: tuple[str, str]) -> None:
    """Merges, three ways, the team's version and what the update wrote at `name`."""
    path = root / name
    merged = git.merge_texts(
        root,
        team.decode("utf-8", "surrogateescape"),
        base.decode("utf-8", "surrogateescape"),
        path.read_bytes().decode("utf-8", "surrogateescape"),
        labels=labels,
    )
    path.write_bytes(merged.encode("utf-8", "surrogateescape"))


def put_back(root: Path, files: dict[str, bytes]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


def _keep_beside(root: Path, name: str, team: bytes) -> bool:
    """The team's bytes back at `name`, and what the update wrote there beside them."""
    path = root / name
    if not path.is_file() or path.read_bytes() == team:
        put_back(root, {name: team})
        return False
    path.with_name(path.name + SIDE_SUFFIX).write_bytes(path.read_bytes())
    put_back(root, {name: team})
    return True


def _files(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in folder.rglob("*")
        if path.is_file()
    }


def _is_binary(*contents: bytes) -> bool:
    """As git judges it: a NUL byte in the first 8000 bytes."""
    return any(b"\0" in content[:8000] for content in contents)


def _renamed_to(base: bytes, arrived: dict[str, bytes]) -> str | None:
    """The new file most like the deleted one, if it is alike enough to be the same file."""
    if _is_binary(base):
        return None
    text = base.decode("utf-8", "replace")
    best, best_ratio = None, RENAME_LIKENESS
    for name, content in arrived.items():
        if _is_binary(content):
            continue
        ratio = difflib.SequenceMatcher(None, text, content.decode("utf-8", "replace")).ratio()
        if ratio >= best_ratio:
            best, best_ratio = name, ratio
    return best
