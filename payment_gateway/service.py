"""The payment gateway's use cases: top-up sessions, verification, webhooks, the mock checkout, payouts.

Every path that learns a session was paid (verify, a webhook, the mock checkout's Pay button) goes through
:meth:`PaymentGatewayService._settle_paid`, which ends in ONE wallet credit keyed ``topup_<sessionId>``.
The wallet's idempotency makes racing or repeated paths harmless; the session's conditional status
updates keep its record straight. User and amount always come from the stored session; the provider's
amount and currency only confirm them.

A session left ``paid`` (the wallet was down, or a crash came between the two steps) is credited by the next
verify, the provider's redelivery, or :meth:`PaymentGatewayService.settle_paid_sessions`, which the server
runs at start-up and every minute. The mock checkout's Pay and a closing event (expiry, failure) race on
the mock provider's own compare-and-set, so a closed session is never paid on the page.

Blocking work (the store, the provider SDKs) runs in worker threads so the event loop stays free.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from payment_gateway.domain import (
    PAYABLE,
    SESSION_ID_PREFIX,
    UNSETTLED,
    ProcessedEvent,
    TopUpLimits,
    TopUpSession,
    TopUpStatus,
    WebhookOutcome,
    amounts_match,
    clearing_account,
    credit_key,
)
from payment_gateway.ports import (
    LedgerTransaction,
    PayoutProviderResult,
    PayoutResultSink,
    TopUpCredit,
    TopUpStore,
    Wallet,
)
from payment_gateway.providers.mock import MockCheckout, MockProvider, MockSessionState
from payment_gateway.providers.port import (
    CHECKOUT_EVENT_TYPES,
    PaymentProvider,
    PayoutResult,
    PayoutStatus,
    SessionStatus,
    WebhookEvent,
    check_reference,
    is_reference,
    mask,
)
from winzone_kernel.errors import (
    IdempotencyConflict,
    InvalidArgument,
    InvalidState,
    NotFound,
    Unavailable,
    WinzoneError,
)
from winzone_kernel.ids import new_id, utc_now
from winzone_kernel.money import DEFAULT_CURRENCY, check_minor, currency_of

T = TypeVar("T")

log = logging.getLogger("winzone.payments")

PAYOUT_METHOD_TYPES = frozenset({"upi", "bank", "stripe"})
_IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,255}")
_SETTLED = frozenset({TopUpStatus.PAID, TopUpStatus.CREDITED})


@dataclass(frozen=True, slots=True)
class Verified:
    """A session after verification, with its wallet transaction once credited."""

    session: TopUpSession
    transaction: LedgerTransaction | None


@dataclass(frozen=True, slots=True)
class WebhookResult:
    """What one delivered webhook was and what it did."""

    event: WebhookEvent
    outcome: WebhookOutcome
    session: TopUpSession | None = None


class PaymentGatewayService:
    """Top-ups from checkout to wallet credit, provider webhooks, and payouts passed to the provider."""

    def __init__(
        self,
        *,
        store: TopUpStore,
        provider: PaymentProvider,
        wallet: Wallet,
        limits: TopUpLimits,
        success_url: str,
        cancel_url: str,
        payouts: PayoutResultSink | None = None,
        clock: Callable[[], str] = utc_now,
    ) -> None:
        self._store = store
        self._provider = provider
        self._wallet = wallet
        self._limits = limits
        self._success_url = success_url
        self._cancel_url = cancel_url
        self._payouts = payouts
        self._clock = clock

    @property
    def provider_name(self) -> str:
        return self._provider.name

    async def _io(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return await asyncio.to_thread(fn, *args, **kwargs)

    async def create_session(
        self, user_id: str, amount: int, currency: str, idempotency_key: str = ""
    ) -> tuple[TopUpSession, bool]:
        """Store a new session and open its provider checkout; return it and whether it was a replay.

        With an ``idempotency_key`` (scoped by user) the same key and request return the first session; the
        same key with another amount or currency raises ``IdempotencyConflict``.
        """
        check_reference(user_id, "user_id")
        code = currency_of(currency or DEFAULT_CURRENCY).code
        check_minor(amount)
        self._limits.check(amount, code)
        key = idempotency_key or None
        if key is not None and not _IDEMPOTENCY_KEY.fullmatch(key):
            raise InvalidArgument("Idempotency-Key must be 1-255 visible ASCII characters",
                                  code="INVALID_IDEMPOTENCY_KEY")
        now = self._clock()
        candidate = TopUpSession(
            id=new_id(SESSION_ID_PREFIX), user_id=user_id, amount=amount, currency=code,
            provider=self._provider.name, status=TopUpStatus.CREATED, created_at=now, updated_at=now,
            idempotency_key=key,
        )
        stored, created = await self._io(self._store.add_session, candidate)
        if not created and not stored.same_request(amount, code):
            raise IdempotencyConflict("Idempotency-Key was already used with a different request")
        if stored.provider_ref is None:
            stored = await self._open_checkout(stored)
        if created:
            log.info("top-up session created", extra={"fields": {
                "session_id": stored.id, "user_id": user_id, "amount": amount, "currency": code,
                "provider": stored.provider}})
        return stored, not created

    async def _open_checkout(self, session: TopUpSession) -> TopUpSession:
        checkout = await self._io(
            self._provider.create_checkout, session.id, session.user_id, session.amount, session.currency,
            self._success_url.replace("{session_id}", session.id),
            self._cancel_url.replace("{session_id}", session.id),
            {"purpose": "wallet_topup"},
        )
        return await self._io(self._store.attach_checkout, session.id, checkout.provider_ref, checkout.checkout_url,
                              self._clock())

    async def verify(self, user_id: str, session_ref: str) -> Verified:
        """Bring one of the user's sessions up to date with the provider and credit it once if paid.

        ``session_ref`` is our session id or the provider's ref of it; another user's session, or an
        unknown one, is ``NotFound``.
        """
        session = await self._user_session(user_id, session_ref)
        if session.status is TopUpStatus.PAID:
            session = await self._settle_paid(session)
        elif (session.status is TopUpStatus.CREATED and session.provider_ref
              and session.provider == self._provider.name):
            found = await self._io(self._provider.retrieve_checkout, session.provider_ref)
            session, _ = await self._apply_status(session, found.status, found.amount_minor, found.currency,
                                                  origin="verify")
        transaction = None
        if session.status is TopUpStatus.CREDITED and session.transaction_id:
            transaction = await self._wallet.transaction(session.transaction_id)
        return Verified(session, transaction)

    async def _user_session(self, user_id: str, session_ref: str) -> TopUpSession:
        missing = NotFound("Top-up session not found", code="SESSION_NOT_FOUND")
        if not is_reference(session_ref) or not user_id:
            raise missing
        session = await self._io(self._store.get_session, session_ref)
        if session is None:
            session = await self._io(self._store.find_by_provider_ref, self._provider.name, session_ref)
        if session is None or session.user_id != user_id:
            raise missing
        return session

    async def _apply_status(
        self, session: TopUpSession, status: SessionStatus, amount: int | None, currency: str | None, *, origin: str
    ) -> tuple[TopUpSession, WebhookOutcome]:
        if status is SessionStatus.PAID:
            if not amounts_match(session, amount, currency):
                log.error("ALERT: provider amount differs from the top-up session; nothing credited", extra={
                    "fields": {"alert": "topup_amount_mismatch", "origin": origin, "session_id": session.id,
                               "provider_ref": session.provider_ref, "expected_amount": session.amount,
                               "expected_currency": session.currency, "reported_amount": amount,
                               "reported_currency": currency}})
                return session, WebhookOutcome.MISMATCH
            if session.status is TopUpStatus.CREDITED:
                return session, WebhookOutcome.IGNORED
            return await self._settle_paid(session), WebhookOutcome.APPLIED
        target = {
            SessionStatus.FAILED: TopUpStatus.FAILED,
            SessionStatus.EXPIRED: TopUpStatus.EXPIRED,
            SessionStatus.CANCELLED: TopUpStatus.CANCELLED,
        }.get(status)
        if target is None:
            return session, WebhookOutcome.IGNORED
        if session.status is TopUpStatus.CREATED and not await self._close_mock_checkout(session):
            log.info("mock checkout was paid before it could be closed; close ignored", extra={"fields": {
                "session_id": session.id, "status": target.value, "origin": origin}})
            return session, WebhookOutcome.IGNORED
        moved = await self._io(self._store.transition, session.id, {TopUpStatus.CREATED}, target, self._clock())
        if moved is None:
            return session, WebhookOutcome.IGNORED
        log.info("top-up session closed", extra={"fields": {"session_id": session.id, "status": target.value,
                                                            "origin": origin}})
        return moved, WebhookOutcome.APPLIED

    async def _close_mock_checkout(self, session: TopUpSession) -> bool:
        """Close the mock checkout of a session we are about to close; ``False`` if it was paid first.

        The mock provider is its own source of truth: closing its checkout first (a compare-and-set against
        the page's Pay) means an expiry or failure and a Pay can never both win. Other providers close their
        own sessions, so there is nothing to do for them.
        """
        mock = self._provider
        if not isinstance(mock, MockProvider) or session.provider != mock.name or not session.provider_ref:
            return True
        try:
            checkout = await self._io(mock.close, session.provider_ref)
        except NotFound:
            return True
        return checkout.status is not MockSessionState.PAID

    async def _settle_paid(self, session: TopUpSession) -> TopUpSession:
        """Mark the session paid and credit the wallet once; safe to run concurrently for one session."""
        if session.status in PAYABLE:
            if session.status in UNSETTLED:
                log.warning("provider reports a closed top-up session paid; crediting it", extra={
                    "fields": {"session_id": session.id, "was": session.status.value}})
            moved = await self._io(self._store.transition, session.id, PAYABLE, TopUpStatus.PAID, self._clock())
            session = moved or await self._reload(session.id)
        if session.status is not TopUpStatus.PAID:
            return session
        transaction = await self._wallet.credit(TopUpCredit(
            key=credit_key(session.id), user_id=session.user_id, amount=session.amount, currency=session.currency,
            counter_account=clearing_account(session.provider), source=session.provider,
            description="Wallet top-up",
            metadata={"sessionId": session.id, "provider": session.provider,
                      "providerRef": session.provider_ref or ""},
        ))
        credited = await self._io(self._store.transition, session.id, {TopUpStatus.PAID}, TopUpStatus.CREDITED,
                                  self._clock(), transaction_id=transaction.id)
        if credited is not None:
            log.info("top-up credited", extra={"fields": {
                "session_id": session.id, "user_id": session.user_id, "amount": session.amount,
                "currency": session.currency, "transaction_id": transaction.id}})
            return credited
        return await self._reload(session.id)

    async def settle_paid_sessions(self, limit: int = 100) -> int:
        """Finish crediting sessions left ``paid`` (the wallet was down, or a crash came between the steps).

        Nothing else would: the mock provider sends no webhooks, and a player may never come back to verify.
        Returns how many sessions were credited; stops early while the wallet is unavailable.
        """
        stuck = await self._io(self._store.sessions_in_status, TopUpStatus.PAID, limit)
        credited = 0
        for session in stuck:
            try:
                settled = await self._settle_paid(session)
            except Unavailable:
                log.warning("paid top-ups wait for the wallet", extra={"fields": {"session_id": session.id}})
                break
            except WinzoneError as exc:
                log.error("ALERT: a paid top-up could not be credited", extra={"fields": {
                    "alert": "topup_credit_refused", "session_id": session.id, "error": exc.code}})
                continue
            credited += settled.status is TopUpStatus.CREDITED
        return credited

    async def _reload(self, session_id: str) -> TopUpSession:
        session = await self._io(self._store.get_session, session_id)
        if session is None:
            raise NotFound("Top-up session not found", code="SESSION_NOT_FOUND")
        return session

    async def handle_webhook(self, raw_body: bytes, headers: Mapping[str, str]) -> WebhookResult:
        """Verify a delivered event over its raw body and apply it once per provider event id.

        Raises ``InvalidSignature`` for a missing or bad signature (nothing changes), and ``Unavailable``
        when the wallet or the payout service cannot take the result now, so the provider retries.
        """
        event = self._provider.parse_webhook(bytes(raw_body), headers)
        provider = self._provider.name
        if await self._io(self._store.event_processed, provider, event.event_id):
            return WebhookResult(event, WebhookOutcome.DUPLICATE)
        outcome, session = await self._apply_event(event)
        if outcome is not WebhookOutcome.UNROUTED:
            recorded = await self._io(self._store.record_event, ProcessedEvent(
                provider=provider, event_id=event.event_id, type=event.type, outcome=outcome,
                received_at=self._clock(), session_id=session.id if session else None,
            ))
            if not recorded and outcome is WebhookOutcome.IGNORED:
                outcome = WebhookOutcome.DUPLICATE
        log.info("webhook processed", extra={"fields": {
            "event_id": event.event_id, "type": event.type, "outcome": outcome.value,
            "session_id": session.id if session else None, "payout_id": event.payout_id}})
        return WebhookResult(event, outcome, session)

    async def _apply_event(self, event: WebhookEvent) -> tuple[WebhookOutcome, TopUpSession | None]:
        if event.type in CHECKOUT_EVENT_TYPES and isinstance(event.status, SessionStatus):
            session = await self._session_for_event(event)
            if session is None:
                return WebhookOutcome.IGNORED, None
            amount, currency = event.amount_minor, event.currency
            if event.status is SessionStatus.PAID and (amount is None or currency is None) and session.provider_ref:
                found = await self._io(self._provider.retrieve_checkout, session.provider_ref)
                if found.status is not SessionStatus.PAID:
                    return WebhookOutcome.IGNORED, session
                amount, currency = found.amount_minor, found.currency
            session, outcome = await self._apply_status(session, event.status, amount, currency, origin=event.type)
            return outcome, session
        if event.type.startswith(("transfer.", "payout.")) and isinstance(event.status, PayoutStatus):
            return await self._forward_payout(event), None
        return WebhookOutcome.IGNORED, None

    async def _session_for_event(self, event: WebhookEvent) -> TopUpSession | None:
        provider = self._provider.name
        ours = event.client_reference_id if is_reference(event.client_reference_id) else None
        session = None
        if event.object_ref:
            session = await self._io(self._store.find_by_provider_ref, provider, event.object_ref)
        if session is None and ours:
            session = await self._io(self._store.get_session, ours)
            if session is not None and session.provider_ref is None and event.object_ref:
                session = await self._io(self._store.attach_checkout, session.id, event.object_ref, "",
                                         self._clock())
        if session is None or session.provider != provider:
            log.info("webhook for a session we did not create", extra={"fields": {
                "event_id": event.event_id, "type": event.type, "object_ref": mask(event.object_ref)}})
            return None
        if (ours and session.id != ours) or (event.object_ref and session.provider_ref != event.object_ref):
            log.warning("webhook references disagree with the stored session; ignored", extra={"fields": {
                "event_id": event.event_id, "session_id": session.id, "object_ref": mask(event.object_ref)}})
            return None
        return session

    async def _forward_payout(self, event: WebhookEvent) -> WebhookOutcome:
        if not event.payout_id or not isinstance(event.status, PayoutStatus):
            return WebhookOutcome.IGNORED
        if self._payouts is None:
            log.warning("payout webhook received but no payout service is wired; acknowledged", extra={
                "fields": {"event_id": event.event_id, "type": event.type, "payout_id": event.payout_id}})
            return WebhookOutcome.UNROUTED
        try:
            await self._payouts.record(PayoutProviderResult(
                payout_id=event.payout_id, status=event.status.value, provider=self._provider.name,
                provider_reference=event.object_ref or "", failure_reason=event.failure_reason or "",
                event_id=event.event_id, event_type=event.type, amount=event.amount_minor,
                currency=event.currency or "",
            ))
        except Unavailable:
            raise
        except WinzoneError as exc:
            log.warning("payout service refused a provider result; acknowledged", extra={"fields": {
                "event_id": event.event_id, "payout_id": event.payout_id, "error": exc.code}})
            return WebhookOutcome.IGNORED
        return WebhookOutcome.FORWARDED

    def _mock(self) -> MockProvider:
        if not isinstance(self._provider, MockProvider):
            raise NotFound("Checkout session not found", code="CHECKOUT_NOT_FOUND")
        return self._provider

    async def _mock_session(self, provider_ref: str) -> tuple[MockProvider, TopUpSession]:
        """The mock provider and our session behind one of its checkouts (one we never handed out is 404)."""
        mock = self._mock()
        session = await self._io(self._store.find_by_provider_ref, mock.name, provider_ref)
        if session is None:
            raise NotFound("Checkout session not found", code="CHECKOUT_NOT_FOUND")
        return mock, session

    async def mock_checkout(self, provider_ref: str) -> tuple[MockCheckout, str]:
        """The mock checkout session behind the checkout page, and the status the page shows.

        Pay and Cancel are offered only while that status is ``created``: a session we closed (expired,
        failed) or credited (by a webhook) shows as such even if its mock checkout was never touched.
        """
        mock, session = await self._mock_session(provider_ref)
        checkout = await self._io(mock.checkout, provider_ref)
        return checkout, _shown_status(checkout, session)

    async def pay_mock_checkout(self, provider_ref: str) -> MockCheckout:
        """The mock page's Pay button: the session is paid, and credited as the provider's webhook would.

        Paying again is fine; a session that is closed (cancelled, expired, failed) is ``CHECKOUT_CLOSED``,
        and nothing is credited for it.
        """
        mock, session = await self._mock_session(provider_ref)
        if session.status in UNSETTLED:
            raise InvalidState(f"Checkout session is already {session.status.value}", code="CHECKOUT_CLOSED")
        checkout = await self._io(mock.pay, provider_ref)
        try:
            await self._apply_status(session, SessionStatus.PAID, checkout.amount_minor, checkout.currency,
                                     origin="mock_checkout")
        except Unavailable:
            log.warning("mock checkout paid but crediting must wait for verify or the settle sweep", extra={
                "fields": {"session_id": session.id}})
        return checkout

    async def cancel_mock_checkout(self, provider_ref: str) -> MockCheckout:
        """The mock page's Cancel button: the session is cancelled (again is fine; any other state is refused)."""
        mock, session = await self._mock_session(provider_ref)
        if session.status not in (TopUpStatus.CREATED, TopUpStatus.CANCELLED):
            checkout = await self._io(mock.checkout, provider_ref)
            raise InvalidState(f"Checkout session is already {_shown_status(checkout, session)}",
                               code="CHECKOUT_CLOSED")
        checkout = await self._io(mock.cancel, provider_ref)
        await self._apply_status(session, SessionStatus.CANCELLED, None, None, origin="mock_checkout")
        return checkout

    async def send_payout(
        self, payout_id: str, user_id: str, amount: int, currency: str, method_type: str, details: Mapping[str, str]
    ) -> PayoutResult:
        """Send a payout through the provider once per ``payout_id``; see ``PaymentProvider.send_payout``.

        A method type the provider cannot pay to is a FAILED result (no money moved).
        """
        check_reference(payout_id, "payout_id")
        code = currency_of(currency).code
        check_minor(amount)
        if method_type not in PAYOUT_METHOD_TYPES:
            raise InvalidArgument("Unknown payout method type", code="INVALID_PAYOUT_METHOD")
        if method_type not in self._provider.payout_method_types:
            result = PayoutResult(PayoutStatus.FAILED, None,
                                  f"The {self._provider.name} provider cannot pay out to {method_type}", amount, code)
        else:
            result = await self._io(self._provider.send_payout, payout_id, amount, code, dict(details))
        log.info("payout sent", extra={"fields": {
            "payout_id": payout_id, "user_id": user_id, "amount": amount, "currency": code,
            "method_type": method_type, "status": result.status.value,
            "provider_ref": mask(result.provider_ref)}})
        return result

    async def get_payout(self, payout_id: str) -> PayoutResult | None:
        """The provider's record of our ``payout_id``, or ``None`` if it has none."""
        check_reference(payout_id, "payout_id")
        return await self._io(self._provider.get_payout, payout_id)


def _shown_status(checkout: MockCheckout, session: TopUpSession) -> str:
    """What the mock page says about a checkout: our session's word once it left ``created``."""
    if session.status in _SETTLED:
        return MockSessionState.PAID.value
    if session.status in UNSETTLED:
        return session.status.value
    return checkout.status.value
