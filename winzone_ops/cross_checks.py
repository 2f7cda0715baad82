"""The cross-service audit's rules, over facts already read: holds against payouts, payouts against the
provider's transfers, top-ups against the provider's charges, pools against the reward store, the
provider's clearing account against the provider's books, and ``tds_payable`` against the tax withheld from
payouts. Pure functions; each returns what disagrees.

Tax withheld at source: a payout of ``amount`` with ``tds`` is sent to the provider as ``net_amount`` =
``amount - tds``; its hold (of ``amount``, with the same ``tds``) is captured as the clearing account's
``net_amount`` and ``tds_payable``'s ``tds``. A provider reverses at most ``net_amount``; the full reversal's
refund gives the user the tds back too, a partial one does not."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from winzone_ops.cross_facts import (
    Discrepancy,
    LedgerFacts,
    PayoutFact,
    ProviderRecords,
    ProviderTransfer,
    RewardFacts,
    SessionFact,
)

ACTIVE_PAYOUT = frozenset({"held", "requested", "awaiting_second_approval", "approved"})
TDS_PAYABLE = "tds_payable"
TDS_TYPE = "tds"
PAYOUT_SOURCE = "payout_service"
TOPUP_KEY_PREFIX = "topup_tps"
CONTRIBUTION_LEG_TYPES = frozenset({"entryFee", "debit"})
DISPUTE_HOLD_PREFIX = "dispute_"
"""The payment gateway's holds of disputed top-ups (``dispute_<disputeId>``): not payouts; they are booked
legs of their charge (``check_topups``)."""


def payout_refunds(ledger: LedgerFacts) -> dict[str, int]:
    """Per payout id: what the payout service credited back (refunds of provider reversals)."""
    refunded: dict[str, int] = defaultdict(int)
    for leg in ledger.legs:
        payout_id = leg.metadata.get("payoutId", "")
        if leg.type == "refund" and leg.source == PAYOUT_SOURCE and leg.status == "completed" and payout_id:
            refunded[payout_id] += leg.amount
    return dict(refunded)


def tds_returned(payout: PayoutFact, refunded: int) -> int:
    """The part of the refunds of ``payout`` (``refunded`` in all) that gave its tds back: whatever exceeds
    what the provider was sent, at most the tds."""
    return min(payout.tds, max(0, refunded - payout.net_amount))


def check_holds(ledger: LedgerFacts, payouts: Mapping[str, PayoutFact]) -> list[Discrepancy]:
    """Every open hold belongs to a payout that holds funds (held, requested, awaiting a second approval or
    approved), every captured hold to a paid payout of the same amount, every open or captured hold withholds
    the payout's tds, every terminal payout's hold is closed, and every placed payout has its hold."""
    found: list[Discrepancy] = []
    refunds = payout_refunds(ledger)
    for hold in ledger.holds.values():
        if hold.id.startswith(DISPUTE_HOLD_PREFIX):
            continue
        ids = {"hold": hold.id, "user": hold.user_id, "currency": hold.currency}
        payout = payouts.get(hold.id)
        if payout is None:
            if hold.status == "open":
                found.append(Discrepancy("orphan_hold", ids, {"held": hold.amount},
                                         "an open hold no payout accounts for"))
            elif hold.status == "captured":
                found.append(Discrepancy("captured_hold_without_payout", ids, {"captured": hold.amount}))
            continue
        ids = {**ids, "payout": payout.id, "payout_status": payout.status}
        amounts = {"hold": hold.amount, "payout": payout.amount}
        if not payout.placed:
            if hold.status == "captured":
                found.append(Discrepancy("captured_hold_of_unplaced_payout", ids, amounts))
            continue
        if hold.status == "open":
            if payout.status not in ACTIVE_PAYOUT:
                found.append(Discrepancy("terminal_payout_hold_open", ids, amounts,
                                         "a finished payout still reserves the user's funds"))
            elif hold.amount != payout.amount:
                found.append(Discrepancy("hold_amount_mismatch", ids, amounts))
        elif hold.status == "captured":
            if payout.status == "failed" and refunds.get(payout.id, 0) <= 0:
                found.append(Discrepancy("failed_payout_captured", ids, amounts,
                                         "the money left the wallet for a payout that failed, and nothing came back"))
            elif payout.status not in ("paid", "failed"):
                found.append(Discrepancy("captured_hold_payout_not_paid", ids, amounts))
            if hold.amount != payout.amount:
                found.append(Discrepancy("captured_amount_mismatch", ids, amounts))
        elif payout.status in ACTIVE_PAYOUT or payout.status == "paid":
            found.append(Discrepancy("payout_hold_released", ids, amounts,
                                     "the hold was released but the payout may still be (or was) paid"))
        if hold.status in ("open", "captured") and hold.tds != payout.tds:
            found.append(Discrepancy("hold_tds_mismatch", ids, {"hold_tds": hold.tds, "payout_tds": payout.tds},
                                     "the wallet withholds other tax than the payout says"))
    for payout in payouts.values():
        if payout.placed and payout.id not in ledger.holds:
            found.append(Discrepancy("payout_without_hold", {"payout": payout.id, "user": payout.user_id,
                                                             "payout_status": payout.status},
                                     {"payout": payout.amount}))
    return found


def _by_payout(transfers: Iterable[ProviderTransfer]) -> dict[str, list[ProviderTransfer]]:
    grouped: dict[str, list[ProviderTransfer]] = defaultdict(list)
    for transfer in transfers:
        grouped[transfer.payout_id].append(transfer)
    return dict(grouped)


def check_transfers(ledger: LedgerFacts, payouts: Mapping[str, PayoutFact],
                    provider: ProviderRecords) -> list[Discrepancy]:
    """Every paid payout has one provider transfer of its ``net_amount``, the provider's reversals come back
    as refunds of exactly the reversed amounts (plus the tds once all of it is reversed), and no transfer is
    without its payout or its captured hold."""
    found: list[Discrepancy] = []
    grouped = _by_payout(provider.transfers)
    refunds = payout_refunds(ledger)
    for payout in payouts.values():
        hold = ledger.holds.get(payout.id)
        if not (payout.status == "paid" or (hold is not None and hold.status == "captured")):
            continue
        sent = grouped.get(payout.id, [])
        ids = {"payout": payout.id, "user": payout.user_id, "payout_status": payout.status}
        if not sent:
            found.append(Discrepancy("paid_payout_without_transfer", ids, {"payout": payout.amount}))
        elif len(sent) > 1:
            found.append(Discrepancy("payout_paid_twice", {**ids, "transfers": ",".join(t.id for t in sent)},
                                     {"payout": payout.amount, "sent": sum(t.amount for t in sent)}))
        elif (sent[0].amount, sent[0].currency) != (payout.net_amount, payout.currency):
            found.append(Discrepancy("transfer_amount_mismatch", {**ids, "transfer": sent[0].id},
                                     {"payout": payout.amount, "transfer": sent[0].amount,
                                      **({"net_amount": payout.net_amount} if payout.tds else {})}))
    for payout_id, sent in grouped.items():
        transfer_ids = ",".join(t.id for t in sent)
        live = sum(t.amount - t.amount_reversed for t in sent)
        reversed_ = sum(t.amount_reversed for t in sent)
        known = payouts.get(payout_id)
        hold = ledger.holds.get(payout_id)
        ids = {"payout": payout_id or "-", "transfers": transfer_ids}
        if known is None:
            found.append(Discrepancy("transfer_without_payout", ids, {"sent": sum(t.amount for t in sent)},
                                     "the provider sent money for no payout we know"))
            continue
        captured = hold is not None and hold.status == "captured"
        if live > 0 and not captured:
            found.append(Discrepancy("payout_paid_twice", {**ids, "hold_status": hold.status if hold else "none"},
                                     {"sent": live, "payout": known.amount},
                                     "the provider paid it but the wallet never took the money (released or no hold)"))
        refunded = refunds.get(payout_id, 0)
        owed_back = reversed_ if captured else 0
        if captured and known.tds and reversed_ >= known.net_amount:
            owed_back += known.tds
        if refunded != owed_back:
            found.append(Discrepancy("reversal_refund_mismatch", {**ids, "user": known.user_id},
                                     {"reversed": reversed_, "refunded": refunded,
                                      **({"tds": known.tds} if known.tds else {})},
                                     "" if captured else "the hold was never captured, so nothing was owed back"))
        if known.refunded_amount is not None and known.refunded_amount != refunded:
            found.append(Discrepancy("payout_refunded_amount_mismatch", {**ids, "user": known.user_id},
                                     {"payout_refunded_amount": known.refunded_amount, "refunded": refunded}))
    for payout_id, refunded in refunds.items():
        if payout_id not in grouped and refunded:
            found.append(Discrepancy("refund_without_reversal", {"payout": payout_id}, {"refunded": refunded},
                                     "a payout was refunded though the provider reversed nothing"))
    return found


def check_tds(ledger: LedgerFacts, payouts: Mapping[str, PayoutFact]) -> list[Discrepancy]:
    """Per currency, ``tds_payable`` holds the tds of every payout whose hold was captured and not given back
    by a full reversal's refund, plus what the wallet withheld from users directly (their ``tds`` legs: the
    year-end step)."""
    refunds = payout_refunds(ledger)
    expected: dict[str, int] = defaultdict(int)
    kept: dict[str, int] = defaultdict(int)
    for payout in payouts.values():
        hold = ledger.holds.get(payout.id)
        if payout.tds and hold is not None and hold.status == "captured":
            withheld = payout.tds - tds_returned(payout, refunds.get(payout.id, 0))
            expected[payout.currency] += withheld
            kept[payout.currency] += withheld
    direct: dict[str, int] = defaultdict(int)
    for leg in ledger.legs:
        if leg.type == TDS_TYPE and leg.status == "completed":
            direct[leg.currency] -= leg.amount
            expected[leg.currency] -= leg.amount
    ours = {currency: balance for (name, currency), balance in ledger.balances.items() if name == TDS_PAYABLE}
    return [
        Discrepancy("tds_payable_mismatch", {"account": TDS_PAYABLE, "currency": currency},
                    {"ledger": ours.get(currency, 0), "expected": expected.get(currency, 0),
                     "payouts": kept.get(currency, 0), "withheld_directly": direct.get(currency, 0)},
                    "the tds of paid payouts (less what reversals returned) and the year-end withholdings")
        for currency in sorted(set(ours) | set(expected))
        if ours.get(currency, 0) != expected.get(currency, 0)
    ]


def check_topups(ledger: LedgerFacts, sessions: Mapping[str, SessionFact],
                 provider: ProviderRecords) -> list[Discrepancy]:
    """Every credited top-up has its one credit and a paid provider charge of the same amount and user;
    every top-up credit has its credited session; every refunded or disputed charge has ledger entries."""
    found: list[Discrepancy] = []
    credits = {leg.key.removeprefix("topup_"): leg for leg in ledger.legs
               if leg.type == "topup" and leg.status == "completed" and leg.key.startswith(TOPUP_KEY_PREFIX)}
    charges = {c.session_id: c for c in provider.charges if c.session_id}
    for session in sessions.values():
        if session.status != "credited":
            continue
        ids = {"session": session.id, "user": session.user_id, "provider": session.provider}
        leg = credits.get(session.id)
        if leg is None:
            found.append(Discrepancy("credited_topup_without_credit", ids, {"session": session.amount}))
        elif (leg.user_id, leg.amount, leg.currency) != (session.user_id, session.amount, session.currency):
            found.append(Discrepancy("topup_credit_mismatch",
                                     {**ids, "transaction": leg.id, "credited_user": leg.user_id},
                                     {"session": session.amount, "credited": leg.amount}))
        if session.provider != provider.provider:
            continue
        charge = charges.get(session.id)
        if charge is None or not charge.paid:
            found.append(Discrepancy("credited_topup_not_paid_at_provider", ids, {"session": session.amount}))
        elif (charge.amount, charge.currency) != (session.amount, session.currency) or (
                charge.user_id and charge.user_id != session.user_id):
            found.append(Discrepancy("topup_provider_mismatch", {**ids, "charge": charge.id,
                                                                 "charge_user": charge.user_id or "-"},
                                     {"session": session.amount, "charge": charge.amount}))
    for session_id, leg in credits.items():
        stored = sessions.get(session_id)
        if stored is None or stored.status != "credited":
            found.append(Discrepancy("topup_credit_without_session",
                                     {"session": session_id, "transaction": leg.id, "user": leg.user_id,
                                      "session_status": stored.status if stored else "none"},
                                     {"credited": leg.amount}))
    owing = {account.removeprefix("receivable:") for (account, _), balance in ledger.balances.items()
             if account.startswith("receivable:") and balance < 0}
    settling = {leg.user_id for leg in ledger.legs if leg.type == "chargeback"}
    for charge in provider.charges:
        if not (charge.amount_refunded or charge.dispute_status):
            continue
        booked = [leg for leg in ledger.legs if leg.type != "topup" and (
            leg.metadata.get("sessionId") == charge.session_id or leg.metadata.get("chargeId") == charge.id)]
        stored = sessions.get(charge.session_id)
        owner = stored.user_id if stored else charge.user_id
        if not booked and not (owner and owner in owing | settling):
            found.append(Discrepancy("charge_reversal_not_booked",
                                     {"charge": charge.id, "session": charge.session_id or "-",
                                      "dispute": charge.dispute_status or "-"},
                                     {"charge": charge.amount, "refunded": charge.amount_refunded}))
    return found


def check_pools(ledger: LedgerFacts, rewards: RewardFacts) -> list[Discrepancy]:
    """Each pool account holds what the reward store accounts for, and every payment into a pool has its
    contribution."""
    found: list[Discrepancy] = []
    for (account, currency), balance in ledger.balances.items():
        if not account.startswith("pool:"):
            continue
        cid = account.removeprefix("pool:")
        pool = rewards.pools.get(cid)
        ids = {"pool": account, "competition": cid, "currency": currency}
        if pool is None or not pool.exists:
            if balance:
                found.append(Discrepancy("pool_without_competition", ids, {"ledger": balance}))
            continue
        expected, in_flight = (pool.expected, pool.in_flight) if currency == pool.currency else (0, 0)
        if not expected <= balance <= expected + in_flight:
            found.append(Discrepancy("pool_mismatch", ids,
                                     {"ledger": balance, "expected": expected, "in_flight": in_flight},
                                     "contributions minus distributions minus refunds"))
    for leg in ledger.legs:
        cid = leg.metadata.get("competitionId", "")
        paid_in = leg.type in CONTRIBUTION_LEG_TYPES and leg.amount < 0 and leg.status == "completed"
        if paid_in and cid and rewards.contributions.get(leg.key) is None:
            found.append(Discrepancy("pool_payment_without_contribution",
                                     {"competition": cid, "contribution": leg.key, "transaction": leg.id,
                                      "user": leg.user_id}, {"paid": -leg.amount}))
    return found


def check_clearing(ledger: LedgerFacts, provider: ProviderRecords) -> list[Discrepancy]:
    """``clearing:<provider>`` moved exactly as the provider's own records say, per currency."""
    if provider.clearing is None:
        return []
    account = f"clearing:{provider.provider}"
    ours = {currency: balance for (name, currency), balance in ledger.balances.items() if name == account}
    return [
        Discrepancy("clearing_mismatch", {"account": account, "currency": currency},
                    {"ledger": ours.get(currency, 0), "provider": provider.clearing.get(currency, 0)})
        for currency in sorted(set(ours) | set(provider.clearing))
        if ours.get(currency, 0) != provider.clearing.get(currency, 0)
    ]
