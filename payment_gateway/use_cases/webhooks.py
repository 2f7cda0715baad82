"""Provider webhooks: verify a delivered event over its raw body and apply it once per provider event id.

Checkout events move our top-up session (through :meth:`TopUps.apply_status`); refunds and disputes of a
top-up's charge take the money back from the wallet (:class:`Chargebacks`); transfer and payout events are
forwarded to the payout service with our payout id. An event is recorded as processed only after it
was applied, so an outage (the wallet, the payout service) makes the provider redeliver it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass

from payment_gateway.domain.events import CHARGE_EVENT_TYPES, CHECKOUT_EVENT_TYPES, WebhookEvent
from payment_gateway.domain.model import ProcessedEvent, TopUpSession, WebhookOutcome
from payment_gateway.domain.ports import PaymentProvider, PayoutResultSink, TopUpStore
from payment_gateway.domain.provider import PayoutProviderResult, PayoutStatus, SessionStatus
from payment_gateway.domain.references import is_reference, mask
from payment_gateway.use_cases.chargebacks import Chargebacks
from payment_gateway.use_cases.topups import TopUps
from winzone_kernel.clock import Clock, format_utc, utc_now
from winzone_kernel.errors import Unavailable, WinzoneError

log = logging.getLogger("winzone.payments")


@dataclass(frozen=True, slots=True)
class WebhookResult:
    """What one delivered webhook was and what it did."""

    event: WebhookEvent
    outcome: WebhookOutcome
    session: TopUpSession | None = None


class Webhooks:
    """Applies verified provider events: checkout events to sessions, payout events to the payout service."""

    def __init__(
        self,
        *,
        store: TopUpStore,
        provider: PaymentProvider,
        topups: TopUps,
        chargebacks: Chargebacks,
        payouts: PayoutResultSink | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self._chargebacks = chargebacks
        self._store = store
        self._provider = provider
        self._topups = topups
        self._payouts = payouts
        self._clock = clock

    async def handle(self, raw_body: bytes, headers: Mapping[str, str]) -> WebhookResult:
        """Verify a delivered event over its raw body and apply it once per provider event id.

        Raises ``InvalidSignature`` for a missing or bad signature (nothing changes), and ``Unavailable``
        when the wallet or the payout service cannot take the result now, so the provider retries.
        """
        event = self._provider.parse_webhook(bytes(raw_body), headers)
        provider = self._provider.name
        if await asyncio.to_thread(self._store.event_processed, provider, event.event_id):
            return WebhookResult(event, WebhookOutcome.DUPLICATE)
        outcome, session = await self._apply(event)
        if outcome is not WebhookOutcome.UNROUTED:
            recorded = await asyncio.to_thread(self._store.record_event, ProcessedEvent(
                provider=provider, event_id=event.event_id, type=event.type, outcome=outcome,
                received_at=format_utc(self._clock()), session_id=session.id if session else None,
            ))
            if not recorded and outcome is WebhookOutcome.IGNORED:
                outcome = WebhookOutcome.DUPLICATE
        log.info("webhook processed", extra={"fields": {
            "event_id": event.event_id, "type": event.type, "outcome": outcome.value,
            "session_id": session.id if session else None, "payout_id": event.payout_id}})
        return WebhookResult(event, outcome, session)

    async def _apply(self, event: WebhookEvent) -> tuple[WebhookOutcome, TopUpSession | None]:
        if event.type in CHECKOUT_EVENT_TYPES and isinstance(event.status, SessionStatus):
            session = await self._session_for(event)
            if session is None:
                return WebhookOutcome.IGNORED, None
            amount, currency = event.amount_minor, event.currency
            if event.status is SessionStatus.PAID and (amount is None or currency is None) and session.provider_ref:
                found = await asyncio.to_thread(self._provider.retrieve_checkout, session.provider_ref)
                if found.status is not SessionStatus.PAID:
                    return WebhookOutcome.IGNORED, session
                amount, currency = found.amount_minor, found.currency
            session, outcome = await self._topups.apply_status(session, event.status, amount, currency,
                                                               origin=event.type, payment_intent=event.payment_intent)
            return outcome, session
        if event.type in CHARGE_EVENT_TYPES:
            return await self._chargebacks.apply(event)
        if event.type.startswith(("transfer.", "payout.")) and isinstance(event.status, PayoutStatus):
            return await self._forward_payout(event, event.status), None
        return WebhookOutcome.IGNORED, None

    async def _session_for(self, event: WebhookEvent) -> TopUpSession | None:
        provider = self._provider.name
        ours = event.client_reference_id if is_reference(event.client_reference_id) else None
        session = None
        if event.object_ref:
            session = await asyncio.to_thread(self._store.find_by_provider_ref, provider, event.object_ref)
        if session is None and ours:
            session = await asyncio.to_thread(self._store.get_session, ours)
            if session is not None and session.provider_ref is None and event.object_ref:
                session = await asyncio.to_thread(self._store.attach_checkout, session.id, event.object_ref, "",
                                                  format_utc(self._clock()))
        if session is None or session.provider != provider:
            log.info("webhook for a session we did not create", extra={"fields": {
                "event_id": event.event_id, "type": event.type, "object_ref": mask(event.object_ref)}})
            return None
        if (ours and session.id != ours) or (event.object_ref and session.provider_ref != event.object_ref):
            log.warning("webhook references disagree with the stored session; ignored", extra={"fields": {
                "event_id": event.event_id, "session_id": session.id, "object_ref": mask(event.object_ref)}})
            return None
        return session

    async def _forward_payout(self, event: WebhookEvent, status: PayoutStatus) -> WebhookOutcome:
        if not event.payout_id:
            return WebhookOutcome.IGNORED
        if self._payouts is None:
            log.warning("payout webhook received but no payout service is wired; acknowledged", extra={
                "fields": {"event_id": event.event_id, "type": event.type, "payout_id": event.payout_id}})
            return WebhookOutcome.UNROUTED
        try:
            await self._payouts.record(PayoutProviderResult(
                payout_id=event.payout_id, status=status.value, provider=self._provider.name,
                provider_reference=event.object_ref or "", failure_reason=event.failure_reason or "",
                event_id=event.event_id, event_type=event.type, amount=event.amount_minor,
                currency=event.currency or "", amount_reversed=event.amount_reversed or 0,
            ))
        except Unavailable:
            raise
        except WinzoneError as exc:
            log.warning("payout service refused a provider result; acknowledged", extra={"fields": {
                "event_id": event.event_id, "payout_id": event.payout_id, "error": exc.code}})
            return WebhookOutcome.IGNORED
        return WebhookOutcome.FORWARDED
