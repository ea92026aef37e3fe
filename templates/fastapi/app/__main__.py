"""`python -m app`: serve the application with uvicorn on the configured port."""

import math

import uvicorn

from app.core.config import get_settings


def main() -> None:
    settings = get_settings()
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host="0.0.0.0",  # noqa: S104 - a container must listen on every interface
        port=settings.port,
        log_config=None,  # our JSON logging is configured by the application
        access_log=False,  # the request middleware writes one line per request
        proxy_headers=True,
        # After SIGTERM, in-flight requests get this long to finish (uvicorn counts seconds).
        timeout_graceful_shutdown=math.ceil(settings.shutdown_timeout),
    )


if __name__ == "__main__":
    main()
