"""Print a labelling sheet for `visiobook check` on any checked-out repository.

    python scripts/label_check.py PATH [--today YYYY-MM-DD]

The sheet is in the corpus's label format (tests/check/corpus/README.md): the stack and every
rule's result, each finding's location with its message as a comment. Read it beside the
repository and mark each finding true or false: what is wrong in `check` becomes a corpus entry,
a small repository written by hand with the same layout, labelled as it should be.
"""

from __future__ import annotations

import argparse
import datetime
import sys
from pathlib import Path

from visiobook_scaffold.check.model import Report, Status
from visiobook_scaffold.check.runner import run_check
from visiobook_scaffold.errors import ScaffoldError


def sheet(report: Report, path: str) -> str:
    lines = [
        f"# check on {report.root}: label each finding true or false",
        f"path: {path}",
        f"stack: {report.stack}",
        "rules:",
    ]
    for result in report.results:
        rule = result.rule.id
        if result.status is Status.PASSED:
            lines.append(f"  {rule}: passed")
        elif result.status is Status.SKIPPED:
            lines.append(f"  {rule}:")
            lines.append(f"    skipped: {_quoted(result.note)}")
        else:
            lines.append(f"  {rule}:")
            lines.append(f"    {result.status.value}:")
            for finding in result.findings:
                location = _quoted(finding.location() or "-")
                lines.append(f"      - {location}  # {finding.message}")
    return "\n".join(lines) + "\n"


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path, help="the folder to check")
    parser.add_argument("--today", type=datetime.date.fromisoformat, default=None)
    args = parser.parse_args()
    try:
        report = run_check(args.path, args.today)
    except ScaffoldError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    sys.stdout.write(sheet(report, str(args.path)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
