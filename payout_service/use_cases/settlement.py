"""Settling a payout: send it to the payment gateway and apply the provider's outcome to the wallet hold.

The payout id is the provider idempotency key, so a repeated send returns the first outcome. Paid: capture
the hold, then ``paid``. Failed: void it, then ``failed``. Unknown or pending: the payout stays ``approved``
until a provider result or reconciliation settles it. A paid payout the provider reverses: a pending
``refund`` is recorded, the wallet credits the refund once, then ``failed``. Every wallet step is keyed by
the payout id, so a step repeated by a concurrent settler replays instead of moving money again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Final

from payout_service.domain.model import HoldAction, InvalidPayoutState, PayoutRequest, PayoutStatus
from payout_service.domain.ports import (
    PaymentsPort,
    PayoutRecord,
    PendingFunds,
    ProviderOutcome,
    ProviderStatus,
    WalletPort,
)
from payout_service.use_cases.shared import MAX_WRITE_ATTEMPTS, PayoutRecords, busy, log, log_fields
from winzone_kernel.clock import Clock
from winzone_kernel.errors import FailedPrecondition, InvalidArgument, WinzoneError

REFUSED_REASON: Final = "The payment provider refused the payout"
PROVIDER_REFUSAL_CODES: Final = frozenset({
    "INVALID_PAYOUT_DESTINATION", "INVALID_PAYOUT_METHOD", "INVALID_REFERENCE", "INVALID_AMOUNT",
    "INVALID_CURRENCY", "PROVIDER_REJECTED", "VALIDATION_ERROR",
})
"""Codes with which the payment gateway refuses a payout before any money can have moved; any other refusal
leaves the payout ``approved`` for reconciliation rather than releasing funds that may have left."""


class Settlement:
    """Sending approved payouts and applying provider outcomes (see the module docstring)."""

    def __init__(
        self,
        records: PayoutRecords,
        wallet: WalletPort,
        payments: PaymentsPort,
        *,
        clock: Clock,
        after_provider_call: Callable[[], None],
    ) -> None:
        self._records = records
        self._wallet = wallet
        self._payments = payments
        self._clock = clock
        self._after_provider_call = after_provider_call

    async def record_provider_result(
        self, payout_id: str, outcome: ProviderOutcome, event_id: str = ""
    ) -> tuple[PayoutRequest, bool]:
        """Apply a provider's result once; returns the payout and whether anything changed."""
        record = await self._records.load(payout_id)
        log.info("provider result received", extra=log_fields(
            record.payout, provider_status=outcome.status.value, event_id=event_id[:100]))
        if outcome.status is ProviderStatus.PAID:
            record, changed = await self._settle_paid(record, outcome.provider_reference)
        elif outcome.status is ProviderStatus.FAILED:
            record, changed = await self._settle_failed(record, outcome.failure_reason, outcome.provider_reference)
        else:
            changed = False
        return record.payout, changed

    async def send(self, record: PayoutRecord) -> PayoutRecord:
        """Send an approved payout and settle from the answer; an unknown outcome leaves it ``approved``."""
        try:
            outcome = await self._payments.send_payout(record.payout)
        except InvalidArgument as exc:
            if exc.code not in PROVIDER_REFUSAL_CODES:
                log.warning("payment gateway refused the payout for an unknown reason; left for reconciliation",
                            extra=log_fields(record.payout, code=exc.code))
                return record
            log.warning("payment gateway refused the payout", extra=log_fields(record.payout, code=exc.code))
            outcome = ProviderOutcome(ProviderStatus.FAILED, None, REFUSED_REASON)
        except WinzoneError as exc:
            log.warning("payout outcome unknown; left for reconciliation",
                        extra=log_fields(record.payout, code=exc.code))
            return record
        self._after_provider_call()
        log.info("payout sent", extra=log_fields(record.payout, provider_status=outcome.status.value))
        return await self.finish_safely(record, lambda r: self.apply(r, outcome))

    async def finish_safely(
        self, record: PayoutRecord, step: Callable[[PayoutRecord], Awaitable[PayoutRecord]]
    ) -> PayoutRecord:
        """Run a follow-up step whose decision is already persisted; on failure, leave it to reconciliation."""
        try:
            return await step(record)
        except WinzoneError as exc:
            log.warning("payout step left for reconciliation", extra=log_fields(record.payout, code=exc.code))
            return await self._records.load(record.payout.id)

    async def apply(self, record: PayoutRecord, outcome: ProviderOutcome) -> PayoutRecord:
        """Settle from a paid or failed outcome; a pending one changes nothing."""
        if outcome.status is ProviderStatus.PAID:
            record, _ = await self._settle_paid(record, outcome.provider_reference)
        elif outcome.status is ProviderStatus.FAILED:
            record, _ = await self._settle_failed(record, outcome.failure_reason, outcome.provider_reference)
        return record

    async def finish_pending(self, record: PayoutRecord) -> PayoutRecord:
        """Do the wallet step a record has decided on: void its hold (rejected) or refund it (reversed)."""
        pending = record.pending
        if pending is None:
            return record
        if pending.action is HoldAction.REFUND:
            record, _ = await self._settle_failed(record, pending.reason, pending.provider_reference)
            return record
        await self._wallet.void(record.payout.id)

        def clear(r: PayoutRecord) -> bool:
            if r.pending is None:
                return False
            r.pending = None
            return True

        record, _ = await self._records.write(record, clear)
        log.info("payout hold released", extra=log_fields(record.payout))
        return record

    async def _settle_paid(self, record: PayoutRecord, reference: str | None) -> tuple[PayoutRecord, bool]:
        """``approved → paid``: capture the hold, then record it; already paid is a no-op."""
        for _ in range(MAX_WRITE_ATTEMPTS):
            status = record.payout.status
            if status is PayoutStatus.PAID:
                return record, False
            if status is not PayoutStatus.APPROVED:
                raise InvalidPayoutState(status, PayoutStatus.PAID)
            try:
                transaction_id = await self._wallet.capture(record.payout.id)
            except FailedPrecondition:
                fresh = await self._records.load(record.payout.id)
                if fresh.payout.status is PayoutStatus.APPROVED:
                    log.error("hold of an approved payout is not open", extra=log_fields(fresh.payout))
                    raise
                record = fresh
                continue
            return await self._record_paid(record, transaction_id, reference)
        raise busy()

    async def _record_paid(
        self, record: PayoutRecord, transaction_id: str, reference: str | None
    ) -> tuple[PayoutRecord, bool]:
        at = self._clock()
        provider_reference = reference or record.payout.provider_reference or record.payout.id

        def mark_paid(r: PayoutRecord) -> bool:
            if r.payout.status is PayoutStatus.PAID:
                return False
            r.payout.mark_paid(provider_reference, transaction_id, at=at)
            return True

        record, changed = await self._records.write(record, mark_paid)
        if changed:
            log.info("payout paid", extra=log_fields(record.payout, transaction_id=transaction_id))
        return record, changed

    async def _settle_failed(
        self, record: PayoutRecord, reason: str | None, reference: str | None
    ) -> tuple[PayoutRecord, bool]:
        """``approved → failed`` (void) or ``paid → failed`` (refund once); already failed is a no-op."""
        changed = False
        for _ in range(MAX_WRITE_ATTEMPTS):
            status = record.payout.status
            if status is PayoutStatus.FAILED:
                return record, changed
            if status is PayoutStatus.APPROVED:
                record, changed = await self._fail_approved(record, reason, reference)
            elif status is PayoutStatus.PAID:
                record, changed = await self._refund_paid(record, reason, reference)
            else:
                raise InvalidPayoutState(status, PayoutStatus.FAILED)
        raise busy()

    async def _fail_approved(
        self, record: PayoutRecord, reason: str | None, reference: str | None
    ) -> tuple[PayoutRecord, bool]:
        try:
            await self._wallet.void(record.payout.id)
        except FailedPrecondition:
            fresh = await self._records.load(record.payout.id)
            if fresh.payout.status is not PayoutStatus.APPROVED:
                return fresh, False
            # Still approved, yet the hold is not open: only our capture closes it other than our void (which
            # would have replayed), so a capture went through whose ``paid`` was never recorded (a crash, or
            # a settler still on its way). Record it now; the caller then refunds the reversal.
            transaction_id = await self._wallet.capture(record.payout.id)
            log.warning("hold of an approved payout was already captured; recording it as paid",
                        extra=log_fields(fresh.payout))
            return await self._record_paid(fresh, transaction_id, reference)
        at = self._clock()

        def mark_failed(r: PayoutRecord) -> bool:
            if r.payout.status is not PayoutStatus.APPROVED:
                return False
            r.payout.mark_failed(reason, at=at, provider_reference=reference)
            return True

        record, changed = await self._records.write(record, mark_failed)
        if changed:
            log.info("payout failed; funds released", extra=log_fields(record.payout))
        return record, changed

    async def _refund_paid(
        self, record: PayoutRecord, reason: str | None, reference: str | None
    ) -> tuple[PayoutRecord, bool]:
        def plan_refund(r: PayoutRecord) -> bool:
            if r.payout.status is not PayoutStatus.PAID or r.pending is not None:
                return False
            r.pending = PendingFunds(HoldAction.REFUND, reason, reference)
            return True

        record, _ = await self._records.write(record, plan_refund)
        pending = record.pending
        if record.payout.status is not PayoutStatus.PAID or pending is None:
            return record, False
        refund_id = await self._wallet.refund(record.payout)
        at = self._clock()

        def mark_refunded(r: PayoutRecord) -> bool:
            if r.payout.status is not PayoutStatus.PAID:
                return False
            r.payout.mark_failed(pending.reason, at=at, provider_reference=pending.provider_reference,
                                 refund_transaction_id=refund_id)
            r.pending = None
            return True

        record, changed = await self._records.write(record, mark_refunded)
        if changed:
            log.warning("paid payout reversed by the provider; refunded", extra=log_fields(
                record.payout, refund_transaction_id=refund_id))
        return record, changed
