"""The ledger rules: every command becomes one balanced journal entry (or a hold change) in one unit of work.

Each function takes a unit of work, a validated command and the clock that stamps what it writes, replays the
first result when the idempotency key was already used for the same request, and raises
``IdempotencyConflict`` when it was used for another.
"""

from __future__ import annotations

from typing import Any

from wallet_service.domain.accounts import Account, parse_account, user_account
from wallet_service.domain.commands import (
    CreateHoldCommand,
    MoveCommand,
    PostCommand,
    SettleHoldCommand,
    TransferCommand,
)
from wallet_service.domain.model import (
    HoldOutcome,
    HoldRecord,
    HoldStatus,
    PostingOutcome,
    TransactionRecord,
    TxStatus,
    TxType,
    WalletView,
)
from wallet_service.domain.ports import LedgerUnitOfWork
from winzone_kernel.clock import Clock, timestamp_now, utc_now
from winzone_kernel.errors import IdempotencyConflict, InvalidState, NotFound
from winzone_kernel.ids import new_id


def _replay(uow: LedgerUnitOfWork, key: str, fingerprint: str) -> dict[str, Any] | None:
    found = uow.idempotency_get(key)
    if found is None:
        return None
    stored_fingerprint, result = found
    if stored_fingerprint != fingerprint:
        raise IdempotencyConflict()
    return result


def _replayed_posting(uow: LedgerUnitOfWork, stored: dict[str, Any]) -> PostingOutcome:
    if "transactions" in stored:
        records = [TransactionRecord(**t) for t in stored["transactions"]]
        return PostingOutcome.from_dict(stored, records, replayed=True)
    transactions = []
    for tx_id in stored["transaction_ids"]:
        record = uow.transaction_get(tx_id)
        if record is None:
            raise NotFound(f"transaction {tx_id} of a recorded entry is missing")
        transactions.append(record)
    return PostingOutcome.from_dict(stored, transactions, replayed=True)


def _leg(
    *, account: Account, tx_type: str, amount: int, currency: str, source: str, description: str,
    metadata: dict[str, str], key: str | None, balance_after: int, entry_id: str, now: str,
) -> TransactionRecord:
    return TransactionRecord(
        id=new_id("txn"), account=account.name, user_id=account.user_id, type=tx_type, amount=amount,
        currency=currency, status=TxStatus.COMPLETED.value, source=source, description=description,
        metadata=metadata, idempotency_key=key, balance_after=balance_after, entry_id=entry_id, hold_id=None,
        created_at=now, updated_at=now, posted_at=now,
    )


def _earnings(account: Account, tx_type: str, amount: int) -> int:
    return amount if account.user_id is not None and tx_type == TxType.REWARD and amount > 0 else 0


def post(uow: LedgerUnitOfWork, cmd: PostCommand, clock: Clock = utc_now) -> PostingOutcome:
    """Apply a balanced multi-leg entry: each account's net change is applied once, legs in request order."""
    fingerprint = cmd.fingerprint()
    stored = _replay(uow, cmd.key, fingerprint)
    if stored is not None:
        return _replayed_posting(uow, stored)
    now = timestamp_now(clock)
    entry_id = new_id("ent")
    net: dict[tuple[Account, str], list[int]] = {}
    for leg in cmd.legs:
        totals = net.setdefault((leg.account, leg.currency), [0, 0])
        totals[0] += leg.amount
        totals[1] += _earnings(leg.account, leg.type, leg.amount)
    ordered = sorted(net.items(), key=lambda item: item[1][0])
    final: dict[tuple[Account, str], int] = {}
    wallets: list[WalletView] = []
    for (account, currency), (delta, earnings) in ordered:
        state = uow.account_apply(account, currency, delta, earnings, now)
        final[(account, currency)] = state.balance
        if account.user_id is not None:
            wallets.append(WalletView.of(account.user_id, state, currency))
    running = dict(final)
    backwards: list[TransactionRecord] = []
    for leg in reversed(cmd.legs):
        slot = (leg.account, leg.currency)
        backwards.append(_leg(
            account=leg.account, tx_type=leg.type, amount=leg.amount, currency=leg.currency, source=cmd.source,
            description=leg.description, metadata=leg.metadata or cmd.metadata, key=leg.key,
            balance_after=running[slot], entry_id=entry_id, now=now,
        ))
        running[slot] -= leg.amount
    records = backwards[::-1]
    uow.transactions_add(records)
    outcome = PostingOutcome(entry_id=entry_id, transactions=records, wallets=wallets)
    uow.idempotency_put(cmd.key, fingerprint, outcome.to_dict(), now)
    return outcome


