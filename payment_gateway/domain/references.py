"""Our ids as they travel to a provider (references, idempotency keys) and as they appear in logs."""

from __future__ import annotations

import re
from typing import TypeGuard

from winzone_kernel.errors import InvalidArgument
from winzone_kernel.money import check_minor, currency_of

_REFERENCE = re.compile(r"[A-Za-z0-9_\-.:]{1,200}")


def is_reference(value: object) -> TypeGuard[str]:
    """Whether ``value`` has the shape of one of our ids or a provider reference (1-200 of ``[A-Za-z0-9_-.:]``)."""
    return isinstance(value, str) and _REFERENCE.fullmatch(value) is not None


def check_reference(value: object, field: str) -> str:
    """Validate one of our ids before it becomes a provider reference or idempotency key."""
    if not is_reference(value):
        raise InvalidArgument(f"{field} must be 1-200 letters, digits or _-.:", code="INVALID_REFERENCE")
    return value


def mask(value: str | None) -> str:
    """A reference safe to log: its prefix and last four characters (``acct_…1a2B``)."""
    if not value:
        return ""
    prefix = value.split("_", 1)[0] + "_" if "_" in value else ""
    return f"{prefix}…{value[-4:]}" if len(value) > len(prefix) + 4 else f"{prefix}…"


def check_checkout_terms(session_id: object, user_id: object, amount_minor: int, currency: str) -> None:
    """What every provider checks before it opens a checkout: our ids, a positive amount, a known currency."""
    check_reference(session_id, "session_id")
    check_reference(user_id, "user_id")
    check_minor(amount_minor)
    currency_of(currency)


def check_payout_terms(payout_id: object, amount_minor: int, currency: str) -> None:
    """What every provider checks before it sends a payout: our payout id, a positive amount, a known currency."""
    check_reference(payout_id, "payout_id")
    check_minor(amount_minor)
    currency_of(currency)
