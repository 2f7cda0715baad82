"""Rule 133 (Income-tax Rules, 1962, inserted by Notification 28/2023) and section 194BA, checked against the
published worked illustrations of CBDT Circular No. 5 of 2023's method, amounts in paise at TDS 30 %.

Sub-rules: (2)/(3) first withdrawal = A - (B + C), zero when B + C >= A; (4)/(5) each later withdrawal =
A - (B + C + D) with A the year's withdrawals so far including this one, D the net winnings already taxed;
(6)/(7) year end = (A + D) - (B + C + E) with D the closing balance and E the net winnings already taxed.
"""

from __future__ import annotations

from decimal import Decimal

from wallet_service.domain.tax import TaxFacts, net_winnings_of_withdrawal, tds_on, year_end_net_winnings

RATE = Decimal(30)
PAISE = 100


def rupees(amount: int) -> int:
    return amount * PAISE


def withdraw(facts: TaxFacts, amount: int) -> tuple[TaxFacts, int, int]:
    """The withdrawal's net winnings and TDS, and the facts after it (as the store would count them)."""
    net_winnings = net_winnings_of_withdrawal(facts, amount)
    tds = tds_on(net_winnings, RATE, PAISE)
    after = TaxFacts(facts.deposits, facts.withdrawals + amount, facts.opening_balance,
                     facts.taxed_net_winnings + net_winnings)
    return after, net_winnings, tds


def test_done_when_example_deposit_1000_win_1700_withdraw_1200() -> None:
    """Deposit 1,000, entry fee 1,000, win 1,700, withdraw 1,200: net winnings 200, TDS 60, net amount 1,140."""
    facts = TaxFacts(deposits=rupees(1000), withdrawals=0, opening_balance=0, taxed_net_winnings=0)
    _, net_winnings, tds = withdraw(facts, rupees(1200))
    assert net_winnings == rupees(200) == 20000
    assert tds == rupees(60) == 6000
    assert rupees(1200) - tds == rupees(1140) == 114000


def test_rule_133_2_first_withdrawal_covered_by_deposit_and_opening_is_zero() -> None:
    """Sub-rule (3), illustration: opening 500, deposit 400, winnings 1,500; a first withdrawal of 800 is less
    than 900 of deposit and opening, so its net winnings are 0 (not -100) and nothing is withheld."""
    facts = TaxFacts(deposits=rupees(400), withdrawals=0, opening_balance=rupees(500), taxed_net_winnings=0)
    after, net_winnings, tds = withdraw(facts, rupees(800))
    assert (net_winnings, tds) == (0, 0)
    assert after.taxed_net_winnings == 0


def test_rule_133_4_later_withdrawal_taxes_only_what_exceeds_deposits_and_opening() -> None:
    """Illustration: opening 3,000, deposit 7,000; withdraw 5,000 (no TDS), then 7,000: withdrawals 12,000
    exceed 10,000 by 2,000, TDS 600, 6,400 reaches the bank."""
    facts = TaxFacts(deposits=rupees(7000), withdrawals=0, opening_balance=rupees(3000), taxed_net_winnings=0)
    facts, first_nw, first_tds = withdraw(facts, rupees(5000))
    assert (first_nw, first_tds) == (0, 0)
    facts, net_winnings, tds = withdraw(facts, rupees(7000))
    assert (net_winnings, tds) == (rupees(2000), rupees(600))
    assert rupees(7000) - tds == rupees(6400)
    assert facts.taxed_net_winnings == rupees(2000)


def test_rule_133_4_second_illustration_withdrawals_of_7000_and_10000() -> None:
    """Illustration: deposits and opening of 15,000; withdraw 7,000 (net winnings -8,000 -> 0), then 10,000:
    17,000 - 15,000 = 2,000 of net winnings, TDS 600, 9,400 credited."""
    facts = TaxFacts(deposits=rupees(14000), withdrawals=0, opening_balance=rupees(1000), taxed_net_winnings=0)
    facts, first_nw, _ = withdraw(facts, rupees(7000))
    assert first_nw == 0
    facts, net_winnings, tds = withdraw(facts, rupees(10000))
    assert (net_winnings, tds, rupees(10000) - tds) == (rupees(2000), rupees(600), rupees(9400))


