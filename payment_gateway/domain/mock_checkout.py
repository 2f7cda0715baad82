"""The mock provider's checkout sessions, as its durable state keeps them (``MockCheckoutState`` port).

The mock provider moves no money; its sessions are paid or cancelled on the gateway's own checkout page.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

DISPUTE_OPEN = "needs_response"
DISPUTE_OUTCOMES = frozenset({"won", "lost"})


class MockSessionState(StrEnum):
    """Life of a mock checkout session: created, then paid or cancelled, never both."""

    CREATED = "created"
    PAID = "paid"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class MockCheckout:
    """A mock checkout session as stored; redirect URLs already carry the session's ref.

    A paid one is also the mock's card charge: ``refunds`` are the amounts refunded so far (oldest first), and
    a dispute of ``dispute_amount`` has an id and a status (``needs_response``, ``won``, ``lost``).
    """

    provider_ref: str
    session_id: str
    user_id: str
    amount_minor: int
    currency: str
    status: MockSessionState
    success_url: str
    cancel_url: str
    refunds: tuple[int, ...] = ()
    dispute_id: str | None = None
    dispute_amount: int = 0
    dispute_status: str = ""

    @property
    def amount_refunded(self) -> int:
        return sum(self.refunds)
