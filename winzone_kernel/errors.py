"""Domain errors shared by every service.

Each error carries a stable machine code (UPPER_SNAKE) that travels unchanged from the service that
raised it, through gRPC trailing metadata, to the REST envelope's ``error`` field. Transport codes are
assigned in exactly one table per boundary (``grpc_errors`` for gRPC, the gateway for HTTP).
"""

from __future__ import annotations


class WinzoneError(Exception):
    """Base of every expected, client-caused or state-caused failure."""

    default_code = "ERROR"
    default_message = "Request failed"

    def __init__(self, message: str | None = None, *, code: str | None = None) -> None:
        self.message = message or self.default_message
        self.code = code or self.default_code
        super().__init__(self.message)


class InvalidArgument(WinzoneError):
    """The request is malformed or a value is out of range; nothing was changed."""

    default_code = "VALIDATION_ERROR"
    default_message = "Invalid request"


class NotFound(WinzoneError):
    """The resource does not exist, or belongs to someone else."""

    default_code = "NOT_FOUND"
    default_message = "Not found"


class FailedPrecondition(WinzoneError):
    """The request is valid but the current state forbids it."""

    default_code = "FAILED_PRECONDITION"
    default_message = "Operation not allowed in the current state"


class InsufficientFunds(FailedPrecondition):
    """An account would go below zero (or below its held funds)."""

    default_code = "INSUFFICIENT_FUNDS"
    default_message = "Insufficient balance"


class InvalidState(FailedPrecondition):
    """A state machine refused a transition."""

    default_code = "INVALID_STATE"
    default_message = "Operation not allowed in the current state"


class AlreadyExists(WinzoneError):
    """A unique thing already exists, or an idempotency key was reused for a different request."""

    default_code = "ALREADY_EXISTS"
    default_message = "Already exists"


class IdempotencyConflict(AlreadyExists):
    """The idempotency key was already used with a different request."""

    default_code = "IDEMPOTENCY_CONFLICT"
    default_message = "Idempotency key already used with a different request"


class PermissionDenied(WinzoneError):
    """The caller may not do this."""

    default_code = "FORBIDDEN"
    default_message = "Access denied"


class Unauthenticated(WinzoneError):
    """The caller did not prove who it is."""

    default_code = "UNAUTHORIZED"
    default_message = "Authentication required"


class Unavailable(WinzoneError):
    """A dependency (another service, a provider, the store) cannot be reached right now."""

    default_code = "SERVICE_UNAVAILABLE"
    default_message = "Service unavailable"
