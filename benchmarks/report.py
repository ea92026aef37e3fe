"""docs/benchmarks.md holds the reports of two commands, `make bench` and `make bench-services`:
each writes only its own part, between two HTML comments that name it, and leaves the other's
alone."""

from __future__ import annotations

from pathlib import Path


def markers(part: str) -> tuple[str, str]:
    return (
        f"<!-- {part}: start (written by `make {part}`, do not edit by hand) -->",
        f"<!-- {part}: end -->",
    )


def replace_part(document: str, part: str, body: str) -> str:
    """The document with `part`'s text replaced by `body`, or appended when it has no such part."""
    start, end = markers(part)
    # Blank lines around the body: a table just before the end marker stays a table.
    section = f"{start}\n\n{body.strip()}\n\n{end}"
    before, found, rest = document.partition(start)
    if not found:
        return f"{document.rstrip()}\n\n{section}\n" if document.strip() else f"{section}\n"
    _, closed, after = rest.partition(end)
    if not closed:
        raise ValueError(f"{start!r} has no {end!r} after it")
    return before + section + after


def write_part(path: Path, part: str, body: str) -> None:
    document = path.read_text() if path.exists() else ""
    path.write_text(replace_part(document, part, body))
