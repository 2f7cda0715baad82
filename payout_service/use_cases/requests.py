"""Requesting a payout: validate it, record it, hold its funds, confirm it.

The record is inserted first, invisible (``hold_placed`` false); then the wallet hold keyed by the payout id
is placed; then the record is confirmed. A definite refusal (insufficient funds) withdraws the record: it is
marked for release (``pending`` void, its idempotency key freed) rather than deleted, so that a hold that a
concurrent retry under the same key placed meanwhile is found and released instead of stranded. A record
left unplaced by an unknown outcome is finished by reconciliation (``place_hold`` or ``discard``). A
withdrawn payout id is never placed again.

Before anything is stored, the ``screen`` (KYC) may refuse. The risk rules then decide whether the new
payout is ``held`` for review (``shared_destination``, ``recent_card_topup``; a wallet that cannot tell
about top-ups holds it too) and the daily count and amount are checked by the store atomically with the
insert (``LIMIT_EXCEEDED``, nothing held). A replay under an idempotency key is answered before any of it.

The wallet's answer to the hold says what tax it withholds (``Withholding``); the figures are stored with the
confirmation, so a payout is never shown without them, and a repeated hold call answers the same ones.
"""

from __future__ import annotations

import contextlib

from payout_service.domain.commands import RequestPayout, fingerprint
from payout_service.domain.limits import PayoutLimits
from payout_service.domain.model import HoldAction, PayoutRequest, Withholding
from payout_service.domain.ports import (
    DuplicateRequestKey,
    PayoutRecord,
    PayoutScreen,
    PendingFunds,
    VelocityExceeded,
    VelocityLimit,
    WalletPort,
)
from payout_service.domain.risk import (
    RECENT_CARD_TOPUP,
    RECENT_TOPUP_MESSAGE,
    SHARED_DESTINATION,
    SHARED_DESTINATION_MESSAGE,
    TOPUP_UNKNOWN_MESSAGE,
    VELOCITY_WINDOW,
    RiskRules,
    destination_fingerprint,
    recent_topup,
)
from payout_service.use_cases.shared import MAX_WRITE_ATTEMPTS, PayoutRecords, busy, log, log_fields, to_completion
from winzone_kernel.clock import Clock
from winzone_kernel.errors import (
    AlreadyExists,
    FailedPrecondition,
    IdempotencyConflict,
    Unavailable,
    WinzoneError,
)
from winzone_kernel.ids import new_id


def _withdrawn_meanwhile() -> Unavailable:
    return Unavailable("The payout request was withdrawn while its funds were held; try again",
                       code="PAYOUT_WITHDRAWN")


