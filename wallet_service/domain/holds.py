"""The hold rules: reserve part of a user's available balance, capture it or void it exactly once.

A hold reserves from the funds it will be taken from: a payout hold from the WITHDRAWABLE_FUNDS in order (and
withholds TDS on its net winnings under TDS_RATE), any other hold deposit then winnings. Its capture takes the
held funds out: ``net_amount`` to the counter account and ``tds`` to ``tds_payable`` in one entry.

A void that finds no hold records a tombstone under the hold id, so a create that arrives later (a call that
timed out but still landed) is refused ``HOLD_VOIDED`` and can never reserve funds that nothing releases.
"""

from __future__ import annotations

from typing import Any

from wallet_service.domain import tax
from wallet_service.domain.accounts import parse_account, user_account
from wallet_service.domain.commands import CreateHoldCommand, SettleHoldCommand
from wallet_service.domain.entries import leg_record, owed, restricted
from wallet_service.domain.funds import ZERO, draw, draw_order
from wallet_service.domain.idempotency import remembered
from wallet_service.domain.model import (
    HoldOutcome,
    HoldRecord,
    HoldStatus,
    Refusal,
    TransactionRecord,
    TxStatus,
    TxType,
    WalletView,
)
from wallet_service.domain.policy import DEFAULT_POLICY, LedgerPolicy
from wallet_service.domain.ports import LedgerUnitOfWork
from wallet_service.domain.routing import hold_funds, payout_slot
from winzone_kernel.clock import Clock, utc_now
from winzone_kernel.errors import FailedPrecondition, IdempotencyConflict, InsufficientFunds, InvalidState, NotFound
from winzone_kernel.ids import new_id


def _replayed_hold(stored: dict[str, Any]) -> HoldOutcome:
    return HoldOutcome.from_dict(stored, replayed=True)


def create_hold(uow: LedgerUnitOfWork, cmd: CreateHoldCommand, clock: Clock = utc_now, *,
                policy: LedgerPolicy = DEFAULT_POLICY) -> HoldOutcome | Refusal:
    """Reserve funds: held grows, available shrinks, and a pending transaction shows the reservation."""
    return remembered(uow, cmd.key, cmd.fingerprint(), clock, replay=_replayed_hold,
                      body=lambda now: _create(uow, cmd, now, policy))


def hold_order(tx_type: str, policy: LedgerPolicy) -> tuple[str, ...]:
    """The funds a hold of ``tx_type`` reserves from, in order (never bonus)."""
    return draw_order(TxType.PAYOUT.value if tx_type == TxType.PAYOUT else TxType.DEBIT.value, policy)


def _create(uow: LedgerUnitOfWork, cmd: CreateHoldCommand, now: str, policy: LedgerPolicy) -> HoldOutcome:
    if uow.hold_get(cmd.hold_id) is not None:
        raise IdempotencyConflict(f"hold {cmd.hold_id} already exists under another idempotency key")
    if uow.tombstone_get(cmd.hold_id) is not None:
        raise FailedPrecondition(f"hold {cmd.hold_id} was voided before it was created", code="HOLD_VOIDED")
    receivable = owed(uow, cmd.user_id, cmd.currency)
    if receivable and not cmd.up_to_available:
        raise restricted(cmd.user_id, cmd.currency)
    account = user_account(cmd.user_id)
    current = uow.account_get(account, cmd.currency)
    available = ZERO if current is None else current.available_funds
    order = hold_order(cmd.type, policy)
    amount = cmd.amount
    if cmd.up_to_available:
        amount = min(amount, sum(max(0, available.get(name)) for name in order))
        if amount <= 0:
            raise InsufficientFunds()
    funds, short = draw(amount, order, available)
    if short:
        raise InsufficientFunds(f"Insufficient funds: a {cmd.type} hold may take only {', '.join(order)}")
    withheld = tax.withholding(uow, cmd.user_id, cmd.currency, amount, now, policy) \
        if cmd.type == TxType.PAYOUT else None
    if withheld is not None and withheld.tds >= amount:
        raise FailedPrecondition(
            f"nothing to pay: the whole amount of {amount} {cmd.currency} would be withheld as TDS",
            code="NOTHING_TO_PAY")
    state = uow.account_hold(account, cmd.currency, amount, now, funds)
    record = TransactionRecord(
        id=new_id("txn"), account=account.name, user_id=cmd.user_id, type=cmd.type, amount=-amount,
        currency=cmd.currency, status=TxStatus.PENDING.value, source=cmd.source, description=cmd.description,
        metadata=cmd.metadata, idempotency_key=cmd.key, balance_after=None, entry_id=None, hold_id=cmd.hold_id,
        created_at=now, updated_at=now, posted_at=now, funds=(-funds).to_dict(),
    )
    hold = HoldRecord(
        id=cmd.hold_id, account=account.name, user_id=cmd.user_id, currency=cmd.currency, amount=amount,
        status=HoldStatus.OPEN.value, transaction_id=record.id, created_at=now, updated_at=now,
        funds=funds.to_dict(), tds=0 if withheld is None else withheld.tds,
        net_winnings=0 if withheld is None else withheld.net_winnings,
        financial_year="" if withheld is None else withheld.financial_year,
    )
    uow.transactions_add([record])
    uow.hold_add(hold)
    return HoldOutcome(hold, record, WalletView.of(cmd.user_id, state, cmd.currency, receivable, policy))


def settle_hold(uow: LedgerUnitOfWork, cmd: SettleHoldCommand, clock: Clock = utc_now, *,
                policy: LedgerPolicy = DEFAULT_POLICY) -> HoldOutcome | Refusal:
    """Capture (money leaves to the counter account) or void (money returns to available) an open hold; a void
    of an unknown hold id leaves a tombstone."""
    return remembered(uow, cmd.key, cmd.fingerprint(), clock, replay=_replayed_hold,
                      body=lambda now: _settle(uow, cmd, now, policy))


def _settle(uow: LedgerUnitOfWork, cmd: SettleHoldCommand, now: str, policy: LedgerPolicy) -> HoldOutcome:
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
    funds = hold_funds(hold.amount, hold.funds)
    state = uow.account_hold(account, hold.currency, -hold.amount, now, -funds)
    if cmd.capture:
        entry_id = new_id("ent")
        state = uow.account_apply(account, hold.currency, -hold.amount, 0, now, -funds)
        counter = parse_account(cmd.counter_account)
        counter_state = uow.account_apply(counter, hold.currency, hold.net_amount, 0, now)
        legs = [leg_record(
            account=counter, tx_type=record.type, amount=hold.net_amount, currency=hold.currency,
            source=record.source, description=cmd.note or record.description, metadata=record.metadata, key=None,
            balance_after=counter_state.balance, entry_id=entry_id, now=now,
        )]
        if hold.tds:
            payable = tax.tds_payable_account()
            payable_state = uow.account_apply(payable, hold.currency, hold.tds, 0, now)
            legs.append(leg_record(
                account=payable, tx_type=TxType.TDS.value, amount=hold.tds, currency=hold.currency,
                source=record.source, description="TDS withheld", metadata=record.metadata, key=None,
                balance_after=payable_state.balance, entry_id=entry_id, now=now,
            ))
        uow.transactions_add(legs)
        if record.type == TxType.PAYOUT:
            uow.pool_contribution_add(hold.user_id, hold.currency, payout_slot(hold.id), funds, now)
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
    return HoldOutcome(hold, record, WalletView.of(hold.user_id, state, hold.currency, receivable, policy))
