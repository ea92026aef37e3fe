"""Bad input, one line: every mistake a user can make with `new`, `update`, `diff` and `check`
ends with one line on stderr (`error: ...`), the documented exit code, no traceback, no hang,
and nothing left or changed on disk.

Each row names the bad input, arranges what it needs in its own folder (the working folder of
the command), runs the command in-process, and compares the whole folder, git's refs and HEAD
before and after. Most `new` rows use the embedded template, which refuses them before
rendering; `update` and `diff` rows use a copy of a service generated from a small template
released as v1.0.0 and v2.0.0 (the template copied too, so that nothing it holds changes).

Not here, on purpose: a broken `.visiobook.yml` waiver (malformed, undated, dated
2027-02-30) is a finding of the `waivers-valid` rule, reported with the rest and exit 1
(docs/check.md, tests/check/test_cli.py), not bad input; writing `check --output` into a named
pipe waits for a reader, as any program writing to one does.
"""

from __future__ import annotations

import os
import resource
import shlex
import shutil
import signal
import stat
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

import pytest
from typer.testing import CliRunner

from tests.helpers import git
from visiobook_scaffold.cli import app

TIMEOUT = 30
"""Seconds a row may run before it counts as hung."""
MEMORY = 1 << 30
"""Bytes a row may allocate (address space) beyond what the test process holds."""
NEW = "new svc --stack fastapi --name media-service"
"""A `new` that would succeed: each row adds or changes one thing."""


# ---------------------------------------------------------------------------------------------
# What the rows arrange: a service of a small template, data files, templates, odd files.
# ---------------------------------------------------------------------------------------------

TOY_CONFIG = (
    "_subdirectory: tpl\n"
    "stack: {type: str}\n"
    "service_name: {type: str}\n"
    "port:\n"
    "  type: int\n"
    "  default: 8000\n"
    '  validator: "{% if port < 1024 %}port must be at least 1024{% endif %}"\n'
)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A template released as v1.0.0 and v2.0.0, and a service generated from v1.0.0 and
    committed, as `visiobook new` leaves it. Rows copy them; none changes them."""
    root = tmp_path_factory.mktemp("base")
    template = root / "template"
    (template / "tpl").mkdir(parents=True)
    (template / "copier.yml").write_text(TOY_CONFIG)
    (template / "tpl" / "{{_copier_conf.answers_file}}.jinja").write_text(
        "{{ _copier_answers|to_nice_yaml }}"
    )
    (template / "tpl" / "app.txt").write_text("line 1\nline 2\n")
    (template / "tpl" / "config.txt.jinja").write_text("port={{ port }}\n")
    git(template, "init", "--quiet", "--initial-branch=main")
    for version in ("v1.0.0", "v2.0.0"):
        (template / "tpl" / "app.txt").write_text(f"line 1\nline 2, {version}\n")
        git(template, "add", "--all")
        git(template, "commit", "--quiet", "--message", version)
        git(template, "tag", version)
    result = CliRunner().invoke(
        app,
        ["new", str(root / "svc"), "--template", str(template), "--vcs-ref", "v1.0.0",
         "--stack", "x", "--name", "svc"],
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    return root


class Place:
    """A row's folder (the command's working folder), and the base to copy from."""

    def __init__(self, root: Path, base: Path) -> None:
        self.root = root
        self.base = base

    def template(self) -> Path:
        """A copy of the small template (a git repository, v1.0.0 and v2.0.0)."""
        target = self.root / "template"
        if not target.exists():
            shutil.copytree(self.base / "template", target, symlinks=True)
        return target

    def service(self) -> Path:
        """A copy of the generated service, recording the copy of the template as its source."""
        template = self.template()
        target = self.root / "svc"
        shutil.copytree(self.base / "svc", target, symlinks=True)
        answers = target / ".copier-answers.yml"
        answers.write_text(answers.read_text().replace(str(self.base / "template"), str(template)))
        git(target, "commit", "--quiet", "--all", "--message", "the template moved here")
        return target

    def write(self, name: str, content: str | bytes) -> Path:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
        return path


Setup = Callable[[Place], object]


def nothing(place: Place) -> None:
    """The command needs nothing on disk."""


def service(place: Place) -> None:
    place.service()


def template(place: Place) -> None:
    place.template()


def write(name: str, content: str | bytes) -> Setup:
    return lambda place: place.write(name, content)


def fifo(name: str) -> Setup:
    """A named pipe: opening it for reading waits for a writer that never comes."""
    return lambda place: os.mkfifo(place.root / name)


def symlink(name: str, target: str) -> Setup:
    return lambda place: (place.root / name).symlink_to(place.root / target)


def folder(name: str) -> Setup:
    return lambda place: (place.root / name).mkdir(parents=True)


def service_and(change: Callable[[Path], object], commit: bool = False) -> Setup:
    """A copy of the service, changed; committed when `commit` (what `update` requires)."""

    def arrange(place: Place) -> None:
        svc = place.service()
        change(svc)
        if commit:
            git(svc, "add", "--all")
            git(svc, "commit", "--quiet", "--message", "a change by hand")

    return arrange


def stage_a_change(svc: Path) -> None:
    (svc / "app.txt").write_text("staged\n")
    git(svc, "add", "app.txt")


def answers_file(content: str | bytes, commit: bool = True) -> Setup:
    """The service's .copier-answers.yml edited by hand."""

    def change(svc: Path) -> None:
        path = svc / ".copier-answers.yml"
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content.replace("{template}", str(svc.parent / "template")))

    return service_and(change, commit)


