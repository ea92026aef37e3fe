"""`python -m app`: the API on PORT and its Prometheus metrics on PROMETHEUS_PORT, one process.

The metrics listener is a second small ASGI app (app/metrics.py) served by a second uvicorn
server in the same event loop: the same registry, the same JSON logs, the same way to start and
stop. (prometheus_client's own start_http_server answers the metrics on every path, from a
thread of its own that the graceful stop does not reach.) Signals are handled here, once for
both servers: SIGTERM or SIGINT stops the two, the API once its in-flight requests have
finished (SHUTDOWN_TIMEOUT). If either port cannot be listened on, the other server stops too
and the process exits with 1; a configuration error is one line on stderr and exit status 2, as
in every Visiobook backend.
"""

import asyncio
import logging
import math
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from pydantic import ValidationError

from app.core.config import Settings, configuration_error, get_settings
from app.core.logging import configure_logging
from app.http_protocol import BoundedHeadersProtocol
from app.main import create_app
from app.metrics import create_metrics_app

logger = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class Listener(uvicorn.Server):
    """A uvicorn server that leaves the process's signals to `serve`: uvicorn's own handler
    would stop only the server that installed it last."""

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def listeners(settings: Settings) -> dict[str, Listener]:
    """The API and the metrics listener, by the variable that names their port. Both listen on
    every interface: a container's port is reached from outside it."""
    api = uvicorn.Config(
        create_app(settings),
        host="0.0.0.0",  # noqa: S104
        port=settings.port,
        log_config=None,  # our JSON logging is configured by the application
        access_log=False,  # the request middleware writes one line per request
        # X-Forwarded-For is read by the app itself, from TRUSTED_PROXIES only (app/main.py):
        # uvicorn's own would trust 127.0.0.1 when none is named.
        proxy_headers=False,
        # httptools, with the request line and headers limited to 16 KiB (a bare 431 over it).
        http=BoundedHeadersProtocol,
        # After SIGTERM, in-flight requests get this long to finish (uvicorn counts seconds).
        timeout_graceful_shutdown=math.ceil(settings.shutdown_timeout),
    )
    metrics = uvicorn.Config(
        create_metrics_app(),
        host="0.0.0.0",  # noqa: S104
        port=settings.prometheus_port,
        log_config=None,
        access_log=False,
        lifespan="off",
    )
    return {"PORT": Listener(api), "PROMETHEUS_PORT": Listener(metrics)}


async def serve(servers: dict[str, Listener]) -> bool:
    """Runs the servers until SIGTERM or SIGINT, or until one of them stops; False if one of
    them could not start."""

    def stop() -> None:
        for server in servers.values():
            server.should_exit = True

    async def run(variable: str, server: Listener) -> bool:
        try:
            await server.serve()
        except SystemExit:  # how uvicorn fails to start, after logging why
            logger.error("Cannot serve on %s", variable, extra={"port": server.config.port})
            return False
        finally:
            stop()
        return True

    loop = asyncio.get_running_loop()
    for signal_number in STOP_SIGNALS:
        loop.add_signal_handler(signal_number, stop)
    try:
        started = await asyncio.gather(*(run(name, server) for name, server in servers.items()))
    finally:
        for signal_number in STOP_SIGNALS:
            loop.remove_signal_handler(signal_number)
    return all(started)


def main() -> None:
    try:
        settings = get_settings()
    except ValidationError as error:
        print(configuration_error(error), file=sys.stderr)
        sys.exit(2)
    configure_logging(settings)
    servers = listeners(settings)
    loop_factory = servers["PORT"].config.get_loop_factory()  # uvloop, as uvicorn.run uses it
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        started = runner.run(serve(servers))
    if not started:
        sys.exit(1)


if __name__ == "__main__":
    main()
