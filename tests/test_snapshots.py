"""The committed snapshots (snapshots/) are what the templates render today."""

from __future__ import annotations

import pytest

from scripts.snapshots import (
    LOCK_FILES,
    SNAPSHOTS,
    SNAPSHOTS_DIR,
    comparable,
    differences,
    files_of,
    render,
)
from tests.helpers import AVAILABLE_STACKS


@pytest.mark.parametrize("name", sorted(SNAPSHOTS))
def test_snapshot_is_what_the_templates_render(name: str) -> None:
    found = differences(files_of(SNAPSHOTS_DIR / name), render(SNAPSHOTS[name]))
    assert not found, (
        f"snapshots/{name} is not what the templates render; run `make snapshots` and commit "
        "the rendered diff:\n" + "\n".join(found[:20])
    )


def test_every_stack_has_a_default_and_a_custom_snapshot_and_nothing_else_is_there() -> None:
    assert {answers["stack"] for answers in SNAPSHOTS.values()} == set(AVAILABLE_STACKS)
    for stack in AVAILABLE_STACKS:
        assert {f"{stack}-defaults", f"{stack}-custom"} <= SNAPSHOTS.keys()
    folders = {path.name for path in SNAPSHOTS_DIR.iterdir() if path.is_dir()}
    assert folders == SNAPSHOTS.keys()


def test_the_varying_parts_and_lock_files_are_written_as_placeholders() -> None:
    answers = b"_commit: v0.2.0-184-g5f3d0fb\n_src_path: /work/main\nstack: go\n"
    assert comparable(".copier-answers.yml", answers) == (
        b"_commit: <template commit>\n_src_path: <template path>\nstack: go\n"
    )
    pin = b"  VISIOBOOK_SCAFFOLD: git+https://github.com/visiobook/visiobook-scaffold@v1.2.0\n"
    assert comparable(".github/workflows/ci-cd.yml", pin).endswith(b"@<template commit>\n")
    for name in LOCK_FILES:
        summary = comparable(f"sub/{name}", b"{}")
        assert summary.startswith(b"lock file, summarised: 2 bytes, sha256 44136fa355b3678a")
    assert comparable("README.md", answers) == answers