def answers_fifo(svc: Path) -> None:
    (svc / ".copier-answers.yml").unlink()
    os.mkfifo(svc / ".copier-answers.yml")


def answers_replaced(old: str, new: str) -> Setup:
    """The service's .copier-answers.yml with `old` replaced by `new`, committed; {template}
    stands for the template's path, {root} for the row's folder."""

    def change(svc: Path) -> None:
        path = svc / ".copier-answers.yml"
        text = path.read_text()
        old_text = old.replace("{template}", str(svc.parent / "template"))
        assert old_text in text, text
        path.write_text(text.replace(old_text, new.replace("{root}", str(svc.parent))))

    return service_and(change, commit=True)


def template_and(change: Callable[[Path], object], release: str | None = None) -> Setup:
    """A copy of the template, changed (and released as `release`)."""

    def arrange(place: Place) -> None:
        root = place.template()
        change(root)
        if release:
            git(root, "add", "--all")
            git(root, "commit", "--quiet", "--message", release)
            git(root, "tag", release)

    return arrange


def broken_filter(root: Path) -> None:
    """A template file that names a Jinja filter there is not: rendering it fails."""
    (root / "tpl" / "z.txt.jinja").write_text("{{ 1 | no_such_filter }}\n")


def malformed_config(root: Path) -> None:
    (root / "copier.yml").write_text("stack: [unclosed\n")


def stacks(spec: str) -> Setup:
    """A custom template whose `stacks` facts are `spec`."""
    return write("custom/copier.yml", f"stacks:\n  type: yaml\n  default: {spec}\n")


def go_service(place: Place) -> None:
    """The least `check` recognises as a service: a go.mod."""
    place.write("go-svc/go.mod", "module example.com/svc\n\ngo 1.27.0\n")


def both(*setups: Setup) -> Setup:
    def arrange(place: Place) -> None:
        for setup in setups:
            setup(place)

    return arrange


# ---------------------------------------------------------------------------------------------
# The table.
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    id: str
    argv: str | tuple[str, ...]
    """The command line after `visiobook`; a string is split as a shell would."""
    message: str
    """A fragment of the one line on stderr."""
    setup: Setup = nothing
    code: int = 2

    def args(self) -> list[str]:
        return shlex.split(self.argv) if isinstance(self.argv, str) else list(self.argv)


