"""One error envelope for every failure: {"error": {code, message, correlation_id, timestamp}}."""

from collections.abc import Mapping
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.core.logging import correlation_id_var


class NotFoundError(Exception):
    """A requested entity does not exist."""


class ConflictError(Exception):
    """The request conflicts with the current state (e.g. a unique value already taken)."""


def error_code(status: int) -> str:
    """A stable machine-readable code: 404 -> NOT_FOUND, 422 -> VALIDATION_ERROR."""
    if status == HTTPStatus.UNPROCESSABLE_ENTITY:
        return "VALIDATION_ERROR"
    if status == HTTPStatus.INTERNAL_SERVER_ERROR:
        return "INTERNAL_ERROR"
    try:
        return HTTPStatus(status).phrase.upper().replace(" ", "_").replace("-", "_")
    except ValueError:
        return "ERROR"


def error_body(status: int, message: str, details: Any = None) -> dict[str, Any]:
    error: dict[str, Any] = {
        "code": error_code(status),
        "message": message,
        "correlation_id": correlation_id_var.get(),
        "timestamp": datetime.now(UTC).isoformat(),
    }
    if details is not None:
        error["details"] = details
    return {"error": error}


def error_response(
    status: int, message: str, details: Any = None, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(error_body(status, message, details), status_code=status, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return error_response(exc.status_code, str(exc.detail), headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        details = jsonable_encoder(exc.errors(), exclude={"ctx", "input", "url"})
        return error_response(HTTPStatus.UNPROCESSABLE_ENTITY, "Request validation failed", details)

    @app.exception_handler(NotFoundError)
    async def not_found(_: Request, exc: NotFoundError) -> JSONResponse:
        return error_response(HTTPStatus.NOT_FOUND, str(exc))

    @app.exception_handler(ConflictError)
    async def conflict(_: Request, exc: ConflictError) -> JSONResponse:
        return error_response(HTTPStatus.CONFLICT, str(exc))
