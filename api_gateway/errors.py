"""The one table from errors to HTTP statuses, and the handlers that render them as envelopes."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from api_gateway.envelope import EnvelopeResponse, fail
from api_gateway.use_cases.throttle import TooManyAttempts
from winzone_kernel.errors import (
    AlreadyExists,
    FailedPrecondition,
    InsufficientFunds,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    Unauthenticated,
    Unavailable,
    WinzoneError,
)

log = logging.getLogger("winzone.gateway")

HTTP_STATUS_BY_ERROR: tuple[tuple[type[WinzoneError], int], ...] = (
    (InvalidArgument, 400),
    (InsufficientFunds, 400),
    (Unauthenticated, 401),
    (PermissionDenied, 403),
    (NotFound, 404),
    (FailedPrecondition, 409),
    (AlreadyExists, 409),
    (TooManyAttempts, 429),
    (Unavailable, 503),
)

HTTP_DEFAULT_CODES = {400: "VALIDATION_ERROR", 401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND",
                      405: "METHOD_NOT_ALLOWED", 409: "CONFLICT", 413: "PAYLOAD_TOO_LARGE",
                      429: "TOO_MANY_ATTEMPTS", 503: "SERVICE_UNAVAILABLE"}


def http_status_for(error: WinzoneError) -> int:
    for cls, status in HTTP_STATUS_BY_ERROR:
        if isinstance(error, cls):
            return status
    return 500


def error_response(error: WinzoneError) -> EnvelopeResponse:
    response = fail(http_status_for(error), error.message, error.code)
    if isinstance(error, TooManyAttempts):
        response.headers["Retry-After"] = str(error.retry_after)
    return response


def install_error_handlers(app: FastAPI) -> None:
    """Every failure leaves as an envelope: domain errors (downstream ones arrive as such, translated by the
    channel), framework errors, bugs."""

    @app.exception_handler(WinzoneError)
    async def domain_error(request: Request, exc: WinzoneError) -> EnvelopeResponse:
        if isinstance(exc, Unavailable):
            log.warning("backing service failed", extra={"fields": {"code": exc.code, "path": request.url.path}})
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> EnvelopeResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("query", "path", "body"))
        return fail(400, f"Invalid {where or 'request'}", "VALIDATION_ERROR")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> EnvelopeResponse:
        message = exc.detail if isinstance(exc.detail, str) else "Request failed"
        return fail(exc.status_code, message, HTTP_DEFAULT_CODES.get(exc.status_code, "ERROR"))

    @app.exception_handler(Exception)
    async def bug(request: Request, exc: Exception) -> EnvelopeResponse:
        log.exception("unhandled error", extra={"fields": {"path": request.url.path}})
        return fail(500, "Internal server error", "INTERNAL_ERROR")