LONG = "d" * 300
# A table reads best one row at a time, however long: the formatter leaves it alone.
# fmt: off
ROWS = [
    # new: the service's name, --name
    Row("new --name with capitals and _", f"{NEW} --name Media_Service", "DNS-1123 label"),
    Row("new --name over 40 characters", f"{NEW} --name {'m' * 41}", "at most 40 characters"),
    Row("new --name .. as the folder", "new --stack go --name ..", "--name '..' cannot name"),
    Row("new --name . as the folder", "new --stack go --name .", "--name '.' cannot name"),
    Row("new --name a/b as the folder", "new --stack go --name a/b", "--name 'a/b' cannot name"),
    Row("new --name over 255 bytes as the folder", f"new --stack go --name {LONG}",
        "cannot be used: File name too long"),
    Row("new without --name and no terminal", "new svc --stack fastapi", "--name is required"),
    # new: --stack
    Row("new --stack unknown", f"{NEW} --stack cobol", "unknown stack 'cobol'; choose one of"),
    Row("new --stack empty", (*shlex.split(NEW), "--stack", ""), "unknown stack ''"),
    Row("new without --stack and no terminal", "new svc --name media-service",
        "--stack is required"),
    # new: --data
    Row("new --data with an unknown key", f"{NEW} -d colour=blue", "unknown answer 'colour'"),
    Row("new --data of a computed answer", f"{NEW} -d model_name=Thing",
        "'model_name' is computed"),
    Row("new --data without =", f"{NEW} -d port", "--data expects key=value, got 'port'"),
    Row("new --data with an empty key", f"{NEW} -d =8000", "--data expects key=value"),
    Row("new --data port that is no number", f"{NEW} -d port=http", "port must be a whole number"),
    Row("new --data port below 1024", f"{NEW} -d port=80", "port must be between 1024 and 65535"),
    Row("new --data port 9090 of Prometheus", f"{NEW} -d port=9090", "port 9090 is reserved"),
    Row("new --data resource singular", f"{NEW} -d resource=item", "must be a plural noun"),
    Row("new --data resource=classes, a Python keyword", f"{NEW} -d resource=classes",
        "clashes with a Python keyword"),
    Row("new --data resource=errors, an API schema", f"{NEW} -d resource=errors",
        "clashes with one of the API contract's own schemas"),
    Row("new --data description with a tab", (*shlex.split(NEW), "-d", "description=a\tb"),
        "without control characters"),
    Row("new --data description with a newline", (*shlex.split(NEW), "-d", "description=a\nb"),
        "description must be a single line"),
    Row("new --data public_domain with a 64-character label",
        f"{NEW} -d public_domain={'a' * 64}.example.com", "public_domain must be a lowercase DNS"),
    Row("new --data org with a leading -", f"{NEW} -d org=-studio", "org must be lowercase"),
    Row("new --data image_registry in capitals", f"{NEW} -d image_registry=GHCR.io/Studio",
        "image_registry must look like host"),
    Row("new --data language_version not offered", f"{NEW} -d language_version=2.7",
        "language_version"),
    Row("new --pretend with a bad name", f"{NEW} --pretend --name Media", "DNS-1123 label"),
    Row("new --vcs-ref that does not exist", f"{NEW} --vcs-ref v9.9.9", "v9.9.9"),
    # new: --data-file
    Row("new --data-file missing", f"{NEW} --data-file answers.yml",
        "cannot read data file answers.yml: No such file or directory"),
    Row("new --data-file that is a folder", f"{NEW} --data-file answers", "cannot read data file",
        folder("answers")),
    Row("new --data-file a FIFO nobody writes to", f"{NEW} --data-file answers.yml",
        "data file answers.yml is a pipe that gave nothing to read", fifo("answers.yml")),
    Row("new --data-file /dev/zero", f"{NEW} --data-file /dev/zero",
        "data file /dev/zero is over 1 MB"),
    Row("new --data-file not UTF-8", f"{NEW} --data-file answers.yml", "is not UTF-8 text",
        write("answers.yml", b"service_name: caf\xe9\n")),
    Row("new --data-file not YAML", f"{NEW} --data-file answers.yml", "is not valid YAML (line 2)",
        write("answers.yml", "port: [8000\n")),
    Row("new --data-file a list", f"{NEW} --data-file answers.yml", "must be a mapping",
        write("answers.yml", "- a\n- b\n")),
    Row("new --data-file with a number as a key", f"{NEW} --data-file answers.yml",
        "must be a mapping of answer names", write("answers.yml", "8000: port\n")),
    Row("new --data-file with a list as an answer", f"{NEW} --data-file answers.yml",
        "answer 'stack' must be one value, got a list", write("answers.yml", "stack: [go]\n")),
    Row("new --data-file with a nested mapping", f"{NEW} --data-file answers.yml",
        "answer 'org' must be one value, got a mapping", write("answers.yml", "org: {a: 1}\n")),
    Row("new --data-file with an unknown key", f"{NEW} --data-file answers.yml",
        "unknown answer 'prot'", write("answers.yml", "prot: 9000\n")),
    Row("new --data-file with a port in words", f"{NEW} --data-file answers.yml",
        "port must be a whole number", write("answers.yml", "port: eighty\n")),
    Row("new --data-file as JSON with a bad name", f"{NEW} --data-file answers.json",
        "org must be lowercase", write("answers.json", '{"org": "Studio"}')),
    # new: the destination
    Row("new into a file", NEW, "destination svc exists and is not a folder", write("svc", "x")),
    Row("new into a non-empty folder", NEW, "destination svc exists and is not empty",
        write("svc/notes.txt", "mine\n")),
    Row("new into a dangling symlink", NEW, "destination svc is a symbolic link to nothing",
        symlink("svc", "nowhere")),
    Row("new into a FIFO", NEW, "destination svc exists and is not a folder", fifo("svc")),
    Row("new into a name over 255 bytes", f"new {LONG} --stack go --name svc",
        "cannot be used: File name too long"),
    Row("new into a folder below a file", "new notes.txt/svc --stack go --name svc",
        "cannot be made: ", write("notes.txt", "mine\n")),
    # new: --template and --vcs-ref
    Row("new --template missing folder", f"{NEW} --template nowhere",
        "not a Copier template: "),
    Row("new --template folder without copier.yml", f"{NEW} --template custom",
        "has no copier.yml", folder("custom")),
    Row("new --template with a malformed copier.yml", f"{NEW} --template custom",
        "cannot read template", write("custom/copier.yml", "stack: [unclosed\n")),
    Row("new --template copier.yml not UTF-8", f"{NEW} --template custom",
        "cannot read template", write("custom/copier.yml", b"stack: caf\xe9\n")),
    Row("new --template copier.yml a FIFO", f"{NEW} --template custom",
        "copier.yml: not a regular file", both(folder("custom"), fifo("custom/copier.yml"))),
    Row("new --template copier.yml a link to /dev/zero", f"{NEW} --template custom",
        "copier.yml: not a regular file",
        both(folder("custom"), lambda place: (place.root / "custom/copier.yml").symlink_to(
            "/dev/zero"))),
    Row("new --template copier.yml a list", f"{NEW} --template custom", "not a mapping",
        write("custom/copier.yml", "- stack\n")),
    Row("new --template stacks facts incomplete", f"{NEW} --template custom",
        "stack x: lacks available", stacks("{x: {summary: s}}")),
    Row("new --template stacks a list", f"{NEW} --template custom", "`stacks` is not a mapping",
        stacks("[fastapi]")),
    Row("new --template stack facts a number", f"{NEW} --template custom",
        "stack x: its facts are not a mapping", stacks("{x: 5}")),
    Row("new --template git URL that does not exist",
        f"{NEW} --template file:///nonexistent/template.git",
        "git: '/nonexistent/template.git' does not appear to be a git repository"),
    Row("new --template --vcs-ref that does not exist",
        "new svc --template template --vcs-ref v9.9.9 --stack x --name svc", "v9.9.9", template),
    Row("new --template whose rendering fails", "new svc --template template --stack x --name svc",
        "no_such_filter", template_and(broken_filter, "v3.0.0")),
    Row("new --template with a validator refusing --data",
        "new svc --template template --stack x --name svc -d port=80", "port must be at least 1024",
        template),
    # update: the service's folder
    Row("update on a folder that is no service", "update empty", "has no .copier-answers.yml",
        folder("empty")),
    Row("update on a missing folder", "update nowhere", "nowhere is not a folder"),
    Row("update on a file", "update notes.txt", "notes.txt is not a folder",
        write("notes.txt", "x\n")),
    Row("update on a dangling symlink", "update link", "link is not a folder",
        symlink("link", "nowhere")),
    Row("update on a FIFO", "update pipe", "pipe is not a folder", fifo("pipe")),
    Row("update outside git", "update svc", "is not in a git repository",
        service_and(lambda svc: shutil.rmtree(svc / ".git"))),
    Row("update with an uncommitted change", "update svc", "1 uncommitted change(s)",
        service_and(lambda svc: (svc / "app.txt").write_text("changed\n"))),
    Row("update with an untracked file", "update svc", "1 uncommitted change(s)",
        service_and(lambda svc: (svc / "scratch.txt").write_text("untracked\n"))),
    Row("update with a staged change", "update svc", "commit or stash them",
        service_and(stage_a_change)),
    Row("update with the answers file edited into invalid YAML", "update svc",
        ".copier-answers.yml cannot be read as YAML", answers_file("_commit: [v1.0.0\n")),
    Row("update with the answers file a list", "update svc",
        ".copier-answers.yml is not a mapping of answers", answers_file("- _commit\n")),
    Row("update with the answers file not UTF-8", "update svc", "cannot be read as YAML",
        answers_file(b"_commit: v1.0.0\nservice_name: caf\xe9\n")),
    Row("update with _commit missing from the answers file", "update svc",
        "records no template version (_commit)",
        answers_file("_src_path: {template}\nstack: x\nservice_name: svc\n")),
    Row("update with a _commit that does not exist", "update svc", "v0.9.0",
        answers_replaced("_commit: v1.0.0", "_commit: v0.9.0")),
    Row("update with _src_path a missing folder", "update svc", "is gone: if it moved",
        answers_replaced("_src_path: {template}", "_src_path: {root}/moved")),
    # update: options
    Row("update --to a ref that does not exist", "update svc --to v9.9.9", "update failed",
        service),
    Row("update --pretend --to a ref that does not exist", "update svc --pretend --to v9.9.9",
        "update would fail", service),
    Row("update --data with an unknown key (prot=9000)", "update svc --data prot=9000",
        "unknown answer 'prot'; the template asks: ", service),
    Row("update --data port that is no number", "update svc --data port=ninety",
        "port must be a whole number, got 'ninety'", service),
    Row("update --data port the template's validator refuses", "update svc --data port=80",
        "port must be at least 1024", service),
    Row("update --data stack=go", "update svc --data stack=go",
        "an update cannot change the stack ('x')", service),
    Row("update --data _commit", "update svc --data _commit=v0", "unknown answer '_commit'",
        service),
    Row("update --data without =", "update svc --data port", "--data expects key=value",
        service),
    Row("update --conflict bogus", "update svc --conflict bogus",
        "--conflict takes inline or rej, got 'bogus'", service),
    Row("update --template missing folder", "update svc --template nowhere", "update failed",
        service),
    Row("update --template folder that is no template", "update svc --template empty",
        "update failed", both(service, folder("empty"))),
    Row("update to a version with a malformed copier.yml", "update svc", "update failed",
        both(service, template_and(malformed_config, "v3.0.0"))),
    Row("update to a version whose rendering fails", "update svc", "no_such_filter",
        both(service, template_and(broken_filter, "v3.0.0"))),
    Row("update --check on a folder that is no service", "update --check empty",
        "has no .copier-answers.yml", folder("empty")),
    Row("update --check --template missing folder", "update svc --check --template nowhere",
        "does not appear to be a git repository", service),
    # diff
    Row("diff on a folder that is no service", "diff empty", "has no .copier-answers.yml",
        folder("empty")),
    Row("diff on a missing folder", "diff nowhere", "nowhere is not a folder"),
    Row("diff on a FIFO", "diff pipe", "pipe is not a folder", fifo("pipe")),
    Row("diff on a file", "diff notes.txt", "notes.txt is not a folder", write("notes.txt", "x\n")),
    Row("diff with the answers file edited into invalid YAML", "diff svc",
        "cannot be read as YAML", answers_file("_commit: [v1.0.0\n", commit=False)),
    Row("diff with the answers file a list", "diff svc", "is not a mapping of answers",
        answers_file("- _commit\n", commit=False)),
    Row("diff with _commit missing from the answers file", "diff svc",
        "records no template version (_commit)",
        answers_file("_src_path: {template}\nstack: x\n", commit=False)),
    Row("diff with the answers file a FIFO", "diff svc", "has no .copier-answers.yml",
        service_and(answers_fifo)),
    Row("diff with a _commit that does not exist", "diff svc", "cannot render template",
        answers_replaced("_commit: v1.0.0", "_commit: v0.9.0")),
    Row("diff with _src_path a missing folder", "diff svc", "is gone: if it moved",
        answers_replaced("_src_path: {template}", "_src_path: {root}/moved")),
    Row("diff --template missing folder", "diff svc --template nowhere", "cannot render template",
        service),
    # check
    Row("check on a missing folder", "check nowhere", "nowhere is not a folder"),
    Row("check on a file", "check notes.txt", "notes.txt is not a folder",
        write("notes.txt", "x\n")),
    Row("check on a FIFO", "check pipe", "pipe is not a folder", fifo("pipe")),
    Row("check on a folder that is no service", "check empty", "no service found in",
        folder("empty")),
    Row("check on a service of an unknown stack", "check svc", "no service found in", service),
    Row("check with .copier-answers.yml a FIFO", "check web", "no service found in",
        both(folder("web"), fifo("web/.copier-answers.yml"))),
    Row("check with package.json a link to /dev/zero", "check web", "no service found in",
        both(folder("web"),
             lambda place: (place.root / "web/package.json").symlink_to("/dev/zero"))),
    Row("check on a package.json that is not JSON", "check web", "no service found in",
        write("web/package.json", '{"dependencies": {"vue": ')),
    Row("check --format unknown", "check go-svc --format xml",
        "--format takes text, json, sarif, junit, got 'xml'", go_service),
    Row("check --format empty", ("check", "go-svc", "--format", ""), "--format takes",
        go_service),
    Row("check --output in a missing folder", "check go-svc --output out/report.json",
        "cannot write out/report.json", go_service),
    Row("check --output that is a folder", "check go-svc --output reports",
        "cannot write reports", both(go_service, folder("reports"))),
    # Usage errors Click finds before any command runs.
    Row("new --stack without its value", "new svc --name media-service --stack",
        "Option '--stack' requires an argument"),
    Row("update with an unknown option", "update svc --bogus", "No such option: --bogus",
        service),
    Row("diff with two folders", "diff svc other", "unexpected extra argument", service),
    Row("check with an unknown option", "check go-svc --rules strict",
        "No such option: --rules", go_service),
]
# fmt: on


