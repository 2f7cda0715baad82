"""The inputs of the payout use cases, checked and parsed before anything is stored or sent.

A payout request's ``fingerprint`` identifies what was asked for under an idempotency key: a repeat with
the same key and the same amount, currency and method replays the first request, anything else conflicts.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Final

from payout_service.domain.methods import InvalidPayoutMethod, PayoutMethod, parse_payout_method
from payout_service.domain.model import NOTE_MAX_LENGTH, PROVIDER_REFERENCE_MAX_LENGTH, PayoutRequest, PayoutStatus
from payout_service.domain.ports import ProviderOutcome, ProviderStatus
from winzone_kernel.errors import InvalidArgument
from winzone_kernel.money import DEFAULT_CURRENCY

ID_PATTERN: Final = re.compile(r"[A-Za-z0-9_.@-]{1,128}")
MAX_METHOD_JSON: Final = 8 * 1024
MAX_PAGE_SIZE: Final = 100
DEFAULT_PAGE_SIZE: Final = 20


def check_id(value: object, what: str) -> str:
    """``value`` if it is a well-formed identifier, else ``InvalidArgument`` naming ``what``."""
    if not isinstance(value, str) or ID_PATTERN.fullmatch(value) is None:
        raise InvalidArgument(f"{what} must be 1-128 characters of letters, digits, '_', '.', '@' or '-'")
    return value


def is_well_formed_id(value: str) -> bool:
    """Whether ``value`` could be an id we issued (a malformed one is simply not found)."""
    return ID_PATTERN.fullmatch(value) is not None


def check_request_key(value: str) -> str:
    """A client's idempotency key: 1-200 printable characters."""
    if not 1 <= len(value) <= 200 or not value.isprintable():
        raise InvalidArgument("Idempotency key must be 1-200 printable characters", code="INVALID_IDEMPOTENCY_KEY")
    return value


def decode_method(method_json: str) -> object:
    """The JSON value of a payout method as sent (``None`` when empty), for ``parse_payout_method``."""
    if not method_json:
        return None
    if len(method_json) > MAX_METHOD_JSON:
        raise InvalidPayoutMethod("Payout method is too large", field="method")
    try:
        decoded: object = json.loads(method_json)
    except (ValueError, RecursionError):
        raise InvalidPayoutMethod("Payout method must be a JSON object", field="method") from None
    return decoded


@dataclass(frozen=True, slots=True)
class RequestPayout:
    """A user's request to withdraw, its user, key and method checked (amount and currency are checked by
    ``PayoutRequest.create`` against the limits)."""

    user_id: str
    amount_minor: int
    currency: str
    method: PayoutMethod
    request_key: str | None

    @classmethod
    def parse(
        cls, *, user_id: str, amount_minor: int, currency: str, method_json: str, idempotency_key: str
    ) -> RequestPayout:
        """Check the user id, then the idempotency key (optional), then the method, in that order."""
        user = check_id(user_id, "user_id")
        key = check_request_key(idempotency_key) if idempotency_key else None
        method = parse_payout_method(decode_method(method_json))
        return cls(user, amount_minor, currency or DEFAULT_CURRENCY, method, key)


def fingerprint(payout: PayoutRequest) -> str:
    """What identifies a request behind its idempotency key: amount, currency and method."""
    raw = json.dumps([payout.amount_minor, payout.currency, payout.method.to_json()], sort_keys=True,
                     separators=(",", ":"))
    return hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()


@dataclass(frozen=True, slots=True)
class ListPayouts:
    """A page of payout requests, of one user or of everyone, optionally in one status."""

    user_id: str | None
    status: PayoutStatus | None
    page: int
    limit: int

    @classmethod
    def parse(cls, *, user_id: str | None, status: str | None, page: int, limit: int) -> ListPayouts:
        """Check the filter and the paging (0 stands for the first page and the default size)."""
        if user_id:
            check_id(user_id, "user_id")
        try:
            wanted = PayoutStatus(status) if status else None
        except ValueError:
            choices = ", ".join(s.value for s in PayoutStatus)
            raise InvalidArgument(f"status must be one of {choices}", code="INVALID_STATUS") from None
        page, limit = page or 1, limit or DEFAULT_PAGE_SIZE
        if page < 1 or not 1 <= limit <= MAX_PAGE_SIZE:
            raise InvalidArgument(f"page must be >= 1 and limit between 1 and {MAX_PAGE_SIZE}", code="INVALID_PAGE")
        return cls(user_id or None, wanted, page, limit)


def provider_outcome(
    status: str, reference: str | None, reason: str | None, amount_reversed: int = 0
) -> ProviderOutcome:
    """Validate a provider result reported from outside (a webhook forwarded by the payment gateway)."""
    try:
        parsed = ProviderStatus(status)
    except ValueError:
        raise InvalidArgument("status must be paid, failed or pending", code="INVALID_PROVIDER_STATUS") from None
    if reference is not None and len(reference) > PROVIDER_REFERENCE_MAX_LENGTH:
        raise InvalidArgument("provider_reference is too long", code="INVALID_PROVIDER_REFERENCE")
    if amount_reversed < 0:
        raise InvalidArgument("amount_reversed must not be negative", code="INVALID_AMOUNT")
    return ProviderOutcome(parsed, reference or None, reason[:NOTE_MAX_LENGTH] if reason else None, amount_reversed)
