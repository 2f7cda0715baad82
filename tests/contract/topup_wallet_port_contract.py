"""The contract of the payment gateway's outbound ``Wallet`` port: one credit per key, read back by id.

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
from payment_gateway.domain.wallet import LedgerTransaction, TopUpCredit
from tests.support.grpc_servers import LoopThread
from tests.support.ids import new_user
from winzone_kernel.errors import IdempotencyConflict, NotFound, Unavailable


def topup_credit(user_id: str, amount: int = 50_000, *, key: str | None = None, currency: str = "INR") -> TopUpCredit:
    session_id = f"tps_{uuid.uuid4().hex[:20]}"
    return TopUpCredit(
        key=key or credit_key(session_id), user_id=user_id, amount=amount, currency=currency,
        counter_account=clearing_account("mock"), source="mock", description="Wallet top-up",
        metadata={"sessionId": session_id, "provider": "mock", "providerRef": "mock_session_1"},
    )


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

    def test_an_unreachable_wallet_is_unavailable(self) -> None:
        unreachable = self.run(self.create_unreachable_wallet())
        try:
            with pytest.raises(Unavailable):
                self.run(unreachable.credit(topup_credit(new_user())))
        finally:
            self.run(self.dispose_wallet(unreachable))
