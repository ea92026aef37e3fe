"""The Vue stack's production container without Docker, for the slow tier.

Runs a generated project's own `docker/runtime-config.sh` (which writes /config.js and the
nginx configuration from its template, then execs nginx) with Debian's nginx, on a free
loopback port. The image's conditions are kept where they matter: an unprivileged user (uid
65534 `nobody` when the tests run as root), the built app read-only to it, and one private
writable folder standing for the pod's /tmp emptyDir.

    with StaticServer(project, project / "dist", {"VITE_API_URL": "https://api.test"}) as server:
        httpx.get(f"{server.base_url}/config.js")
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path
from types import TracebackType

import httpx

from tests.slow.postgres import free_port, wait_until

NOBODY = 65534
# The script calls `nginx` from PATH; Debian installs it in /usr/sbin.
SEARCH_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"


class StaticServer:
    """The image's entry point and nginx, serving `dist` with the project's docker/ files.

    `env` is added last to the environment the script sees (VITE_API_URL, say); PORT,
    STATUS_PORT (nginx's stub_status, on 127.0.0.1), LISTEN_ADDRESS, STATIC_ROOT and
    RUNTIME_DIR are set by the harness, each port a free one.
    """

    def __init__(self, project: Path, dist: Path, env: dict[str, str] | None = None) -> None:
        if shutil.which("nginx", path=SEARCH_PATH) is None:
            raise RuntimeError("nginx not found: apt-get install nginx")
        self.port = free_port()
        self.status_port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.as_nobody = os.geteuid() == 0
        # Readable by everyone, writable by root only, like the image's files.
        self.root = Path(tempfile.mkdtemp(prefix="visiobook-nginx-"))
        self.root.chmod(0o755)
        self.docker = self.root / "docker"
        self.docker.mkdir(mode=0o755)
        for name in ("runtime-config.sh", "nginx.conf.template"):
            shutil.copyfile(project / "docker" / name, self.docker / name)
            (self.docker / name).chmod(0o644)
        self.static_root = self.root / "html"
        shutil.copytree(dist, self.static_root)
        _make_world_readable(self.static_root)
        # The pod's /tmp: the only folder the server may write to.
        self.tmp = self.root / "tmp"
        self.tmp.mkdir(mode=0o700)
        self.runtime_dir = self.tmp / "nginx"
        # stdout and stderr go to a file the server's user owns: nginx reopens /dev/stdout for
        # its access log, which a user may do only on a file (or pipe) of its own.
        self.log = self.root / "server.log"
        self.log.touch(mode=0o644)
        if self.as_nobody:
            os.chown(self.tmp, NOBODY, NOBODY)
            os.chown(self.log, NOBODY, NOBODY)
        self.env = {
            "PATH": SEARCH_PATH,
            "PORT": str(self.port),
            "STATUS_PORT": str(self.status_port),
            "LISTEN_ADDRESS": "127.0.0.1",
            "STATIC_ROOT": str(self.static_root),
            "RUNTIME_DIR": str(self.runtime_dir),
            **(env or {}),
        }
        self.process: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        command = ["sh", str(self.docker / "runtime-config.sh")]
        if self.as_nobody:
            ids = [f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
            command = ["setpriv", *ids, "--", *command]
        return command

    def start(self, timeout: float = 15) -> str:
        """Starts the server, waits until /health answers and returns its base URL."""
        with self.log.open("ab") as output:
            # setpriv and sh exec in turn, so this process becomes the nginx master.
            self.process = subprocess.Popen(
                self.command(),
                cwd=self.root,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        process = self.process

        def answers() -> bool:
            try:
                return httpx.get(f"{self.base_url}/health", timeout=1).status_code == 200
            except httpx.TransportError:
                return process.poll() is not None  # stop waiting if it died

        wait_until(answers, timeout, "nginx to answer /health")
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}:\n{self.logs()}")
        return self.base_url

    def stop(self, sig: signal.Signals = signal.SIGQUIT, timeout: float = 15) -> int:
        """Sends `sig` (SIGQUIT: the image's STOPSIGNAL, graceful; SIGTERM: fast) and
        returns the exit code."""
        if self.process is None:
            raise RuntimeError("the server was not started")
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise

    def logs(self) -> str:
        return self.log.read_text(errors="replace")

    def log_records(self) -> list[dict[str, object]]:
        """The JSON log lines (startup messages and the access log); nginx's own error lines
        are plain text and left out."""
        records: list[dict[str, object]] = []
        for line in self.logs().splitlines():
            if line.startswith("{"):
                records.append(json.loads(line))
        return records

    def close(self) -> None:
        """Stops the server if it runs and removes its files."""
        try:
            if self.process is not None and self.process.poll() is None:
                self.stop()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> StaticServer:
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _make_world_readable(folder: Path) -> None:
    folder.chmod(0o755)
    for path in folder.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
