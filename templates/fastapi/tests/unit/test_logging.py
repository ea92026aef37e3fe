import json
import logging
import sys

from app.core.logging import CorrelationIdFilter, JsonFormatter, correlation_id_var


def record(message: str, **extra: object) -> logging.LogRecord:
    rec = logging.makeLogRecord({"msg": message, "levelname": "INFO", "name": "test"})
    rec.__dict__.update(extra)
    return rec


def test_log_lines_are_json_with_service_fields_and_correlation_id() -> None:
    formatter = JsonFormatter("svc", "1.2.3", "test")
    rec = record("hello", method="GET")
    token = correlation_id_var.set("abc-123")
    try:
        CorrelationIdFilter().filter(rec)
    finally:
        correlation_id_var.reset(token)
    line = json.loads(formatter.format(rec))
    assert line["message"] == "hello"
    assert line["level"] == "info"
    assert (line["service"], line["version"], line["environment"]) == ("svc", "1.2.3", "test")
    assert line["correlation_id"] == "abc-123"
    assert line["method"] == "GET"
    assert line["timestamp"].endswith("+00:00")


def test_outside_a_request_the_correlation_id_is_null() -> None:
    rec = record("boot")
    CorrelationIdFilter().filter(rec)
    line = json.loads(JsonFormatter("svc", "1", "test").format(rec))
    assert line["correlation_id"] is None


def test_exceptions_are_logged_with_their_traceback() -> None:
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        rec = logging.makeLogRecord({"msg": "failed", "exc_info": sys.exc_info()})
    line = json.loads(JsonFormatter("svc", "1", "test").format(rec))
    assert "RuntimeError: boom" in line["error"]
