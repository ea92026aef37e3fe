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

from visiobook_scaffold.template import load_config

REPO_ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
STACKS = [stack.key for stack in load_config(REPO_ROOT).available_stacks()]


def answers(stack: str) -> list[str]:
    return [
        arg for pair in (f"stack={stack}", "service_name=bench-service") for arg in ("--data", pair)
    ]


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


def visiobook_new(stack: str) -> Callable[[Path], list[str]]:
    def command(dest: Path) -> list[str]:
        return [str(BIN / "visiobook"), "new", str(dest), "--defaults", "--no-git", *answers(stack)]

    return command


def copier_copy(stack: str) -> Callable[[Path], list[str]]:
    # The CLI renders the checkout's working tree (HEAD plus uncommitted changes): so does this.
    return lambda dest: [
        str(BIN / "copier"),
        "copy",
        "--defaults",
        "--quiet",
        "--vcs-ref",
        "HEAD",
        *answers(stack),
        str(REPO_ROOT),
        str(dest),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--write", type=Path, help="also write the report to this file")
    args = parser.parse_args()

    help_s = median_seconds(visiobook_help, args.runs)
    rows: list[tuple[str, float, str, bool | None]] = [
        ("`visiobook --help`", help_s, "< 0.30 s", help_s < 0.30)
    ]
    for stack in STACKS:
        new_s = median_seconds(visiobook_new(stack), args.runs)
        copier_s = median_seconds(copier_copy(stack), args.runs)
        ratio = new_s / copier_s
        rows += [
            (f"`visiobook new --defaults --no-git` ({stack})", new_s, "", None),
            (f"`copier copy --defaults` ({stack}, same answers)", copier_s, "", None),
            (f"ratio new / copier copy ({stack})", ratio, "<= 1.10", ratio <= 1.10),
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
