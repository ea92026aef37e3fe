"""One error envelope for every failure (guidelines 8):
{"error": {code, message, correlation_id, timestamp, details?}}."""

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import Scope

from app.core.logging import correlation_id_var
from app.core.timestamps import now

# The order of the Allow header (RFC 9110 leaves it open; every stack uses this one).
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


@dataclass(frozen=True)
class Problem:
    """One entry of `details`: where (body, body.<field>, query.<parameter>, path.id) and what."""

    field: str
    message: str


class ApiError(Exception):
    """An answer other than success, with its status and stable code."""

    status = 500
    code = "INTERNAL_ERROR"

    def __init__(
        self,
        message: str,
        details: list[Problem] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        self.headers = headers


class InvalidRequestError(ApiError):
    status = 400
    code = "VALIDATION_ERROR"

    def __init__(self, details: list[Problem]) -> None:
        super().__init__("invalid request", details)


class UnauthorizedError(ApiError):
    status = 401
    code = "UNAUTHORIZED"


class ForbiddenError(ApiError):
    status = 403
    code = "FORBIDDEN"


class NotFoundError(ApiError):
    status = 404
    code = "NOT_FOUND"


class MethodNotAllowedError(ApiError):
    status = 405
    code = "METHOD_NOT_ALLOWED"


class ConflictError(ApiError):
    status = 409
    code = "CONFLICT"


class ContentTooLargeError(ApiError):
    status = 413
    code = "CONTENT_TOO_LARGE"

    def __init__(self, limit: int) -> None:
        super().__init__(f"request body is larger than {limit} bytes")


class UnsupportedMediaTypeError(ApiError):
    status = 415
    code = "UNSUPPORTED_MEDIA_TYPE"

    def __init__(self) -> None:
        super().__init__("request body must be application/json")


class TooManyRequestsError(ApiError):
    status = 429
    code = "TOO_MANY_REQUESTS"


class ServiceUnavailableError(ApiError):
    status = 503
    code = "SERVICE_UNAVAILABLE"


def error_body(
    code: str, message: str, details: list[Problem] | None = None
) -> dict[str, dict[str, Any]]:
    error: dict[str, Any] = {
        "code": code,
        "message": message,
        "correlation_id": correlation_id_var.get(),
        "timestamp": now(),
    }
    if details is not None:
        error["details"] = [asdict(problem) for problem in details]
    return {"error": error}


def error_response(error: ApiError) -> JSONResponse:
    body = error_body(error.code, error.message, error.details)
    return JSONResponse(body, status_code=error.status, headers=error.headers)


def allowed_methods(scope: Scope) -> list[str]:
    """Every method some route serves on the request's path; none for an unknown path.
    (Starlette's own Allow header names only the first route that matched, in no fixed order.)"""
    routes = scope["app"].router.routes

    def served(method: str) -> bool:
        probe = {**scope, "method": method}
        return any(route.matches(probe)[0] == Match.FULL for route in routes)

    return [method for method in METHODS if served(method)]


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(_: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(StarletteHTTPException)
    async def routing_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # The router raises 404 for a path no route has, 405 for a method the path does not serve.
        method = request.method
        if exc.status_code == 404:
            return error_response(NotFoundError(f"no route for {method} {request.scope['path']}"))
        if exc.status_code == 405:
            allowed = ", ".join(allowed_methods(request.scope))
            message = f"method {method} not allowed (allowed: {allowed})"
            return error_response(MethodNotAllowedError(message, headers={"Allow": allowed}))
        # Raised by other code: keep its status and name the code after it (403 -> FORBIDDEN).
        body = error_body(HTTPStatus(exc.status_code).name, str(exc.detail))
        return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_parameters(_: Request, exc: RequestValidationError) -> JSONResponse:
        # Only parameters declared the FastAPI way get here: ("query", "page") -> query.page.
        details = [
            Problem(".".join(str(part) for part in error["loc"]), error["msg"])
            for error in exc.errors()
        ]
        return error_response(InvalidRequestError(details))
