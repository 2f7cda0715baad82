"""The one table between domain errors and gRPC status codes, in both directions."""

from __future__ import annotations

import grpc

from winzone_kernel.errors import (
    AlreadyExists,
    FailedPrecondition,
    IdempotencyConflict,
    InsufficientFunds,
    InvalidArgument,
    InvalidState,
    NotFound,
    PermissionDenied,
    Unauthenticated,
    Unavailable,
    WinzoneError,
)

ERROR_CODE_KEY = "winzone-error-code"

STATUS_BY_ERROR: tuple[tuple[type[WinzoneError], grpc.StatusCode], ...] = (
    (InvalidArgument, grpc.StatusCode.INVALID_ARGUMENT),
    (NotFound, grpc.StatusCode.NOT_FOUND),
    (FailedPrecondition, grpc.StatusCode.FAILED_PRECONDITION),
    (AlreadyExists, grpc.StatusCode.ALREADY_EXISTS),
    (PermissionDenied, grpc.StatusCode.PERMISSION_DENIED),
    (Unauthenticated, grpc.StatusCode.UNAUTHENTICATED),
    (Unavailable, grpc.StatusCode.UNAVAILABLE),
)

ERROR_BY_STATUS: dict[grpc.StatusCode, type[WinzoneError]] = {
    status: error for error, status in STATUS_BY_ERROR
}

SUBCLASS_BY_CODE: dict[str, type[WinzoneError]] = {
    cls.default_code: cls for cls in (InsufficientFunds, InvalidState, IdempotencyConflict)
}


def status_for(error: WinzoneError) -> grpc.StatusCode:
    for cls, status in STATUS_BY_ERROR:
        if isinstance(error, cls):
            return status
    return grpc.StatusCode.UNKNOWN


def error_from_rpc(exc: grpc.RpcError) -> WinzoneError:
    """Rebuild the domain error a downstream service raised, so it propagates with its code intact."""
    status = exc.code() if hasattr(exc, "code") else grpc.StatusCode.UNKNOWN
    details = exc.details() if hasattr(exc, "details") else None
    code = None
    trailing = exc.trailing_metadata() if hasattr(exc, "trailing_metadata") else None
    for key, value in trailing or ():
        if key == ERROR_CODE_KEY:
            code = value
    if status in (grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED):
        return Unavailable("A backing service is unavailable", code="SERVICE_UNAVAILABLE")
    if status is grpc.StatusCode.UNAUTHENTICATED and code is None:
        return Unavailable("A backing service refused this service's credentials", code="UPSTREAM_AUTH_FAILED")
    cls = SUBCLASS_BY_CODE.get(code or "") or ERROR_BY_STATUS.get(status)
    if cls is None:
        return Unavailable("A backing service failed", code="UPSTREAM_ERROR")
    return cls(details or None, code=code)
