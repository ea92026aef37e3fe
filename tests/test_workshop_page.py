"""The workshop page's source format and the normalising of a run's output (the run itself is
the slow tier's tests/slow/test_workshop.py)."""

from __future__ import annotations

import pytest

from scripts.workshop_page import Block, Normaliser, comparable, parse, render, trim
from tests.helpers import REPO_ROOT

SOURCE = """# Title

Text.

```console run exit=1 tail=2
$ first
$ cat <<'END'
a line
END
```

```console run background ready=http://localhost:8000/health
$ serve
```
"""


def test_run_blocks_are_commands_with_their_options_and_continuation_lines() -> None:
    segments = parse(SOURCE)
    assert segments[0] == "# Title\n\nText.\n\n"
    assert segments[1] == Block(commands=("first", "cat <<'END'\na line\nEND"), exit=1, tail=2)
    assert segments[3] == Block(
        commands=("serve",), background=True, ready="http://localhost:8000/health"
    )


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("```console run\n$ a\n", "without its closing fence"),
        ("```console run tails=2\n$ a\n```\n", "unknown option(s) tails"),
        ("```console run\nno dollar\n```\n", "must start with a `$ ` command"),
        ("```console run background\n$ a\n```\n", "one command with ready=URL"),
    ],
)
def test_a_malformed_run_block_is_refused_with_its_line(source: str, reason: str) -> None:
    with pytest.raises(ValueError, match="line 1") as refused:
        parse(source)
    assert reason in str(refused.value)


def test_the_page_shows_each_command_followed_by_its_output_in_a_plain_block() -> None:
    page = render(parse(SOURCE), [["one\ntwo\nthree\n", "a line\n"], [""]], "<!-- h -->\n")
    assert page == (
        "<!-- h -->\n# Title\n\nText.\n\n"
        "```console\n$ first\n[... 1 lines left out ...]\ntwo\nthree\n"
        "$ cat <<'END'\na line\nEND\na line\n```\n"
        "\n```console\n$ serve\n```\n"
    )


def test_trimming_keeps_head_and_tail_and_says_how_much_it_left_out() -> None:
    output = "\n".join(f"line {n}" for n in range(1, 11))
    assert trim(output, 2, 1) == "line 1\nline 2\n[... 7 lines left out ...]\nline 10"
    assert trim(output, None, None) == output
    assert trim("short\n", 5, 5) == "short"


def test_normalising_makes_volatile_values_stable_and_maps_places() -> None:
    normalise = Normaliser([("/tmp/visiobook-workshop-x1", "~/visiobook-workshop")])
    run = (
        "in /tmp/visiobook-workshop-x1/svc: commit 3f9c2d1, again 3f9c2d1, then 0a1b2c3\n"
        "id 5b0f7c5e-3c1d-4e5f-9a8b-7c6d5e4f3a2b at 2026-11-29T01:21:41.123Z\n"
        "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJkZXYifQ.c2lnbmF0dXJl, 12 passed in 3.21s\n"
        '"uptime": 0.229, refs/visiobook/before-update/20261129T011005.141718Z\n'
        '"latency_ms": 4.3\n'
    )
    assert normalise(run) == (
        "in ~/visiobook-workshop/svc: commit 1abc0ab, again 1abc0ab, then 2abc0ab\n"
        "id 00000000-0000-4000-8000-000000000001 at 2026-01-01T09:00:00.000Z\n"
        "token eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.<token 1>, 12 passed in 1.00s\n"
        '"uptime": 1.5, refs/visiobook/before-update/20260101T090000.000000Z\n'
        '"latency_ms": 1.2\n'
    )


def test_a_run_past_a_minute_reads_as_one_under_it() -> None:
    # On a loaded machine pytest took a minute and added the time as h:mm:ss.
    normalise = Normaliser([])
    assert normalise("235 passed in 63.20s (0:01:03)\n") == "235 passed in 1.00s\n"


def test_a_short_hash_of_digits_only_is_one_where_git_prints_hashes() -> None:
    run = "initial commit 0628763.\n0628763 First\nfrom template 0628763 to v1.1.0\n"
    assert (
        Normaliser([])(run)
        == "initial commit 1abc0ab.\n1abc0ab First\nfrom template 1abc0ab to v1.1.0\n"
    )


def test_words_and_numbers_are_not_taken_for_hashes() -> None:
    text = "deadbeef facade 1234567 version 2.39.5\n"
    assert Normaliser([])(text) == text


def test_the_committed_page_holds_the_source_text_and_commands_in_order() -> None:
    """A fast guard: the page was written from the current source (the slow tier also checks
    every output)."""
    page = (REPO_ROOT / "docs" / "workshop.md").read_text()
    position = 0
    for segment in parse((REPO_ROOT / "scripts" / "workshop.src.md").read_text()):
        pieces = [segment] if isinstance(segment, str) else [f"$ {c}\n" for c in segment.commands]
        for piece in pieces:
            found = page.find(piece, position)
            assert found >= 0, f"not in docs/workshop.md (python scripts/run_workshop.py): {piece}"
            position = found + len(piece)


def test_a_machine_block_compares_by_its_commands_only() -> None:
    source = "Intro\n```console run machine\n$ doctor\n```\nThen\n```console run\n$ echo hi\n```\n"
    segments = parse(source)
    here = render(segments, [["git 2.39\n"], ["hi\n"]], "")
    elsewhere = render(segments, [["git 2.47\n"], ["hi\n"]], "")
    changed = render(segments, [["git 2.39\n"], ["hello\n"]], "")

    assert comparable(here, segments) == comparable(elsewhere, segments)
    assert comparable(here, segments) != comparable(changed, segments)
    assert "$ doctor\n" in comparable(here, segments)


def test_what_new_says_of_the_machine_compares_as_absent() -> None:
    segments = parse("```console run\n$ visiobook new svc\n```\n")
    plain = render(segments, [["Created svc.\n"]], "")
    advised = render(segments, [["Created svc.\nOn this machine, Go: found 1.26; set it.\n"]], "")
    assert comparable(plain, segments) == comparable(advised, segments)
