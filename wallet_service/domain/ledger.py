"""The ledger rules: every command becomes one balanced journal entry (or a hold change) in one unit of work.

Each function takes a unit of work, a validated command and the clock that stamps what it writes, replays the
first answer when the idempotency key was already used for the same request (``idempotency``), and raises
``IdempotencyConflict`` when it was used for another. A definite refusal is returned as a ``Refusal`` for the
store to commit and raise. Hold rules live in ``holds`` and are exported here too.
"""

from __future__ import annotations

from typing import Any

from wallet_service.domain.accounts import parse_account, receivable_account, user_account
from wallet_service.domain.commands import LegSpec, MoveCommand, PostCommand, RecoverCommand, TransferCommand
from wallet_service.domain.entries import book, owed
from wallet_service.domain.funds import DEPOSIT_FIRST
from wallet_service.domain.holds import create_hold, settle_hold
from wallet_service.domain.idempotency import remembered, replayed_posting
from wallet_service.domain.migration import migrate_funds
from wallet_service.domain.model import PostingOutcome, RecoverOutcome, Refusal, TxType, WalletView
from wallet_service.domain.policy import DEFAULT_POLICY, LedgerPolicy
from wallet_service.domain.ports import LedgerUnitOfWork
from winzone_kernel.clock import Clock, utc_now

__all__ = ["create_hold", "migrate_funds", "move", "post", "recover", "settle_hold", "transfer"]


def post(uow: LedgerUnitOfWork, cmd: PostCommand, clock: Clock = utc_now, *,
         policy: LedgerPolicy = DEFAULT_POLICY) -> PostingOutcome | Refusal:
    """Apply a balanced multi-leg entry: each account's net change is applied once, legs in request order."""
    return remembered(
        uow, cmd.key, cmd.fingerprint(), clock, replay=lambda stored: replayed_posting(uow, stored),
        body=lambda now: book(uow, list(cmd.legs), source=cmd.source, metadata=cmd.metadata, now=now,
                              policy=policy),
    )


def move(uow: LedgerUnitOfWork, cmd: MoveCommand, clock: Clock = utc_now, *,
         policy: LedgerPolicy = DEFAULT_POLICY) -> PostingOutcome | Refusal:
    """Credit or Debit: a two-leg entry between a user's wallet and a system account."""
    amount = cmd.amount * cmd.direction
    legs = [
        LegSpec(user_account(cmd.user_id), amount, cmd.currency, cmd.type, cmd.description, cmd.key, cmd.metadata),
        LegSpec(parse_account(cmd.counter_account), -amount, cmd.currency, cmd.type, cmd.description, None,
                cmd.metadata),
    ]
    return remembered(
        uow, cmd.key, cmd.fingerprint(), clock, replay=lambda stored: replayed_posting(uow, stored),
        body=lambda now: book(uow, legs, source=cmd.source, metadata=cmd.metadata, now=now, policy=policy),
    )


def transfer(uow: LedgerUnitOfWork, cmd: TransferCommand, clock: Clock = utc_now, *,
             policy: LedgerPolicy = DEFAULT_POLICY) -> PostingOutcome | Refusal:
    """User-to-user transfer out of the sender's available balance."""
    legs = [
        LegSpec(user_account(cmd.from_user_id), -cmd.amount, cmd.currency, TxType.DEBIT.value, cmd.description,
                cmd.key, cmd.metadata),
        LegSpec(user_account(cmd.to_user_id), cmd.amount, cmd.currency, TxType.CREDIT.value, cmd.description, None,
                cmd.metadata),
    ]
    return remembered(
        uow, cmd.key, cmd.fingerprint(), clock, replay=lambda stored: replayed_posting(uow, stored),
        body=lambda now: book(uow, legs, source="transfer", metadata=cmd.metadata, now=now, policy=policy),
    )


def recover(uow: LedgerUnitOfWork, cmd: RecoverCommand, clock: Clock = utc_now, *,
            policy: LedgerPolicy = DEFAULT_POLICY) -> RecoverOutcome | Refusal:
    """Take ``amount`` to the counter account: min(amount, available deposit and winnings) from the wallet (never
    bonus), the shortfall from the user's receivable (which then restricts the wallet), in one balanced entry."""

    def replay(stored: dict[str, Any]) -> RecoverOutcome:
        return RecoverOutcome(replayed_posting(uow, stored), stored["recovered"], stored["shortfall"])

    return remembered(uow, cmd.key, cmd.fingerprint(), clock, replay=replay,
                      body=lambda now: _recover(uow, cmd, now, policy))


def _recover(uow: LedgerUnitOfWork, cmd: RecoverCommand, now: str, policy: LedgerPolicy) -> RecoverOutcome:
    user = user_account(cmd.user_id)
    state = uow.account_get(user, cmd.currency)
    takeable = 0 if state is None else sum(max(0, state.available_funds.get(name)) for name in DEPOSIT_FIRST)
    recovered = min(cmd.amount, takeable)
    shortfall = cmd.amount - recovered
    legs = []
    if recovered:
        legs.append(LegSpec(user, -recovered, cmd.currency, cmd.type, cmd.description, cmd.key, cmd.metadata))
    if shortfall:
        legs.append(LegSpec(receivable_account(cmd.user_id), -shortfall, cmd.currency, cmd.type, cmd.description,
                            None if recovered else cmd.key, cmd.metadata))
    legs.append(LegSpec(parse_account(cmd.counter_account), cmd.amount, cmd.currency, cmd.type, cmd.description,
                        None, cmd.metadata))
    owed_before = owed(uow, cmd.user_id, cmd.currency)
    posting = book(uow, legs, source=cmd.source, metadata=cmd.metadata, now=now, restrict=False, settle=False,
                   policy=policy)
    if not recovered:
        posting.wallets = [WalletView.of(cmd.user_id, state, cmd.currency, owed_before + shortfall, policy)]
    return RecoverOutcome(posting, recovered, shortfall)
