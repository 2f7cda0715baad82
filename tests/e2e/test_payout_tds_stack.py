"""TDS through the payout workflow over real processes: `winzone up` with ``TDS_RATE=30`` (no jurisdiction, so
winnings and deposits are withdrawable). A player tops up ₹150 through the mock provider, pays a ₹100 entry fee
and wins ₹170; each ₹200 withdrawal then taxes ₹50 of net winnings (₹200 out against ₹150 deposited): TDS
₹15.00, the provider is asked for ₹185.00. A payout the provider declines moves nothing; a paid one puts the
TDS in ``tds_payable``; a partial reversal refunds only what came back, the full reversal the rest and the
TDS. A player withdrawing less than they deposited pays no TDS. Both audits hold after every step. Runs on
SQLite and on MongoDB (``backend``)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.support.backends import store_env
from tests.support.grpc_servers import authed_channel
from tests.support.ids import new_id
from tests.support.stack import Stack, start_stack
from tests.support.users import sign_in, sign_up
from wallet_service.domain.accounts import parse_account
from wallet_service.server import build_store
from winzone.payments.v1 import payments_pb2, payments_pb2_grpc
from winzone.payouts.v1 import payouts_pb2, payouts_pb2_grpc
from winzone_kernel.config import CommonSettings

pytestmark = pytest.mark.e2e
RUPEE = 100
UPI = {"type": "upi", "details": {"upiId": "asha.rao@okbank", "name": "Asha Rao"}}
DECLINED = {"type": "upi", "details": {"upiId": "will.fail@okbank", "name": "Asha Rao"}}


@pytest.fixture(scope="module")
def taxed(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with store_env(backend) as store:
        stack = start_stack(tmp_path_factory.mktemp(f"tds-payouts-{backend}"), {"TDS_RATE": "30", **store})
        try:
            yield stack
        finally:
            assert stack.stop() == 0, stack.log()


@pytest.fixture
def http(taxed: Stack) -> Iterator[httpx.Client]:
    with taxed.client() as client:
        yield client


def _data(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json(parse_float=Decimal)["data"]


def _tds_payable(stack: Stack) -> int:
    store = build_store(CommonSettings.from_env(stack.env))
    try:
        account = store.get_account(parse_account("tds_payable"), "INR")
    finally:
        store.close()
    return 0 if account is None else account.balance


def _provider_payout(stack: Stack, payout_id: str) -> payments_pb2.PayoutResult:
    with authed_channel(stack.grpc_address("payments"), stack.env["INTERNAL_TOKEN"]) as channel:
        reply = payments_pb2_grpc.PaymentGatewayStub(channel).GetPayout(
            payments_pb2.GetPayoutRequest(payout_id=payout_id))
    assert reply.found
    return reply.result


def _grpc_payout(stack: Stack, payout_id: str) -> payouts_pb2.PayoutRequest:
    with authed_channel(stack.grpc_address("payouts"), stack.env["INTERNAL_TOKEN"]) as channel:
        return payouts_pb2_grpc.PayoutServiceStub(channel).GetPayoutRequest(
            payouts_pb2.GetPayoutRequestRequest(payout_id=payout_id))


def _reverse(stack: Stack, payout_id: str, event: str, amount: str | None = None) -> None:
    command = [sys.executable, "-m", "winzone_ops.cli", "webhook", "--type", "transfer.reversed", "--payout",
               payout_id, "--url", stack.url, "--event-id", event]
    reversal = subprocess.run([*command, *(["--amount", amount] if amount else [])], env=stack.env,
                              capture_output=True, text=True, timeout=60)
    assert reversal.returncode == 0, reversal.stdout + reversal.stderr


def _winners(stack: Stack, http: httpx.Client) -> tuple[tuple[str, dict[str, str]], tuple[str, dict[str, str]]]:
    """The first (₹150 topped up through the mock provider, ₹170 won) and second (₹150 credited, ₹102 won)
    of a four-player ₹100 competition."""
    _, organizer = sign_up(http, "organizer")
    competition = _data(http.post("/api/competitions", json={"entryFee": 100, "template": "top3"},
                                  headers=organizer), 201)["_id"]
    players = [sign_up(http, "player") for _ in range(4)]
    first_id, first = players[0]
    session = _data(http.post("/api/wallet/topup", json={"amount": 150}, headers=first), 201)
    verified = _data(http.post("/api/wallet/topup/verify", json={"sessionId": session["sessionId"]}, headers=first))
    assert verified["status"] == "credited"
    for player_id, _ in players[1:]:
        stack.credit(player_id, 150 * RUPEE)
    for _, headers in players:
        _data(http.post(f"/api/competitions/{competition}/entry", json={}, headers=headers), 201)
    body = {"competitionId": competition, "standings": [
        {"userId": player_id, "rank": rank} for rank, (player_id, _) in enumerate(players, 1)]}
    paid = _data(http.post(f"/api/matches/{new_id('final')}@{competition}/rewards", json=body, headers=organizer),
                 201)
    assert [(p["userId"], p["amount"]) for p in paid["payouts"]][:2] == [(first_id, 170), (players[1][0], 102)]
    return players[0], players[1]


def _payout(http: httpx.Client, player: dict[str, str], amount: int, method: dict[str, Any]) -> dict[str, Any]:
    return _data(http.post("/api/wallet/payout-request", json={"amount": amount, "method": method},
                           headers=player), 201)


def _balance(http: httpx.Client, player: dict[str, str]) -> tuple[Decimal, Decimal]:
    wallet = _data(http.get("/api/wallet", headers=player))
    return wallet["balance"], wallet["held"]


def test_tds_is_withheld_sent_net_kept_when_paid_and_returned_when_reversed(taxed: Stack, http: httpx.Client) -> None:
    admin = sign_in(http, taxed.admin_email, taxed.admin_password)[1]
    (winner_id, winner), (runner_up_id, runner_up) = _winners(taxed, http)
    assert _balance(http, winner) == (220, 0)
    assert _tds_payable(taxed) == 0
    taxed.assert_books_ok()

    declined = _payout(http, winner, 200, DECLINED)
    assert (declined["amount"], declined["tds"], declined["netAmount"], declined["netWinnings"]) == (200, 15, 185, 50)
    fy = declined["financialYear"]
    assert len(fy) == 7 and fy[4] == "-" and int(fy[5:]) == (int(fy[:4]) + 1) % 100
    grpc_view = _grpc_payout(taxed, declined["_id"])
    assert (grpc_view.amount, grpc_view.tds, grpc_view.net_amount, grpc_view.net_winnings,
            grpc_view.financial_year) == (20_000, 1_500, 18_500, 5_000, fy)
    assert _balance(http, winner) == (220, 200)
    failed = _data(http.put(f"/api/admin/payouts/{declined['_id']}/approve", json={}, headers=admin))
    assert (failed["status"], failed["tds"], failed["netAmount"], failed["refundedAmount"]) == ("failed", 15, 185, 0)
    assert _balance(http, winner) == (220, 0)
    assert _tds_payable(taxed) == 0
    taxed.assert_books_ok()

    payout = _payout(http, winner, 200, UPI)
    assert (payout["tds"], payout["netAmount"], payout["netWinnings"], payout["financialYear"]) == (15, 185, 50, fy)
    paid = _data(http.put(f"/api/admin/payouts/{payout['_id']}/approve", json={"note": "ok"}, headers=admin))
    assert (paid["status"], paid["amount"], paid["tds"], paid["netAmount"]) == ("paid", 200, 15, 185)
    sent = _provider_payout(taxed, payout["_id"])
    assert (sent.status, sent.amount, sent.currency) == ("paid", 18_500, "INR")
    assert _balance(http, winner) == (20, 0)
    out = _data(http.get("/api/wallet/transactions", params={"type": "payout"}, headers=winner))
    assert [(t["amount"], t["status"]) for t in out] == [(-200, "completed"), (-200, "failed")]
    assert _tds_payable(taxed) == 1_500
    taxed.assert_books_ok()

    _reverse(taxed, payout["_id"], f"evt_part_{payout['_id']}", amount="50")
    partly = _data(http.get(f"/api/wallet/payout-requests/{payout['_id']}", headers=winner))
    assert (partly["status"], partly["refundedAmount"]) == ("paid", 50)
    assert _balance(http, winner) == (70, 0)
    assert _tds_payable(taxed) == 1_500
    taxed.assert_books_ok()

    _reverse(taxed, payout["_id"], f"evt_rest_{payout['_id']}")
    reversed_ = _data(http.get(f"/api/wallet/payout-requests/{payout['_id']}", headers=winner))
    assert (reversed_["status"], reversed_["refundedAmount"], reversed_["tds"]) == ("failed", 200, 15)
    assert _balance(http, winner) == (220, 0)
    refunds = _data(http.get("/api/wallet/transactions", params={"type": "refund"}, headers=winner))
    assert sorted(t["amount"] for t in refunds) == [50, 150]
    assert _tds_payable(taxed) == 0
    assert _provider_payout(taxed, payout["_id"]).amount_reversed == 18_500
    taxed.assert_books_ok()

    untaxed = _payout(http, runner_up, 100, UPI)
    assert (untaxed["tds"], untaxed["netAmount"], untaxed["netWinnings"]) == (0, 100, 0)
    assert _data(http.put(f"/api/admin/payouts/{untaxed['_id']}/approve", json={}, headers=admin))["status"] == "paid"
    assert _provider_payout(taxed, untaxed["_id"]).amount == 10_000
    assert _balance(http, runner_up) == (52, 0)
    assert _tds_payable(taxed) == 0
    assert runner_up_id != winner_id
    taxed.assert_books_ok()
