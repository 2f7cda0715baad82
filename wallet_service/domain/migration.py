"""The one-off move of each wallet's earnings into its winnings fund after funds were introduced.

Before funds existed every leg counted as deposit, so rewards a player won sit in their deposit fund. Once per
wallet an entry of type ``migration`` (key ``migrate_funds_{userId}_{currency}``) moves w = min(rewards credited
before funds existed, what is left of the balance of then, deposit available) from deposit to winnings: two legs
on the user's own account, -w from deposit and +w to winnings, so the balance does not change and the audit holds
before and after. A wallet with nothing to move has the key recorded too, so it is never looked at again.
"""

from __future__ import annotations

from wallet_service.domain.accounts import user_account
from wallet_service.domain.commands import LegSpec
from wallet_service.domain.entries import book
from wallet_service.domain.idempotency import remembered, replayed_posting
from wallet_service.domain.model import PostingOutcome, Refusal, TxType
from wallet_service.domain.ports import LedgerUnitOfWork
from winzone_kernel.clock import Clock, timestamp_now, utc_now
from winzone_kernel.errors import IdempotencyConflict

SOURCE = "migration"
DESCRIPTION = "Earnings moved to winnings (funds introduced)"
NOTHING_MOVED = {"moved": 0}
"""What the key records for a wallet that had nothing to move."""


def migration_key(user_id: str, currency: str) -> str:
    return f"migrate_funds_{user_id}_{currency}"


def migrate_funds(uow: LedgerUnitOfWork, user_id: str, currency: str, clock: Clock = utc_now
                  ) -> PostingOutcome | Refusal | None:
    """Move the wallet's legacy earnings from deposit to winnings, once: the first run records its outcome
    under the key even when nothing moves (None), so a later run never moves deposits made since; a replay
    returns the first entry."""
    key = migration_key(user_id, currency)
    fingerprint = f"migration:{user_id}:{currency}"
    found = uow.idempotency_get(key)
    if found is not None and found[1] == NOTHING_MOVED:
        if found[0] != fingerprint:
            raise IdempotencyConflict()
        return None
    if found is None and _movable(uow, user_id, currency) <= 0:
        uow.idempotency_put(key, fingerprint, dict(NOTHING_MOVED), timestamp_now(clock))
        return None
    return remembered(uow, key, fingerprint, clock, replay=lambda stored: replayed_posting(uow, stored),
                      body=lambda now: _migrate(uow, user_id, currency, now))


def _movable(uow: LedgerUnitOfWork, user_id: str, currency: str) -> int:
    state = uow.account_get(user_account(user_id), currency)
    if state is None:
        return 0
    return max(0, min(uow.legacy_earnings(user_id, currency), uow.legacy_deposit(user_id, currency),
                      state.available_funds.deposit))


def _migrate(uow: LedgerUnitOfWork, user_id: str, currency: str, now: str) -> PostingOutcome:
    amount = _movable(uow, user_id, currency)
    account = user_account(user_id)
    metadata = {"migration": "funds"}
    legs = [
        LegSpec(account, -amount, currency, TxType.MIGRATION.value, DESCRIPTION, migration_key(user_id, currency),
                metadata),
        LegSpec(account, amount, currency, TxType.MIGRATION.value, DESCRIPTION, None, metadata),
    ]
    return book(uow, legs, source=SOURCE, metadata=metadata, now=now, restrict=False, settle=False)