# ---------------------------------------------------------------------------------------------
# The test.
# ---------------------------------------------------------------------------------------------


class Hung(BaseException):
    """Raised in the command by the alarm; not an OSError, so no `except OSError` takes it."""


@contextmanager
def bounded(seconds: float, memory: int = MEMORY) -> Iterator[list[bool]]:
    """Interrupts what runs inside after `seconds`, then every second until it ends; the list
    it gives says whether that happened (the command may catch the interruption). Memory is
    bounded too: a command reading /dev/zero gets a MemoryError, not the machine's memory."""
    fired: list[bool] = []

    def alarm(signum: int, frame: FrameType | None) -> None:
        fired.append(True)
        raise Hung

    limits = resource.getrlimit(resource.RLIMIT_AS)
    pages = int(Path("/proc/self/statm").read_text().split()[0])
    resource.setrlimit(resource.RLIMIT_AS, (pages * resource.getpagesize() + memory, limits[1]))
    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds, 1.0)
    try:
        yield fired
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        resource.setrlimit(resource.RLIMIT_AS, limits)


Entry = tuple[int, str, bytes | str | None]


def snapshot(root: Path) -> dict[str, Entry]:
    """Every path under `root`: its mode, its kind, and its bytes or link target. Nothing is
    skipped but `.git/index`, git's cache of file times, which any `git status` may rewrite;
    what it records is compared through `git status` in `git_state`."""
    entries: dict[str, Entry] = {}
    for folder_name, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(dirs + files):
            path = Path(folder_name) / name
            relative = path.relative_to(root).as_posix()
            if relative.endswith(".git/index") or "/.git/index" in relative:
                continue
            mode = path.lstat().st_mode
            if stat.S_ISLNK(mode):
                entries[relative] = (mode, "link", str(path.readlink()))
            elif stat.S_ISREG(mode):
                entries[relative] = (mode, "file", path.read_bytes())
            else:  # a folder, a FIFO: never opened
                entries[relative] = (mode, "other", None)
    return entries


