"""The API contract, api/openapi.json, served as it is written (/api/docs/openapi.json), with a
Swagger UI page to read and try it (/api/docs)."""

from pathlib import Path

from fastapi import APIRouter, Response
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

# The document every Visiobook backend serves; the Docker image ships it at the same place.
OPENAPI_DOCUMENT = Path(__file__).resolve().parents[2] / "api" / "openapi.json"
OPENAPI_JSON = OPENAPI_DOCUMENT.read_bytes()
OPENAPI_URL = "/api/docs/openapi.json"

router = APIRouter(include_in_schema=False)


@router.api_route(OPENAPI_URL, methods=["GET", "HEAD"])
async def openapi_document() -> Response:
    return Response(OPENAPI_JSON, media_type="application/json")


@router.api_route("/api/docs", methods=["GET", "HEAD"])
async def swagger_ui() -> HTMLResponse:
    return get_swagger_ui_html(openapi_url=OPENAPI_URL, title="API documentation")
