"""The workshop page's source and output: parse scripts/workshop.src.md, render docs/workshop.md.

The source is plain Markdown whose runnable blocks are fenced as ```` ```console run ```` with
options after `run`, and hold commands only, each starting with `$ ` (lines that do not are
the command's continuation, such as a here-document):

    ```console run exit=1 tail=5
    $ pytest -q
    ```

Options: `exit=N` the exit code the block's last command must end with (the others, and
by default that one too, end with 0); `head=N` / `tail=N` keep
the first / last N lines of the output; `background` starts a long-running server instead of
waiting for it, `ready=URL` then names the URL that answers once it is up; `quiet` shows no
output; `machine` marks output that describes the machine it ran on (tool versions, what is
installed): the page shows the run's, and the drift check (`comparable`) compares the block's
commands only. The rendered page has the same text with each block a plain
```` ```console ```` block, every command followed by its output as the run printed it, made
stable by `normalise`.

Pure text functions only: scripts/run_workshop.py runs the commands.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field

FENCE = "```"
RUN_INFO = "console run"


@dataclass(frozen=True)
class Block:
    """A runnable block: its commands, in order, and how to run and show them."""

    commands: tuple[str, ...]
    exit: int = 0
    """What the last command exits with; the others exit 0."""
    head: int | None = None
    tail: int | None = None
    background: bool = False
    ready: str | None = None
    quiet: bool = False
    machine: bool = False
    """The output describes the machine it ran on: not compared from run to run."""


Segment = str | Block


def parse(source: str) -> list[Segment]:
    """The source as Markdown text and runnable blocks, in order."""
    segments: list[Segment] = []
    text: list[str] = []
    lines = source.splitlines(keepends=True)
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.startswith(FENCE + RUN_INFO):
            end = next(
                (i for i in range(index + 1, len(lines)) if lines[i].rstrip("\n") == FENCE), None
            )
            if end is None:
                raise ValueError(f"line {index + 1}: a run block without its closing fence")
            segments.append("".join(text))
            text = []
            segments.append(_block(line, lines[index + 1 : end], index + 1))
            index = end + 1
            continue
        text.append(line)
        index += 1
    segments.append("".join(text))
    return [segment for segment in segments if segment != ""]


def _block(fence: str, body: list[str], line_number: int) -> Block:
    options: dict[str, str] = {}
    for word in fence[len(FENCE + RUN_INFO) :].split():
        key, _, value = word.partition("=")
        options[key] = value
    unknown = set(options) - {"exit", "head", "tail", "background", "ready", "quiet", "machine"}
    if unknown:
        raise ValueError(f"line {line_number}: unknown option(s) {', '.join(sorted(unknown))}")
    commands: list[str] = []
    for line in body:
        if line.startswith("$ "):
            commands.append(line[2:])
        elif commands:
            commands[-1] += line
        else:
            raise ValueError(f"line {line_number}: a run block must start with a `$ ` command")
    block = Block(
        commands=tuple(command.rstrip("\n") for command in commands),
        exit=int(options.get("exit", "0")),
        head=int(options["head"]) if "head" in options else None,
        tail=int(options["tail"]) if "tail" in options else None,
        background="background" in options,
        ready=options.get("ready") or None,
        quiet="quiet" in options,
        machine="machine" in options,
    )
    if block.background and (len(block.commands) != 1 or block.ready is None):
        raise ValueError(f"line {line_number}: a background block is one command with ready=URL")
    return block


def render(segments: list[Segment], outputs: list[list[str]], header: str) -> str:
    """The page: `header`, then the text, each block's commands followed by their outputs
    (`outputs`, one list per block, one output per command, already normalised)."""
    parts = [header]
    blocks = iter(outputs)
    for segment in segments:
        if isinstance(segment, str):
            parts.append(segment)
            continue
        lines = [FENCE + "console\n"]
        for command, output in zip(segment.commands, next(blocks), strict=True):
            lines.append(f"$ {command}\n")
            shown = "" if segment.quiet else trim(output, segment.head, segment.tail)
            lines.append(shown + ("\n" if shown and not shown.endswith("\n") else ""))
        lines.append(FENCE + "\n")
        parts.append("".join(lines))
    return "".join(parts)


MACHINE_ADVICE = ("This machine lacks ", "On this machine, ")
"""How `visiobook new` begins a line about this machine's toolchains."""


