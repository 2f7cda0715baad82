"""The REST shapes of the funds fields: a wallet per fund, a transaction's one fund or its split, a bonus
grant, and a payout request's TDS and net amount, in exact major units."""

from __future__ import annotations

from decimal import Decimal

from api_gateway.routes.payouts import payout_json
from api_gateway.routes.statements import statement_json, tax_statement_json
from api_gateway.serializers import bonus_grant_json, transaction_json, wallet_json
from winzone.payouts.v1 import payouts_pb2 as opb
from winzone.wallet.v1 import wallet_pb2 as wpb


def test_a_wallet_shows_each_fund_and_what_is_withdrawable() -> None:
    wallet = wpb.Wallet(currency="INR", balance=180_050, held=120_000, available=60_050,
                        funds=wpb.Funds(deposit=5, winnings=170_000, bonus=10_045),
                        held_funds=wpb.Funds(winnings=120_000), withdrawable=50_000)
    data = wallet_json(wallet)
    assert data["funds"] == {"deposit": Decimal("0.05"), "winnings": 1700, "bonus": Decimal("100.45")}
    assert data["heldFunds"] == {"deposit": 0, "winnings": 1200, "bonus": 0}
    assert data["withdrawable"] == 500


def test_a_transaction_names_its_one_fund_or_its_split() -> None:
    single = transaction_json(wpb.Transaction(id="t1", user_id="u", amount=100_000, currency="INR", fund="deposit",
                                              funds=wpb.Funds(deposit=100_000)))
    assert (single["fund"], single["funds"]) == ("deposit", None)
    split = transaction_json(wpb.Transaction(id="t2", user_id="u", amount=-100_000, currency="INR",
                                             funds=wpb.Funds(deposit=-90_000, bonus=-10_000)))
    assert split["fund"] is None and split["funds"] == {"deposit": -900, "winnings": 0, "bonus": -100}
    system = transaction_json(wpb.Transaction(id="t3", account="platform_fees", amount=5, currency="INR"))
    assert (system["fund"], system["funds"]) == (None, None)


def test_a_bonus_grant() -> None:
    grant = wpb.BonusGrant(id="g1", user_id="u", currency="INR", amount=10_000, remaining=2_550, reason="Welcome",
                           expires_at="2027-01-01T00:00:00.000000Z", status="active", created_at="2026-12-01T00:00:00Z")
    assert bonus_grant_json(grant) == {"id": "g1", "amount": 100, "remaining": Decimal("25.5"), "currency": "INR",
                                       "reason": "Welcome", "expiresAt": "2027-01-01T00:00:00.000000Z",
                                       "status": "active", "createdAt": "2026-12-01T00:00:00Z"}
    assert bonus_grant_json(wpb.BonusGrant(currency="INR"))["expiresAt"] is None


def test_a_payout_shows_tds_and_the_net_amount_sent() -> None:
    taxed = payout_json(opb.PayoutRequest(id="p", amount=120_000, currency="INR", tds=6_000, net_amount=114_000,
                                          net_winnings=20_000, financial_year="2026-27"))
    assert (taxed["tds"], taxed["netAmount"], taxed["netWinnings"]) == (60, 1140, 200)
    assert taxed["financialYear"] == "2026-27"
    untaxed = payout_json(opb.PayoutRequest(id="p", amount=50_000, currency="INR"))
    assert (untaxed["tds"], untaxed["netAmount"], untaxed["netWinnings"], untaxed["financialYear"]) == (0, 500, 0, None)


def test_statement_and_tax_statement_shapes() -> None:
    line = wpb.StatementLine(transaction=wpb.Transaction(id="t", user_id="u", type="reward", amount=170_000,
                                                         currency="INR", fund="winnings"),
                             funds_after=wpb.Funds(winnings=170_000, bonus=500))
    statement = wpb.Statement(currency="INR", to="2026-12-02T00:00:00.000000Z", opening=wpb.Funds(),
                              closing=wpb.Funds(winnings=170_000, bonus=500), lines=[line],
                              totals=[wpb.TypeTotal(type="reward", credits=170_000, count=1)])
    setattr(statement, "from", "2026-11-02T00:00:00.000000Z")
    data = statement_json(statement)
    assert data["from"] == "2026-11-02T00:00:00.000000Z" and data["closing"]["total"] == 1705
    assert data["transactions"][0]["fundsAfter"] == {"deposit": 0, "winnings": 1700, "bonus": 5}
    assert data["transactions"][0]["balanceAfter"] == 1705
    assert data["totals"] == [{"type": "reward", "credits": 1700, "debits": 0, "count": 1}]
    tax = wpb.TaxStatement(currency="INR", financial_year="2026-27", tds_rate="30", deposits=100_000,
                           withdrawals=120_000, net_winnings=20_000, tds=6_000,
                           entries=[wpb.TaxWithdrawal(payout_id="p", date="d", amount=120_000, net_winnings=20_000,
                                                      tds=6_000, status="captured")])
    shaped = tax_statement_json(tax, "XXXXXX234F")
    assert (shaped["tdsRate"], shaped["netWinnings"], shaped["tds"], shaped["yearEnd"]) == (30, 200, 60, None)
    assert shaped["entries"] == [{"payoutId": "p", "date": "d", "amount": 1200, "netWinnings": 200, "tds": 60,
                                  "status": "captured"}]
