"""Constants and small helpers shared by the test modules."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
AVAILABLE_STACKS = ["fastapi", "node", "go", "vue"]
# Stacks that generate an API with a database (`kind: service` in copier.yml); vue is a frontend.
SERVICE_STACKS = ["fastapi", "node", "go"]
BASE_ANSWERS = {"stack": "fastapi", "service_name": "media-service"}
