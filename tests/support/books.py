"""Books written directly through the real stores (wallet use cases over the wallet's store, the payout,
payment and mock-provider stores), so the cross-service audit can be shown a consistent world and then
exactly one injected inconsistency."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from payment_gateway.domain.mock_checkout import MockCheckout, MockSessionState
from payment_gateway.domain.model import TopUpSession, TopUpStatus, credit_key
from payment_gateway.domain.provider import PayoutResult, PayoutStatus
from payment_gateway.server import build_store as build_topup_store
from payout_service.adapters.grpc_wallet import capture_key, hold_key, refund_key, void_key
from payout_service.domain.limits import DEFAULT_PAYOUT_LIMITS
from payout_service.domain.methods import parse_payout_method
from payout_service.domain.model import PayoutRequest
from payout_service.domain.ports import PayoutRecord
from payout_service.server import build_store as build_payout_store
from wallet_service.server import build_store as build_wallet_store
from wallet_service.use_cases.holds import Holds
from wallet_service.use_cases.postings import Postings
from winzone_kernel.clock import format_utc
from winzone_kernel.config import CommonSettings
from winzone_ops.admin import migrate_all

CURRENCY = "INR"


class Books:
    """The wallet, payout and payment stores of one data folder, and the few moves the audit tests need."""

    def __init__(self, data_dir: Path, env: dict[str, str] | None = None, *, provider: str = "mock") -> None:
        self.common_env = {"WINZONE_DATA_DIR": str(data_dir), **(env or {})}
        self.common = CommonSettings.from_env(self.common_env, require_token=False)
        migrate_all(self.common)
        self.provider = provider
        self.clearing = f"clearing:{provider}"
        self._wallet = build_wallet_store(self.common)
        self.payouts = build_payout_store(self.common)
        self.topups = build_topup_store(self.common)
        self._postings, self._holds = Postings(self._wallet), Holds(self._wallet)

    def close(self) -> None:
        for store in (self._wallet, self.payouts, self.topups):
            store.close()

    def top_up(self, session_id: str, user_id: str, amount: int) -> None:
        """A mock checkout paid and its session credited, as the payment gateway does it."""
        stamp = format_utc(datetime.now(UTC))
        ref = f"mock_session_{session_id}"
        self.topups.add_session(TopUpSession(session_id, user_id, amount, CURRENCY, self.provider,
                                             TopUpStatus.CREATED, stamp, stamp))
        self.topups.attach_checkout(session_id, ref, f"http://localhost/checkout/mock/{ref}", stamp)
        if self.provider == "mock":
            self.topups.mock_state().set(MockCheckout(ref, session_id, user_id, amount, CURRENCY,
                                                      MockSessionState.PAID, "http://ok", "http://cancel"),
                                         expected=None)
        self.topups.transition(session_id, [TopUpStatus.CREATED], TopUpStatus.PAID, stamp)
        credited = self._run(self._postings.credit(
            key=credit_key(session_id), user_id=user_id, amount=amount, currency=CURRENCY, type="topup",
            counter_account=self.clearing, source=self.provider, description="Wallet top-up",
            metadata={"sessionId": session_id, "provider": self.provider, "providerRef": ref}))
        self.topups.transition(session_id, [TopUpStatus.PAID], TopUpStatus.CREDITED, stamp,
                               transaction_id=credited.transactions[0].id)

    def request_payout(self, payout_id: str, user_id: str, amount: int, *, approve: bool = True) -> PayoutRecord:
        """A placed payout request with its hold (approved unless told otherwise)."""
        now = datetime.now(UTC)
        method = parse_payout_method({"type": "upi", "details": {"upiId": "audit@paytm", "name": "Audit"}})
        payout = PayoutRequest.create(payout_id=payout_id, user_id=user_id, amount_minor=amount, currency=CURRENCY,
                                      method=method, at=now, limits=DEFAULT_PAYOUT_LIMITS)
        self.hold(payout_id, user_id, amount)
        if approve:
            payout.approve("usr_admin", "ok", at=now)
        record = PayoutRecord(payout, "fp", None, hold_placed=True)
        self.payouts.insert(record)
        return record

    def hold(self, hold_id: str, user_id: str, amount: int) -> None:
        self._run(self._holds.create(key=hold_key(hold_id), hold_id=hold_id, user_id=user_id, amount=amount,
                                     currency=CURRENCY, type="payout", source="payout_service",
                                     description="Payout request", metadata={"payoutId": hold_id}))

    def provider_pays(self, payout_id: str, amount: int) -> None:
        """The mock provider records the transfer as paid."""
        self.topups.mock_state().add_payout(payout_id, PayoutResult(PayoutStatus.PAID, f"mock_payout_{payout_id}",
                                                                    None, amount, CURRENCY))

    def capture(self, record: PayoutRecord) -> None:
        captured = self._run(self._holds.capture(key=capture_key(record.payout.id), hold_id=record.payout.id,
                                                 counter_account=self.clearing))
        self._save(record, lambda p: p.mark_paid(f"mock_payout_{p.id}", captured.transaction.id,
                                                 at=datetime.now(UTC)))

    def void(self, payout_id: str) -> None:
        self._run(self._holds.void(key=void_key(payout_id), hold_id=payout_id))

    def refund(self, record: PayoutRecord, amount: int, key: str = "") -> str:
        refunded = self._run(self._postings.credit(
            key=key or refund_key(record.payout.id), user_id=record.payout.user_id, amount=amount,
            currency=CURRENCY, type="refund", counter_account=self.clearing, source="payout_service",
            description="Refund of a payout the provider reversed", metadata={"payoutId": record.payout.id}))
        return refunded.transactions[0].id

    def _save(self, record: PayoutRecord, change: Any) -> None:
        expected = record.payout.version
        change(record.payout)
        assert self.payouts.save(record, expected)

    def save(self, record: PayoutRecord, change: Any) -> None:
        self._save(record, change)

    @staticmethod
    def _run(coro: Any) -> Any:
        return asyncio.run(coro)
