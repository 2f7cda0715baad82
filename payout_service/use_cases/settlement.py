"""Settling a payout: send it to the payment gateway and apply the provider's outcome to the wallet hold.

The payout id is the provider idempotency key, so a repeated send returns the first outcome. Paid: capture
the hold, then ``paid``. Failed: the refusal is recorded first (a pending ``void`` with the provider's
reason), then the hold is voided, then ``failed``; a payout with a recorded refusal is never sent again,
because a provider that refused for a reason that clears later (Stripe's ``balance_insufficient``) keeps no
transfer to find. Unknown or pending: the payout stays ``approved`` until a provider result or
reconciliation settles it. A paid payout the provider reverses (``amount_reversed``, cumulative): a pending
``refund`` up to that amount is recorded, the wallet credits exactly the newly reversed part once (keyed by
the payout id and the cumulative amount), then the payout stays ``paid`` with ``refunded_amount`` raised,
or is ``failed`` once all of it came back. Every wallet step is keyed, so a step repeated by a concurrent
settler replays instead of moving money again.

Under tax withheld at source the provider is sent (and can reverse at most) the payout's ``net_amount``; the
capture still takes the whole amount from the wallet (net to clearing, tds to ``tds_payable``). A full
reversal refunds what was sent and returns the tds; a partial one refunds what was reversed, no tds.
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
REVERSED_REASON: Final = "The payment provider reversed part of the payout"
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
        record, changed = await self._apply(record, outcome)
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
        """Settle from a paid or failed outcome (and any reversal it reports); a pending one changes nothing."""
        record, _ = await self._apply(record, outcome)
        return record

    async def _apply(self, record: PayoutRecord, outcome: ProviderOutcome) -> tuple[PayoutRecord, bool]:
        amount = record.payout.net_amount
        reversed_ = min(outcome.amount_reversed, amount)
        reference, reason = outcome.provider_reference, outcome.failure_reason
        if outcome.status is ProviderStatus.FAILED:
            if record.payout.status is PayoutStatus.APPROVED:
                return await self._settle_failed(record, reason, reference)
            return await self._refund_reversal(record, reversed_ or amount, reason, reference)
        if outcome.status is not ProviderStatus.PAID:
            return record, False
        record, changed = await self._settle_paid(record, reference)
        if reversed_ == 0:
            return record, changed
        record, refunded = await self._refund_reversal(record, reversed_, reason or REVERSED_REASON, reference)
        return record, changed or refunded

    async def finish_pending(self, record: PayoutRecord) -> PayoutRecord:
        """Do the wallet step a record has decided on: void its hold (rejected, or refused by the provider) or
        refund it (reversed)."""
        pending = record.pending
        if pending is None:
            return record
        if pending.action is HoldAction.REFUND:
            target = pending.amount_reversed or record.payout.net_amount
            record, _ = await self._refund_reversal(record, target, pending.reason, pending.provider_reference)
            return record
        if record.payout.status is PayoutStatus.APPROVED:
            record, _ = await self._void_refused(record, pending)
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
            if r.payout.status is not PayoutStatus.APPROVED:
                return False
            r.payout.mark_paid(provider_reference, transaction_id, at=at)
            if r.pending is not None and r.pending.action is HoldAction.VOID:
                r.pending = None
            return True

        record, changed = await self._records.write(record, mark_paid)
        if changed:
            log.info("payout paid", extra=log_fields(record.payout, transaction_id=transaction_id))
        return record, changed

    async def _settle_failed(
        self, record: PayoutRecord, reason: str | None, reference: str | None
    ) -> tuple[PayoutRecord, bool]:
        """``approved → failed`` (refusal recorded, then void) or ``paid → failed`` (refund the rest once);
        already failed is a no-op."""
        changed = False
        for _ in range(MAX_WRITE_ATTEMPTS):
            status = record.payout.status
            if status is PayoutStatus.FAILED:
                return record, changed
            if status is PayoutStatus.APPROVED:
                record, changed = await self._fail_approved(record, reason, reference)
            elif status is PayoutStatus.PAID:
                return await self._refund_reversal(record, record.payout.net_amount, reason, reference)
            else:
                raise InvalidPayoutState(status, PayoutStatus.FAILED)
        raise busy()

    async def _fail_approved(
        self, record: PayoutRecord, reason: str | None, reference: str | None
    ) -> tuple[PayoutRecord, bool]:
        def record_refusal(r: PayoutRecord) -> bool:
            if r.payout.status is not PayoutStatus.APPROVED or r.pending is not None:
                return False
            r.pending = PendingFunds(HoldAction.VOID, reason, reference)
            return True

        record, _ = await self._records.write(record, record_refusal)
        pending = record.pending
        if record.payout.status is not PayoutStatus.APPROVED or pending is None:
            return record, False
        log.info("payout refused by the provider; refusal recorded", extra=log_fields(record.payout))
        return await self._void_refused(record, pending)

    async def _void_refused(self, record: PayoutRecord, pending: PendingFunds) -> tuple[PayoutRecord, bool]:
        """Release the hold of an approved payout whose refusal is recorded, then ``failed``."""
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
            return await self._record_paid(fresh, transaction_id, pending.provider_reference)
        at = self._clock()

        def mark_failed(r: PayoutRecord) -> bool:
            if r.payout.status is not PayoutStatus.APPROVED:
                return False
            r.payout.mark_failed(pending.reason, at=at, provider_reference=pending.provider_reference)
            r.pending = None
            return True

        record, changed = await self._records.write(record, mark_failed)
        if changed:
            log.info("payout failed; funds released", extra=log_fields(record.payout))
        return record, changed

    async def _refund_reversal(
        self, record: PayoutRecord, amount_reversed: int, reason: str | None, reference: str | None
    ) -> tuple[PayoutRecord, bool]:
        """Refund a paid payout up to ``amount_reversed`` (cumulative): a pending refund is recorded, the new
        part credited once, then recorded; a figure at or below what was refunded changes nothing."""
        changed = False
        for _ in range(MAX_WRITE_ATTEMPTS):
            payout, pending = record.payout, record.pending
            if payout.status is PayoutStatus.FAILED:
                return record, changed
            if payout.status is not PayoutStatus.PAID:
                raise InvalidPayoutState(payout.status, PayoutStatus.FAILED)
            if pending is None:
                if amount_reversed <= payout.refunded_amount:
                    return record, changed
                planned = PendingFunds(HoldAction.REFUND, reason, reference, amount_reversed)

                def plan_refund(r: PayoutRecord, planned: PendingFunds = planned) -> bool:
                    if r.payout.status is not PayoutStatus.PAID or r.pending is not None:
                        return False
                    r.pending = planned
                    return True

                record, _ = await self._records.write(record, plan_refund)
                continue
            record, wrote = await self._finish_refund(record, pending)
            changed = changed or wrote
        raise busy()

    async def _finish_refund(self, record: PayoutRecord, pending: PendingFunds) -> tuple[PayoutRecord, bool]:
        payout = record.payout
        target = min(pending.amount_reversed or payout.net_amount, payout.net_amount)
        refund_id: str | None = None
        if target > payout.refunded_amount:
            refund_id = await self._wallet.refund(payout, target - payout.refunded_amount, target)
        at = self._clock()

        def mark_refunded(r: PayoutRecord) -> bool:
            if r.payout.status is not PayoutStatus.PAID or r.pending != pending:
                return False
            if refund_id is not None and target > r.payout.refunded_amount:
                r.payout.record_reversal(target, refund_id, pending.reason, at=at,
                                         provider_reference=pending.provider_reference)
            r.pending = None
            return True

        record, changed = await self._records.write(record, mark_refunded)
        if changed:
            log.warning("paid payout reversed by the provider; refunded", extra=log_fields(
                record.payout, refund_transaction_id=refund_id, refunded_amount=record.payout.refunded_amount))
        return record, changed
