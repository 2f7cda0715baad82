"""The contract of the payment gateway's outbound ``Wallet`` port: one credit per key, read back by id; and
for refunds and disputes, recoveries (the shortfall owed), holds of what is available, capture and release,
each once per key with refusals answered again.

Subclass ``WalletPortContract`` and implement ``create_wallet`` and ``create_unreachable_wallet`` (both
run on the test's event loop thread, ``self.loop``); override the ``wallet_world`` fixture for what must
run around it (a wallet server). The scripted wallet the use-case tests use passes it, and so does the
real ``GrpcWallet`` against a real wallet server.
"""

from __future__ import annotations

import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterator
from typing import Any

import pytest

from payment_gateway.domain.model import clearing_account, credit_key
from payment_gateway.domain.ports import Wallet
from payment_gateway.domain.wallet import DisputeHold, LedgerTransaction, Recovered, Recovery, TopUpCredit
from tests.support.grpc_servers import LoopThread
from tests.support.ids import new_user
from winzone_kernel.errors import FailedPrecondition, IdempotencyConflict, InsufficientFunds, NotFound, Unavailable


def topup_credit(user_id: str, amount: int = 50_000, *, key: str | None = None, currency: str = "INR") -> TopUpCredit:
    session_id = f"tps_{uuid.uuid4().hex[:20]}"
    return TopUpCredit(
        key=key or credit_key(session_id), user_id=user_id, amount=amount, currency=currency,
        counter_account=clearing_account("mock"), source="mock", description="Wallet top-up",
        metadata={"sessionId": session_id, "provider": "mock", "providerRef": "mock_session_1"},
    )


def recovery(user_id: str, amount: int, key: str | None = None) -> Recovery:
    return Recovery(key=key or f"chargeback_refund_ch_{uuid.uuid4().hex[:12]}_{amount}", user_id=user_id,
                    amount=amount, currency="INR", counter_account=clearing_account("mock"), source="mock",
                    description="Card refund of a top-up", metadata={"sessionId": "tps_1", "chargeId": "ch_1"})


def dispute_hold(user_id: str, amount: int) -> DisputeHold:
    hold_id = f"dispute_dp_{uuid.uuid4().hex[:12]}"
    return DisputeHold(hold_id=hold_id, key=hold_id, user_id=user_id, amount=amount, currency="INR", source="mock",
                       description="Disputed card payment of a top-up",
                       metadata={"sessionId": "tps_1", "chargeId": "ch_1", "disputeId": hold_id})


