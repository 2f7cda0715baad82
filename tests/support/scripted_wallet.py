"""A scripted ``Wallet`` port for payment gateway tests: credits once per key, with outages on demand.

It passes the same contract as the real ``GrpcWallet`` (``tests/contract/test_topup_wallet_port.py``).
"""

from __future__ import annotations

from payment_gateway.domain.ports import Wallet
from payment_gateway.domain.wallet import LedgerTransaction, TopUpCredit
from winzone_kernel.errors import IdempotencyConflict, NotFound, Unavailable


class ScriptedWallet(Wallet):
    """Credits once per key (like the wallet); raises ``Unavailable`` for the first ``outages`` calls."""

    def __init__(self, outages: int = 0) -> None:
        self.outages = outages
        self.calls = 0
        self.by_key: dict[str, LedgerTransaction] = {}
        self._requests: dict[str, TopUpCredit] = {}
        self._balances: dict[tuple[str, str], int] = {}

    async def credit(self, credit: TopUpCredit) -> LedgerTransaction:
        self.calls += 1
        if self.outages:
            self.outages -= 1
            raise Unavailable("wallet down")
        if credit.key in self.by_key:
            if self._requests[credit.key] != credit:
                raise IdempotencyConflict("Idempotency key was already used with a different request")
            return self.by_key[credit.key]
        balance = self._balances.get((credit.user_id, credit.currency), 0) + credit.amount
        self._balances[(credit.user_id, credit.currency)] = balance
        self._requests[credit.key] = credit
        self.by_key[credit.key] = LedgerTransaction(
            id=f"txn_{len(self.by_key) + 1}", user_id=credit.user_id, type="topup", amount=credit.amount,
            currency=credit.currency, status="completed", source=credit.source, description=credit.description,
            idempotency_key=credit.key, balance_after=balance, created_at="t", updated_at="t",
            account=f"user:{credit.user_id}", metadata=dict(credit.metadata),
        )
        return self.by_key[credit.key]

    async def transaction(self, transaction_id: str) -> LedgerTransaction:
        for transaction in self.by_key.values():
            if transaction.id == transaction_id:
                return transaction
        raise NotFound("Transaction not found", code="TRANSACTION_NOT_FOUND")
