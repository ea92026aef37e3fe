"""`check` on repositories it was not written for: every repository of the labelled corpus gets
exactly the results its labels give, rule by rule (no false finding, no finding missed, no rule
passing for want of anything to judge)."""

from __future__ import annotations

import datetime
import shutil
from collections import Counter
from pathlib import Path

import pytest

from tests.check import corpus
from visiobook_scaffold.check.runner import run_check

TODAY = datetime.date(2026, 11, 25)


@pytest.mark.skipif(shutil.which("helm") is None, reason="needs helm on PATH (make tools)")
@pytest.mark.parametrize("name", corpus.names())
def test_check_reports_what_the_corpus_labels_say(name: str, tmp_path: Path) -> None:
    labelled = corpus.load(name)
    report = run_check(labelled.materialise(tmp_path / name), TODAY)
    assert report.stack == labelled.stack
    seen = corpus.observed(report)
    wrong = []
    for rule_id in sorted(set(seen) | set(labelled.rules)):
        if rule_id not in labelled.rules:
            wrong.append(f"{rule_id}: not labelled; check says {seen[rule_id]}")
            continue
        if rule_id not in seen:
            wrong.append(f"{rule_id}: labelled, but check did not run it")
            continue
        status, locations, reason = corpus.outcome(labelled.rules[rule_id])
        got_status, got_locations, got_note = seen[rule_id]
        if (status, locations) != (got_status, got_locations) or reason not in got_note:
            wrong.append(
                f"{rule_id}: labelled {status} {sorted(locations.elements())} {reason!r},"
                f" check says {got_status} {sorted(got_locations.elements())} {got_note!r}"
            )
    assert not wrong, f"{name}:\n" + "\n".join(wrong)


def test_the_corpus_has_a_repository_of_each_stack() -> None:
    stacks = {corpus.load(name).stack for name in corpus.names()}
    assert stacks >= {"fastapi", "node", "go", "vue"}


def test_txtar_archives_give_each_file_its_text() -> None:
    archive = "What it models.\n-- a.txt --\none\n-- dir/b.yaml --\nkey: 1\n\n"
    assert corpus.read_txtar(archive) == {"a.txt": "one\n", "dir/b.yaml": "key: 1\n\n"}


def test_a_label_reads_as_status_locations_and_reason() -> None:
    assert corpus.outcome("passed") == ("passed", Counter(), "")
    assert corpus.outcome({"skipped": "no route"}) == ("skipped", Counter(), "no route")
    assert corpus.outcome({"failed": ["Dockerfile:1", "-"]}) == (
        "failed",
        Counter({"Dockerfile:1": 1, "-": 1}),
        "",
    )
    with pytest.raises(ValueError, match="unknown status"):
        corpus.outcome("fine")
