"""The payout workflow: request (hold funds), approve (send money), reject, provider results and recovery.

Every step persists its decision before it acts and every action is idempotent, so a step interrupted by a
crash, a timeout or a concurrent caller is finished, never repeated:

- create: the record is inserted (invisible, ``hold_placed`` false), the wallet hold keyed by the payout id
  is placed, then the record is confirmed. A definite refusal (insufficient funds) withdraws the record:
  it is marked for release (``pending`` void, its idempotency key freed) rather than deleted, so that a
  hold a concurrent retry under the same key placed meanwhile is found and released instead of stranded.
  A record left unplaced by an unknown outcome is finished by reconciliation: placed when the client holds
  an idempotency key to fetch it with, else withdrawn (the client was told the request failed, and cannot
  tell a late payout from its own retry). A withdrawn payout id is never placed again.
- approve: ``requested → approved`` is a compare-and-set, so of concurrent approvals and rejections exactly
  one wins before the provider is called; then the payment gateway sends the money with the payout id as
  the provider idempotency key. Paid: capture, then ``paid``. Failed: void, then ``failed``. Unknown or
  pending: the payout stays ``approved`` until a provider result or reconciliation settles it. Once
  approved, the send and its settlement run to the end even if the caller goes away.
- reject: ``requested → rejected`` is recorded together with a pending ``void``, then the hold is voided.
- a paid payout the provider reverses: a pending ``refund`` is recorded, the wallet credits the refund
  once, then ``failed``.
- reconcile: finishes every record that still ``needs_attention``, page by page, so that payouts the
  provider keeps pending cannot starve newer ones.

Store calls run in worker threads; the wallet and the gateway are reached through their ports.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final, TypeVar

from payout_service.domain.limits import DEFAULT_PAYOUT_LIMITS, PayoutLimits
from payout_service.domain.methods import InvalidPayoutMethod, mask_for_log, parse_payout_method
from payout_service.domain.state import (
    NOTE_MAX_LENGTH,
    PROVIDER_REFERENCE_MAX_LENGTH,
    HoldAction,
    InvalidPayoutState,
    PayoutRequest,
    PayoutStatus,
)
from payout_service.instants import utc_now
from payout_service.ports import (
    AttentionCursor,
    DuplicateRequestKey,
    PaymentsPort,
    PayoutRecord,
    PayoutStore,
    PendingFunds,
    ProviderOutcome,
    ProviderStatus,
    WalletPort,
)
from winzone_kernel.errors import (
    AlreadyExists,
    FailedPrecondition,
    IdempotencyConflict,
    InvalidArgument,
    NotFound,
    Unavailable,
    WinzoneError,
)
from winzone_kernel.ids import new_id
from winzone_kernel.money import DEFAULT_CURRENCY

T = TypeVar("T")
log = logging.getLogger("winzone.payouts")

ID_PATTERN: Final = re.compile(r"[A-Za-z0-9_.@-]{1,128}")
MAX_METHOD_JSON: Final = 8 * 1024
MAX_PAGE_SIZE: Final = 100
MAX_WRITE_ATTEMPTS: Final = 8
RECONCILE_BATCH: Final = 500
REFUSED_REASON: Final = "The payment provider refused the payout"
DEFINITE_REFUSALS: Final = frozenset({
    "INVALID_PAYOUT_DESTINATION", "INVALID_PAYOUT_METHOD", "INVALID_REFERENCE", "INVALID_AMOUNT",
    "INVALID_CURRENCY", "PROVIDER_REJECTED", "VALIDATION_ERROR",
})
"""Codes with which the payment gateway refuses a payout before any money can have moved; any other refusal
leaves the payout ``approved`` for reconciliation rather than releasing funds that may have left."""


@dataclass(frozen=True, slots=True)
class PayoutPage:
    """One page of payout requests, newest first."""

    items: list[PayoutRequest]
    total: int
    page: int
    limit: int


@dataclass(slots=True)
class ReconcileReport:
    """What one reconciliation run did."""

    examined: int = 0
    settled: int = 0
    pending: int = 0
    errors: int = 0


def _check_id(value: object, what: str) -> str:
    if not isinstance(value, str) or ID_PATTERN.fullmatch(value) is None:
        raise InvalidArgument(f"{what} must be 1-128 characters of letters, digits, '_', '.', '@' or '-'")
    return value


def _check_request_key(value: str) -> str:
    if not 1 <= len(value) <= 200 or not value.isprintable():
        raise InvalidArgument("Idempotency key must be 1-200 printable characters", code="INVALID_IDEMPOTENCY_KEY")
    return value


def _decode_method(method_json: str) -> object:
    if not method_json:
        return None
    if len(method_json) > MAX_METHOD_JSON:
        raise InvalidPayoutMethod("Payout method is too large", field="method")
    try:
        return json.loads(method_json)
    except (ValueError, RecursionError):
        raise InvalidPayoutMethod("Payout method must be a JSON object", field="method") from None


def _fingerprint(payout: PayoutRequest) -> str:
    raw = json.dumps([payout.amount_minor, payout.currency, payout.method.to_json()], sort_keys=True,
                     separators=(",", ":"))
    return hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()


def _log_fields(payout: PayoutRequest, **extra: Any) -> dict[str, Any]:
    return {"fields": {"payout_id": payout.id, "user_id": payout.user_id, "amount": payout.amount_minor,
                       "currency": payout.currency, "method": mask_for_log(payout.method),
                       "status": payout.status.value, **extra}}


async def _to_completion(step: Awaitable[T]) -> T:
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


def provider_outcome(status: str, reference: str | None, reason: str | None) -> ProviderOutcome:
    """Validate a provider result reported from outside (a webhook forwarded by the payment gateway)."""
    try:
        parsed = ProviderStatus(status)
    except ValueError:
        raise InvalidArgument("status must be paid, failed or pending", code="INVALID_PROVIDER_STATUS") from None
    if reference is not None and len(reference) > PROVIDER_REFERENCE_MAX_LENGTH:
        raise InvalidArgument("provider_reference is too long", code="INVALID_PROVIDER_REFERENCE")
    return ProviderOutcome(parsed, reference or None, reason[:NOTE_MAX_LENGTH] if reason else None)


class PayoutService:
    """Use cases of payout requests (see the module docstring)."""

    def __init__(
        self,
        store: PayoutStore,
        wallet: WalletPort,
        payments: PaymentsPort,
        *,
        limits: PayoutLimits = DEFAULT_PAYOUT_LIMITS,
        after_provider_call: Callable[[], None] | None = None,
        clock: Callable[[], datetime] = utc_now,
        reconcile_batch: int = RECONCILE_BATCH,
    ) -> None:
        self._store = store
        self._wallet = wallet
        self._payments = payments
        self._limits = limits
        self._after_provider_call = after_provider_call or (lambda: None)
        self._clock = clock
        self._reconcile_batch = max(reconcile_batch, 1)
        self._reconcile_lock = asyncio.Lock()

    async def _db(self, call: Callable[..., T], *args: Any) -> T:
        return await asyncio.to_thread(call, *args)

    async def create(
        self, *, user_id: str, amount_minor: int, currency: str, method_json: str, idempotency_key: str = ""
    ) -> tuple[PayoutRequest, bool]:
        """Validate and hold a new payout request; returns it and whether it is an idempotent replay."""
        user = _check_id(user_id, "user_id")
        key = _check_request_key(idempotency_key) if idempotency_key else None
        method = parse_payout_method(_decode_method(method_json))
        payout = PayoutRequest.create(
            payout_id=new_id("payout"), user_id=user, amount_minor=amount_minor,
            currency=currency or DEFAULT_CURRENCY, method=method, at=self._clock(), limits=self._limits,
        )
        record = PayoutRecord(payout, _fingerprint(payout), key)
        for _ in range(MAX_WRITE_ATTEMPTS):
            if key is not None:
                existing = await self._db(self._store.find_by_key, user, key)
                if existing is not None:
                    return await self._replay(existing, record.fingerprint), True
            try:
                await self._db(self._store.insert, record)
            except DuplicateRequestKey:
                continue
            log.info("payout requested", extra=_log_fields(payout))
            placed = await self._place_hold(record)
            return placed.payout, False
        raise Unavailable("The payout request is being created concurrently; try again", code="PAYOUT_BUSY")

    async def _replay(self, record: PayoutRecord, fingerprint: str) -> PayoutRequest:
        if record.fingerprint != fingerprint:
            raise IdempotencyConflict("This idempotency key was already used for a different payout request")
        if not record.hold_placed:
            record = await self._place_hold(record)
        return record.payout

    async def _place_hold(self, record: PayoutRecord) -> PayoutRecord:
        """Hold the funds of an unplaced record and confirm it; a definite refusal withdraws the record."""
        try:
            await self._wallet.hold(record.payout)
        except Unavailable:
            raise
        except AlreadyExists as exc:
            # A hold under this payout id exists but not as we ask for it: never drop the record that
            # accounts for it. Reconciliation retries (and withdraws it if the client holds no key).
            log.error("wallet refused the payout hold as a conflicting duplicate",
                      extra=_log_fields(record.payout, code=exc.code))
            raise Unavailable("The payout request could not be completed; try again",
                              code="PAYOUT_HOLD_CONFLICT") from None
        except WinzoneError as exc:
            placed = await self._withdraw(record)
            if placed is not None:
                return placed
            log.info("payout request refused by the wallet", extra=_log_fields(record.payout, code=exc.code))
            raise
        return await self._confirm_hold(record)

    async def _confirm_hold(self, record: PayoutRecord) -> PayoutRecord:
        """Mark the hold the wallet just placed; if the record was withdrawn or deleted meanwhile, release it."""
        for _ in range(MAX_WRITE_ATTEMPTS):
            if record.hold_placed:
                return record
            if record.withdrawn:
                await self._release_hold(record.payout.id)
                raise Unavailable("The payout request was withdrawn while its funds were held; try again",
                                  code="PAYOUT_WITHDRAWN")
            expected = record.payout.version
            record.hold_placed = True
            if await self._db(self._store.save, record, expected):
                return record
            fresh = await self._db(self._store.get, record.payout.id)
            if fresh is None:
                await _to_completion(self._release_orphan(record))
                raise Unavailable("The payout request was withdrawn while its funds were held; try again",
                                  code="PAYOUT_WITHDRAWN")
            record = fresh
        raise Unavailable("The payout request is being changed concurrently; try again", code="PAYOUT_BUSY")

    async def _withdraw(self, record: PayoutRecord) -> PayoutRecord | None:
        """Mark an unplaced record withdrawn (its key freed); returns it instead if a concurrent call placed it."""
        for _ in range(MAX_WRITE_ATTEMPTS):
            if record.hold_placed:
                return record
            if record.withdrawn:
                return None
            expected = record.payout.version
            record.pending, record.request_key = PendingFunds(HoldAction.VOID), None
            if await self._db(self._store.save, record, expected):
                return None
            fresh = await self._db(self._store.get, record.payout.id)
            if fresh is None:
                return None
            record = fresh
        raise Unavailable("The payout request is being changed concurrently; try again", code="PAYOUT_BUSY")

    async def _discard(self, record: PayoutRecord) -> PayoutRecord | None:
        """Withdraw an unplaced record, release whatever hold its id has, then delete it."""
        placed = await self._withdraw(record)
        if placed is not None:
            return placed
        await self._release_hold(record.payout.id)
        await self._db(self._store.delete_unplaced, record.payout.id)
        log.info("unplaced payout request withdrawn; any hold released", extra=_log_fields(record.payout))
        return None

    async def _release_hold(self, payout_id: str) -> None:
        """Void the hold under ``payout_id``; none (never placed) or none open any more is fine too."""
        with contextlib.suppress(NotFound, FailedPrecondition):
            await self._wallet.void(payout_id)

    async def _release_orphan(self, record: PayoutRecord) -> None:
        """Our hold landed after the record was deleted: release it, or leave a withdrawn record that says so."""
        try:
            await self._release_hold(record.payout.id)
            return
        except WinzoneError as exc:
            log.warning("hold of a deleted payout request not released yet; recorded for reconciliation",
                        extra=_log_fields(record.payout, code=exc.code))
        orphan = PayoutRecord(record.payout, record.fingerprint, None, False, PendingFunds(HoldAction.VOID))
        await self._db(self._store.insert, orphan)

    async def _load(self, payout_id: str, user_id: str | None = None) -> PayoutRecord:
        if ID_PATTERN.fullmatch(payout_id) is None:
            raise NotFound("Payout request not found", code="PAYOUT_NOT_FOUND")
        record = await self._db(self._store.get, payout_id)
        if record is None or not record.hold_placed or (user_id and record.payout.user_id != user_id):
            raise NotFound("Payout request not found", code="PAYOUT_NOT_FOUND")
        return record

    async def _write(
        self, record: PayoutRecord, change: Callable[[PayoutRecord], bool]
    ) -> tuple[PayoutRecord, bool]:
        """Apply ``change`` (False: nothing to do) and compare-and-set it, reloading and reapplying on a race."""
        for _ in range(MAX_WRITE_ATTEMPTS):
            expected = record.payout.version
            if not change(record):
                return record, False
            if await self._db(self._store.save, record, expected):
                return record, True
            record = await self._load(record.payout.id)
        raise Unavailable("The payout is being changed concurrently; try again", code="PAYOUT_BUSY")

    async def get(self, payout_id: str, user_id: str | None = None) -> PayoutRequest:
        """One payout request; with ``user_id``, another user's payout is ``NotFound``."""
        return (await self._load(payout_id, user_id or None)).payout

    async def list(self, *, user_id: str | None, status: str | None, page: int, limit: int) -> PayoutPage:
        """Payout requests of one user or of everyone, newest first."""
        if user_id:
            _check_id(user_id, "user_id")
        try:
            wanted = PayoutStatus(status) if status else None
        except ValueError:
            choices = ", ".join(s.value for s in PayoutStatus)
            raise InvalidArgument(f"status must be one of {choices}", code="INVALID_STATUS") from None
        page, limit = page or 1, limit or 20
        if page < 1 or not 1 <= limit <= MAX_PAGE_SIZE:
            raise InvalidArgument(f"page must be >= 1 and limit between 1 and {MAX_PAGE_SIZE}", code="INVALID_PAGE")
        found = await self._db(
            lambda: self._store.list(user_id=user_id or None, status=wanted, page=page, limit=limit)
        )
        return PayoutPage([r.payout for r in found.items], found.total, page, limit)

    async def approve(self, payout_id: str, admin_id: str, note: str | None) -> PayoutRequest:
        """``requested → approved`` (compare-and-set), then send the money and settle from the answer."""
        record = await self._load(payout_id)
        at = self._clock()

        def approve(r: PayoutRecord) -> bool:
            r.payout.approve(admin_id, note, at=at)
            return True

        record, _ = await self._write(record, approve)
        log.info("payout approved", extra=_log_fields(record.payout, admin_id=admin_id))
        return (await _to_completion(self._send(record))).payout

    async def reject(self, payout_id: str, admin_id: str, reason: str | None) -> PayoutRequest:
        """``requested → rejected`` with a reason, then release the hold."""
        record = await self._load(payout_id)
        at = self._clock()

        def reject(r: PayoutRecord) -> bool:
            r.payout.reject(admin_id, reason, at=at)
            r.pending = PendingFunds(HoldAction.VOID)
            return True

        record, _ = await self._write(record, reject)
        log.info("payout rejected", extra=_log_fields(record.payout, admin_id=admin_id))
        return (await self._finish_safely(record, self._finish_pending)).payout

    async def record_provider_result(
        self, payout_id: str, outcome: ProviderOutcome, event_id: str = ""
    ) -> tuple[PayoutRequest, bool]:
        """Apply a provider's result once; returns the payout and whether anything changed."""
        record = await self._load(payout_id)
        log.info("provider result received", extra=_log_fields(
            record.payout, provider_status=outcome.status.value, event_id=event_id[:100]))
        if outcome.status is ProviderStatus.PAID:
            record, changed = await self._settle_paid(record, outcome.provider_reference)
        elif outcome.status is ProviderStatus.FAILED:
            record, changed = await self._settle_failed(record, outcome.failure_reason, outcome.provider_reference)
        else:
            changed = False
        return record.payout, changed

    async def reconcile(self, min_age_seconds: int = 0) -> ReconcileReport:
        """Finish every payout that needs attention and was last touched ``min_age_seconds`` ago or earlier."""
        async with self._reconcile_lock:
            cutoff = self._clock() - timedelta(seconds=max(min_age_seconds, 0))
            report = ReconcileReport()
            after: AttentionCursor | None = None
            while True:
                records = await self._db(self._store.needing_attention, cutoff, self._reconcile_batch, after)
                for record in records:
                    await self._reconcile_one(record, report)
                if len(records) < self._reconcile_batch:
                    break
                after = (records[-1].payout.updated_at, records[-1].payout.id)
            if report.examined:
                log.info("payouts reconciled", extra={"fields": {
                    "examined": report.examined, "settled": report.settled, "pending": report.pending,
                    "errors": report.errors}})
            return report

    async def _reconcile_one(self, record: PayoutRecord, report: ReconcileReport) -> None:
        report.examined += 1
        try:
            resumed = await self._resume(record)
        except WinzoneError as exc:
            report.errors += 1
            log.warning("payout not reconciled yet", extra=_log_fields(record.payout, code=exc.code))
            return
        except Exception:
            report.errors += 1
            log.exception("payout reconciliation failed", extra=_log_fields(record.payout))
            return
        if resumed is not None and resumed.needs_attention:
            report.pending += 1
        else:
            report.settled += 1

    async def _resume(self, record: PayoutRecord) -> PayoutRecord | None:
        if not record.hold_placed:
            if record.withdrawn or record.request_key is None:
                return await self._discard(record)
            try:
                return await self._place_hold(record)
            except Unavailable:
                raise
            except WinzoneError:
                return await self._discard(record)
        if record.pending is not None:
            return await self._finish_pending(record)
        if record.payout.status is PayoutStatus.APPROVED:
            outcome = await self._payments.get_payout(record.payout.id)
            if outcome is None:
                return await self._send(record)
            return await self._apply(record, outcome)
        return record

    async def _send(self, record: PayoutRecord) -> PayoutRecord:
        try:
            outcome = await self._payments.send_payout(record.payout)
        except InvalidArgument as exc:
            if exc.code not in DEFINITE_REFUSALS:
                log.warning("payment gateway refused the payout for an unknown reason; left for reconciliation",
                            extra=_log_fields(record.payout, code=exc.code))
                return record
            log.warning("payment gateway refused the payout", extra=_log_fields(record.payout, code=exc.code))
            outcome = ProviderOutcome(ProviderStatus.FAILED, None, REFUSED_REASON)
        except WinzoneError as exc:
            log.warning("payout outcome unknown; left for reconciliation",
                        extra=_log_fields(record.payout, code=exc.code))
            return record
        self._after_provider_call()
        log.info("payout sent", extra=_log_fields(record.payout, provider_status=outcome.status.value))
        return await self._finish_safely(record, lambda r: self._apply(r, outcome))

    async def _finish_safely(
        self, record: PayoutRecord, step: Callable[[PayoutRecord], Awaitable[PayoutRecord]]
    ) -> PayoutRecord:
        """Run a follow-up step whose decision is already persisted; on failure, leave it to reconciliation."""
        try:
            return await step(record)
        except WinzoneError as exc:
            log.warning("payout step left for reconciliation", extra=_log_fields(record.payout, code=exc.code))
            return await self._load(record.payout.id)

    async def _apply(self, record: PayoutRecord, outcome: ProviderOutcome) -> PayoutRecord:
        if outcome.status is ProviderStatus.PAID:
            record, _ = await self._settle_paid(record, outcome.provider_reference)
        elif outcome.status is ProviderStatus.FAILED:
            record, _ = await self._settle_failed(record, outcome.failure_reason, outcome.provider_reference)
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
                fresh = await self._load(record.payout.id)
                if fresh.payout.status is PayoutStatus.APPROVED:
                    log.error("hold of an approved payout is not open", extra=_log_fields(fresh.payout))
                    raise
                record = fresh
                continue
            return await self._record_paid(record, transaction_id, reference)
        raise Unavailable("The payout is being changed concurrently; try again", code="PAYOUT_BUSY")

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

        record, changed = await self._write(record, mark_paid)
        if changed:
            log.info("payout paid", extra=_log_fields(record.payout, transaction_id=transaction_id))
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
        raise Unavailable("The payout is being changed concurrently; try again", code="PAYOUT_BUSY")

    async def _fail_approved(
        self, record: PayoutRecord, reason: str | None, reference: str | None
    ) -> tuple[PayoutRecord, bool]:
        try:
            await self._wallet.void(record.payout.id)
        except FailedPrecondition:
            fresh = await self._load(record.payout.id)
            if fresh.payout.status is not PayoutStatus.APPROVED:
                return fresh, False
            # Still approved, yet the hold is not open: only our capture closes it other than our void (which
            # would have replayed), so a capture went through whose ``paid`` was never recorded (a crash, or
            # a settler still on its way). Record it now; the caller then refunds the reversal.
            transaction_id = await self._wallet.capture(record.payout.id)
            log.warning("hold of an approved payout was already captured; recording it as paid",
                        extra=_log_fields(fresh.payout))
            return await self._record_paid(fresh, transaction_id, reference)
        at = self._clock()

        def mark_failed(r: PayoutRecord) -> bool:
            if r.payout.status is not PayoutStatus.APPROVED:
                return False
            r.payout.mark_failed(reason, at=at, provider_reference=reference)
            return True

        record, changed = await self._write(record, mark_failed)
        if changed:
            log.info("payout failed; funds released", extra=_log_fields(record.payout))
        return record, changed

    async def _refund_paid(
        self, record: PayoutRecord, reason: str | None, reference: str | None
    ) -> tuple[PayoutRecord, bool]:
        def plan_refund(r: PayoutRecord) -> bool:
            if r.payout.status is not PayoutStatus.PAID or r.pending is not None:
                return False
            r.pending = PendingFunds(HoldAction.REFUND, reason, reference)
            return True

        record, _ = await self._write(record, plan_refund)
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

        record, changed = await self._write(record, mark_refunded)
        if changed:
            log.warning("paid payout reversed by the provider; refunded", extra=_log_fields(
                record.payout, refund_transaction_id=refund_id))
        return record, changed

    async def _finish_pending(self, record: PayoutRecord) -> PayoutRecord:
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

        record, _ = await self._write(record, clear)
        log.info("payout hold released", extra=_log_fields(record.payout))
        return record
