"""The hold rules: reserve part of a user's available balance, capture it or void it exactly once.

A void that finds no hold records a tombstone under the hold id, so a create that arrives later (a call that
timed out but still landed) is refused ``HOLD_VOIDED`` and can never reserve funds that nothing releases.
"""

from __future__ import annotations

from typing import Any

from wallet_service.domain.accounts import parse_account, user_account
from wallet_service.domain.commands import CreateHoldCommand, SettleHoldCommand
from wallet_service.domain.entries import leg_record, owed, restricted
from wallet_service.domain.idempotency import remembered
from wallet_service.domain.model import (
    HoldOutcome,
    HoldRecord,
    HoldStatus,
    Refusal,
    TransactionRecord,
    TxStatus,
    WalletView,
)
from wallet_service.domain.ports import LedgerUnitOfWork
from winzone_kernel.clock import Clock, utc_now
from winzone_kernel.errors import FailedPrecondition, IdempotencyConflict, InsufficientFunds, InvalidState, NotFound
from winzone_kernel.ids import new_id


def _replayed_hold(stored: dict[str, Any]) -> HoldOutcome:
    return HoldOutcome.from_dict(stored, replayed=True)


def create_hold(uow: LedgerUnitOfWork, cmd: CreateHoldCommand, clock: Clock = utc_now) -> HoldOutcome | Refusal:
    """Reserve funds: held grows, available shrinks, and a pending transaction shows the reservation."""
    return remembered(uow, cmd.key, cmd.fingerprint(), clock, replay=_replayed_hold,
                      body=lambda now: _create(uow, cmd, now))


def _create(uow: LedgerUnitOfWork, cmd: CreateHoldCommand, now: str) -> HoldOutcome:
    if uow.hold_get(cmd.hold_id) is not None:
        raise IdempotencyConflict(f"hold {cmd.hold_id} already exists under another idempotency key")
    if uow.tombstone_get(cmd.hold_id) is not None:
        raise FailedPrecondition(f"hold {cmd.hold_id} was voided before it was created", code="HOLD_VOIDED")
    receivable = owed(uow, cmd.user_id, cmd.currency)
    if receivable and not cmd.up_to_available:
        raise restricted(cmd.user_id, cmd.currency)
    account = user_account(cmd.user_id)
    amount = cmd.amount
    if cmd.up_to_available:
        current = uow.account_get(account, cmd.currency)
        amount = min(amount, 0 if current is None else current.available)
        if amount <= 0:
            raise InsufficientFunds()
    state = uow.account_hold(account, cmd.currency, amount, now)
    record = TransactionRecord(
        id=new_id("txn"), account=account.name, user_id=cmd.user_id, type=cmd.type, amount=-amount,
        currency=cmd.currency, status=TxStatus.PENDING.value, source=cmd.source, description=cmd.description,
        metadata=cmd.metadata, idempotency_key=cmd.key, balance_after=None, entry_id=None, hold_id=cmd.hold_id,
        created_at=now, updated_at=now, posted_at=now,
    )
    hold = HoldRecord(
        id=cmd.hold_id, account=account.name, user_id=cmd.user_id, currency=cmd.currency, amount=amount,
        status=HoldStatus.OPEN.value, transaction_id=record.id, created_at=now, updated_at=now,
    )
    uow.transactions_add([record])
    uow.hold_add(hold)
    return HoldOutcome(hold, record, WalletView.of(cmd.user_id, state, cmd.currency, receivable))


def settle_hold(uow: LedgerUnitOfWork, cmd: SettleHoldCommand, clock: Clock = utc_now) -> HoldOutcome | Refusal:
    """Capture (money leaves to the counter account) or void (money returns to available) an open hold; a void
    of an unknown hold id leaves a tombstone."""
    return remembered(uow, cmd.key, cmd.fingerprint(), clock, replay=_replayed_hold,
                      body=lambda now: _settle(uow, cmd, now))


def _settle(uow: LedgerUnitOfWork, cmd: SettleHoldCommand, now: str) -> HoldOutcome:
    hold = uow.hold_get(cmd.hold_id)
    if hold is None:
        if uow.tombstone_get(cmd.hold_id) is not None:
            raise InvalidState(f"hold {cmd.hold_id} is already voided", code="HOLD_NOT_OPEN")
        if cmd.capture:
            raise NotFound(f"hold {cmd.hold_id} not found", code="HOLD_NOT_FOUND")
        uow.tombstone_add(cmd.hold_id, now)
        return HoldOutcome.tombstone(cmd.hold_id, now)
    if hold.status != HoldStatus.OPEN:
        raise InvalidState(f"hold {cmd.hold_id} is already {hold.status}", code="HOLD_NOT_OPEN")
    record = uow.transaction_get(hold.transaction_id)
    if record is None:
        raise NotFound(f"transaction of hold {cmd.hold_id} not found")
    account = user_account(hold.user_id)
    state = uow.account_hold(account, hold.currency, -hold.amount, now)
    if cmd.capture:
        entry_id = new_id("ent")
        state = uow.account_apply(account, hold.currency, -hold.amount, 0, now)
        counter = parse_account(cmd.counter_account)
        counter_state = uow.account_apply(counter, hold.currency, hold.amount, 0, now)
        uow.transactions_add([leg_record(
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
    receivable = owed(uow, hold.user_id, hold.currency)
    return HoldOutcome(hold, record, WalletView.of(hold.user_id, state, hold.currency, receivable))
