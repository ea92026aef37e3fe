"""Time the visiobook CLI against raw Copier on the same template. Not a test: run it with
`make bench`; it prints a Markdown report and, with --write, saves it (docs/benchmarks.md)."""

from __future__ import annotations

import argparse
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ANSWERS = ["stack=fastapi", "service_name=bench-service"]


def median_seconds(command: Callable[[Path], list[str]], runs: int) -> float:
    """Median wall time of `runs` runs, each into a fresh destination, after one warm-up."""
    timings = []
    for attempt in range(runs + 1):
        workdir = Path(tempfile.mkdtemp(prefix="visiobook-bench-"))
        try:
            started = time.perf_counter()
            subprocess.run(command(workdir / "svc"), check=True, capture_output=True)
            elapsed = time.perf_counter() - started
        finally:
            shutil.rmtree(workdir)
        if attempt:  # the first run warms caches and is not counted
            timings.append(elapsed)
    return statistics.median(timings)


def visiobook_help(_: Path) -> list[str]:
    return [str(BIN / "visiobook"), "--help"]


def visiobook_new(dest: Path) -> list[str]:
    data = [arg for pair in ANSWERS for arg in ("--data", pair)]
    return [str(BIN / "visiobook"), "new", str(dest), "--defaults", "--no-git", *data]


def copier_copy(dest: Path) -> list[str]:
    # The CLI renders the checkout's working tree (HEAD plus uncommitted changes): so does this.
    data = [arg for pair in ANSWERS for arg in ("--data", pair)]
    return [
        str(BIN / "copier"),
        "copy",
        "--defaults",
        "--quiet",
        "--vcs-ref",
        "HEAD",
        *data,
        str(REPO_ROOT),
        str(dest),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--write", type=Path, help="also write the report to this file")
    args = parser.parse_args()

    help_s = median_seconds(visiobook_help, args.runs)
    new_s = median_seconds(visiobook_new, args.runs)
    copier_s = median_seconds(copier_copy, args.runs)
    ratio = new_s / copier_s
    rows = [
        ("`visiobook --help`", help_s, "< 0.30 s", help_s < 0.30),
        ("`visiobook new --defaults --no-git` (fastapi)", new_s, "", None),
        ("`copier copy --defaults` (same template, same answers)", copier_s, "", None),
        ("ratio new / copier copy", ratio, "<= 1.10", ratio <= 1.10),
    ]
    lines = [
        "# Benchmarks",
        "",
        "Produced by `make bench` (`benchmarks/run.py`): median of "
        f"{args.runs} runs after one warm-up, each into a fresh folder.",
        f"Machine: {platform.machine()}, {platform.system()}, Python {platform.python_version()}.",
        "",
        "| what | median | target | met |",
        "| --- | --- | --- | --- |",
    ]
    for name, value, target, met in rows:
        shown = f"{value:.2f}x" if name.startswith("ratio") else f"{value:.3f} s"
        verdict = "" if met is None else ("yes" if met else "**no**")
        lines.append(f"| {name} | {shown} | {target} | {verdict} |")
    report = "\n".join(lines) + "\n"
    print(report)
    if args.write:
        args.write.write_text(report)


if __name__ == "__main__":
    main()