def test_rule_133_4_subsequent_withdrawal_deducts_winnings_already_taxed() -> None:
    """Illustration (subsequent withdrawal): opening 1,000, deposits 34,000, withdrawals so far 25,000 of which
    2,000 of net winnings were taxed; a withdrawal of 16,000 holds 6,000 less the 2,000 taxed = 4,000 of net
    winnings, TDS 1,200, 14,800 credited."""
    facts = TaxFacts(deposits=rupees(34000), withdrawals=rupees(25000), opening_balance=rupees(1000),
                     taxed_net_winnings=rupees(2000))
    after, net_winnings, tds = withdraw(facts, rupees(16000))
    assert (net_winnings, tds, rupees(16000) - tds) == (rupees(4000), rupees(1200), rupees(14800))
    assert after.taxed_net_winnings == rupees(6000)


def test_rule_133_6_year_end_taxes_what_is_left_untaxed_in_the_closing_balance() -> None:
    """Illustration (year end, scenario 1): opening 1,000, deposits 34,000, withdrawals 41,000, closing 5,000:
    net winnings of the year 11,000, of which 6,000 were taxed at withdrawals (TDS 1,800); the year end taxes
    5,000 (TDS 1,500) and 3,500 is carried into the next year."""
    facts = TaxFacts(deposits=rupees(34000), withdrawals=rupees(41000), opening_balance=rupees(1000),
                     taxed_net_winnings=rupees(6000))
    net_winnings = year_end_net_winnings(facts, rupees(5000))
    tds = tds_on(net_winnings, RATE, PAISE)
    assert (net_winnings, tds) == (rupees(5000), rupees(1500))
    assert tds_on(rupees(6000), RATE, PAISE) + tds == tds_on(rupees(11000), RATE, PAISE) == rupees(3300)
    assert rupees(5000) - tds == rupees(3500)


def test_rule_133_7_year_end_is_zero_when_deposits_cover_everything() -> None:
    """Illustration (year end, scenario 2): deposits 60,000 instead: (41,000 + 5,000) - (60,000 + 1,000 +
    6,000) < 0, so nothing more is withheld and all 5,000 is carried."""
    facts = TaxFacts(deposits=rupees(60000), withdrawals=rupees(41000), opening_balance=rupees(1000),
                     taxed_net_winnings=rupees(6000))
    assert year_end_net_winnings(facts, rupees(5000)) == 0


def test_zero_net_winnings_withhold_nothing() -> None:
    facts = TaxFacts(deposits=rupees(1000), withdrawals=rupees(400), opening_balance=0, taxed_net_winnings=0)
    _, net_winnings, tds = withdraw(facts, rupees(600))
    assert (net_winnings, tds) == (0, 0)


def test_two_withdrawals_never_tax_the_same_winnings_twice() -> None:
    """Deposit 1,000 and win 1,000: withdrawing 1,500 then 500 taxes 500 then 500, never 1,000 twice; the sum
    taxed equals the year's net winnings (2,000 out - 1,000 in)."""
    facts = TaxFacts(deposits=rupees(1000), withdrawals=0, opening_balance=0, taxed_net_winnings=0)
    facts, first, first_tds = withdraw(facts, rupees(1500))
    facts, second, second_tds = withdraw(facts, rupees(500))
    assert (first, second) == (rupees(500), rupees(500))
    assert (first_tds, second_tds) == (rupees(150), rupees(150))
    assert facts.taxed_net_winnings == facts.withdrawals - facts.deposits
    facts, third, third_tds = withdraw(TaxFacts(facts.deposits + rupees(2000), facts.withdrawals,
                                                facts.opening_balance, facts.taxed_net_winnings), rupees(1000))
    assert (third, third_tds) == (0, 0)


def test_tds_of_a_withdrawal_is_rounded_to_the_rupee() -> None:
    """Net winnings of 333.33 at 30 % are 99.999 of tax: 100 rupees withheld; 101.65 -> 30.495 -> 30."""
    facts = TaxFacts(deposits=0, withdrawals=0, opening_balance=0, taxed_net_winnings=0)
    assert withdraw(facts, 33333)[1:] == (33333, 10000)
    assert withdraw(facts, 10165)[1:] == (10165, 3000)
