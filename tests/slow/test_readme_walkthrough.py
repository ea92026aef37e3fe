"""Slow tier: a new user follows a generated service's README, Run it locally, as written.

The commands come from the README itself: the shell blocks of its `## Run it locally` section,
found by the `###` heading they sit under, run in order by bash in a freshly generated service,
with no setting exported (the service reads the `.env` the README makes). Where a step cannot run
on this machine, the test takes the README's own fallback for that one step, and says so:

- no Docker: the database comes from the "without Docker" commands, whose `psql` commands run
  against the slow tier's private PostgreSQL (from the same Debian package the README installs),
  and `.env`'s DATABASE_URL is pointed at that server's port, as the README tells users with a
  server of their own;
- Node: Prisma's schema engine cannot be downloaded here (tests/slow/prisma.py), so its migrations
  are applied as `prisma migrate deploy` would, and `npm ci`'s `prisma generate` gets the
  engine path the README names (PRISMA_SCHEMA_ENGINE_BINARY);
- Go: this machine's Go may be older than go.mod's and set GOTOOLCHAIN=local, so the shells first
  run the README's `export GOTOOLCHAIN=auto`.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.helpers import SERVICE_STACKS
from tests.slow.conftest import RESOURCE
from tests.slow.postgres import PostgresServer, wait_until
from tests.slow.prisma import migrate_deploy
from tests.slow.project import NodeProject, generate, python_release

pytestmark = pytest.mark.slow

# Long enough for an install from the registries' caches and a first build on two cores.
START_TIMEOUT = 900


@dataclass(frozen=True)
class Block:
    heading: str  # the `###` heading the block sits under
    script: str


def run_it_locally(readme: str) -> list[Block]:
    """The fenced code blocks of the README's Run it locally section, in order."""
    assert "\n## Run it locally\n" in readme, "the README has no Run it locally section"
    section = readme.split("\n## Run it locally\n", 1)[1].split("\n## ", 1)[0]
    blocks, heading = [], ""
    lines = iter(section.splitlines())
    for line in lines:
        if line.startswith("### "):
            heading = line.removeprefix("### ")
        elif line.startswith("```"):
            body = []
            for inner in lines:
                if inner.startswith("```"):
                    break
                body.append(inner)
            blocks.append(Block(heading, "\n".join(body)))
    return blocks


def under(blocks: list[Block], heading: str) -> list[str]:
    found = [block.script for block in blocks if block.heading == heading]
    assert found, f"no shell block under ### {heading}"
    return found


def readme_port(script: str) -> int:
    ports = {int(port) for port in re.findall(r"http://localhost:(\d+)", script)}
    assert len(ports) == 1, script
    return ports.pop()


def assert_port_free(port: int) -> None:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        if sock.connect_ex(("127.0.0.1", port)) == 0:
            pytest.fail(f"port {port}, which the README uses, is taken by another process")


def user_environment(root: Path, extra: dict[str, str]) -> dict[str, str]:
    """This machine's environment less every setting .env.example lists: the .env decides."""
    settings = {
        line.split("=", 1)[0]
        for line in (root / ".env.example").read_text().splitlines()
        if "=" in line and not line.startswith("#")
    }
    return {**{k: v for k, v in os.environ.items() if k not in settings}, **extra}


def shell(root: Path, script: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", script],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@contextmanager
def serving(root: Path, script: str, env: dict[str, str], url: str) -> Iterator[Path]:
    """Runs a block that ends in a server (in its own process group) until `url` answers 200."""
    log = root / "walkthrough.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            ["bash", "-e", "-o", "pipefail", "-c", script],
            cwd=root,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:

        def answers() -> bool:
            try:
                return httpx.get(url, timeout=2).status_code == 200
            except httpx.TransportError:
                return process.poll() is not None  # stop waiting if it ended

        wait_until(answers, START_TIMEOUT, f"{url} to answer")
        assert process.poll() is None, log.read_text()[-4000:]
        yield log
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)


def browse(url: str) -> None:
    """Loads `url` in headless Chromium, scripts run, as a first visit does."""
    browser = shutil.which("chromium")
    assert browser is not None, "chromium not found (Debian package `chromium`)"
    subprocess.run(
        [browser, "--headless=new", "--no-sandbox", "--disable-gpu",
         "--virtual-time-budget=5000", "--dump-dom", url],
        capture_output=True, timeout=120, check=True,
    )  # fmt: skip


def json_documents(text: str) -> list[Any]:
    """The JSON bodies curl printed one after another."""
    decoder, documents, index = json.JSONDecoder(), [], 0
    while index < len(text):
        if text[index].isspace():
            index += 1
            continue
        document, index = decoder.raw_decode(text, index)
        documents.append(document)
    return documents


