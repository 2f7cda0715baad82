"""Issue 15's "done when", over real processes: `winzone up` with ``JURISDICTION=IN`` and nothing else set. A
player deposits ₹1,000 through the mock provider, pays a ₹1,000 entry fee, wins ₹1,700 and withdraws ₹1,200:
the payout withholds TDS of ₹60.00 on net winnings of ₹200.00, the provider is asked to send ₹1,140.00, the tax
statement says so (JSON, CSV and PDF), and both audits hold at the end."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pypdf
import pytest

from tests.support.grpc_servers import authed_channel
from tests.support.ids import new_id
from tests.support.stack import Stack, start_stack
from tests.support.users import sign_in, sign_up
from winzone.payments.v1 import payments_pb2, payments_pb2_grpc

pytestmark = pytest.mark.e2e
UPI = {"type": "upi", "details": {"upiId": "meera.iyer@okbank", "name": "Meera Iyer"}}


@pytest.fixture(scope="module")
def india(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    stack = start_stack(tmp_path_factory.mktemp("india-tax"), {"JURISDICTION": "IN"})
    try:
        yield stack
    finally:
        stack.stop()


@pytest.fixture
def http(india: Stack) -> Iterator[httpx.Client]:
    with india.client() as client:
        yield client


def _data(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json(parse_float=Decimal)["data"]


def _top_up(http: httpx.Client, player: dict[str, str], amount: int) -> None:
    session = _data(http.post("/api/wallet/topup", json={"amount": amount}, headers=player), 201)
    verified = _data(http.post("/api/wallet/topup/verify", json={"sessionId": session["sessionId"]}, headers=player))
    assert verified["status"] == "credited"


def _provider_payout(stack: Stack, payout_id: str) -> payments_pb2.PayoutResult:
    with authed_channel(stack.grpc_address("payments"), stack.env["INTERNAL_TOKEN"]) as channel:
        reply = payments_pb2_grpc.PaymentGatewayStub(channel).GetPayout(
            payments_pb2.GetPayoutRequest(payout_id=payout_id))
    assert reply.found
    return reply.result


def test_a_winner_withdraws_and_tds_is_withheld_on_net_winnings(india: Stack, http: httpx.Client) -> None:
    admin = sign_in(http, india.admin_email, india.admin_password)[1]
    config = _data(http.get("/api/config"))
    assert (config["tdsRate"], config["withdrawableFunds"]) == (30, ["winnings"])

    user_id, player = sign_up(http)
    _, rival = sign_up(http)
    _top_up(http, player, 1000)
    _top_up(http, rival, 1000)
    wallet = _data(http.get("/api/wallet", headers=player))
    assert wallet["funds"] == {"deposit": 1000, "winnings": 0, "bonus": 0} and wallet["withdrawable"] == 0

    _, organizer = sign_up(http, "organizer")
    competition = _data(http.post("/api/competitions", json={"entryFee": 1000, "template": "winner_takes_all"},
                                  headers=organizer), 201)["_id"]
    for headers in (player, rival):
        entry = _data(http.post(f"/api/competitions/{competition}/entry", json={}, headers=headers), 201)
        booked = _data(http.get(f"/api/transactions/{entry['_id']}", headers=headers))
        assert (booked["type"], booked["amount"], booked["fund"], booked["funds"]) == ("entryFee", -1000, "deposit",
                                                                                      None)
    body = {"competitionId": competition, "standings": [{"userId": user_id, "rank": 1}]}
    paid = _data(http.post(f"/api/matches/{new_id('final')}@{competition}/rewards", json=body, headers=organizer), 201)
    assert [(p["userId"], p["amount"]) for p in paid["payouts"]] == [(user_id, 1700)]

    wallet = _data(http.get("/api/wallet", headers=player))
    assert wallet["funds"] == {"deposit": 0, "winnings": 1700, "bonus": 0}
    assert (wallet["balance"], wallet["withdrawable"]) == (1700, 1700)
    estimate = _data(http.get("/api/wallet/tds-estimate", params={"amount": "1200"}, headers=player))
    assert (estimate["tds"], estimate["netAmount"], estimate["netWinnings"]) == (60, 1140, 200)

    submitted = http.post("/api/kyc", json={"pan": "MEERA1234K", "name": "Meera Iyer", "dateOfBirth": "1992-03-09"},
                          headers=player)
    assert submitted.status_code == 201, submitted.text
    assert _data(http.put(f"/api/admin/kyc/{user_id}/verify", json={}, headers=admin))["status"] == "verified"
    payout = _data(http.post("/api/wallet/payout-request", json={"amount": 1200, "method": UPI}, headers=player), 201)
    assert (payout["amount"], payout["tds"], payout["netAmount"], payout["netWinnings"]) == (1200, 60, 1140, 200)
    assert payout["financialYear"] == estimate["financialYear"]
    if payout["status"] == "held":
        assert [r["rule"] for r in payout["reviewReasons"]] == ["recent_card_topup"]
        _data(http.put(f"/api/admin/payouts/{payout['_id']}/release", json={"note": "winnings, not the top-up"},
                       headers=admin))
    approved = _data(http.put(f"/api/admin/payouts/{payout['_id']}/approve", json={"note": "ok"}, headers=admin))
    assert (approved["status"], approved["tds"], approved["netAmount"]) == ("paid", 60, 1140)

    sent = _provider_payout(india, payout["_id"])
    assert (sent.status, sent.amount, sent.currency) == ("paid", 114_000, "INR")
    wallet = _data(http.get("/api/wallet", headers=player))
    assert wallet["funds"] == {"deposit": 0, "winnings": 500, "bonus": 0} and wallet["held"] == 0
    mine = _data(http.get("/api/wallet/transactions", params={"type": "payout"}, headers=player))
    assert [(t["amount"], t["status"], t["fund"]) for t in mine] == [(-1200, "completed", "winnings")]

    fy = payout["financialYear"]
    tax = _data(http.get("/api/wallet/tax-statement", params={"fy": fy}, headers=player))
    assert (tax["fy"], tax["pan"], tax["tdsRate"]) == (fy, "XXXXXX234K", 30)
    assert (tax["deposits"], tax["withdrawals"], tax["openingBalance"]) == (1000, 1200, 0)
    assert (tax["netWinnings"], tax["tds"], tax["yearEnd"]) == (200, 60, None)
    assert [(e["payoutId"], e["amount"], e["netWinnings"], e["tds"], e["status"]) for e in tax["entries"]] == [
        (payout["_id"], 1200, 200, 60, "captured")]
    rows = list(csv.reader(io.StringIO(http.get("/api/wallet/tax-statement", params={"fy": fy, "format": "csv"},
                                                headers=player).text)))
    assert rows[1][1:] == [payout["_id"], rows[1][2], "captured", "1200.00", "200.00", "60.00", "INR"]
    pdf = http.get("/api/wallet/tax-statement", params={"fy": fy, "format": "pdf"}, headers=player)
    assert pdf.headers["content-type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Net winnings INR 200.00" in text and "TDS INR 60.00" in text and "XXXXXX234K" in text
    assert "MEERA1234K" not in text

    report = _data(http.get("/api/admin/tax/tds", params={"fy": fy}, headers=admin))
    mine_line = [line for line in report["lines"] if line["userId"] == user_id]
    assert [(line["pan"], line["netWinnings"], line["tds"], line["withdrawals"]) for line in mine_line] == [
        ("XXXXXX234K", 200, 60, 1)]
    india.assert_books_ok()
