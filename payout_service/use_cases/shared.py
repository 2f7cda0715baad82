"""What the payout workflows share: the store reached off the event loop, compare-and-set writes retried on
a race, steps that run to their end when the caller goes away, and log fields with the method masked."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Final, TypeVar

from payout_service.domain.commands import is_well_formed_id
from payout_service.domain.methods import mask_for_log
from payout_service.domain.model import PayoutRequest, PayoutStatus
from payout_service.domain.ports import AttentionCursor, PayoutRecord, PayoutStore, RecordPage, VelocityLimit
from winzone_kernel.errors import NotFound, Unavailable

T = TypeVar("T")
log = logging.getLogger("winzone.payouts")

MAX_WRITE_ATTEMPTS: Final = 8

Change = Callable[[PayoutRecord], bool]
"""An edit of a record in place; returns False when there is nothing to do."""


def busy(what: str = "payout") -> Unavailable:
    """The error when concurrent writers kept winning every compare-and-set."""
    return Unavailable(f"The {what} is being changed concurrently; try again", code="PAYOUT_BUSY")


def log_fields(payout: PayoutRequest, **extra: Any) -> dict[str, Any]:
    """Structured log fields of a payout, its method masked."""
    return {"fields": {"payout_id": payout.id, "user_id": payout.user_id, "amount": payout.amount_minor,
                       "currency": payout.currency, "method": mask_for_log(payout.method),
                       "status": payout.status.value, **extra}}


async def to_completion(step: Awaitable[T]) -> T:
    """Await ``step``; if the caller is cancelled (a client deadline), the step still runs to its end."""
    task = asyncio.ensure_future(step)
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        task.add_done_callback(_report_abandoned)
        raise


def _report_abandoned(task: asyncio.Future[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("payout step failed after its caller went away", exc_info=task.exception())


class PayoutRecords:
    """The payout store as the workflows use it: each call in a worker thread, visible records loaded by id,
    and writes that compare-and-set on the version."""

    def __init__(self, store: PayoutStore) -> None:
        self._store = store

    async def get(self, payout_id: str) -> PayoutRecord | None:
        return await asyncio.to_thread(self._store.get, payout_id)

    async def find_by_key(self, user_id: str, request_key: str) -> PayoutRecord | None:
        return await asyncio.to_thread(self._store.find_by_key, user_id, request_key)

    async def insert(self, record: PayoutRecord, velocity: VelocityLimit | None = None) -> None:
        if velocity is None:
            await asyncio.to_thread(self._store.insert, record)
        else:
            await asyncio.to_thread(self._store.insert, record, velocity)

    async def shares_destination(self, destination: str, user_id: str) -> bool:
        return await asyncio.to_thread(self._store.shares_destination, destination, user_id)

    async def save(self, record: PayoutRecord, expected_version: int) -> bool:
        return await asyncio.to_thread(self._store.save, record, expected_version)

    async def delete_unplaced(self, payout_id: str) -> bool:
        return await asyncio.to_thread(self._store.delete_unplaced, payout_id)

    async def needing_attention(
        self, updated_before: datetime, limit: int, after: AttentionCursor | None
    ) -> list[PayoutRecord]:
        return await asyncio.to_thread(self._store.needing_attention, updated_before, limit, after)

    async def list(self, *, user_id: str | None, status: PayoutStatus | None, page: int, limit: int) -> RecordPage:
        return await asyncio.to_thread(
            lambda: self._store.list(user_id=user_id, status=status, page=page, limit=limit))

    async def load(self, payout_id: str, user_id: str | None = None) -> PayoutRecord:
        """A placed record; ``NotFound`` when unknown, unplaced or, with ``user_id``, another user's."""
        if not is_well_formed_id(payout_id):
            raise NotFound("Payout request not found", code="PAYOUT_NOT_FOUND")
        record = await self.get(payout_id)
        if record is None or not record.hold_placed or (user_id and record.payout.user_id != user_id):
            raise NotFound("Payout request not found", code="PAYOUT_NOT_FOUND")
        return record

    async def write(self, record: PayoutRecord, change: Change) -> tuple[PayoutRecord, bool]:
        """Apply ``change`` and compare-and-set it, reloading and reapplying on a race; returns the record and
        whether it was written."""
        for _ in range(MAX_WRITE_ATTEMPTS):
            expected = record.payout.version
            if not change(record):
                return record, False
            if await self.save(record, expected):
                return record, True
            record = await self.load(record.payout.id)
        raise busy()
