"""The cross-service audit's rules for tax withheld at source, over facts built by hand: a payout's provider
transfer is its net amount, its hold withholds the same tds, a full reversal's refund returns the tds, and
``tds_payable`` holds the tds of paid payouts (less what full reversals returned) plus year-end withholdings."""

from __future__ import annotations

from winzone_ops.cross_checks import check_holds, check_tds, check_transfers
from winzone_ops.cross_facts import (
    Discrepancy,
    HoldFact,
    LedgerFacts,
    LegFact,
    PayoutFact,
    ProviderRecords,
    ProviderTransfer,
)

USER = "usr_tax"
AMOUNT, TDS = 100_000, 30_000
NET = AMOUNT - TDS


def refund_leg(payout_id: str, amount: int, n: int = 1) -> LegFact:
    return LegFact(f"txn_refund_{n}", USER, "refund", amount, "INR", "completed", "payout_service",
                   f"payout_refund_{payout_id}_{n}", f"ent_r{n}", {"payoutId": payout_id})


def world(*, hold_tds: int = TDS, status: str = "paid", sent: int = NET, reversed_: int = 0,
          refunds: tuple[int, ...] = (), tds_payable: int | None = TDS, refunded_amount: int = 0,
          legs: tuple[LegFact, ...] = ()) -> tuple[LedgerFacts, dict[str, PayoutFact], ProviderRecords]:
    ledger = LedgerFacts()
    ledger.holds["payout_t1"] = HoldFact("payout_t1", USER, AMOUNT, "INR", "captured", tds=hold_tds)
    ledger.legs = [refund_leg("payout_t1", amount, n) for n, amount in enumerate(refunds, 1)] + list(legs)
    ledger.balances[("clearing:mock", "INR")] = sent - reversed_
    if tds_payable is not None:
        ledger.balances[("tds_payable", "INR")] = tds_payable
    payouts = {"payout_t1": PayoutFact("payout_t1", USER, AMOUNT, "INR", status, placed=True,
                                       refunded_amount=refunded_amount, tds=TDS)}
    provider = ProviderRecords("mock", [ProviderTransfer("tr_1", "payout_t1", sent, "INR", reversed_)])
    return ledger, payouts, provider


def every_check(ledger: LedgerFacts, payouts: dict[str, PayoutFact], provider: ProviderRecords
                ) -> list[Discrepancy]:
    return [*check_holds(ledger, payouts), *check_transfers(ledger, payouts, provider), *check_tds(ledger, payouts)]


def test_a_paid_payout_with_tds_sent_net_and_its_tds_in_tds_payable_passes() -> None:
    assert every_check(*world()) == []


def test_the_provider_sent_the_gross_amount_is_a_transfer_mismatch() -> None:
    found = every_check(*world(sent=AMOUNT))
    assert [(d.kind, dict(d.amounts)) for d in found] == [
        ("transfer_amount_mismatch", {"payout": AMOUNT, "transfer": AMOUNT, "net_amount": NET})]


def test_a_hold_withholding_other_tax_than_the_payout_is_reported() -> None:
    found = every_check(*world(hold_tds=TDS - 1))
    assert [(d.kind, dict(d.amounts)) for d in found] == [
        ("hold_tds_mismatch", {"hold_tds": TDS - 1, "payout_tds": TDS})]


def test_a_full_reversal_refunds_net_and_tds_and_leaves_nothing_in_tds_payable() -> None:
    assert every_check(*world(status="failed", reversed_=NET, refunds=(AMOUNT,), tds_payable=0,
                              refunded_amount=AMOUNT)) == []


def test_a_full_reversal_whose_refund_kept_the_tds_is_a_refund_mismatch() -> None:
    found = every_check(*world(status="failed", reversed_=NET, refunds=(NET,), tds_payable=TDS, refunded_amount=NET))
    assert [(d.kind, dict(d.amounts)) for d in found] == [
        ("reversal_refund_mismatch", {"reversed": NET, "refunded": NET, "tds": TDS})]


def test_a_full_reversal_whose_tds_left_tds_payable_twice_is_a_tds_payable_mismatch() -> None:
    found = every_check(*world(status="failed", reversed_=NET, refunds=(AMOUNT,), tds_payable=-TDS,
                               refunded_amount=AMOUNT))
    assert [(d.kind, dict(d.amounts)) for d in found] == [
        ("tds_payable_mismatch", {"ledger": -TDS, "expected": 0, "payouts": 0, "withheld_directly": 0})]


def test_a_partial_reversal_refunds_only_what_came_back_and_the_tds_stays() -> None:
    assert every_check(*world(reversed_=20_000, refunds=(20_000,), refunded_amount=20_000)) == []
    found = every_check(*world(reversed_=20_000, refunds=(20_000 + TDS,), tds_payable=0,
                               refunded_amount=20_000 + TDS))
    assert sorted(d.kind for d in found) == ["reversal_refund_mismatch", "tds_payable_mismatch"]


def test_tds_payable_short_of_the_paid_payouts_tds_is_reported_with_the_amounts() -> None:
    found = check_tds(*world(tds_payable=TDS - 100)[:2])
    assert [(d.kind, dict(d.ids), dict(d.amounts)) for d in found] == [(
        "tds_payable_mismatch", {"account": "tds_payable", "currency": "INR"},
        {"ledger": TDS - 100, "expected": TDS, "payouts": TDS, "withheld_directly": 0})]


def test_year_end_withholdings_count_in_tds_payable() -> None:
    year_end = LegFact("txn_ye", USER, "tds", -5_000, "INR", "completed", "wallet_service",
                       "tax_close_2026-27_usr_tax_INR", "ent_ye", {})
    assert check_tds(*world(tds_payable=TDS + 5_000, legs=(year_end,))[:2]) == []
    found = check_tds(*world(tds_payable=TDS, legs=(year_end,))[:2])
    assert [dict(d.amounts) for d in found] == [
        {"ledger": TDS, "expected": TDS + 5_000, "payouts": TDS, "withheld_directly": 5_000}]


def test_a_payout_not_captured_owes_no_tds() -> None:
    ledger, payouts, _ = world(tds_payable=None)
    ledger.holds["payout_t1"] = HoldFact("payout_t1", USER, AMOUNT, "INR", "open", tds=TDS)
    payouts["payout_t1"] = PayoutFact("payout_t1", USER, AMOUNT, "INR", "approved", placed=True, tds=TDS)
    assert check_tds(ledger, payouts) == [] and check_holds(ledger, payouts) == []
    ledger.balances[("tds_payable", "INR")] = TDS
    assert [d.kind for d in check_tds(ledger, payouts)] == ["tds_payable_mismatch"]


def test_without_tax_nothing_changes() -> None:
    ledger = LedgerFacts()
    ledger.holds["payout_z"] = HoldFact("payout_z", USER, 25_000, "INR", "captured")
    payouts = {"payout_z": PayoutFact("payout_z", USER, 25_000, "INR", "paid", placed=True, refunded_amount=0)}
    provider = ProviderRecords("mock", [ProviderTransfer("tr_z", "payout_z", 25_000, "INR")])
    assert every_check(ledger, payouts, provider) == []