def move(uow: LedgerUnitOfWork, cmd: MoveCommand, clock: Clock = utc_now) -> PostingOutcome:
    """Credit or Debit: a two-leg entry between a user's wallet and a system account."""
    fingerprint = cmd.fingerprint()
    stored = _replay(uow, cmd.key, fingerprint)
    if stored is not None:
        return _replayed_posting(uow, stored)
    now = timestamp_now(clock)
    entry_id = new_id("ent")
    user = user_account(cmd.user_id)
    counter = parse_account(cmd.counter_account)
    amount = cmd.amount * cmd.direction
    user_state = uow.account_apply(user, cmd.currency, amount, _earnings(user, cmd.type, amount), now)
    counter_state = uow.account_apply(counter, cmd.currency, -amount, 0, now)
    records = [
        _leg(account=user, tx_type=cmd.type, amount=amount, currency=cmd.currency, source=cmd.source,
             description=cmd.description, metadata=cmd.metadata, key=cmd.key, balance_after=user_state.balance,
             entry_id=entry_id, now=now),
        _leg(account=counter, tx_type=cmd.type, amount=-amount, currency=cmd.currency, source=cmd.source,
             description=cmd.description, metadata=cmd.metadata, key=None, balance_after=counter_state.balance,
             entry_id=entry_id, now=now),
    ]
    uow.transactions_add(records)
    outcome = PostingOutcome(entry_id, records, [WalletView.of(cmd.user_id, user_state, cmd.currency)])
    uow.idempotency_put(cmd.key, fingerprint, outcome.to_dict(), now)
    return outcome


def transfer(uow: LedgerUnitOfWork, cmd: TransferCommand, clock: Clock = utc_now) -> PostingOutcome:
    """User-to-user transfer out of the sender's available balance."""
    fingerprint = cmd.fingerprint()
    stored = _replay(uow, cmd.key, fingerprint)
    if stored is not None:
        return _replayed_posting(uow, stored)
    now = timestamp_now(clock)
    entry_id = new_id("ent")
    sender, receiver = user_account(cmd.from_user_id), user_account(cmd.to_user_id)
    sender_state = uow.account_apply(sender, cmd.currency, -cmd.amount, 0, now)
    receiver_state = uow.account_apply(receiver, cmd.currency, cmd.amount, 0, now)
    records = [
        _leg(account=sender, tx_type=TxType.DEBIT, amount=-cmd.amount, currency=cmd.currency, source="transfer",
             description=cmd.description, metadata=cmd.metadata, key=cmd.key, balance_after=sender_state.balance,
             entry_id=entry_id, now=now),
        _leg(account=receiver, tx_type=TxType.CREDIT, amount=cmd.amount, currency=cmd.currency, source="transfer",
             description=cmd.description, metadata=cmd.metadata, key=None, balance_after=receiver_state.balance,
             entry_id=entry_id, now=now),
    ]
    uow.transactions_add(records)
    outcome = PostingOutcome(entry_id, records, [
        WalletView.of(cmd.from_user_id, sender_state, cmd.currency),
        WalletView.of(cmd.to_user_id, receiver_state, cmd.currency),
    ])
    uow.idempotency_put(cmd.key, fingerprint, outcome.to_dict(), now)
    return outcome


