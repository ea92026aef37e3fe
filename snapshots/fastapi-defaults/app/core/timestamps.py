"""The one timestamp format of the API and the logs: RFC 3339 in UTC with milliseconds."""

from datetime import UTC, datetime


def format_timestamp(moment: datetime) -> str:
    """2026-11-28T09:30:00.000Z: the same instant printed the same way by every stack."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def now() -> str:
    return format_timestamp(datetime.now(UTC))
