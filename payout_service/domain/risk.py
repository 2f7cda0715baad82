"""Payout risk rules decided at creation: which destination a payout goes to (as a keyed fingerprint) and
why a new payout is held for review."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final

from payout_service.domain.methods import PayoutMethod, PayoutMethodType

SHARED_DESTINATION: Final = "shared_destination"
RECENT_CARD_TOPUP: Final = "recent_card_topup"

SHARED_DESTINATION_MESSAGE: Final = "Held for review: another user's payout went to this destination"
RECENT_TOPUP_MESSAGE: Final = "Held for review: requested soon after a card top-up"
TOPUP_UNKNOWN_MESSAGE: Final = "Held for review: the latest top-up could not be checked"

VELOCITY_WINDOW: Final = timedelta(hours=24)
"""The rolling window of ``PAYOUT_DAILY_COUNT`` and ``PAYOUT_DAILY_AMOUNT``."""


def normalized_destination(method: PayoutMethod) -> str:
    """Where the money goes, in one form per destination: the UPI id lower-cased, the IFSC upper-cased with
    the account number, the Stripe account id."""
    details = method.details
    if method.type is PayoutMethodType.UPI:
        return f"upi:{details['upiId'].strip().lower()}"
    if method.type is PayoutMethodType.BANK:
        return f"bank:{details['ifsc'].strip().upper()}:{details['accountNumber'].strip()}"
    return f"stripe:{details['accountId'].strip()}"


def destination_fingerprint(method: PayoutMethod, key: bytes) -> str:
    """HMAC-SHA256 of the normalized destination under ``key``: equal for one destination, and telling
    nothing about it without the key."""
    return hmac.new(key, normalized_destination(method).encode(), hashlib.sha256).hexdigest()


def recent_topup(latest: datetime | None, now: datetime, cooldown_seconds: int) -> bool:
    """A top-up posted less than ``cooldown_seconds`` before ``now``."""
    return latest is not None and now - latest < timedelta(seconds=cooldown_seconds)


@dataclass(frozen=True, slots=True)
class RiskRules:
    """The payout risk rules in force (0 / false: off); amounts in minor units.

    ``destination_key`` keys the destination fingerprints (derived from ``PAYOUT_METHOD_KEY``); without it no
    fingerprint is stored and ``hold_shared_destination`` cannot apply."""

    dual_approval_threshold: int = 0
    daily_count: int = 0
    daily_amount: int = 0
    cooldown_after_topup_seconds: int = 0
    hold_shared_destination: bool = False
    destination_key: bytes | None = field(default=None, repr=False)
