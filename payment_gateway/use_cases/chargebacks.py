"""Card refunds and disputes of a top-up: take the money back from the wallet, exactly once each.

A charge's events find their top-up session by the provider's payment (``payment_intent``, recorded when the
checkout was paid). Every wallet call is keyed by what the provider reported, so a redelivered, repeated or
reordered event replays instead of moving money again:

* ``charge.refunded``: each refund of the charge is recovered once, keyed by the charge and its cumulative
  refunded amount after that refund (``refund_key``); the wallet takes what is available and books the rest as
  the user's receivable.
* ``charge.dispute.created``: the disputed amount is held, as much as is available (``dispute_<disputeId>``);
  when nothing is available nothing is held, and the wallet remembers that refusal under the key.
* ``charge.dispute.closed``: ``lost`` captures the hold to the provider's clearing account and recovers the
  rest of the disputed amount; any other outcome releases the hold. A close that comes before its create
  leaves the hold id voided, so the late create holds nothing.

Every wallet leg carries ``sessionId`` and ``chargeId`` (and ``disputeId``) in its metadata for the
cross-service audit. A session paid but not yet credited is credited first, so what is taken back was given.
"""

from __future__ import annotations

import asyncio
import logging

from payment_gateway.domain.events import CHARGE_REFUNDED, DISPUTE_CLOSED, DISPUTE_CREATED, WebhookEvent
from payment_gateway.domain.model import (
    PAYABLE,
    TopUpSession,
    TopUpStatus,
    WebhookOutcome,
    clearing_account,
    dispute_hold_id,
    dispute_keys,
    refund_key,
)
from payment_gateway.domain.ports import PaymentProvider, TopUpStore, Wallet
from payment_gateway.domain.provider import SessionStatus
from payment_gateway.domain.references import is_reference
from payment_gateway.domain.wallet import DisputeHold, Recovery
from payment_gateway.use_cases.topups import TopUps
from winzone_kernel.clock import Clock, format_utc, utc_now
from winzone_kernel.errors import FailedPrecondition, NotFound, Unavailable, WinzoneError
from winzone_kernel.money import currency_of

log = logging.getLogger("winzone.payments")

LOST = "lost"


