"""Each generated backend against a minimal app on the same framework, sending the same SQL.

`make bench-services` (`python -m benchmarks.services`): for each backend, generates a service
with this checkout's CLI, installs it as its production image runs it, migrates a private
PostgreSQL, seeds it and loads `GET /api/v1/items` with wrk, the generated service and its
baseline (benchmarks/baselines/<stack>) in alternation. PostgreSQL's log proves that the two send
the same statements; when they do not, the comparison says so. Not a test: it prints a Markdown
report and, with --write, saves it into its part of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import secrets
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from benchmarks.report import write_part
from tests.slow.postgres import PostgresServer, find_bindir, free_port
from tests.slow.project import GoProject, NodeProject, PythonProject, generate, python_release
from visiobook_scaffold.template import load_config

REPO_ROOT = Path(__file__).resolve().parents[1]
BASELINES = Path(__file__).resolve().parent / "baselines"
STACKS = ("fastapi", "node", "go")
ROUTE = "/api/v1/items"
ITEMS = 1000
CONNECTIONS = 32
# The server and PostgreSQL share one core, wrk has the other: they never take each other's time.
SERVER_CPU = 0
LOAD_CPU = 1
# A new signing secret each run, shared by a service and its baseline.
JWT_SECRET = secrets.token_urlsafe(32)
# The goals (issue 21): generated req/s at least this share of the baseline's...
REQUESTS_TARGET = {"fastapi": 0.8, "node": 0.6, "go": 0.9}
# ... and a p99 at most this multiple of it.
P99_TARGET = 1.5
# Where each backend's framework and driver versions are read (the generated lock files).
VERSIONS = {
    "fastapi": ("requirements.txt", ("fastapi", "uvicorn", "pydantic", "psycopg")),
    "node": ("package-lock.json", ("express", "pg")),
    "go": ("go.mod", ("github.com/gin-gonic/gin", "github.com/jackc/pgx/v5")),
}
PART = "bench-services"


# --- Pure logic: parsing wrk and PostgreSQL's log, normalising SQL, ratios (tested fast) -------


@dataclass(frozen=True)
class Load:
    """One wrk run: requests per second, latency percentiles in milliseconds, failures."""

    requests_per_second: float
    p50_ms: float
    p99_ms: float
    failures: int


UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def duration_ms(text: str) -> float:
    match = re.fullmatch(r"([0-9.]+)(us|ms|s|m)", text)
    if match is None:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match[1]) * UNITS_MS[match[2]]


def parse_wrk(output: str) -> Load:
    """What `wrk --latency` printed: req/s, p50 and p99, and the requests that failed (non-2xx
    or 3xx answers, socket errors and timeouts)."""
    rate = re.search(r"^Requests/sec:\s+([0-9.]+)", output, re.M)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.M)
    if rate is None or p50 is None or p99 is None:
        raise ValueError(f"unexpected wrk output:\n{output}")
    failures = 0
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    if non_2xx:
        failures += int(non_2xx[1])
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    if errors:
        failures += sum(int(count) for count in errors.groups())
    return Load(float(rate[1]), duration_ms(p50[1]), duration_ms(p99[1]), failures)


# Set on the private PostgreSQL while a request's statements are collected: every line of its log
# then starts with the backend's pid and database.
LOG_PREFIX = "@@ %p %d @@ "
LOG_LINE = re.compile(r"^@@ (\d+) (\S*) @@ ([A-Z]+):  (.*)$")
STATEMENT = re.compile(r"^(?:statement|execute [^:]+): (.*)$", re.S)
PARAMETER = re.compile(r"\$(\d+) = (NULL|'(?:[^']|'')*')")


@dataclass(frozen=True)
class Statement:
    """A statement PostgreSQL ran, as logged, with its parameters' values by number."""

    text: str
    parameters: dict[int, str] = field(default_factory=dict)


