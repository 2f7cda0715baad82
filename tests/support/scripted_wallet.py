"""A scripted ``Wallet`` port for payment gateway tests: credits, recoveries and holds once per key (refusals
remembered under their key, as the wallet does), with outages on demand.

It passes the same contract as the real ``GrpcWallet`` (``tests/contract/test_topup_wallet_port.py``).
"""

from __future__ import annotations

from typing import Any

from payment_gateway.domain.deposits import DepositControls
from payment_gateway.domain.ports import Wallet
from payment_gateway.domain.wallet import DisputeHold, LedgerTransaction, Recovered, Recovery, TopUpCredit
from winzone_kernel.errors import (
    FailedPrecondition,
    IdempotencyConflict,
    InsufficientFunds,
    InvalidState,
    NotFound,
    Unavailable,
    WinzoneError,
)


class ScriptedWallet(Wallet):
    """Credits once per key (like the wallet); raises ``Unavailable`` for the first ``outages`` calls."""

    def __init__(self, outages: int = 0) -> None:
        self.outages = outages
        self.calls = 0
        self.by_key: dict[str, LedgerTransaction] = {}
        self._requests: dict[str, TopUpCredit] = {}
        self._balances: dict[tuple[str, str], int] = {}
        self.owed: dict[tuple[str, str], int] = {}
        self.holds: dict[str, tuple[str, str, int, str]] = {}
        """hold id -> (user, currency, amount, status: open, captured, voided)"""
        self._answers: dict[str, tuple[Any, Any]] = {}
        self.deposit_controls: dict[tuple[str, str], DepositControls] = {}
        """(user, currency) -> the player's self-exclusion and deposit limits (default: none)."""

    def available(self, user_id: str, currency: str = "INR") -> int:
        held = sum(a for u, c, a, s in self.holds.values() if (u, c, s) == (user_id, currency, "open"))
        return self._balances.get((user_id, currency), 0) - held

    def _outage(self) -> None:
        self.calls += 1
        if self.outages:
            self.outages -= 1
            raise Unavailable("wallet down")

    def _once(self, key: str, request: Any, body: Any) -> Any:
        if key in self._answers:
            seen, answer = self._answers[key]
            if seen != request:
                raise IdempotencyConflict("Idempotency key was already used with a different request")
        else:
            try:
                answer = body()
            except (FailedPrecondition, NotFound) as refusal:
                answer = refusal
            self._answers[key] = (request, answer)
        if isinstance(answer, WinzoneError):
            raise answer
        return answer

    async def recover(self, recovery: Recovery) -> Recovered:
        self._outage()

        def body() -> Recovered:
            wallet = (recovery.user_id, recovery.currency)
            taken = max(0, min(recovery.amount, self.available(*wallet)))
            self._balances[wallet] = self._balances.get(wallet, 0) - taken
            self.owed[wallet] = self.owed.get(wallet, 0) + recovery.amount - taken
            return Recovered(f"ent_{len(self._answers) + 1}", taken, recovery.amount - taken)

        return self._once(recovery.key, ("recover", recovery), body)  # type: ignore[no-any-return]

    async def hold_up_to(self, hold: DisputeHold) -> int:
        self._outage()

        def body() -> int:
            if hold.hold_id in self.holds:
                status = self.holds[hold.hold_id][3]
                if status == "voided" and self.holds[hold.hold_id][2] == 0:
                    raise FailedPrecondition("hold was voided before it was created", code="HOLD_VOIDED")
                raise IdempotencyConflict("hold already exists under another key")
            amount = min(hold.amount, self.available(hold.user_id, hold.currency))
            if amount <= 0:
                raise InsufficientFunds()
            self.holds[hold.hold_id] = (hold.user_id, hold.currency, amount, "open")
            return amount

        return self._once(hold.key, ("hold", hold), body)  # type: ignore[no-any-return]

    def _settle(self, hold_id: str, key: str, capture: bool) -> int:
        def body() -> int:
            found = self.holds.get(hold_id)
            if found is None:
                if capture:
                    raise NotFound("hold not found", code="HOLD_NOT_FOUND")
                self.holds[hold_id] = ("", "", 0, "voided")
                return 0
            user, currency, amount, status = found
            if status != "open":
                raise InvalidState(f"hold {hold_id} is already {status}", code="HOLD_NOT_OPEN")
            self.holds[hold_id] = (user, currency, amount, "captured" if capture else "voided")
            if capture:
                self._balances[(user, currency)] -= amount
            return amount

        return self._once(key, ("capture" if capture else "void", hold_id), body)  # type: ignore[no-any-return]

    async def capture_hold(self, hold_id: str, key: str, counter_account: str, description: str) -> int:
        self._outage()
        return self._settle(hold_id, key, capture=True)

    async def void_hold(self, hold_id: str, key: str, reason: str) -> int:
        self._outage()
        return self._settle(hold_id, key, capture=False)

    async def credit(self, credit: TopUpCredit) -> LedgerTransaction:
        self._outage()
        if credit.key in self.by_key:
            if self._requests[credit.key] != credit:
                raise IdempotencyConflict("Idempotency key was already used with a different request")
            return self.by_key[credit.key]
        wallet = (credit.user_id, credit.currency)
        settled = min(self.owed.get(wallet, 0), credit.amount)
        self.owed[wallet] = self.owed.get(wallet, 0) - settled
        balance = self._balances.get(wallet, 0) + credit.amount - settled
        self._balances[wallet] = balance
        self._requests[credit.key] = credit
        self.by_key[credit.key] = LedgerTransaction(
            id=f"txn_{len(self.by_key) + 1}", user_id=credit.user_id, type="topup", amount=credit.amount,
            currency=credit.currency, status="completed", source=credit.source, description=credit.description,
            idempotency_key=credit.key, balance_after=balance, created_at="t", updated_at="t",
            account=f"user:{credit.user_id}", metadata=dict(credit.metadata),
        )
        return self.by_key[credit.key]

    async def controls(self, user_id: str, currency: str) -> DepositControls:
        """Never down and not counted in ``calls``: the outages script the money-moving calls."""
        return self.deposit_controls.get((user_id, currency), DepositControls())

    async def transaction(self, transaction_id: str) -> LedgerTransaction:
        for transaction in self.by_key.values():
            if transaction.id == transaction_id:
                return transaction
        raise NotFound("Transaction not found", code="TRANSACTION_NOT_FOUND")