class Chargebacks:
    """Applies a verified refund or dispute event of a top-up's charge to the user's wallet."""

    def __init__(self, *, store: TopUpStore, provider: PaymentProvider, topups: TopUps, wallet: Wallet,
                 clock: Clock = utc_now) -> None:
        self._store = store
        self._provider = provider
        self._topups = topups
        self._wallet = wallet
        self._clock = clock

    async def apply(self, event: WebhookEvent) -> tuple[WebhookOutcome, TopUpSession | None]:
        """Take back what the event says the provider took back (``APPLIED``), or nothing: ``IGNORED`` for a
        charge of no top-up of ours, ``MISMATCH`` for amounts the session cannot have. ``Unavailable`` when
        the wallet cannot take it now (the provider redelivers)."""
        session = await self._session_for(event)
        if session is None:
            return WebhookOutcome.IGNORED, None
        if not self._plausible(session, event):
            log.error("ALERT: refund or dispute amounts do not fit the top-up; nothing taken back", extra={
                "fields": {"alert": "chargeback_mismatch", "event_id": event.event_id, "type": event.type,
                           "session_id": session.id, "session_amount": session.amount,
                           "reported_amount": event.amount_minor, "reported_currency": event.currency}})
            return WebhookOutcome.MISMATCH, session
        session = await self._credited(session, event)
        if session.status is not TopUpStatus.CREDITED:
            log.error("ALERT: refund or dispute of a top-up that was never credited; nothing taken back", extra={
                "fields": {"alert": "chargeback_uncredited", "event_id": event.event_id, "session_id": session.id,
                           "status": session.status.value}})
            return WebhookOutcome.IGNORED, session
        try:
            if event.type == CHARGE_REFUNDED:
                await self._refund(session, event)
            elif event.type == DISPUTE_CREATED:
                await self._hold(session, event)
            elif event.type == DISPUTE_CLOSED:
                await self._close(session, event)
        except Unavailable:
            raise
        except WinzoneError as exc:
            log.error("ALERT: the wallet refused to take back a refund or dispute", extra={"fields": {
                "alert": "chargeback_refused", "event_id": event.event_id, "type": event.type,
                "session_id": session.id, "error": exc.code}})
            return WebhookOutcome.IGNORED, session
        return WebhookOutcome.APPLIED, session

    async def _session_for(self, event: WebhookEvent) -> TopUpSession | None:
        provider = self._provider.name
        session = None
        if event.payment_intent:
            session = await asyncio.to_thread(self._store.find_by_payment_intent, provider, event.payment_intent)
        ours = event.client_reference_id if is_reference(event.client_reference_id) else None
        if session is None and ours:
            found = await asyncio.to_thread(self._store.get_session, ours)
            if found is not None and found.provider == provider and event.payment_intent and (
                    found.payment_intent in (None, event.payment_intent)):
                session = await asyncio.to_thread(self._store.attach_payment_intent, found.id,
                                                  event.payment_intent, format_utc(self._clock()))
                session = session if session.payment_intent == event.payment_intent else None
        if session is None:
            log.info("refund or dispute of a charge that is no top-up of ours", extra={"fields": {
                "event_id": event.event_id, "type": event.type, "charge_id": event.charge_id}})
        return session

    @staticmethod
    def _plausible(session: TopUpSession, event: WebhookEvent) -> bool:
        if event.currency is None or currency_of(session.currency).code != event.currency:
            return False
        if event.type == CHARGE_REFUNDED:
            total = event.refund_steps[-1].cumulative if event.refund_steps else 0
            return event.amount_minor == session.amount and total <= session.amount and bool(event.charge_id)
        return (event.amount_minor is not None and 0 < event.amount_minor <= session.amount
                and bool(event.dispute_id))

    async def _credited(self, session: TopUpSession, event: WebhookEvent) -> TopUpSession:
        """The session, credited first when the provider's charge was never credited (a refunded or disputed
        charge was paid)."""
        if session.status is TopUpStatus.PAID:
            session, _ = await self._topups.apply_status(session, SessionStatus.PAID, session.amount,
                                                         session.currency, origin=event.type)
        elif session.status in PAYABLE and session.provider_ref:
            found = await asyncio.to_thread(self._provider.retrieve_checkout, session.provider_ref)
            session, _ = await self._topups.apply_status(session, found.status, found.amount_minor, found.currency,
                                                         origin=event.type, payment_intent=found.payment_intent)
        return session

    def _metadata(self, session: TopUpSession, event: WebhookEvent) -> dict[str, str]:
        metadata = {"sessionId": session.id, "chargeId": event.charge_id or "", "provider": session.provider,
                    "eventType": event.type}
        if event.dispute_id:
            metadata["disputeId"] = event.dispute_id
        return metadata

    def _recovery(self, session: TopUpSession, event: WebhookEvent, key: str, amount: int,
                  description: str) -> Recovery:
        return Recovery(key=key, user_id=session.user_id, amount=amount, currency=session.currency,
                        counter_account=clearing_account(session.provider), source=session.provider,
                        description=description, metadata=self._metadata(session, event))

    async def _refund(self, session: TopUpSession, event: WebhookEvent) -> None:
        charge_id = event.charge_id or ""
        for step in event.refund_steps:
            done = await self._wallet.recover(self._recovery(
                session, event, refund_key(charge_id, step.cumulative), step.amount, "Card refund of a top-up"))
            log.info("card refund taken back", extra={"fields": {
                "session_id": session.id, "charge_id": charge_id, "amount": step.amount,
                "refunded_total": step.cumulative, "recovered": done.recovered, "shortfall": done.shortfall}})

    async def _hold(self, session: TopUpSession, event: WebhookEvent) -> None:
        dispute_id, amount = event.dispute_id or "", event.amount_minor or 0
        hold_id = dispute_hold_id(dispute_id)
        try:
            held = await self._wallet.hold_up_to(DisputeHold(
                hold_id=hold_id, key=hold_id, user_id=session.user_id, amount=amount, currency=session.currency,
                source=session.provider, description="Disputed card payment of a top-up",
                metadata=self._metadata(session, event)))
        except FailedPrecondition as exc:
            held = 0
            log.warning("dispute opened but nothing could be held", extra={"fields": {
                "session_id": session.id, "dispute_id": dispute_id, "reason": exc.code}})
        log.info("dispute opened", extra={"fields": {"session_id": session.id, "dispute_id": dispute_id,
                                                     "disputed": amount, "held": held}})

    async def _close(self, session: TopUpSession, event: WebhookEvent) -> None:
        dispute_id, amount = event.dispute_id or "", event.amount_minor or 0
        hold_id, keys = dispute_hold_id(dispute_id), dispute_keys(dispute_id)
        if event.dispute_status != LOST:
            released = await self._release(hold_id, keys["void"], "dispute closed " + (event.dispute_status or ""))
            log.info("dispute closed in the user's favour", extra={"fields": {
                "session_id": session.id, "dispute_id": dispute_id, "released": released}})
            return
        try:
            captured = await self._wallet.capture_hold(hold_id, keys["capture"], clearing_account(session.provider),
                                                       "Lost dispute of a top-up")
        except NotFound:
            captured = 0
            await self._release(hold_id, keys["void"], "dispute lost before anything was held")
        except FailedPrecondition:
            captured = 0
        rest = amount - captured
        shortfall = 0
        if rest > 0:
            done = await self._wallet.recover(self._recovery(session, event, keys["recover"], rest,
                                                             "Lost dispute of a top-up"))
            shortfall = done.shortfall
        log.info("dispute lost", extra={"fields": {"session_id": session.id, "dispute_id": dispute_id,
                                                   "disputed": amount, "captured": captured, "recovered": rest,
                                                   "shortfall": shortfall}})

    async def _release(self, hold_id: str, key: str, reason: str) -> int:
        try:
            return await self._wallet.void_hold(hold_id, key, reason)
        except FailedPrecondition:
            return 0