class PayoutRequests:
    """New payout requests and the hold behind each (see the module docstring)."""

    def __init__(
        self,
        records: PayoutRecords,
        wallet: WalletPort,
        *,
        limits: PayoutLimits,
        clock: Clock,
        screen: PayoutScreen | None = None,
        risk: RiskRules | None = None,
    ) -> None:
        self._records = records
        self._wallet = wallet
        self._limits = limits
        self._clock = clock
        self._screen = screen
        self._risk = risk or RiskRules()

    async def create(self, command: RequestPayout) -> tuple[PayoutRequest, bool]:
        """Screen, record and hold a new payout request; returns it and whether it is an idempotent replay."""
        at = self._clock()
        payout = PayoutRequest.create(
            payout_id=new_id("payout"), user_id=command.user_id, amount_minor=command.amount_minor,
            currency=command.currency, method=command.method, at=at, limits=self._limits,
        )
        key = command.request_key
        asked = fingerprint(payout)
        if key is not None:
            existing = await self._records.find_by_key(command.user_id, key)
            if existing is not None:
                return await self._replay(existing, asked), True
        if self._screen is not None:
            await self._screen.check(command.user_id, command.method)
        risk = self._risk
        destination = (None if risk.destination_key is None
                       else destination_fingerprint(command.method, risk.destination_key))
        payout = PayoutRequest.create(
            payout_id=payout.id, user_id=command.user_id, amount_minor=command.amount_minor,
            currency=command.currency, method=command.method, at=at, limits=self._limits,
            dual_approval_threshold=risk.dual_approval_threshold,
            review_reasons=await self._review_reasons(payout, destination),
        )
        record = PayoutRecord(payout, asked, key, destination=destination)
        velocity = None
        if risk.daily_count or risk.daily_amount:
            velocity = VelocityLimit(at - VELOCITY_WINDOW, risk.daily_count, risk.daily_amount)
        for _ in range(MAX_WRITE_ATTEMPTS):
            if key is not None:
                existing = await self._records.find_by_key(command.user_id, key)
                if existing is not None:
                    return await self._replay(existing, record.fingerprint), True
            try:
                await self._records.insert(record, velocity)
            except DuplicateRequestKey:
                continue
            except VelocityExceeded:
                log.info("payout request over the daily limits", extra=log_fields(payout))
                raise
            log.info("payout requested", extra=log_fields(payout))
            placed = await self.place_hold(record)
            return placed.payout, False
        raise Unavailable("The payout request is being created concurrently; try again", code="PAYOUT_BUSY")

    async def _review_reasons(self, payout: PayoutRequest, destination: str | None) -> list[tuple[str, str]]:
        """The risk rules that hold ``payout`` for review, as ``(rule, message)``."""
        reasons: list[tuple[str, str]] = []
        risk = self._risk
        if (risk.hold_shared_destination and destination is not None
                and await self._records.shares_destination(destination, payout.user_id)):
            reasons.append((SHARED_DESTINATION, SHARED_DESTINATION_MESSAGE))
        if risk.cooldown_after_topup_seconds > 0:
            try:
                latest = await self._wallet.latest_topup_at(payout.user_id, payout.currency)
            except WinzoneError as exc:
                log.warning("latest top-up unknown; payout held", extra=log_fields(payout, code=exc.code))
                reasons.append((RECENT_CARD_TOPUP, TOPUP_UNKNOWN_MESSAGE))
            else:
                if recent_topup(latest, payout.created_at, risk.cooldown_after_topup_seconds):
                    reasons.append((RECENT_CARD_TOPUP, RECENT_TOPUP_MESSAGE))
        return reasons

    async def _replay(self, record: PayoutRecord, asked: str) -> PayoutRequest:
        if record.fingerprint != asked:
            raise IdempotencyConflict("This idempotency key was already used for a different payout request")
        if not record.hold_placed:
            record = await self.place_hold(record)
        return record.payout

    async def place_hold(self, record: PayoutRecord) -> PayoutRecord:
        """Hold the funds of an unplaced record and confirm it; a definite refusal withdraws the record."""
        try:
            withheld = await self._wallet.hold(record.payout)
        except Unavailable:
            raise
        except AlreadyExists as exc:
            # A hold under this payout id exists but not as we ask for it: never drop the record that
            # accounts for it. Reconciliation retries (and withdraws it if the client holds no key).
            log.error("wallet refused the payout hold as a conflicting duplicate",
                      extra=log_fields(record.payout, code=exc.code))
            raise Unavailable("The payout request could not be completed; try again",
                              code="PAYOUT_HOLD_CONFLICT") from None
        except WinzoneError as exc:
            placed = await self._withdraw(record)
            if placed is not None:
                return placed
            log.info("payout request refused by the wallet", extra=log_fields(record.payout, code=exc.code))
            raise
        return await self._confirm_hold(record, withheld)

    async def _confirm_hold(self, record: PayoutRecord, withheld: Withholding) -> PayoutRecord:
        """Mark the hold the wallet just placed, with the tax it withholds; if the record was withdrawn or
        deleted meanwhile, release it."""
        for _ in range(MAX_WRITE_ATTEMPTS):
            if record.hold_placed:
                return record
            if record.withdrawn:
                await self._release_hold(record.payout.id)
                raise _withdrawn_meanwhile()
            expected = record.payout.version
            record.payout.withhold(withheld)
            record.hold_placed = True
            if await self._records.save(record, expected):
                return record
            fresh = await self._records.get(record.payout.id)
            if fresh is None:
                await to_completion(self._release_orphan(record))
                raise _withdrawn_meanwhile()
            record = fresh
        raise busy("payout request")

    async def _withdraw(self, record: PayoutRecord) -> PayoutRecord | None:
        """Mark an unplaced record withdrawn (its key freed); returns it instead if a concurrent call placed it."""
        for _ in range(MAX_WRITE_ATTEMPTS):
            if record.hold_placed:
                return record
            if record.withdrawn:
                return None
            expected = record.payout.version
            record.pending, record.request_key = PendingFunds(HoldAction.VOID), None
            if await self._records.save(record, expected):
                return None
            fresh = await self._records.get(record.payout.id)
            if fresh is None:
                return None
            record = fresh
        raise busy("payout request")

    async def discard(self, record: PayoutRecord) -> PayoutRecord | None:
        """Withdraw an unplaced record, release whatever hold its id has, then delete it; returns the record
        instead if a concurrent call placed it."""
        placed = await self._withdraw(record)
        if placed is not None:
            return placed
        await self._release_hold(record.payout.id)
        await self._records.delete_unplaced(record.payout.id)
        log.info("unplaced payout request withdrawn; any hold released", extra=log_fields(record.payout))
        return None

    async def _release_hold(self, payout_id: str) -> None:
        """Void the hold under ``payout_id``. The wallet answers a hold id it never saw with a tombstone (a
        ``voided`` hold), so that a create still on its way is refused when it lands; only that answer lets
        the record go. ``NotFound`` (a wallet that keeps no tombstone) is no release: the record is kept and
        retried. A hold no longer open is fine too."""
        with contextlib.suppress(FailedPrecondition):
            await self._wallet.void(payout_id)

    async def _release_orphan(self, record: PayoutRecord) -> None:
        """Our hold landed after the record was deleted: release it, or leave a withdrawn record that says so."""
        try:
            await self._release_hold(record.payout.id)
            return
        except WinzoneError as exc:
            log.warning("hold of a deleted payout request not released yet; recorded for reconciliation",
                        extra=log_fields(record.payout, code=exc.code))
        orphan = PayoutRecord(record.payout, record.fingerprint, None, False, PendingFunds(HoldAction.VOID),
                              record.destination)
        await self._records.insert(orphan)
