"""Top-ups: a session and its provider checkout, verification, and ONE wallet credit per paid session.

Every path that learns a session was paid (verify, a webhook, the mock checkout's Pay button) ends in
:meth:`TopUps.apply_status`, and a paid session is credited once, keyed ``topup_<sessionId>``. The wallet's
idempotency makes racing or repeated paths harmless; the session's conditional status updates keep its
record straight. User and amount always come from the stored session; the provider's amount and currency
only confirm them.

A session left ``paid`` (the wallet was down, or a crash came between the two steps) is credited by the next
verify, the provider's redelivery, or :meth:`TopUps.settle_paid_sessions`, which the server runs at start-up
and every minute. Before a session still ``created`` is closed, the provider closes its checkout
(``PaymentProvider.close_checkout``), so a close and a payment at the provider can never both win.

Blocking work (the store, the provider SDKs) runs in worker threads so the event loop stays free.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from datetime import timedelta

from payment_gateway.domain.deposits import deposit_guard
from payment_gateway.domain.model import (
    PAYABLE,
    SESSION_ID_PREFIX,
    UNSETTLED,
    TopUpLimits,
    TopUpSession,
    TopUpStatus,
    WebhookOutcome,
    amounts_match,
    clearing_account,
    credit_key,
)
from payment_gateway.domain.ports import PaymentProvider, TopUpStore, Wallet
from payment_gateway.domain.provider import SessionStatus
from payment_gateway.domain.references import check_reference, is_reference
from payment_gateway.domain.wallet import LedgerTransaction, TopUpCredit
from winzone_kernel.backoff import Backoff
from winzone_kernel.clock import Clock, format_utc, utc_now
from winzone_kernel.errors import IdempotencyConflict, InvalidArgument, NotFound, Unavailable, WinzoneError
from winzone_kernel.ids import new_id
from winzone_kernel.money import DEFAULT_CURRENCY, check_minor, currency_of

log = logging.getLogger("winzone.payments")

SWEEP_MAX_PAGES = 50
OPEN_SESSION_GRACE = timedelta(minutes=2)
"""How long a session may stay ``created`` before the sweep asks the provider about it: a payment whose webhook
or page answer was lost is then credited without the player coming back to verify."""
_IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,255}")
_CLOSING = {
    SessionStatus.FAILED: TopUpStatus.FAILED,
    SessionStatus.EXPIRED: TopUpStatus.EXPIRED,
    SessionStatus.CANCELLED: TopUpStatus.CANCELLED,
}


@dataclass(frozen=True, slots=True)
class Verified:
    """A session after verification, with its wallet transaction once credited."""

    session: TopUpSession
    transaction: LedgerTransaction | None


class TopUps:
    """Top-up sessions from checkout to wallet credit."""

    def __init__(
        self,
        *,
        store: TopUpStore,
        provider: PaymentProvider,
        wallet: Wallet,
        limits: TopUpLimits,
        success_url: str,
        cancel_url: str,
        clock: Clock = utc_now,
    ) -> None:
        self._store = store
        self._provider = provider
        self._wallet = wallet
        self._limits = limits
        self._success_url = success_url
        self._cancel_url = cancel_url
        self._clock = clock
        self._backoff = Backoff()

    def _now(self) -> str:
        return format_utc(self._clock())

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
        guard = deposit_guard(await self._wallet.controls(user_id, code), code, self._clock())
        now = self._now()
        candidate = TopUpSession(
            id=new_id(SESSION_ID_PREFIX), user_id=user_id, amount=amount, currency=code,
            provider=self._provider.name, status=TopUpStatus.CREATED, created_at=now, updated_at=now,
            idempotency_key=key,
        )
        stored, created = await asyncio.to_thread(self._store.add_session, candidate, guard)
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
        checkout = await asyncio.to_thread(
            self._provider.create_checkout, session.id, session.user_id, session.amount, session.currency,
            self._success_url.replace("{session_id}", session.id),
            self._cancel_url.replace("{session_id}", session.id),
            {"purpose": "wallet_topup"},
        )
        return await asyncio.to_thread(self._store.attach_checkout, session.id, checkout.provider_ref,
                                       checkout.checkout_url, self._now())

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
            found = await asyncio.to_thread(self._provider.retrieve_checkout, session.provider_ref)
            session, _ = await self.apply_status(session, found.status, found.amount_minor, found.currency,
                                                 origin="verify", payment_intent=found.payment_intent)
        transaction = None
        if session.status is TopUpStatus.CREDITED and session.transaction_id:
            transaction = await self._wallet.transaction(session.transaction_id)
        return Verified(session, transaction)

    async def _user_session(self, user_id: str, session_ref: str) -> TopUpSession:
        missing = NotFound("Top-up session not found", code="SESSION_NOT_FOUND")
        if not is_reference(session_ref) or not user_id:
            raise missing
        session = await asyncio.to_thread(self._store.get_session, session_ref)
        if session is None:
            session = await asyncio.to_thread(self._store.find_by_provider_ref, self._provider.name, session_ref)
        if session is None or session.user_id != user_id:
            raise missing
        return session

    async def apply_status(
        self, session: TopUpSession, status: SessionStatus, amount: int | None, currency: str | None, *, origin: str,
        payment_intent: str | None = None,
    ) -> tuple[TopUpSession, WebhookOutcome]:
        """Apply what the provider says about a session (``origin``: verify, an event type, the mock page).

        Paid with the stored amount and currency: the provider's ``payment_intent`` is recorded, then the session
        is credited once. Paid with another amount: nothing changes and an alert is logged (``MISMATCH``).
        Failed, expired or cancelled: a ``created`` session closes, unless the provider took the payment first.
        """
        if status is SessionStatus.PAID:
            if amounts_match(session, amount, currency) and payment_intent:
                session = await self._record_payment_intent(session, payment_intent)
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
        target = _CLOSING.get(status)
        if target is None:
            return session, WebhookOutcome.IGNORED
        if session.status is TopUpStatus.CREATED and not await self._close_at_provider(session):
            log.info("checkout was paid before it could be closed; close ignored", extra={"fields": {
                "session_id": session.id, "status": target.value, "origin": origin}})
            return session, WebhookOutcome.IGNORED
        moved = await asyncio.to_thread(self._store.transition, session.id, {TopUpStatus.CREATED}, target,
                                        self._now())
        if moved is None:
            return session, WebhookOutcome.IGNORED
        log.info("top-up session closed", extra={"fields": {"session_id": session.id, "status": target.value,
                                                            "origin": origin}})
        return moved, WebhookOutcome.APPLIED

    async def _record_payment_intent(self, session: TopUpSession, payment_intent: str) -> TopUpSession:
        if session.payment_intent == payment_intent:
            return session
        if session.payment_intent is None:
            session = await asyncio.to_thread(self._store.attach_payment_intent, session.id, payment_intent,
                                              self._now())
        if session.payment_intent != payment_intent:
            log.error("ALERT: provider payment differs from the one recorded for the top-up", extra={"fields": {
                "alert": "topup_payment_intent_mismatch", "session_id": session.id,
                "recorded": session.payment_intent, "reported": payment_intent}})
        return session

    async def _close_at_provider(self, session: TopUpSession) -> bool:
        """Close the provider's checkout of a session we are about to close; ``False`` if it was paid first."""
        if session.provider != self._provider.name or not session.provider_ref:
            return True
        return await asyncio.to_thread(self._provider.close_checkout, session.provider_ref)

    async def _settle_paid(self, session: TopUpSession) -> TopUpSession:
        """Mark the session paid and credit the wallet once; safe to run concurrently for one session."""
        if session.status in PAYABLE:
            if session.status in UNSETTLED:
                log.warning("provider reports a closed top-up session paid; crediting it", extra={
                    "fields": {"session_id": session.id, "was": session.status.value}})
            moved = await asyncio.to_thread(self._store.transition, session.id, PAYABLE, TopUpStatus.PAID,
                                            self._now())
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
        credited = await asyncio.to_thread(self._store.transition, session.id, {TopUpStatus.PAID},
                                           TopUpStatus.CREDITED, self._now(), transaction_id=transaction.id)
        if credited is not None:
            log.info("top-up credited", extra={"fields": {
                "session_id": session.id, "user_id": session.user_id, "amount": session.amount,
                "currency": session.currency, "transaction_id": transaction.id}})
            return credited
        return await self._reload(session.id)

    async def settle_paid_sessions(self, limit: int = 100) -> int:
        """Finish crediting sessions left ``paid`` (the wallet was down, or a crash came between the steps).

        Nothing else would: the mock provider sends no webhooks, and a player may never come back to verify.
        Pages through every such session, ``limit`` at a time (at most ``SWEEP_MAX_PAGES`` pages), so that
        sessions the wallet keeps refusing cannot starve newer ones; a refused session is retried only after a
        per-session backoff that doubles each time. Returns how many sessions were credited; stops early
        while the wallet is unavailable.
        """
        credited, after, now = 0, None, self._clock()
        for _ in range(SWEEP_MAX_PAGES):
            stuck = await asyncio.to_thread(self._store.sessions_in_status, TopUpStatus.PAID, max(limit, 1), after)
            for session in stuck:
                if self._backoff.waiting(session.id, now):
                    continue
                try:
                    settled = await self._settle_paid(session)
                except Unavailable:
                    log.warning("paid top-ups wait for the wallet", extra={"fields": {"session_id": session.id}})
                    return credited
                except WinzoneError as exc:
                    retry_at = self._backoff.failed(session.id, now)
                    log.error("ALERT: a paid top-up could not be credited", extra={"fields": {
                        "alert": "topup_credit_refused", "session_id": session.id, "error": exc.code,
                        "retry_at": format_utc(retry_at)}})
                    continue
                self._backoff.succeeded(session.id)
                credited += settled.status is TopUpStatus.CREDITED
            if len(stuck) < max(limit, 1):
                break
            after = (stuck[-1].updated_at, stuck[-1].id)
        return credited + await self.refresh_open_sessions(limit)

    async def refresh_open_sessions(self, limit: int = 100, grace: timedelta = OPEN_SESSION_GRACE) -> int:
        """Ask the provider about sessions still ``created`` after ``grace``, oldest first, and apply what it
        says: one it took the payment for (its webhook or the mock page's answer lost) is credited once, one it
        closed is closed. A session the provider still shows open is asked again only after a per-session
        backoff. Returns how many sessions were credited; stops early while the provider or the wallet is
        unavailable."""
        credited, after, now = 0, None, self._clock()
        cutoff = format_utc(now - grace)
        for _ in range(SWEEP_MAX_PAGES):
            page = await asyncio.to_thread(self._store.sessions_in_status, TopUpStatus.CREATED, max(limit, 1), after)
            for session in page:
                if (session.updated_at > cutoff or not session.provider_ref
                        or session.provider != self._provider.name or self._backoff.waiting(session.id, now)):
                    continue
                try:
                    found = await asyncio.to_thread(self._provider.lookup_checkout, session.provider_ref)
                    if found.status is SessionStatus.UNPAID:
                        self._backoff.failed(session.id, now)
                        continue
                    session, _ = await self.apply_status(session, found.status, found.amount_minor, found.currency,
                                                         origin="sweep", payment_intent=found.payment_intent)
                except Unavailable:
                    log.warning("open top-ups wait for the provider or the wallet",
                                extra={"fields": {"session_id": session.id}})
                    return credited
                except WinzoneError as exc:
                    self._backoff.failed(session.id, now)
                    log.error("ALERT: an open top-up could not be brought up to date", extra={"fields": {
                        "alert": "topup_refresh_refused", "session_id": session.id, "error": exc.code}})
                    continue
                self._backoff.succeeded(session.id)
                credited += session.status is TopUpStatus.CREDITED
            if len(page) < max(limit, 1):
                break
            after = (page[-1].updated_at, page[-1].id)
        return credited

    async def _reload(self, session_id: str) -> TopUpSession:
        session = await asyncio.to_thread(self._store.get_session, session_id)
        if session is None:
            raise NotFound("Top-up session not found", code="SESSION_NOT_FOUND")
        return session