def parse_log(log: str, database: str) -> list[Statement]:
    """The statements the log records for `database` (log_statement = 'all'), in order: simple
    queries (`statement:`), and extended-protocol executions (`execute <name>:`) with the
    parameters their DETAIL line gives."""
    entries: list[tuple[str, str, str]] = []  # (database, level, message)
    for line in log.splitlines():
        match = LOG_LINE.match(line)
        if match:
            entries.append((match[2], match[3], match[4]))
        elif entries:  # the message before goes on (PostgreSQL starts its lines with a tab)
            db, level, message = entries[-1]
            entries[-1] = (db, level, f"{message}\n{line.removeprefix(chr(9))}")
    statements: list[Statement] = []
    for db, level, message in entries:
        if db != database:
            continue
        executed = STATEMENT.match(message) if level == "LOG" else None
        if executed:
            statements.append(Statement(executed[1]))
        elif level == "DETAIL" and message.startswith("parameters: ") and statements:
            values = {int(n): value for n, value in PARAMETER.findall(message)}
            statements[-1] = Statement(statements[-1].text, values)
    return statements


PLACEHOLDER = re.compile(r"\$(\d+)|%\([^)]*\)s|%s")


def normalise(statement: Statement) -> str:
    """The statement with comments dropped, whitespace collapsed (none inside parentheses), lower
    case, identifiers unquoted, no final `;`, and each placeholder ($1, %(name)s, %s) replaced by
    the value it was sent with (`?` when the log gives none): two drivers that send the same
    query with the same values normalise alike, whatever their placeholder style or numbering."""
    text = re.sub(r"--[^\n]*", " ", statement.text)
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)

    def value(match: re.Match[str]) -> str:
        number = match[1]
        return statement.parameters.get(int(number), "?") if number else "?"

    text = PLACEHOLDER.sub(value, text)
    text = " ".join(text.replace('"', "").split()).lower()
    # Spaces inside parentheses mean nothing either: `(SELECT ... "items" )` is `(... items)`.
    text = re.sub(r"\(\s+", "(", re.sub(r"\s+\)", ")", text))
    # An empty statement (`;`, `-- ping`) is how some pools check a connection: a round trip too.
    return text.rstrip(";").strip() or "(empty statement)"


def normalised(statements: Sequence[Statement]) -> list[str]:
    return [normalise(statement) for statement in statements]


def ratio_medians(generated: Sequence[Load], baseline: Sequence[Load]) -> tuple[float, ...]:
    """Medians over the rounds of generated / baseline, each ratio taken within its round: req/s,
    p50, p99."""
    pairs = list(zip(generated, baseline, strict=True))
    return (
        statistics.median(g.requests_per_second / b.requests_per_second for g, b in pairs),
        statistics.median(g.p50_ms / b.p50_ms for g, b in pairs),
        statistics.median(g.p99_ms / b.p99_ms for g, b in pairs),
    )


def requirement_versions(requirements: str, names: Sequence[str]) -> dict[str, str]:
    """`name==version` pins of a requirements file, by name (extras dropped)."""
    pins = {}
    for line in requirements.splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==(\S+)", line.strip())
        if match and match[1].lower() in names:
            pins[match[1].lower()] = match[2]
    return pins


def go_versions(go_mod: str, modules: Sequence[str]) -> dict[str, str]:
    found = {}
    for module in modules:
        match = re.search(rf"^\s*(?:require\s+)?{re.escape(module)} (v\S+)", go_mod, re.M)
        if match:
            found[module] = match[1]
    return found


def framework_versions(stack: str, root: Path) -> dict[str, str]:
    """The versions of the framework and driver the generated service locks, which its baseline
    installs too."""
    filename, names = VERSIONS[stack]
    text = (root / filename).read_text()
    if stack == "fastapi":
        found = requirement_versions(text, names)
    elif stack == "node":
        packages = json.loads(text)["packages"]
        found = {name: packages[f"node_modules/{name}"]["version"] for name in names}
    else:
        found = go_versions(text, names)
    missing = set(names) - set(found)
    if missing:
        raise RuntimeError(f"{stack}: {filename} locks no version of {sorted(missing)}")
    return found


# --- Processes ---------------------------------------------------------------------------------