class WalletPortContract(ABC):
    """Abstract contract test case for ``Wallet`` adapters."""

    loop: LoopThread
    wallet: Wallet

    @abstractmethod
    async def create_wallet(self) -> Wallet:
        """A wallet for one test."""

    @abstractmethod
    async def create_unreachable_wallet(self) -> Wallet:
        """A wallet that cannot be reached."""

    async def dispose_wallet(self, wallet: Wallet) -> None:
        """Release what ``create_wallet`` / ``create_unreachable_wallet`` opened (nothing by default)."""
        return None

    @pytest.fixture
    def wallet_world(self) -> Iterator[None]:
        """What the wallet needs around it for one test; nothing by default."""
        yield

    @pytest.fixture(autouse=True)
    def _fresh_wallet(self, wallet_world: None) -> Iterator[None]:
        self.loop = LoopThread()
        self.wallet = self.loop.run(self.create_wallet())
        try:
            yield
        finally:
            self.loop.run(self.dispose_wallet(self.wallet))
            self.loop.close()

    def run(self, coro: Any) -> Any:
        return self.loop.run(coro)

    def credit(self, credit: TopUpCredit) -> LedgerTransaction:
        result: LedgerTransaction = self.run(self.wallet.credit(credit))
        return result

    def test_a_credit_returns_the_credited_users_transaction(self) -> None:
        user = new_user()
        credit = topup_credit(user, 125_000)
        made = self.credit(credit)
        assert made.id
        assert (made.user_id, made.type, made.amount, made.currency) == (user, "topup", 125_000, "INR")
        assert (made.idempotency_key, made.source, made.description) == (credit.key, "mock", "Wallet top-up")
        assert made.balance_after == 125_000
        assert dict(made.metadata).items() >= dict(credit.metadata).items()

    def test_the_same_key_and_request_return_the_first_transaction(self) -> None:
        credit = topup_credit(new_user())
        first = self.credit(credit)
        again = self.credit(credit)
        assert (again.id, again.amount, again.balance_after) == (first.id, first.amount, first.balance_after)

    def test_the_same_key_with_another_request_is_an_idempotency_conflict(self) -> None:
        user = new_user()
        credit = topup_credit(user)
        self.credit(credit)
        with pytest.raises(IdempotencyConflict):
            self.credit(topup_credit(user, 60_000, key=credit.key))

    def test_credits_under_other_keys_add_up(self) -> None:
        user = new_user()
        self.credit(topup_credit(user, 50_000))
        assert self.credit(topup_credit(user, 20_000)).balance_after == 70_000

    def test_a_transaction_reads_back_by_id(self) -> None:
        made = self.credit(topup_credit(new_user()))
        found: LedgerTransaction = self.run(self.wallet.transaction(made.id))
        assert (found.id, found.user_id, found.amount, found.currency, found.idempotency_key, found.balance_after) == (
            made.id, made.user_id, made.amount, made.currency, made.idempotency_key, made.balance_after)

    def test_an_unknown_transaction_is_not_found(self) -> None:
        with pytest.raises(NotFound):
            self.run(self.wallet.transaction(f"txn_{uuid.uuid4().hex}"))

    def test_a_recovery_takes_what_is_available_and_the_rest_is_owed_once(self) -> None:
        user = new_user()
        self.credit(topup_credit(user, 50_000))
        taken: Recovered = self.run(self.wallet.recover(recovery(user, 20_000)))
        assert (taken.recovered, taken.shortfall) == (20_000, 0)
        short = recovery(user, 100_000)
        first: Recovered = self.run(self.wallet.recover(short))
        assert (first.recovered, first.shortfall) == (30_000, 70_000)
        again: Recovered = self.run(self.wallet.recover(short))
        assert (again.recovered, again.shortfall, again.entry_id) == (30_000, 70_000, first.entry_id)
        with pytest.raises(IdempotencyConflict):
            self.run(self.wallet.recover(recovery(user, 5_000, key=short.key)))
        assert self.credit(topup_credit(user, 100_000)).amount == 100_000

    def test_a_dispute_hold_takes_what_is_available_and_is_captured_once(self) -> None:
        user = new_user()
        self.credit(topup_credit(user, 30_000))
        hold = dispute_hold(user, 100_000)
        assert self.run(self.wallet.hold_up_to(hold)) == 30_000
        assert self.run(self.wallet.hold_up_to(hold)) == 30_000
        key = "dispute_capture_" + hold.hold_id
        assert self.run(self.wallet.capture_hold(hold.hold_id, key, clearing_account("mock"), "lost")) == 30_000
        assert self.run(self.wallet.capture_hold(hold.hold_id, key, clearing_account("mock"), "lost")) == 30_000
        with pytest.raises(FailedPrecondition):
            self.run(self.wallet.void_hold(hold.hold_id, "dispute_void_" + hold.hold_id, "won"))

    def test_a_dispute_hold_with_nothing_available_is_refused_again_under_its_key(self) -> None:
        user = new_user()
        hold = dispute_hold(user, 10_000)
        with pytest.raises(InsufficientFunds):
            self.run(self.wallet.hold_up_to(hold))
        self.credit(topup_credit(user, 50_000))
        with pytest.raises(InsufficientFunds):
            self.run(self.wallet.hold_up_to(hold))
        with pytest.raises(NotFound):
            self.run(self.wallet.capture_hold(hold.hold_id, "dispute_capture_" + hold.hold_id,
                                              clearing_account("mock"), "lost"))

    def test_a_release_before_the_hold_leaves_it_voided(self) -> None:
        user = new_user()
        self.credit(topup_credit(user, 50_000))
        hold = dispute_hold(user, 10_000)
        assert self.run(self.wallet.void_hold(hold.hold_id, "dispute_void_" + hold.hold_id, "won")) == 0
        with pytest.raises(FailedPrecondition):
            self.run(self.wallet.hold_up_to(hold))
        other = dispute_hold(user, 10_000)
        assert self.run(self.wallet.hold_up_to(other)) == 10_000
        assert self.run(self.wallet.void_hold(other.hold_id, "dispute_void_" + other.hold_id, "won")) == 10_000

    def test_an_unreachable_wallet_is_unavailable(self) -> None:
        unreachable = self.run(self.create_unreachable_wallet())
        try:
            with pytest.raises(Unavailable):
                self.run(unreachable.credit(topup_credit(new_user())))
        finally:
            self.run(self.dispose_wallet(unreachable))
