"""Probe responses (guidelines 5.1)."""

from typing import Literal

from pydantic import BaseModel


class HealthResponse(BaseModel):
    status: Literal["healthy", "unhealthy"]
    timestamp: str
    service: str
    version: str
    uptime: float
    dependencies: dict[str, str | dict[str, str]]


class ReadinessChecks(BaseModel):
    database: bool
    database_migrations: bool
    configuration: bool


class ReadinessResponse(BaseModel):
    status: Literal["ready", "not_ready"]
    timestamp: str
    checks: ReadinessChecks
