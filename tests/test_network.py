"""Every command that reaches a template over the network gives up: a server that accepts the
connection and never answers costs VISIOBOOK_GIT_TIMEOUT seconds and one line on stderr, never a
hang, and nothing is left on disk."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

TIMEOUT = 3  # VISIOBOOK_GIT_TIMEOUT for these tests; the default is 60 seconds


@pytest.fixture
def silent_server() -> Iterator[str]:
    """An HTTP address whose server accepts every connection and never says a word."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            held.append(connection)  # kept open, never answered

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/template.git"
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    listener.close()


def visiobook(*args: str | Path, cwd: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "visiobook_scaffold", *(str(arg) for arg in args)],
        cwd=cwd,
        env={**os.environ, "VISIOBOOK_GIT_TIMEOUT": str(TIMEOUT)},
        capture_output=True,
        text=True,
        timeout=120,  # the hang this guards against would fail here
        check=False,
    )
    return result, time.monotonic() - started


def generated_service(tmp_path: Path) -> Path:
    service = tmp_path / "svc"
    result, _ = visiobook(
        "new", service, "--stack", "go", "--name", "svc", "--defaults", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    return service


def test_new_gives_up_on_a_silent_template_server(silent_server: str, tmp_path: Path) -> None:
    dest = tmp_path / "svc"
    result, took = visiobook(
        "new", dest, "--template", silent_server, "--stack", "go", "--name", "svc",
        "--defaults", cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.startswith("error: "), result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert "git: unable to access" in result.stderr
    assert not dest.exists()
    assert took < 60


@pytest.mark.parametrize("command", [["update"], ["diff"], ["update", "--check"]])
def test_service_commands_give_up_on_a_silent_template_server(
    silent_server: str, tmp_path: Path, command: list[str]
) -> None:
    service = generated_service(tmp_path)
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=service, capture_output=True, text=True, check=True
    ).stdout

    result, took = visiobook(*command, service, "--template", silent_server, cwd=tmp_path)

    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.startswith("error: "), result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert "git: unable to access" in result.stderr or "ls-remote" in result.stderr, result.stderr
    assert took < 60
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=service,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert status == ""
    assert (
        subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=service, capture_output=True, text=True, check=True
        ).stdout
        == head
    )
