"""Reconciliation: finish every payout that a crash, a timeout or an unknown outcome left in between.

It pages through every record that still ``needs_attention``, oldest first, so that payouts the provider
keeps pending cannot starve newer ones; a periodic run (``min_age_seconds`` > 0) also skips a record whose
last attempts failed until its backoff (doubling per failure) is over, while an explicit run of everything
(``min_age_seconds`` 0) tries every record. An unplaced record is placed when the client holds an idempotency key
to fetch it with, else withdrawn (the client was told the request failed, and cannot tell a late payout from
its own retry). A decided wallet step is finished. An approved payout is settled from what the provider says,
or sent if the provider never received it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

from payout_service.domain.model import PayoutStatus
from payout_service.domain.ports import AttentionCursor, PaymentsPort, PayoutRecord
from payout_service.use_cases.requests import PayoutRequests
from payout_service.use_cases.settlement import Settlement
from payout_service.use_cases.shared import PayoutRecords, log, log_fields
from winzone_kernel.backoff import Backoff
from winzone_kernel.clock import Clock
from winzone_kernel.errors import Unavailable, WinzoneError


@dataclass(slots=True)
class ReconcileReport:
    """What one reconciliation run did."""

    examined: int = 0
    settled: int = 0
    pending: int = 0
    errors: int = 0
    skipped: int = 0
    """Records left alone this run because their last attempts failed (backoff)."""


class Reconciliation:
    """Resuming stuck payouts, one run at a time (see the module docstring)."""

    def __init__(
        self,
        records: PayoutRecords,
        requests: PayoutRequests,
        settlement: Settlement,
        payments: PaymentsPort,
        *,
        clock: Clock,
        batch: int,
    ) -> None:
        self._records = records
        self._requests = requests
        self._settlement = settlement
        self._payments = payments
        self._clock = clock
        self._batch = max(batch, 1)
        self._lock = asyncio.Lock()
        self._backoff = Backoff()

    async def reconcile(self, min_age_seconds: int = 0) -> ReconcileReport:
        """Finish every payout that needs attention and was last touched ``min_age_seconds`` ago or earlier."""
        async with self._lock:
            now = self._clock()
            cutoff = now - timedelta(seconds=max(min_age_seconds, 0))
            report = ReconcileReport()
            after: AttentionCursor | None = None
            while True:
                records = await self._records.needing_attention(cutoff, self._batch, after)
                for record in records:
                    if min_age_seconds > 0 and self._backoff.waiting(record.payout.id, now):
                        report.skipped += 1
                        continue
                    if await self._reconcile_one(record, report):
                        self._backoff.succeeded(record.payout.id)
                    else:
                        self._backoff.failed(record.payout.id, now)
                if len(records) < self._batch:
                    break
                after = (records[-1].payout.updated_at, records[-1].payout.id)
            if report.examined:
                log.info("payouts reconciled", extra={"fields": {
                    "examined": report.examined, "settled": report.settled, "pending": report.pending,
                    "errors": report.errors}})
            return report

    async def _reconcile_one(self, record: PayoutRecord, report: ReconcileReport) -> bool:
        """Resume one record; returns False when it failed (and is backed off)."""
        report.examined += 1
        try:
            resumed = await self._resume(record)
        except WinzoneError as exc:
            report.errors += 1
            log.warning("payout not reconciled yet", extra=log_fields(record.payout, code=exc.code))
            return False
        except Exception:
            report.errors += 1
            log.exception("payout reconciliation failed", extra=log_fields(record.payout))
            return False
        if resumed is not None and resumed.needs_attention:
            report.pending += 1
        else:
            report.settled += 1
        return True

    async def _resume(self, record: PayoutRecord) -> PayoutRecord | None:
        if not record.hold_placed:
            if record.withdrawn or record.request_key is None:
                return await self._requests.discard(record)
            try:
                return await self._requests.place_hold(record)
            except Unavailable:
                raise
            except WinzoneError:
                return await self._requests.discard(record)
        if record.pending is not None:
            return await self._settlement.finish_pending(record)
        if record.payout.status is PayoutStatus.APPROVED:
            outcome = await self._payments.get_payout(record.payout.id)
            if outcome is None:
                return await self._settlement.send(record)
            return await self._settlement.apply(record, outcome)
        return record
