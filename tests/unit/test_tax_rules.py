"""The pure tax rules: financial years in India time, quarters, tax-inclusive splits, rupee rounding, TDS, and
the GST legs split out of an entry."""

from __future__ import annotations

from decimal import Decimal

import pytest

from wallet_service.domain.accounts import parse_account, user_account
from wallet_service.domain.commands import LegSpec
from wallet_service.domain.policy import LedgerPolicy
from wallet_service.domain.tax import (
    FinancialYear,
    TaxFacts,
    financial_year_of,
    gst_legs,
    net_winnings_of_withdrawal,
    parse_financial_year,
    round_tax_to_rupee,
    split_inclusive,
    tds_on,
)
from winzone_kernel.errors import InvalidArgument


def test_a_financial_year_runs_from_april_first_india_time() -> None:
    year = parse_financial_year("2026-27")
    assert year == FinancialYear(2026)
    assert year.label == "2026-27"
    assert year.start_utc == "2026-03-31T18:30:00.000000Z"
    assert year.end_utc == "2027-03-31T18:30:00.000000Z"
    assert year.previous.label == "2025-26"
    assert year.next.label == "2027-28"
    assert parse_financial_year("2099-00").label == "2099-00"


def test_the_last_second_of_march_india_time_is_still_the_old_year() -> None:
    assert financial_year_of("2027-03-31T18:29:59.000000Z").label == "2026-27"
    assert financial_year_of("2027-03-31T18:29:59.999999Z").label == "2026-27"
    assert financial_year_of("2027-03-31T18:30:00.000000Z").label == "2027-28"
    assert financial_year_of("2026-03-31T18:30:00Z").label == "2026-27"
    assert financial_year_of("2026-04-01T00:00:00+05:30").label == "2026-27"
    assert financial_year_of("2026-03-31T23:59:59+05:30").label == "2025-26"
    year = FinancialYear(2026)
    assert year.contains("2027-03-31T18:29:59.000000Z")
    assert not year.contains("2027-03-31T18:30:00.000000Z")
    assert not year.contains("2026-03-31T18:29:59.999999Z")


@pytest.mark.parametrize(("instant", "quarter"), [
    ("2026-03-31T18:30:00.000000Z", "Q1"),
    ("2026-06-30T18:29:59.999999Z", "Q1"),
    ("2026-06-30T18:30:00.000000Z", "Q2"),
    ("2026-09-30T18:29:59.000000Z", "Q2"),
    ("2026-09-30T18:30:00.000000Z", "Q3"),
    ("2026-12-31T18:29:59.000000Z", "Q3"),
    ("2026-12-31T18:30:00.000000Z", "Q4"),
    ("2027-03-31T18:29:59.000000Z", "Q4"),
])
def test_quarters_follow_india_time(instant: str, quarter: str) -> None:
    assert FinancialYear(2026).quarter_of(instant) == quarter


def test_a_quarter_of_an_instant_outside_the_year_is_refused() -> None:
    with pytest.raises(InvalidArgument):
        FinancialYear(2026).quarter_of("2027-03-31T18:30:00.000000Z")


@pytest.mark.parametrize("text", ["2026-28", "2026-26", "2026", "26-27", "2026/27", "2026-2027", "", " 2026-27",
                                  "1999-00", None, 2026, "２０２６-２７"])
def test_malformed_financial_years_are_refused(text: object) -> None:
    with pytest.raises(InvalidArgument) as caught:
        parse_financial_year(text)
    assert caught.value.code == "INVALID_FINANCIAL_YEAR"


@pytest.mark.parametrize(("gross", "percent", "net", "tax"), [
    (11800, Decimal(18), 10000, 1800),
    (12800, Decimal(28), 10000, 2800),
    (10000, Decimal(28), 7812, 2188),
    (10000, Decimal(18), 8475, 1525),
    (1, Decimal(28), 1, 0),
    (3, Decimal(28), 2, 1),
    (0, Decimal(18), 0, 0),
    (10000, Decimal(0), 10000, 0),
    (10000, Decimal("12.5"), 8889, 1111),
    (100, Decimal(100), 50, 50),
])
def test_split_inclusive_takes_tax_out_of_the_gross_half_up(gross: int, percent: Decimal, net: int, tax: int) -> None:
    assert split_inclusive(gross, percent) == (net, tax)


