"""Reading payout requests: one by id, or a page of them. Only placed records are ever shown."""

from __future__ import annotations

from dataclasses import dataclass

from payout_service.domain.commands import ListPayouts
from payout_service.domain.model import PayoutRequest
from payout_service.use_cases.shared import PayoutRecords


@dataclass(frozen=True, slots=True)
class PayoutPage:
    """One page of payout requests, newest first."""

    items: list[PayoutRequest]
    total: int
    page: int
    limit: int


class PayoutQueries:
    """Payout requests as users and admins see them."""

    def __init__(self, records: PayoutRecords) -> None:
        self._records = records

    async def get(self, payout_id: str, user_id: str | None = None) -> PayoutRequest:
        """One payout request; with ``user_id``, another user's payout is ``NotFound``."""
        return (await self._records.load(payout_id, user_id or None)).payout

    async def list(self, query: ListPayouts) -> PayoutPage:
        """Payout requests of one user or of everyone, newest first."""
        found = await self._records.list(user_id=query.user_id, status=query.status, page=query.page,
                                         limit=query.limit)
        return PayoutPage([r.payout for r in found.items], found.total, query.page, query.limit)