def create_database_without_docker(script: str, postgres: PostgresServer) -> None:
    """The README's Debian/Ubuntu commands; `psql` is the private server's own (trust auth, so
    the password is not checked here; test_compose.py holds it to .env.example's)."""
    commands = [line for line in script.splitlines() if line.strip()]
    assert commands[0] == "sudo apt-get install -y postgresql", commands[0]
    # Already done: the private server runs that package's binaries.
    assert len(commands) > 1
    for line in commands[1:]:
        words = shlex.split(line)
        assert words[:4] == ["sudo", "-u", "postgres", "psql"], line
        command = postgres.psql_command("postgres") + words[4:]
        result = subprocess.run(command, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, f"{line}: {result.stderr}"


@pytest.mark.parametrize("stack", SERVICE_STACKS)
def test_the_readme_runs_the_service_and_calls_its_api(
    stack: str, postgres: PostgresServer, tmp_path: Path
) -> None:
    root = generate(
        tmp_path / f"readme-{stack}",
        *("--stack", stack, "--name", f"readme-{stack}", "--data", f"resource={RESOURCE}"),
    )
    readme = (root / "README.md").read_text()
    blocks = run_it_locally(readme)

    with_docker, without_docker = under(blocks, "Start PostgreSQL")
    assert with_docker == "docker compose up -d --wait"  # no Docker here: the other way
    create_database_without_docker(without_docker, postgres)

    configure, start = under(blocks, "Start the service")
    (call,) = under(blocks, "Call its API")
    env = user_environment(root, {})
    prelude = ""
    if stack == "go":
        assert "`export GOTOOLCHAIN=auto`" in readme
        prelude = "export GOTOOLCHAIN=auto\n"
    if stack == "fastapi":
        # The README's `python` is the release the service is generated for, first on PATH.
        python = Path(python_release(root))
        assert (python.parent / "python").exists(), f"no `python` beside {python}"
        env["PATH"] = f"{python.parent}{os.pathsep}{env['PATH']}"
    if stack == "node":
        env.update(NodeProject.HARNESS_ENV)
        migrate = "npx prisma migrate deploy"
        assert migrate in start.splitlines(), start
        start = "\n".join(line for line in start.splitlines() if line != migrate)

    assert configure == "cp .env.example .env"
    copied = shell(root, configure, env)
    assert copied.returncode == 0, copied.stderr
    # Its own server: DATABASE_URL in .env points at it; user, password and database stay.
    dot_env = root / ".env"
    settings = dot_env.read_text()
    assert "@localhost:5432/" in settings
    dot_env.write_text(settings.replace("@localhost:5432/", f"@127.0.0.1:{postgres.port}/"))
    if stack == "node":
        database = re.search(r"^DATABASE_URL=.*/(\w+)$", settings, re.M)
        assert database is not None
        migrate_deploy(postgres, database[1], root, role=database[1])

    port = readme_port(call)
    assert_port_free(port)
    with serving(root, prelude + start, env, f"http://127.0.0.1:{port}/health"):
        called = shell(root, prelude + call, env)
        assert called.returncode == 0, f"{called.stdout}\n{called.stderr[-3000:]}"
        health, created, listed = json_documents(called.stdout)
        assert health["status"] == "healthy", health
        assert created["name"] == "My first media asset", created
        assert created["id"] in [item["id"] for item in listed["data"]], listed


def test_the_readme_serves_the_vue_app_in_development_and_built(tmp_path: Path) -> None:
    root = generate(
        tmp_path / "readme-vue",
        *("--stack", "vue", "--name", "readme-vue", "--data", f"resource={RESOURCE}"),
    )
    readme = (root / "README.md").read_text()
    blocks = run_it_locally(readme)
    (start,) = under(blocks, "Start the app")
    (production,) = under(blocks, "Serve the production build")
    env = user_environment(root, {})
    # The README says where each serves, in its prose.
    prose = " ".join(readme.split())
    dev = re.search(r"serves the app with hot reload on http://localhost:(\d+)", prose)
    preview = re.search(r"serves that build on http://localhost:(\d+)", prose)
    assert dev is not None, "the README does not say where `npm run dev` serves"
    assert preview is not None, "the README does not say where `npm run preview` serves"
    dev_port, preview_port = int(dev[1]), int(preview[1])

    assert_port_free(dev_port)
    with serving(root, start, env, f"http://localhost:{dev_port}/") as log:
        page = httpx.get(f"http://localhost:{dev_port}/", timeout=10).text
        assert "/src/main.ts" in page, page  # the development page, not a build
        # Each page visited in a browser for the first time: the dev server must not reload
        # it to re-bundle the components it uses (what the user typed would be lost).
        for path in ("/", "/sign-in", f"/{RESOURCE}", f"/{RESOURCE}/new"):
            browse(f"http://localhost:{dev_port}{path}")
        assert "optimized dependencies changed" not in log.read_text(), log.read_text()

    assert_port_free(preview_port)
    with serving(root, production, env, f"http://localhost:{preview_port}/"):
        page = httpx.get(f"http://localhost:{preview_port}/", timeout=10).text
        built = re.search(r'src="(/assets/[^"]+\.js)"', page)
        assert built is not None, page  # the build, not the development page
        assert httpx.get(f"http://localhost:{preview_port}{built[1]}").status_code == 200