@pytest.mark.parametrize("percent", [Decimal(18), Decimal(28), Decimal(5), Decimal("12.5"), Decimal("0.1")])
def test_split_inclusive_always_sums_to_the_whole_and_is_the_nearest_tax(percent: Decimal) -> None:
    for gross in [*range(2000), 99_999_999, 10**15 + 7]:
        net, tax = split_inclusive(gross, percent)
        assert net + tax == gross
        assert 0 <= tax <= gross
        exact = Decimal(gross) * percent / (100 + percent)
        assert abs(Decimal(tax) - exact) <= Decimal("0.5")


def test_rounding_to_the_rupee_is_half_up() -> None:
    assert round_tax_to_rupee(Decimal("5949.99"), 100) == 5900
    assert round_tax_to_rupee(5950, 100) == 6000
    assert round_tax_to_rupee(Decimal("5999.5"), 100) == 6000
    assert round_tax_to_rupee(6049, 100) == 6000
    assert round_tax_to_rupee(0, 100) == 0
    assert round_tax_to_rupee(49, 100) == 0
    assert round_tax_to_rupee(50, 100) == 100
    assert round_tax_to_rupee(7, 1) == 7


def test_tds_on_net_winnings_is_the_rate_rounded_to_the_rupee() -> None:
    assert tds_on(20000, Decimal(30), 100) == 6000
    assert tds_on(12345, Decimal(30), 100) == 3700
    assert tds_on(12350, Decimal(30), 100) == 3700
    assert tds_on(11650, Decimal(30), 100) == 3500
    assert tds_on(11649, Decimal(30), 100) == 3500
    assert tds_on(11483, Decimal(30), 100) == 3400
    assert tds_on(0, Decimal(30), 100) == 0
    assert tds_on(-5, Decimal(30), 100) == 0
    assert tds_on(20000, Decimal(0), 100) == 0


def test_net_winnings_never_go_below_zero() -> None:
    facts = TaxFacts(deposits=100000, withdrawals=0, opening_balance=0, taxed_net_winnings=0)
    assert net_winnings_of_withdrawal(facts, 50000) == 0
    assert net_winnings_of_withdrawal(facts, 100000) == 0
    assert net_winnings_of_withdrawal(facts, 100001) == 1


def _leg(account: str, amount: int, tx_type: str) -> LegSpec:
    return LegSpec(parse_account(account), amount, "INR", tx_type, "d", "k" if amount > 0 else None, {"m": "1"})


def test_gst_on_deposit_splits_a_topup_credit_and_keeps_the_counter_leg() -> None:
    policy = LedgerPolicy(gst_on_deposit_percent=Decimal(28))
    legs = gst_legs([_leg("clearing:stripe", -12800, "topup"), _leg("user:u1", 12800, "topup")], policy)
    assert [(leg.account.name, leg.amount, leg.type) for leg in legs] == [
        ("clearing:stripe", -12800, "topup"), ("user:u1", 10000, "topup"), ("gst_payable", 2800, "gst"),
    ]
    assert legs[1].key == "k"
    assert legs[2].key is None
    assert legs[2].metadata == {"m": "1"}
    assert sum(leg.amount for leg in legs) == 0


def test_gst_on_platform_fee_splits_the_platform_fees_credit_only() -> None:
    policy = LedgerPolicy(gst_on_platform_fee_percent=Decimal(18))
    legs = gst_legs([_leg("pool:c1", -11800, "platformFee"), _leg("platform_fees", 11800, "platformFee"),
                     _leg("user:u1", 500, "topup")], policy)
    assert [(leg.account.name, leg.amount, leg.type) for leg in legs] == [
        ("pool:c1", -11800, "platformFee"), ("platform_fees", 10000, "platformFee"), ("gst_payable", 1800, "gst"),
        ("user:u1", 500, "topup"),
    ]


def test_no_gst_without_a_rate_or_on_other_legs() -> None:
    legs = [_leg("clearing:x", -1000, "topup"), _leg("user:u1", 1000, "topup"), _leg("user:u1", 300, "reward"),
            _leg("user:u2", -300, "topup")]
    assert gst_legs(legs, LedgerPolicy()) == legs
    taxed = gst_legs([LegSpec(user_account("u1"), 1, "INR", "topup", "d", None, {})],
                     LedgerPolicy(gst_on_deposit_percent=Decimal(18)))
    assert [(leg.account.name, leg.amount) for leg in taxed] == [("user:u1", 1)]
