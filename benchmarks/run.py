"""Time the visiobook CLI against raw Copier on the same template, and measure the JS a
generated Vue app sends to the browser. Not a test: run it with `make bench` (`python -m
benchmarks.run`); it prints a Markdown report and, with --write, saves it into its part of
docs/benchmarks.md (`make bench-services` writes another part of that file)."""

from __future__ import annotations

import argparse
import gzip
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.report import write_part
from visiobook_scaffold.template import load_config

REPO_ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
STACKS = [stack.key for stack in load_config(REPO_ROOT).available_stacks()]


def answers(stack: str) -> list[str]:
    return [
        arg for pair in (f"stack={stack}", "service_name=bench-service") for arg in ("--data", pair)
    ]


def seconds(command: Callable[[Path], list[str]]) -> float:
    """Wall time of one run into a fresh destination."""
    workdir = Path(tempfile.mkdtemp(prefix="visiobook-bench-"))
    try:
        started = time.perf_counter()
        subprocess.run(command(workdir / "svc"), check=True, capture_output=True)
        return time.perf_counter() - started
    finally:
        shutil.rmtree(workdir)


def median_seconds(command: Callable[[Path], list[str]], runs: int) -> float:
    """Median wall time of `runs` runs, after one warm-up."""
    seconds(command)
    return statistics.median(seconds(command) for _ in range(runs))


def paired_medians(
    first: Callable[[Path], list[str]], second: Callable[[Path], list[str]], runs: int
) -> tuple[float, float]:
    """Median wall times of two commands run in alternation, after one warm-up each, so that
    a slow spell of a shared machine weighs on both alike."""
    seconds(first)
    seconds(second)
    timings: tuple[list[float], list[float]] = ([], [])
    for attempt in range(runs):
        order = (0, 1) if attempt % 2 == 0 else (1, 0)
        for which in order:
            timings[which].append(seconds((first, second)[which]))
    return statistics.median(timings[0]), statistics.median(timings[1])


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


def git(cwd: Path, *args: str) -> None:
    identity = ["-c", "user.name=bench", "-c", "user.email=bench@example.com"]
    subprocess.run(["git", *identity, *args], cwd=cwd, check=True, capture_output=True)


def released_template(workdir: Path) -> Path:
    """This checkout's template in a repository of its own, released as v1.0.0, then as v2.0.0
    with one line of the shared README changed."""
    repo = workdir / "template"
    repo.mkdir()
    shutil.copy2(REPO_ROOT / "copier.yml", repo / "copier.yml")
    shutil.copytree(REPO_ROOT / "templates", repo / "templates", symlinks=True)
    git(repo, "init", "--quiet")
    for version in ("v1.0.0", "v2.0.0"):
        if version == "v2.0.0":
            readme = repo / "templates/shared/README.md.jinja"
            readme.write_text(readme.read_text() + "\nOne more line from v2.0.0.\n")
        git(repo, "add", "--all")
        git(repo, "commit", "--quiet", "--message", version)
        git(repo, "tag", version)
    return repo


def update_medians(stack: str, template: Path, runs: int) -> tuple[float, float]:
    """Median wall times of `visiobook update` and `copier update` taking the same service from
    v1.0.0 to v2.0.0, in alternation; the service is reset to v1.0.0 before each run."""
    service = template.parent / f"svc-{stack}"
    new = [str(BIN / "visiobook"), "new", str(service), "--template", str(template)]
    subprocess.run(
        [*new, "--vcs-ref", "v1.0.0", "--defaults", *answers(stack)],
        check=True,
        capture_output=True,
    )
    commands = (
        [str(BIN / "visiobook"), "update", "--defaults"],
        [str(BIN / "copier"), "update", "--defaults", "--skip-answered", "--quiet"],
    )

    def once(command: list[str]) -> float:
        git(service, "reset", "--hard", "--quiet", "HEAD")
        git(service, "clean", "-d", "--force", "--quiet")
        started = time.perf_counter()
        subprocess.run(command, cwd=service, check=True, capture_output=True)
        return time.perf_counter() - started

    once(commands[0])
    once(commands[1])
    timings: tuple[list[float], list[float]] = ([], [])
    for attempt in range(runs):
        order = (0, 1) if attempt % 2 == 0 else (1, 0)
        for which in order:
            timings[which].append(once(commands[which]))
    return statistics.median(timings[0]), statistics.median(timings[1])


CHECK_FILES = 2000
# Filler for the check benchmark: source files where the stack keeps its code, each with a
# route, so the route and correlation-id scans read them all.
FILLER = {
    "fastapi": ("app/services/generated_{n:04d}.py", '@router.get("/widgets")\n'),
    "node": ("src/services/generated-{n:04d}.ts", 'router.get("/widgets", handler);\n'),
    "go": ("internal/services/generated_{n:04d}.go", 'routes.GET("/widgets", handler)\n'),
    "vue": ("src/components/Generated{n:04d}.vue", "<template><p>{n}</p></template>\n"),
}


def service_of(stack: str, files: int, workdir: Path) -> Path:
    """A generated service padded with committed source files to `files` files in all."""
    dest = workdir / f"check-{stack}"
    subprocess.run(visiobook_new(stack)(dest), check=True, capture_output=True)
    git(dest, "init", "-q")
    git(dest, "add", ".")
    listed = subprocess.run(["git", "ls-files"], cwd=dest, capture_output=True, text=True)
    path_pattern, line = FILLER[stack]
    for n in range(files - len(listed.stdout.splitlines())):
        filler = dest / path_pattern.format(n=n)
        filler.write_text(line.format(n=n) * 30)
    git(dest, "add", ".")
    git(dest, "commit", "-qm", "padded")
    return dest


