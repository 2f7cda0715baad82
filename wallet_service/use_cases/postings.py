"""Postings: Credit, Debit, Transfer, the multi-leg Post and Recover, each one balanced journal entry in one unit
of work. A definite refusal is remembered under its key and raised again for the same request."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from wallet_service.domain import ledger
from wallet_service.domain.commands import LegRequest, MoveCommand, PostCommand, RecoverCommand, TransferCommand
from wallet_service.domain.model import PostingOutcome, RecoverOutcome
from wallet_service.domain.policy import DEFAULT_POLICY, LedgerPolicy
from wallet_service.domain.ports import LedgerStore
from winzone_kernel.clock import Clock, utc_now


class Postings:
    """Money moved between accounts, idempotent per key: the first result is replayed for the same request."""

    def __init__(self, store: LedgerStore, clock: Clock = utc_now, policy: LedgerPolicy = DEFAULT_POLICY) -> None:
        self._store = store
        self._clock = clock
        self._policy = policy

    async def credit(
        self, *, key: str, user_id: str, amount: int, currency: str, type: str, counter_account: str, source: str,
        description: str, metadata: Mapping[str, str],
    ) -> PostingOutcome:
        """Money into a user's wallet from a system account (a top-up, a reward, a refund ...)."""
        cmd = MoveCommand.build(
            direction=1, key=key, user_id=user_id, amount=amount, currency=currency, type=type,
            counter_account=counter_account, source=source, description=description, metadata=dict(metadata),
        )
        return await self._move(cmd)

    async def debit(
        self, *, key: str, user_id: str, amount: int, currency: str, type: str, counter_account: str, source: str,
        description: str, metadata: Mapping[str, str],
    ) -> PostingOutcome:
        """Money out of a user's available balance to a system account (an entry fee, a payout ...)."""
        cmd = MoveCommand.build(
            direction=-1, key=key, user_id=user_id, amount=amount, currency=currency, type=type,
            counter_account=counter_account, source=source, description=description, metadata=dict(metadata),
        )
        return await self._move(cmd)

    async def transfer(
        self, *, key: str, from_user_id: str, to_user_id: str, amount: int, currency: str, description: str,
        metadata: Mapping[str, str],
    ) -> PostingOutcome:
        """Money from one user's available balance to another user's wallet."""
        cmd = TransferCommand.build(
            key=key, from_user_id=from_user_id, to_user_id=to_user_id, amount=amount, currency=currency,
            description=description, metadata=dict(metadata),
        )
        return await self._store.atomic_async(lambda uow: ledger.transfer(uow, cmd, self._clock, policy=self._policy))

    async def post(
        self, *, key: str, legs: Sequence[LegRequest], source: str, description: str, metadata: Mapping[str, str],
    ) -> PostingOutcome:
        """One balanced multi-leg journal entry across any accounts (a match's prizes and fees at once)."""
        cmd = PostCommand.build(key=key, legs=legs, source=source, description=description, metadata=dict(metadata))
        return await self._store.atomic_async(lambda uow: ledger.post(uow, cmd, self._clock, policy=self._policy))

    async def recover(
        self, *, key: str, user_id: str, amount: int, currency: str, counter_account: str, type: str, source: str,
        description: str, metadata: Mapping[str, str],
    ) -> RecoverOutcome:
        """Take money back from a user's wallet to a system account (a card refund, a lost chargeback): what is
        available, and the rest as the user's receivable, which restricts the wallet until later credits
        settle it."""
        cmd = RecoverCommand.build(
            key=key, user_id=user_id, amount=amount, currency=currency, counter_account=counter_account, type=type,
            source=source, description=description, metadata=dict(metadata),
        )
        return await self._store.atomic_async(lambda uow: ledger.recover(uow, cmd, self._clock, policy=self._policy))

    async def _move(self, cmd: MoveCommand) -> PostingOutcome:
        return await self._store.atomic_async(lambda uow: ledger.move(uow, cmd, self._clock, policy=self._policy))
