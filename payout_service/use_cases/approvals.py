"""An admin's decision on a payout: release a held one, approve (then send the money) or reject (then release
the funds).

A payout that needs dual approval stops at ``awaiting_second_approval`` after the first approval (nothing is
sent); the second, by a different admin, approves and sends it. Because every step is a compare-and-set, two
admins approving at once give one ``awaiting_second_approval`` and one ``approved``, and one provider call.

``requested → approved`` and ``requested → rejected`` are compare-and-set writes, so of concurrent approvals
and rejections exactly one wins before the provider is called or the hold is voided. Once approved, the send
and its settlement run to the end even if the caller goes away. A rejection is recorded together with a
pending ``void``, so that the release is finished by reconciliation if the wallet cannot be reached now.
"""

from __future__ import annotations

from payout_service.domain.model import HoldAction, PayoutRequest, PayoutStatus
from payout_service.domain.ports import PayoutRecord, PendingFunds
from payout_service.use_cases.settlement import Settlement
from payout_service.use_cases.shared import PayoutRecords, log, log_fields, to_completion
from winzone_kernel.clock import Clock


class Approvals:
    """Approving and rejecting payout requests (see the module docstring)."""

    def __init__(self, records: PayoutRecords, settlement: Settlement, *, clock: Clock) -> None:
        self._records = records
        self._settlement = settlement
        self._clock = clock

    async def approve(self, payout_id: str, admin_id: str, note: str | None) -> PayoutRequest:
        """``requested → approved`` (compare-and-set), then send the money and settle from the answer; a first
        of two approvals only records itself (``awaiting_second_approval``)."""
        record = await self._records.load(payout_id)
        at = self._clock()

        def approve(r: PayoutRecord) -> bool:
            r.payout.approve(admin_id, note, at=at)
            return True

        record, _ = await self._records.write(record, approve)
        if record.payout.status is PayoutStatus.AWAITING_SECOND_APPROVAL:
            log.info("payout awaits a second approval", extra=log_fields(record.payout, admin_id=admin_id))
            return record.payout
        log.info("payout approved", extra=log_fields(record.payout, admin_id=admin_id))
        return (await to_completion(self._settlement.send(record))).payout

    async def release(self, payout_id: str, admin_id: str, note: str | None) -> PayoutRequest:
        """``held → requested`` with a note (compare-and-set); the funds stay held."""
        record = await self._records.load(payout_id)
        at = self._clock()

        def release(r: PayoutRecord) -> bool:
            r.payout.release(admin_id, note, at=at)
            return True

        record, _ = await self._records.write(record, release)
        log.info("payout released", extra=log_fields(record.payout, admin_id=admin_id))
        return record.payout

    async def reject(self, payout_id: str, admin_id: str, reason: str | None) -> PayoutRequest:
        """``held``/``requested``/``awaiting_second_approval → rejected`` with a reason, then release the hold."""
        record = await self._records.load(payout_id)
        at = self._clock()

        def reject(r: PayoutRecord) -> bool:
            r.payout.reject(admin_id, reason, at=at)
            r.pending = PendingFunds(HoldAction.VOID)
            return True

        record, _ = await self._records.write(record, reject)
        log.info("payout rejected", extra=log_fields(record.payout, admin_id=admin_id))
        return (await self._settlement.finish_safely(record, self._settlement.finish_pending)).payout