def git_state(root: Path) -> dict[str, str]:
    """For each git repository under `root`: HEAD, every ref, and the status of every file."""
    state = {}
    for dot_git in sorted(root.rglob(".git")):
        repo = dot_git.parent
        state[repo.relative_to(root).as_posix()] = "\n".join(
            git(repo, *args)
            for args in (
                ("rev-parse", "HEAD"),
                ("symbolic-ref", "HEAD"),
                ("for-each-ref", "--format=%(refname) %(objectname)"),
                ("status", "--porcelain", "--untracked-files=all", "--ignored"),
            )
        )
    return state


def test_the_table_covers_every_command() -> None:
    counts = dict.fromkeys(("new", "update", "diff", "check"), 0)
    for row in ROWS:
        counts[row.args()[0]] += 1
    assert len(ROWS) >= 60
    assert min(counts.values()) >= 5, counts
    assert len({row.id for row in ROWS}) == len(ROWS), "two rows have the same id"


@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
def test_bad_input_is_one_line_the_documented_code_and_leaves_nothing(
    row: Row, base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    place = Place(tmp_path / "work", base)
    place.root.mkdir()
    # Scratch files of the command (Copier's clones, renders) go here too, to be seen.
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    monkeypatch.chdir(place.root)
    row.setup(place)
    before, git_before = snapshot(tmp_path), git_state(tmp_path)

    with bounded(TIMEOUT) as fired:
        result = CliRunner().invoke(app, row.args())
    if fired:
        pytest.fail(f"hung: {row.id} ran for more than {TIMEOUT} s")

    out, err = result.stdout, result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{type(result.exception).__name__}: {result.exception}"
    )
    assert "Traceback" not in out + err
    assert result.exit_code == row.code, err
    assert err.startswith("error: "), err
    assert err.endswith("\n"), err
    assert err.count("\n") == 1, err
    assert row.message in err
    assert git_state(tmp_path) == git_before
    after = snapshot(tmp_path)
    assert sorted(after.keys() - before.keys()) == [], "left on disk"
    assert sorted(before.keys() - after.keys()) == [], "removed from disk"
    assert [name for name in before if before[name] != after[name]] == [], "changed on disk"