def check_rows(runs: int) -> list[tuple[str, float, str, bool | None]]:
    rows: list[tuple[str, float, str, bool | None]] = []
    workdir = Path(tempfile.mkdtemp(prefix="visiobook-bench-"))
    try:
        for stack in STACKS:
            service = service_of(stack, CHECK_FILES, workdir)
            listed = subprocess.run(
                ["git", "ls-files"], cwd=service, capture_output=True, text=True
            )
            assert len(listed.stdout.splitlines()) == CHECK_FILES
            command = [str(BIN / "visiobook"), "check", str(service), "--format", "json"]
            check_s = median_seconds(lambda _, command=command: command, runs)
            rows.append(
                (f"`visiobook check` ({stack}, {CHECK_FILES} files)", check_s, "< 2 s", check_s < 2)
            )
    finally:
        shutil.rmtree(workdir)
    return rows


def vue_bundle_rows() -> list[str]:
    """Generates a Vue app with the default answers, builds it, and sizes its JS chunks."""
    workdir = Path(tempfile.mkdtemp(prefix="visiobook-bench-"))
    try:
        app = workdir / "web-portal"
        subprocess.run(visiobook_new("vue")(app), check=True, capture_output=True)
        for npm_args in (["ci", "--no-audit", "--no-fund"], ["run", "build"]):
            subprocess.run(["npm", *npm_args], cwd=app, check=True, capture_output=True)
        index = (app / "dist/index.html").read_text()
        # What the browser fetches before the first page shows: the entry and its preloads.
        initial = set(re.findall(r'(?:src|href)="/assets/([^"]+\.js)"', index))
        rows = []
        totals = {True: [0, 0], False: [0, 0]}
        for chunk in sorted((app / "dist/assets").glob("*.js")):
            raw = chunk.read_bytes()
            size, zipped = len(raw), len(gzip.compress(raw, 9))
            first = chunk.name in initial
            totals[first][0] += size
            totals[first][1] += zipped
            name = re.sub(r"-[\w-]{8}\.js$", ".js", chunk.name)
            when = "first load" if first else "on demand"
            rows.append(f"| `{name}` | {when} | {size / 1024:.1f} KiB | {zipped / 1024:.1f} KiB |")
        for first, label in ((True, "first load"), (False, "on demand")):
            size, zipped = totals[first]
            total = f"{size / 1024:.1f} KiB | {zipped / 1024:.1f} KiB"
            rows.append(f"| **{label}, total** | | {total} |")
        return rows
    finally:
        shutil.rmtree(workdir)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--write", type=Path, help="also write the report into this file's part")
    args = parser.parse_args()

    help_s = median_seconds(visiobook_help, args.runs)
    rows: list[tuple[str, float, str, bool | None]] = [
        ("`visiobook --help`", help_s, "< 0.30 s", help_s < 0.30)
    ]
    for stack in STACKS:
        new_s, copier_s = paired_medians(visiobook_new(stack), copier_copy(stack), args.runs)
        ratio = new_s / copier_s
        rows += [
            (f"`visiobook new --defaults --no-git` ({stack})", new_s, "", None),
            (f"`copier copy --defaults` ({stack}, same answers)", copier_s, "", None),
            (f"ratio new / copier copy ({stack})", ratio, "<= 1.10", ratio <= 1.10),
        ]
    rows += check_rows(args.runs)
    workdir = Path(tempfile.mkdtemp(prefix="visiobook-bench-"))
    try:
        template = released_template(workdir)
        for stack in STACKS:
            update_s, copier_s = update_medians(stack, template, args.runs)
            ratio = update_s / copier_s
            rows += [
                (f"`visiobook update --defaults` v1 -> v2 ({stack})", update_s, "", None),
                (f"`copier update --defaults` ({stack}, same service)", copier_s, "", None),
                (f"ratio update / copier update ({stack})", ratio, "<= 1.20", ratio <= 1.20),
            ]
    finally:
        shutil.rmtree(workdir)
    lines = [
        "Produced by `make bench` (`benchmarks/run.py`): median of "
        f"{args.runs} runs after one warm-up, each into a fresh folder; `new` and `copier copy`",
        "of a stack run in alternation. The updates take a service of each stack from v1.0.0 to",
        "v2.0.0 of this template released in a scratch repository (one README line changed);",
        "the service is reset to v1.0.0 before each run, and the two commands alternate.",
        f"`visiobook check` runs on a service of each stack padded to {CHECK_FILES} committed",
        "files (source files with a route each, so every scan reads them); helm "
        + ("renders the chart." if shutil.which("helm") else "is not on PATH: no chart render."),
        f"Machine: {platform.machine()}, {platform.system()}, Python {platform.python_version()}.",
        "",
        "| what | median | target | met |",
        "| --- | --- | --- | --- |",
    ]
    for name, value, target, met in rows:
        shown = f"{value:.2f}x" if name.startswith("ratio") else f"{value:.3f} s"
        verdict = "" if met is None else ("yes" if met else "**no**")
        lines.append(f"| {name} | {shown} | {target} | {verdict} |")
    lines += [
        "",
        "## Built JS of a Vue app",
        "",
        "`visiobook new --stack vue` with the default answers, `npm ci`, `npm run build`; gzip",
        "level 9. Each route's view is its own chunk, fetched when the route is first visited;",
        "Vuetify is tree-shaken (only the components the app uses).",
        "",
        "| chunk | loaded | size | gzip |",
        "| --- | --- | --- | --- |",
        *vue_bundle_rows(),
    ]
    report = "\n".join(lines) + "\n"
    print(report)
    if args.write:
        write_part(args.write, "bench", report)


if __name__ == "__main__":
    main()
