"""Booking one balanced journal entry: GST split out, restriction of users who owe, settlement of what they owe
from what they are credited, each user leg split into funds (``routing``), each account's net change (per fund)
applied once, and every leg with its balance after and its funds."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wallet_service.domain import controls, tax
from wallet_service.domain.accounts import Account, receivable_account, user_account
from wallet_service.domain.commands import LegSpec
from wallet_service.domain.funds import ZERO, Funds
from wallet_service.domain.model import PostingOutcome, TransactionRecord, TxStatus, TxType, WalletView
from wallet_service.domain.policy import DEFAULT_POLICY, LedgerPolicy
from wallet_service.domain.ports import LedgerUnitOfWork
from wallet_service.domain.routing import Router
from winzone_kernel.clock import format_utc, parse_utc
from winzone_kernel.errors import FailedPrecondition
from winzone_kernel.ids import new_id

SETTLEMENT = "settles what is owed"
NOT_SETTLING = frozenset({TxType.BONUS.value})
"""Credits that never settle what a user owes (a bonus is not the user's money)."""


def leg_record(
    *, account: Account, tx_type: str, amount: int, currency: str, source: str, description: str,
    metadata: dict[str, str], key: str | None, balance_after: int, entry_id: str, now: str,
    funds: Funds | None = None,
) -> TransactionRecord:
    """A completed leg of entry ``entry_id`` (``funds``: its split, on a user wallet)."""
    return TransactionRecord(
        id=new_id("txn"), account=account.name, user_id=account.user_id, type=tx_type, amount=amount,
        currency=currency, status=TxStatus.COMPLETED.value, source=source, description=description,
        metadata=metadata, idempotency_key=key, balance_after=balance_after, entry_id=entry_id, hold_id=None,
        created_at=now, updated_at=now, posted_at=now, funds={} if funds is None else funds.to_dict(),
    )


def earnings(account: Account, tx_type: str, amount: int) -> int:
    return amount if account.user_id is not None and tx_type == TxType.REWARD and amount > 0 else 0


def owed(uow: LedgerUnitOfWork, user_id: str, currency: str) -> int:
    """What ``user_id`` owes the platform in ``currency`` (>= 0)."""
    state = uow.account_get(receivable_account(user_id), currency)
    return 0 if state is None else max(0, -state.balance)


def restricted(user_id: str, currency: str) -> FailedPrecondition:
    return FailedPrecondition(
        f"the wallet of {user_id} owes {currency} to the platform: holds, entry fees, transfers and debits are "
        "refused until it is settled", code="ACCOUNT_RESTRICTED",
    )


def check_controls(uow: LedgerUnitOfWork, legs: list[LegSpec], now: str) -> None:
    """Refuse the entry when it pays a self-excluded user's money into a pool (``SELF_EXCLUDED``) or takes a
    user's entry fees of the rolling 24 hours past their ``entry_daily`` limit (``LIMIT_EXCEEDED``)."""
    into_pool = any(leg.amount > 0 and leg.account.name.startswith("pool:") for leg in legs)
    fees: dict[tuple[str, str], int] = {}
    payers: set[str] = set()
    for leg in legs:
        user_id = leg.account.user_id
        if user_id is None or leg.amount >= 0 or leg.account.name != f"user:{user_id}":
            continue
        if into_pool:
            payers.add(user_id)
        if leg.type == TxType.ENTRY_FEE:
            fees[(user_id, leg.currency)] = fees.get((user_id, leg.currency), 0) - leg.amount
    if not payers and not fees:
        return
    moment = parse_utc(now)
    docs: dict[str, dict[str, Any] | None] = {}
    for user_id in sorted(payers | {user for user, _ in fees}):
        docs[user_id] = uow.controls_get(user_id)
        if user_id in payers and controls.excluded(docs[user_id], moment):
            raise controls.self_excluded_error(user_id)
    for (user_id, currency), amount in sorted(fees.items()):
        doc = docs[user_id]
        limit = controls.limit_in_force(doc, currency, "entry_daily", moment)
        if doc is None or limit is None:
            continue
        spent = uow.entry_fees_since(user_id, currency, format_utc(moment - controls.ENTRY_WINDOW))
        if spent + amount > limit:
            raise controls.entry_limit_error(limit, spent, amount, currency)
        uow.controls_put(user_id, {**doc, "feeChecks": int(doc.get("feeChecks", 0)) + 1})


def settlement_legs(legs: list[LegSpec], splits: list[Funds | None], owed_by: Callable[[str, str], int],
                    metadata: dict[str, str]) -> list[LegSpec]:
    """The legs by which what each user who owes is credited in this entry pays back min(credited, owed): the
    deposit and winnings parts of their credits that settle (bonus is not the user's money, even refunded)."""
    credited: dict[tuple[str, str], int] = {}
    for leg, split in zip(legs, splits, strict=True):
        user_id = leg.account.user_id
        if user_id is None or split is None or leg.amount <= 0 or leg.type in NOT_SETTLING:
            continue
        credited[(user_id, leg.currency)] = credited.get((user_id, leg.currency), 0) + split.deposit + split.winnings
    settlement: list[LegSpec] = []
    for (user_id, currency), amount in credited.items():
        taken = min(amount, owed_by(user_id, currency))
        if taken > 0:
            settlement.append(LegSpec(user_account(user_id), -taken, currency, TxType.CHARGEBACK.value, SETTLEMENT,
                                      None, metadata))
            settlement.append(LegSpec(receivable_account(user_id), taken, currency, TxType.CHARGEBACK.value,
                                      SETTLEMENT, None, metadata))
    return settlement


def book(
    uow: LedgerUnitOfWork, legs: list[LegSpec], *, source: str, metadata: dict[str, str], now: str,
    restrict: bool = True, settle: bool = True, policy: LedgerPolicy = DEFAULT_POLICY,
) -> PostingOutcome:
    """Apply ``legs`` as one entry. With ``restrict``, a leg out of a user who owes is ``ACCOUNT_RESTRICTED``;
    with ``settle``, what a user who owes is credited first pays back min(credited, owed), in this entry. A fund
    of a user wallet that would fall below its held part is ``InsufficientFunds``."""
    owing: dict[tuple[str, str], int] = {}

    def owed_by(user_id: str, currency: str) -> int:
        if (user_id, currency) not in owing:
            owing[(user_id, currency)] = owed(uow, user_id, currency)
        return owing[(user_id, currency)]

    legs = tax.gst_legs(list(legs), policy)
    check_controls(uow, legs, now)
    for leg in legs:
        user_id = leg.account.user_id
        if user_id is not None and leg.amount < 0 and restrict and owed_by(user_id, leg.currency) > 0:
            raise restricted(user_id, leg.currency)
    entry_id = new_id("ent")
    router = Router(uow, policy, now, metadata)
    splits = router.route(legs)
    if settle:
        settlement = settlement_legs(legs, splits, owed_by, metadata)
        legs = [*legs, *settlement]
        splits = [*splits, *router.route(settlement)]
    net: dict[tuple[Account, str], list[int]] = {}
    fund_net: dict[tuple[Account, str], Funds] = {}
    for leg, split in zip(legs, splits, strict=True):
        totals = net.setdefault((leg.account, leg.currency), [0, 0])
        totals[0] += leg.amount
        totals[1] += earnings(leg.account, leg.type, leg.amount)
        if split is not None:
            fund_net[(leg.account, leg.currency)] = fund_net.get((leg.account, leg.currency), ZERO) + split
    final: dict[tuple[str, str], int] = {}
    users: list[tuple[str, str]] = []
    states = {}
    for (account, currency), (delta, earned) in sorted(net.items(), key=lambda item: item[1][0]):
        state = uow.account_apply(account, currency, delta, earned, now, fund_net.get((account, currency)))
        final[(account.name, currency)] = state.balance
        if account.user_id is not None:
            users.append((account.user_id, currency))
            states[(account.user_id, currency)] = state
    wallets = []
    for user_id, currency in users:
        receivable = final.get((receivable_account(user_id).name, currency))
        still_owed = owed_by(user_id, currency) if receivable is None else max(0, -receivable)
        wallets.append(WalletView.of(user_id, states[(user_id, currency)], currency, still_owed, policy))
    running = dict(final)
    backwards: list[TransactionRecord] = []
    for leg, split in zip(reversed(legs), reversed(splits), strict=True):
        slot = (leg.account.name, leg.currency)
        backwards.append(leg_record(
            account=leg.account, tx_type=leg.type, amount=leg.amount, currency=leg.currency, source=source,
            description=leg.description, metadata=leg.metadata or metadata, key=leg.key,
            balance_after=running[slot], entry_id=entry_id, now=now, funds=split,
        ))
        running[slot] -= leg.amount
    records = backwards[::-1]
    router.finish()
    uow.transactions_add(records)
    return PostingOutcome(entry_id=entry_id, transactions=records, wallets=wallets)
