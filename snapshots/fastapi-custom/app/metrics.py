"""The metrics listener's app (guidelines 1.3, 5.3, 6.2): GET /metrics on PROMETHEUS_PORT, and
nothing else. It is not part of the API, so an ingress in front of the API never exposes it; it
serves the one registry the API's middleware and services count into (app/core/metrics.py)."""

from fastapi import FastAPI, Request, Response
from fastapi.responses import PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.exceptions import HTTPException as StarletteHTTPException


def create_metrics_app() -> FastAPI:
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None, redirect_slashes=False)

    @app.api_route("/metrics", methods=["GET", "HEAD"])
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    @app.exception_handler(StarletteHTTPException)
    async def plain_error(_: Request, exc: StarletteHTTPException) -> PlainTextResponse:
        # Any other path is a plain 404 (any other method a 405): not the API's error envelope.
        return PlainTextResponse(exc.detail, status_code=exc.status_code, headers=exc.headers)

    return app
