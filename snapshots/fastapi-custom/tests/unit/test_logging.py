import json
import logging
import sys

import pytest

from app.core.logging import JsonFormatter, configure_logging, correlation_id_var, level_name
from tests.conftest import make_settings

BASE_FIELDS = ["timestamp", "level", "message", "service", "version", "environment"]


def record(message: str, level: int = logging.INFO, **extra: object) -> logging.LogRecord:
    rec = logging.makeLogRecord({"msg": message, "levelno": level, "name": "test"})
    rec.__dict__.update(extra)
    return rec


def format_line(rec: logging.LogRecord) -> dict[str, object]:
    line: dict[str, object] = json.loads(JsonFormatter("svc", "1.2.3", "test").format(rec))
    return line


def test_a_line_has_the_base_fields_and_the_request_correlation_id() -> None:
    token = correlation_id_var.set("abc-123")
    try:
        line = format_line(record("hello", method="GET"))
    finally:
        correlation_id_var.reset(token)
    assert list(line) == [*BASE_FIELDS, "correlationId", "method"]
    assert (line["message"], line["level"]) == ("hello", "info")
    assert (line["service"], line["version"], line["environment"]) == ("svc", "1.2.3", "test")
    assert line["correlationId"] == "abc-123"
    assert line["method"] == "GET"


def test_timestamps_are_utc_with_milliseconds() -> None:
    rec = record("t")
    rec.created = 1_795_000_000.123456
    assert format_line(rec)["timestamp"] == "2026-11-18T11:06:40.123Z"


def test_outside_a_request_there_is_no_correlation_id() -> None:
    assert list(format_line(record("boot"))) == BASE_FIELDS


def test_uvicorn_coloured_message_copy_is_not_logged() -> None:
    assert "color_message" not in format_line(record("started", color_message="\x1b[36mstarted"))


@pytest.mark.parametrize(
    ("level", "name"),
    [
        (logging.DEBUG, "debug"),
        (logging.INFO, "info"),
        (logging.WARNING, "warn"),
        (logging.ERROR, "error"),
        (logging.CRITICAL, "error"),
    ],
)
def test_levels_are_named_as_in_every_stack(level: int, name: str) -> None:
    assert level_name(level) == name
    assert format_line(record("x", level))["level"] == name


def test_exceptions_are_logged_with_their_traceback() -> None:
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        rec = record("failed", logging.ERROR, exc_info=sys.exc_info())
    assert "RuntimeError: boom" in str(format_line(rec)["error"])


def test_log_level_warn_filters_info_and_uvicorn_access_lines_are_off() -> None:
    configure_logging(make_settings("postgresql://db/app", log_level="warn"))
    assert logging.getLogger().level == logging.WARNING
    assert not logging.getLogger("uvicorn.access").hasHandlers()
    configure_logging(make_settings("postgresql://db/app"))