def comparable(page: str, segments: list[Segment]) -> str:
    """The page with the output of each `machine` block left out (its commands stay), and the
    lines where `visiobook new` speaks of this machine: what must be the same on every machine
    the workshop runs on."""
    machine = iter([segment.machine for segment in segments if isinstance(segment, Block)])
    kept: list[str] = []
    in_machine_block = False
    for line in page.splitlines(keepends=True):
        if line == FENCE + "console\n":
            in_machine_block = next(machine, False)
        elif line == FENCE + "\n":
            in_machine_block = False
        elif (in_machine_block and not line.startswith("$ ")) or line.startswith(MACHINE_ADVICE):
            continue
        kept.append(line)
    return "".join(kept)


def trim(output: str, head: int | None, tail: int | None) -> str:
    """The first `head` and/or last `tail` lines, with one line saying how many were left out."""
    lines = output.rstrip("\n").splitlines()
    keep_head = head or 0
    keep_tail = tail or 0
    if (head is None and tail is None) or len(lines) <= keep_head + keep_tail:
        return output.rstrip("\n")
    left_out = len(lines) - keep_head - keep_tail
    kept = [*lines[:keep_head], f"[... {left_out} lines left out ...]"]
    if keep_tail:
        kept += lines[-keep_tail:]
    return "\n".join(kept)


@dataclass
class Normaliser:
    """Makes a run's output the same from run to run: the run's own places (scratch folder,
    ports) become the page's (`places`, real text -> page text), and what changes by itself
    (ids, tokens, hashes, times) becomes a stable stand-in, the same one for the same value."""

    places: list[tuple[str, str]]
    _seen: list[dict[str, str]] = field(default_factory=lambda: [{} for _ in _VOLATILE])

    def __call__(self, output: str) -> str:
        for real, page in sorted(self.places, key=lambda pair: -len(pair[0])):
            output = output.replace(real, page)
        for (pattern, make), seen in zip(_VOLATILE, self._seen, strict=True):
            output = pattern.sub(functools.partial(_stable, make=make, seen=seen), output)
        return output


def _stable(match: re.Match[str], make: Callable[[str, int], str], seen: dict[str, str]) -> str:
    """The stand-in of this value: numbered in the order values of its kind first appear."""
    value = match.group(0)
    if value not in seen:
        seen[value] = make(value, len(seen) + 1)
    return seen[value]


def _hex(value: str, number: int) -> str:
    """A hash's stand-in: as long as the hash, visibly made up, different for each hash."""
    return (f"{number:x}" + "abc0" * 16)[: len(value)].rjust(len(value), "0")


def _duration(value: str, number: int) -> str:
    # pytest adds the time as h:mm:ss past a minute ("63.20s (0:01:03)"): that goes too.
    unit = re.sub(r"[\d.]", "", value.split(" ")[0])
    return ("1.00" if "." in value else "1") + unit


_VOLATILE: list[tuple[re.Pattern[str], Callable[[str, int], str]]] = [
    (
        re.compile(r"\beyJ[\w-]+\.[\w-]+\.[\w-]+"),
        lambda value, number: f"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.<token {number}>",
    ),
    (
        re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"),
        lambda value, number: f"00000000-0000-4000-8000-{number:012d}",
    ),
    (
        re.compile(r"\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?"),
        lambda value, number: "2026-01-01T09:00:00.000Z",
    ),
    (re.compile(r"\b\d{8}T\d{6}\.\d{6}Z\b"), lambda value, number: "20260101T090000.000000Z"),
    # Seconds since the process started, and how long a dependency's check took, in /health.
    (re.compile(r'(?<="uptime": )\d+(?:\.\d+)?'), lambda value, number: "1.5"),
    (re.compile(r'(?<="latency_ms": )\d+(?:\.\d+)?'), lambda value, number: "1.2"),
    (
        re.compile(
            # A short hash where git and visiobook print one (it may be all digits there), or
            # any run of hex digits of a hash's length with a digit and a letter in it.
            r"(?m)(?:^|(?<=commit )|(?<=template ))[0-9a-f]{7}(?=[ .,;]|$)"
            r"|\b(?=[0-9a-f]*[a-f])(?=[0-9a-f]*\d)(?:[0-9a-f]{64}|[0-9a-f]{40}|[0-9a-f]{7})\b"
        ),
        _hex,
    ),
    (re.compile(r"(?<=\bin )\d+(?:\.\d+)?m?s\b(?: \(\d+:\d\d:\d\d\))?"), _duration),
]
