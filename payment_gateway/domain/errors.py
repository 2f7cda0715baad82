"""The errors a payment provider's answers turn into, in our own terms (adapters translate to these)."""

from __future__ import annotations

from winzone_kernel.errors import IdempotencyConflict, InvalidArgument, Unavailable


class InvalidSignature(InvalidArgument):
    """A webhook's signature header is missing, malformed, stale or does not match its raw body."""

    default_code = "INVALID_SIGNATURE"
    default_message = "Invalid signature"


class ProviderRejected(InvalidArgument):
    """The provider refused a checkout request as invalid (e.g. an amount below its minimum)."""

    default_code = "PROVIDER_REJECTED"
    default_message = "The payment provider rejected the request"


class ProviderIdempotencyError(IdempotencyConflict):
    """Our id (the provider idempotency key) was already used with different parameters."""

    default_code = "PROVIDER_IDEMPOTENCY_CONFLICT"
    default_message = "The payment provider saw this id with different parameters"


class ProviderUnavailable(Unavailable):
    """The provider could not be reached or did not give a definite answer; retry later."""

    default_code = "PROVIDER_UNAVAILABLE"
    default_message = "The payment provider is unavailable"