def create_hold(uow: LedgerUnitOfWork, cmd: CreateHoldCommand, clock: Clock = utc_now) -> HoldOutcome:
    """Reserve funds: held grows, available shrinks, and a pending transaction shows the reservation."""
    fingerprint = cmd.fingerprint()
    stored = _replay(uow, cmd.key, fingerprint)
    if stored is not None:
        return HoldOutcome.from_dict(stored, replayed=True)
    if uow.hold_get(cmd.hold_id) is not None:
        raise IdempotencyConflict(f"hold {cmd.hold_id} already exists under another idempotency key")
    now = timestamp_now(clock)
    account = user_account(cmd.user_id)
    state = uow.account_hold(account, cmd.currency, cmd.amount, now)
    record = TransactionRecord(
        id=new_id("txn"), account=account.name, user_id=cmd.user_id, type=cmd.type, amount=-cmd.amount,
        currency=cmd.currency, status=TxStatus.PENDING.value, source=cmd.source, description=cmd.description,
        metadata=cmd.metadata, idempotency_key=cmd.key, balance_after=None, entry_id=None, hold_id=cmd.hold_id,
        created_at=now, updated_at=now, posted_at=now,
    )
    hold = HoldRecord(
        id=cmd.hold_id, account=account.name, user_id=cmd.user_id, currency=cmd.currency, amount=cmd.amount,
        status=HoldStatus.OPEN.value, transaction_id=record.id, created_at=now, updated_at=now,
    )
    uow.transactions_add([record])
    uow.hold_add(hold)
    outcome = HoldOutcome(hold, record, WalletView.of(cmd.user_id, state, cmd.currency))
    uow.idempotency_put(cmd.key, fingerprint, outcome.to_dict(), now)
    return outcome


def settle_hold(uow: LedgerUnitOfWork, cmd: SettleHoldCommand, clock: Clock = utc_now) -> HoldOutcome:
    """Capture (money leaves to the counter account) or void (money returns to available) an open hold."""
    fingerprint = cmd.fingerprint()
    stored = _replay(uow, cmd.key, fingerprint)
    if stored is not None:
        return HoldOutcome.from_dict(stored, replayed=True)
    hold = uow.hold_get(cmd.hold_id)
    if hold is None:
        raise NotFound(f"hold {cmd.hold_id} not found", code="HOLD_NOT_FOUND")
    if hold.status != HoldStatus.OPEN:
        raise InvalidState(f"hold {cmd.hold_id} is already {hold.status}", code="HOLD_NOT_OPEN")
    record = uow.transaction_get(hold.transaction_id)
    if record is None:
        raise NotFound(f"transaction of hold {cmd.hold_id} not found")
    now = timestamp_now(clock)
    account = user_account(hold.user_id)
    state = uow.account_hold(account, hold.currency, -hold.amount, now)
    if cmd.capture:
        entry_id = new_id("ent")
        state = uow.account_apply(account, hold.currency, -hold.amount, 0, now)
        counter = parse_account(cmd.counter_account)
        counter_state = uow.account_apply(counter, hold.currency, hold.amount, 0, now)
        uow.transactions_add([_leg(
            account=counter, tx_type=record.type, amount=hold.amount, currency=hold.currency, source=record.source,
            description=cmd.note or record.description, metadata=record.metadata, key=None,
            balance_after=counter_state.balance, entry_id=entry_id, now=now,
        )])
        uow.transaction_settle(record.id, TxStatus.COMPLETED.value, entry_id, state.balance, now)
        record.status, record.entry_id, record.balance_after = TxStatus.COMPLETED.value, entry_id, state.balance
        record.posted_at = now
        hold.status = HoldStatus.CAPTURED.value
    else:
        uow.transaction_settle(record.id, TxStatus.FAILED.value, None, None, now)
        record.status = TxStatus.FAILED.value
        hold.status = HoldStatus.VOIDED.value
    record.updated_at = hold.updated_at = now
    uow.hold_set_status(hold.id, hold.status, now)
    outcome = HoldOutcome(hold, record, WalletView.of(hold.user_id, state, hold.currency))
    uow.idempotency_put(cmd.key, fingerprint, outcome.to_dict(), now)
    return outcome
