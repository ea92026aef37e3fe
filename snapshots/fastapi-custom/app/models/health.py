"""Probe responses (guidelines 5.1, docs/contract.md: Probes)."""

from typing import Literal

from pydantic import BaseModel

DependencyState = Literal["healthy", "unhealthy"]


class LivenessResponse(BaseModel):
    status: Literal["alive"]


class Dependency(BaseModel):
    status: DependencyState
    latency_ms: float  # how long its check took, one decimal
    required: bool  # whether /health is 503 while this dependency is unhealthy


class Dependencies(BaseModel):
    database: Dependency
    redis: Dependency  # the cache, reported but not required: the API answers without it
    external_services: dict[str, Dependency]  # by the name EXTERNAL_SERVICES gives them


class HealthResponse(BaseModel):
    status: DependencyState
    timestamp: str
    service: str
    version: str
    uptime: float
    dependencies: Dependencies


class ReadinessChecks(BaseModel):
    database: bool
    database_migrations: bool
    external_dependencies: bool  # every REQUIRED_EXTERNAL_SERVICES service is healthy
    configuration: bool


class ReadinessResponse(BaseModel):
    status: Literal["ready", "not_ready"]
    timestamp: str
    checks: ReadinessChecks
