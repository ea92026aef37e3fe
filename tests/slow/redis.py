"""A throwaway Redis server from Debian's `redis-server` package, on loopback, for the slow tier
(services generated with `cache: redis`). No persistence: it only ever holds a cache."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

from tests.slow.postgres import free_port, wait_until


class RedisServer:
    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server not found: apt-get install redis-server")
        self.binary = binary
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="visiobook-redis-"))
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        log = (self.root / "redis.log").open("ab")
        # No snapshot, no append-only file: a cache needs no persistence.
        settings = ["--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        settings += ["--appendonly", "no", "--dir", str(self.root)]
        self.process = subprocess.Popen(
            [self.binary, *settings],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        wait_until(self.is_accepting, 10, "redis-server to accept connections")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def is_accepting(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as connection:
                connection.sendall(b"PING\r\n")
                return connection.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def command(self, *words: str) -> bytes:
        """One command in Redis's inline form; its raw answer (e.g. `:3`, `$-1`, `+OK`)."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=2) as connection:
            connection.sendall(" ".join(words).encode() + b"\r\n")
            return connection.recv(65536)

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)