def check(command: Sequence[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    """Runs a set-up command; its output is shown only when it fails."""
    result = subprocess.run(
        command,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"{shlex.join(command)} failed in {cwd}:\n{result.stdout}{result.stderr}"
        )
    return result.stdout


def say(message: str) -> None:
    print(f"[bench-services] {message}", file=sys.stderr, flush=True)


def tree(pid: int) -> list[int]:
    """The process and its descendants (Linux /proc)."""
    pids = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in children:
            pids += tree(int(child))
    return pids


def rss_mib(pid: int) -> float:
    """Resident memory of the process and its descendants, in MiB."""
    total_kib = 0
    for member in tree(pid):
        status = Path(f"/proc/{member}/status").read_text()
        match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
        total_kib += int(match[1]) if match else 0
    return total_kib / 1024


def pin(pid: int, cpu: int) -> None:
    """Every thread of the process and of its descendants on `cpu` (as `taskset -a -p`)."""
    for member in tree(pid):
        for task in Path(f"/proc/{member}/task").glob("*"):
            os.sched_setaffinity(int(task.name), {cpu})


@dataclass(frozen=True)
class Server:
    """How to start one HTTP server of the comparison, and the database it reads."""

    label: str  # "generated" or "baseline"
    command: list[str]
    cwd: Path
    env: dict[str, str]
    database: str


@dataclass
class Running:
    server: Server
    process: subprocess.Popen[bytes]
    base: str
    started_in_ms: float


def start(server: Server, log: Path) -> Running:
    """Starts the server on CPU SERVER_CPU and waits for its first 200 from /ready: the time
    from the start of the process to that answer is its cold start."""
    port = free_port()
    env = {**os.environ, **server.env, "PORT": str(port), "PROMETHEUS_PORT": str(free_port())}
    with log.open("ab") as output:
        started = time.perf_counter()
        process = subprocess.Popen(
            ["taskset", "-c", str(SERVER_CPU), *server.command],
            cwd=server.cwd,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = started + 60
    with httpx.Client(timeout=1) as client:
        while time.perf_counter() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"{server.label} exited {process.returncode}: see {log}")
            try:
                if client.get(f"{base}/ready").status_code == 200:
                    elapsed = (time.perf_counter() - started) * 1000
                    return Running(server, process, base, elapsed)
            except httpx.TransportError:
                pass
            time.sleep(0.002)
    process.kill()
    raise RuntimeError(f"{server.label} did not answer /ready within 60 s: see {log}")


def stop(running: Running) -> None:
    running.process.send_signal(signal.SIGTERM)
    try:
        running.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        running.process.kill()
        running.process.wait()


@contextmanager
def started(server: Server, log: Path) -> Iterator[Running]:
    running = start(server, log)
    try:
        yield running
    finally:
        stop(running)


def wrk(url: str, token: str, seconds: int) -> Load:
    """wrk on CPU LOAD_CPU: one thread, CONNECTIONS keep-alive connections."""
    command = [
        "taskset",
        "-c",
        str(LOAD_CPU),
        "wrk",
        "--threads",
        "1",
        "--connections",
        str(CONNECTIONS),
        "--duration",
        f"{seconds}s",
        "--latency",
        # A slow answer is still counted in the latencies (wrk's default gives up after 2 s).
        "--timeout",
        "10s",
        "--header",
        f"Authorization: Bearer {token}",
        url,
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    return parse_wrk(result.stdout)


# --- One backend -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    rounds: int
    seconds: int
    warmup: int
    cold_starts: int
    run_tests: bool


@dataclass
class Result:
    stack: str
    versions: dict[str, str]
    generated: list[Load]
    baseline: list[Load]
    cold_start_ms: tuple[float, float]
    rss_mib: tuple[float, float]
    sql: tuple[list[Statement], list[Statement]]
    same_answer: bool
    test_command: str
    test_seconds: float | None
    test_passed: bool | None
    language: str
    how: str

    @property
    def same_sql(self) -> bool:
        return normalised(self.sql[0]) == normalised(self.sql[1])

    @staticmethod
    def failures(loads: list[Load]) -> int:
        return sum(load.failures for load in loads)


class Bench:
    """The private PostgreSQL, the work folder, and what all backends share."""

    def __init__(self, workdir: Path, options: Options) -> None:
        self.workdir = workdir
        self.options = options
        self.postgres = PostgresServer()
        self.postgres.start()
        self.stacks = load_config(REPO_ROOT).stacks

    def close(self) -> None:
        self.postgres.destroy()

    def pin_postgres(self) -> None:
        postmaster = int((self.postgres.datadir / "postmaster.pid").read_text().split()[0])
        pin(postmaster, SERVER_CPU)

    def logging_statements(self, on: bool) -> None:
        settings = {"log_statement": "all", "log_line_prefix": LOG_PREFIX}
        for name, value in settings.items():
            if on:
                self.postgres.psql("postgres", "-c", f"ALTER SYSTEM SET {name} = '{value}'")
            else:
                self.postgres.psql("postgres", "-c", f"ALTER SYSTEM RESET {name}")
        self.postgres.psql("postgres", "-c", "SELECT pg_reload_conf()")
        time.sleep(0.5)  # every backend reads the new settings at its next command

    def statements_of(self, running: Running, token: str) -> tuple[list[Statement], bytes]:
        """The statements one list request makes the server send, from PostgreSQL's log, and
        its answer."""
        log = self.postgres.root / "server.log"
        url = f"{running.base}{ROUTE}"
        headers = {"Authorization": f"Bearer {token}"}
        self.logging_statements(on=True)
        try:
            # Requests just before, so the one read is neither a connection's first (its set-up
            # statements) nor one after an idle spell (pgxpool pings a connection idle for 1 s).
            for _ in range(3):
                httpx.get(url, headers=headers).raise_for_status()
            offset = log.stat().st_size
            answer = httpx.get(url, headers=headers)
            answer.raise_for_status()
            time.sleep(0.5)
            with log.open("rb") as file:
                file.seek(offset)
                logged = file.read().decode(errors="replace")
        finally:
            self.logging_statements(on=False)
        return parse_log(logged, running.server.database), answer.content

    def database(self, name: str) -> str:
        return self.postgres.create_database(name)

    def seed(self, database: str) -> None:
        """ITEMS items, one second apart, so the default sort (createdAt, newest first) is a
        strict order."""
        self.postgres.psql(
            database,
            "-c",
            "INSERT INTO items (name, description, created_at, updated_at)"  # noqa: S608 (ITEMS)
            " SELECT format('item %s', n), format('the description of item %s', n),"
            " timestamptz '2026-01-01 00:00:00Z' + n * interval '1 second',"
            " timestamptz '2026-01-01 00:00:00Z' + n * interval '1 second'"
            f" FROM generate_series(1, {ITEMS}) AS n",
        )

    def run(self, stack: str) -> Result:
        options = self.options
        facts = self.stacks[stack]
        root = self.workdir / stack / "bench-service"
        say(f"{stack}: generating and installing")
        generate(root, "--stack", stack, "--name", "bench-service", "--no-git")
        versions = framework_versions(stack, root)
        prepared = PREPARE[stack](root, self.workdir / stack / "baseline", versions)

        generated_db = f"{stack}_generated"
        env = {
            "DATABASE_URL": self.database(generated_db),
            "JWT_SECRET": JWT_SECRET,
            "NODE_ENV": "production",
            "SERVICE_NAME": "bench-service",
            "LOG_LEVEL": "info",
            # wrk is one caller: counted as production counts, with a budget it cannot spend in
            # a run (6000 a minute, the default, would turn most of it into 429s).
            "RATE_LIMIT_REQUESTS": "1000000000",
        }
        prepared.project.migrate(self.postgres, generated_db, env)
        self.seed(generated_db)
        baseline_db = f"{stack}_baseline"
        # A copy of the migrated, seeded database: the same rows, the same plans.
        self.postgres.psql(
            "postgres", "-c", f"CREATE DATABASE {baseline_db} TEMPLATE {generated_db}"
        )
        baseline_env = {**env, "DATABASE_URL": self.postgres.url(baseline_db)}

        dev_token = facts.commands["dev_token"]
        token = check(
            ["bash", "-c", f"{dev_token} --expires 8h"], root, {**prepared.env, **env}
        ).strip()
        servers = (
            Server("generated", prepared.generated, root, {**prepared.env, **env}, generated_db),
            Server("baseline", prepared.baseline, prepared.baseline_dir, baseline_env, baseline_db),
        )
        logs = [self.workdir / stack / f"{server.label}.log" for server in servers]

        say(f"{stack}: cold starts")
        self.pin_postgres()
        cold: list[list[float]] = [[], []]
        for _ in range(options.cold_starts):
            for which, server in enumerate(servers):
                with started(server, logs[which]) as running:
                    cold[which].append(running.started_in_ms)

        with started(servers[0], logs[0]) as generated, started(servers[1], logs[1]) as baseline:
            runnings = (generated, baseline)
            sql, answers = zip(*(self.statements_of(r, token) for r in runnings), strict=True)
        same_answer = json.loads(answers[0])["data"] == json.loads(answers[1])["data"]

        # Each round starts both anew: a process keeps the speed it starts with, and on this
        # machine two starts of the same binary differ by up to a third (both Go servers, for
        # one, alternate between two speeds from one start to the next), so one start of each
        # would decide the ratio by chance.
        say(f"{stack}: {options.rounds} rounds of {options.seconds} s, each on new processes")
        loads: list[list[Load]] = [[], []]
        rss = [0.0, 0.0]
        for attempt in range(options.rounds):
            order = (0, 1) if attempt % 2 == 0 else (1, 0)
            for which in order:
                with started(servers[which], logs[which]) as running:
                    self.pin_postgres()  # the backends the server opened
                    wrk(running.base + ROUTE, token, options.warmup)
                    loads[which].append(wrk(running.base + ROUTE, token, options.seconds))
                    rss[which] = rss_mib(running.process.pid)

        test_command = facts.commands["test"]
        test_seconds: float | None = None
        passed: bool | None = None
        if options.run_tests:
            say(f"{stack}: its own test suite ({test_command})")
            test_seconds, passed = self.test_suite(stack, prepared, test_command)
        return Result(
            stack=stack,
            versions=versions,
            generated=loads[0],
            baseline=loads[1],
            cold_start_ms=(statistics.median(cold[0]), statistics.median(cold[1])),
            rss_mib=(rss[0], rss[1]),
            sql=(sql[0], sql[1]),
            same_answer=same_answer,
            test_command=test_command,
            test_seconds=test_seconds,
            test_passed=passed,
            language=prepared.language,
            how=prepared.how,
        )

    def test_suite(self, stack: str, prepared: Prepared, command: str) -> tuple[float, bool]:
        """Wall time of the generated project's own test command against a new database of the
        private PostgreSQL (migrated first where the project's tests expect it, as in CI)."""
        database = f"{stack}_tests"
        env = {**prepared.env, "DATABASE_URL": self.database(database)}
        if stack == "node":
            prepared.project.migrate(self.postgres, database, env)
        begun = time.perf_counter()
        result = subprocess.run(
            ["bash", "-c", command],
            cwd=prepared.project.root,
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            check=False,
        )
        seconds = time.perf_counter() - begun
        if result.returncode != 0:
            say(f"{stack}: `{command}` failed:\n{(result.stdout + result.stderr)[-3000:]}")
        return seconds, result.returncode == 0


# --- Installing a backend and its baseline -----------------------------------------------------


@dataclass(frozen=True)
class Prepared:
    project: PythonProject | NodeProject | GoProject
    env: dict[str, str]  # what the project's commands need (PATH, harness variables)
    generated: list[str]
    baseline_dir: Path
    baseline: list[str]
    language: str
    how: str  # how each is built and run, for the report


def prepare_fastapi(root: Path, baseline_dir: Path, versions: dict[str, str]) -> Prepared:
    """The service in its own virtualenv on the Python it is generated for, run with its
    Dockerfile's command (the virtualenv has requirements-dev.txt, which is requirements.txt and
    the test tools, for its test suite: the server imports only the former); the baseline in
    another on the same Python, with the same FastAPI, uvicorn, pydantic and psycopg."""
    project = PythonProject(root)
    project.install()
    python = python_release(root)
    shutil.copytree(BASELINES / "fastapi", baseline_dir)
    pins = [
        f"{name}[standard]=={version}"
        if name == "uvicorn"
        else f"{name}[binary]=={version}"
        if name == "psycopg"
        else f"{name}=={version}"
        for name, version in versions.items()
    ]
    (baseline_dir / "pins.txt").write_text("\n".join(pins) + "\n")
    venv = baseline_dir / ".venv"
    check([python, "-m", "venv", str(venv)], baseline_dir)
    pip = [str(venv / "bin" / "pip"), "install", "--disable-pip-version-check", "-q"]
    check([*pip, "-r", "pins.txt", "-r", "requirements.txt"], baseline_dir)
    version = check([python, "--version"], root).split()[-1]
    return Prepared(
        project=project,
        env={"PATH": f"{project.bin}:{os.environ['PATH']}"},
        generated=[str(project.bin / "python"), "-m", "app"],
        baseline_dir=baseline_dir,
        baseline=[str(venv / "bin" / "python"), "app.py"],
        language=f"Python {version}",
        how="`python -m app` (its Dockerfile's command); the baseline `python app.py` (uvicorn)",
    )


def prepare_node(root: Path, baseline_dir: Path, versions: dict[str, str]) -> Prepared:
    """The service built to JavaScript and run with its Dockerfile's command; the baseline with
    the Express and pg its lock file holds."""
    project = NodeProject(root)
    project.install()
    built = project.npm("run", "build")
    if built.code != 0:
        raise RuntimeError(built.output)
    shutil.copytree(BASELINES / "node", baseline_dir)
    manifest = {"name": "bench-baseline", "private": True, "dependencies": versions}
    (baseline_dir / "package.json").write_text(json.dumps(manifest, indent=2) + "\n")
    npm = shutil.which("npm") or "npm"
    check([npm, "install", "--no-audit", "--no-fund"], baseline_dir)
    node = shutil.which("node") or "node"
    return Prepared(
        project=project,
        env=dict(NodeProject.HARNESS_ENV),
        generated=[node, "dist/server.js"],
        baseline_dir=baseline_dir,
        baseline=[node, "server.js"],
        language=f"Node.js {check([node, '--version'], root).strip().lstrip('v')}",
        how="`npm run build`, then `node dist/server.js` (its Dockerfile's command);"
        " the baseline `node server.js`",
    )


# As the Go Dockerfile builds the binary.
GO_BUILD = ["go", "build", "-trimpath", "-ldflags=-s -w", "-o"]


def prepare_go(root: Path, baseline_dir: Path, versions: dict[str, str]) -> Prepared:
    """The service built as its Dockerfile builds it; the baseline built the same way against a
    copy of the generated go.mod and go.sum, so every module is at the generated version."""
    project = GoProject(root)
    project.install()
    env = {**GoProject.HARNESS_ENV, "CGO_ENABLED": "0"}
    check([*GO_BUILD, "bin/server", "./cmd/server"], root, env)
    shutil.copytree(BASELINES / "go", baseline_dir)
    go_mod = (root / "go.mod").read_text()
    go_mod = re.sub(r"^module \S+", "module bench-baseline", go_mod, count=1, flags=re.M)
    (baseline_dir / "go.mod").write_text(go_mod)
    shutil.copy2(root / "go.sum", baseline_dir / "go.sum")
    check([*GO_BUILD, "server", "."], baseline_dir, env)
    version = check(["go", "env", "GOVERSION"], root, env).strip().removeprefix("go")
    return Prepared(
        project=project,
        env=dict(GoProject.HARNESS_ENV),
        generated=[str(root / "bin" / "server")],
        baseline_dir=baseline_dir,
        baseline=[str(baseline_dir / "server")],
        language=f"Go {version}",
        how="`go build -trimpath -ldflags='-s -w'` (CGO_ENABLED=0, as its Dockerfile builds it),"
        " the baseline alike",
    )


PREPARE = {"fastapi": prepare_fastapi, "node": prepare_node, "go": prepare_go}


# --- The report --------------------------------------------------------------------------------


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def tool_version(command: Sequence[str]) -> str:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    lines = (result.stdout + result.stderr).strip().splitlines()
    return lines[0] if lines else "unknown"


def verdict(met: bool) -> str:
    return "yes" if met else "**no**"


def backend_section(result: Result, options: Options) -> list[str]:
    requests, p50, p99 = ratio_medians(result.generated, result.baseline)
    same = result.same_sql

    def median(loads: list[Load], attribute: str) -> float:
        return float(statistics.median(getattr(load, attribute) for load in loads))

    def ratio(value: float, target: str, met: bool) -> str:
        if not same:
            return "SQL differs | | "
        return f"{value:.2f}x | {target} | {verdict(met) if target else ''}"

    failed = (result.failures(result.generated), result.failures(result.baseline))
    versions = ", ".join(f"{name} {version}" for name, version in result.versions.items())
    generated_rps = median(result.generated, "requests_per_second")
    baseline_rps = median(result.baseline, "requests_per_second")
    target = REQUESTS_TARGET[result.stack]
    if result.test_seconds is None:
        tests = "not run (--no-tests)"
    else:
        outcome = "passed" if result.test_passed else "**failed**"
        tests = f"{result.test_seconds:.1f} s, {outcome}"
    lines = [
        f"### {result.stack}",
        "",
        f"{result.language}; {versions} (the generated lock's versions, in both). Run:"
        f" {result.how}.",
        "",
        "| measure | generated | baseline | generated / baseline | target | met |",
        "| --- | --- | --- | --- | --- | --- |",
        f"| `GET {ROUTE}`, req/s | {generated_rps:.0f} | {baseline_rps:.0f} | "
        + ratio(requests, f">= {target}x", requests >= target)
        + " |",
        f"| p50 latency | {median(result.generated, 'p50_ms'):.2f} ms"
        f" | {median(result.baseline, 'p50_ms'):.2f} ms | " + ratio(p50, "", True) + " |",
        f"| p99 latency | {median(result.generated, 'p99_ms'):.2f} ms"
        f" | {median(result.baseline, 'p99_ms'):.2f} ms | "
        + ratio(p99, f"<= {P99_TARGET}x", p99 <= P99_TARGET)
        + " |",
        f"| cold start, process start to first 200 from `/ready` (median of"
        f" {options.cold_starts}) | {result.cold_start_ms[0]:.0f} ms"
        f" | {result.cold_start_ms[1]:.0f} ms | | | |",
        f"| RSS after the last round | {result.rss_mib[0]:.0f} MiB"
        f" | {result.rss_mib[1]:.0f} MiB | | | |",
        f"| failed requests (not 2xx, socket errors, over 10 s), all rounds | {failed[0]}"
        f" | {failed[1]} | | 0 | {verdict(failed == (0, 0))} |",
        f"| its own test suite (`{result.test_command}`), wall time | {tests} | | | | |",
        "",
    ]
    rounds = "; ".join(
        f"{g.requests_per_second:.0f} / {b.requests_per_second:.0f}"
        f" ({g.requests_per_second / b.requests_per_second:.2f}x)"
        for g, b in zip(result.generated, result.baseline, strict=True)
    )
    lines += [f"Each round, req/s generated / baseline: {rounds}.", ""]
    if not result.same_answer:
        lines += ["**The two answered different `data` for the same request.**", ""]
    verdict_line = (
        "the same statements, with the same values, after normalisation (placeholders, case,"
        " whitespace, identifier quotes, comments)"
        if same
        else "**different statements: the ratios above compare different work**"
    )
    lines += [f"SQL of one `GET {ROUTE}` as PostgreSQL logged it: {verdict_line}.", ""]
    for label, statements in zip(("generated", "baseline"), result.sql, strict=True):
        lines += [f"{label}:", "", "```sql"]
        for statement in statements:
            values = ", ".join(f"${n} = {v}" for n, v in sorted(statement.parameters.items()))
            lines.append(statement.text.strip() + (f"  -- {values}" if values else ""))
        lines += ["```", ""]
    return lines


def report(results: list[Result], options: Options) -> str:
    postgres = tool_version([str(find_bindir() / "postgres"), "--version"])
    wrk_version = tool_version(["wrk", "--version"]).split(" Copyright")[0]
    lines = [
        "## Generated services against same-SQL baselines",
        "",
        "Produced by `make bench-services` (`benchmarks/services.py`). For each backend, the"
        " service generated with the default answers (`--name bench-service`), installed as its"
        " production image runs it, and a minimal app on the same framework and driver versions"
        " (`benchmarks/baselines/`) that sends the same SQL and checks the same HS256 bearer"
        " token with one HMAC (key prepared once, `exp` checked). Both read a private PostgreSQL"
        f" seeded with {ITEMS} items (the baseline a copy of the generated service's database).",
        f"Load: wrk, {CONNECTIONS} keep-alive connections on `GET {ROUTE}` (page 1, 10 items);"
        f" server and PostgreSQL on CPU {SERVER_CPU}, wrk on CPU {LOAD_CPU} (taskset);"
        f" {options.rounds} rounds, each of which starts both anew (the order swapped each"
        f" round), loads each for {options.warmup} s of warm-up, then measures {options.seconds} s"
        " (a process keeps the speed it starts with, and two starts of one binary can differ by a"
        " third here). Ratios are taken within a round; the table gives their median over the"
        " rounds (and the medians of the absolute values). Under ~10% is noise.",
        f"Machine: {cpu_model()}, {os.cpu_count()} CPUs, {platform.system()}"
        f" {platform.release()}; `{postgres}`; `{wrk_version}`.",
        "",
    ]
    for result in results:
        lines += backend_section(result, options)
    return "\n".join(lines).rstrip() + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stacks", nargs="+", choices=STACKS, default=list(STACKS))
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seconds", type=int, default=10, help="of each load, per round")
    parser.add_argument(
        "--warmup", type=int, default=3, help="seconds of load before each measured load"
    )
    parser.add_argument("--cold-starts", type=int, default=5)
    parser.add_argument(
        "--no-tests", action="store_true", help="skip the generated test suites' wall time"
    )
    parser.add_argument(
        "--allow-sql-difference",
        action="store_true",
        help="exit 0 even when a service and its baseline send different SQL",
    )
    parser.add_argument("--write", type=Path, help="also write the report into this file's part")
    args = parser.parse_args()
    if (os.cpu_count() or 1) < 2 or shutil.which("wrk") is None:
        sys.exit("bench-services needs 2 CPUs and wrk (apt-get install wrk)")
    options = Options(args.rounds, args.seconds, args.warmup, args.cold_starts, not args.no_tests)

    workdir = Path(tempfile.mkdtemp(prefix="visiobook-bench-services-"))
    bench = Bench(workdir, options)
    try:
        results = [bench.run(stack) for stack in args.stacks]
    finally:
        bench.close()
    shutil.rmtree(workdir, ignore_errors=True)
    text = report(results, options)
    print(text)
    if args.write:
        write_part(args.write, PART, text)
    differing = [result.stack for result in results if not result.same_sql]
    failed = [result.stack for result in results if result.test_passed is False]
    if failed:
        sys.exit(f"bench-services: the test suite of {', '.join(failed)} failed")
    erring = [
        result.stack
        for result in results
        if result.failures(result.generated) or result.failures(result.baseline)
    ]
    if erring:
        sys.exit(f"bench-services: requests failed under load ({', '.join(erring)})")
    if differing and not args.allow_sql_difference:
        sys.exit(f"bench-services: {', '.join(differing)} and the baseline send different SQL")


if __name__ == "__main__":
    main()
