"""The mock provider's checkout sessions, as its durable state keeps them (``MockCheckoutState`` port).

The mock provider moves no money; its sessions are paid or cancelled on the gateway's own checkout page.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class MockSessionState(StrEnum):
    """Life of a mock checkout session: created, then paid or cancelled, never both."""

    CREATED = "created"
    PAID = "paid"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class MockCheckout:
    """A mock checkout session as stored; redirect URLs already carry the session's ref."""

    provider_ref: str
    session_id: str
    user_id: str
    amount_minor: int
    currency: str
    status: MockSessionState
    success_url: str
    cancel_url: str
