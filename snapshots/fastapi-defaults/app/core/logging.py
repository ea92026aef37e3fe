"""JSON logs on stdout, one object per line, each carrying the request's correlation id."""

import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from app.core.config import Settings
from app.core.timestamps import format_timestamp

# Set by the request middleware for the duration of a request.
correlation_id_var: ContextVar[str | None] = ContextVar("correlation_id", default=None)

# The level names of every Visiobook backend (LOG_LEVEL and the `level` field).
LEVELS = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warn": logging.WARNING,
    "error": logging.ERROR,
}

# Attributes every LogRecord has; anything else was passed with `extra=` and is logged too
# (but uvicorn's terminal-coloured copy of its message).
_RECORD_FIELDS = set(logging.makeLogRecord({}).__dict__) | {
    "message",
    "asctime",
    "taskName",
    "color_message",
}


def level_name(levelno: int) -> str:
    """debug, info, warn or error (CRITICAL counts as error)."""
    if levelno >= logging.ERROR:
        return "error"
    if levelno >= logging.WARNING:
        return "warn"
    return "info" if levelno >= logging.INFO else "debug"


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str, version: str, environment: str) -> None:
        super().__init__()
        self.static = {"service": service, "version": version, "environment": environment}

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "timestamp": format_timestamp(datetime.fromtimestamp(record.created, tz=UTC)),
            "level": level_name(record.levelno),
            "message": record.getMessage(),
            **self.static,
        }
        correlation_id = correlation_id_var.get()
        if correlation_id is not None:
            entry["correlationId"] = correlation_id
        entry.update(
            (key, value) for key, value in record.__dict__.items() if key not in _RECORD_FIELDS
        )
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(settings: Settings) -> None:
    """Route the root logger and uvicorn's loggers to one JSON handler on stdout."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(
        JsonFormatter(settings.service_name, settings.service_version, settings.node_env)
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(LEVELS[settings.log_level])
    for name in ("uvicorn", "uvicorn.error"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers[:] = []
        uvicorn_logger.propagate = True
    # The request middleware writes one line per request: no access log of uvicorn's own.
    access = logging.getLogger("uvicorn.access")
    access.handlers[:] = []
    access.propagate = False
