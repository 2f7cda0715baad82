"""Seed flow 2 end to end over real processes (`winzone up`): an organizer opens a competition, players are
funded and enter, the organizer distributes a match, and the winners see their rewards — driven over REST
as the web app would, with player money credited through the wallet's internal gRPC API."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.grpc_servers import authed_channel
from tests.support.stack import Stack, start_stack
from winzone.wallet.v1 import wallet_pb2, wallet_pb2_grpc

pytestmark = pytest.mark.e2e

PASSWORD = "correct-horse-1"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    running = start_stack(Path(tmp_path_factory.mktemp("rewards-stack")))
    yield running
    assert running.stop() == 0, running.log()


@pytest.fixture
def http(stack: Stack) -> Iterator[httpx.Client]:
    with stack.client() as client:
        yield client


def _wallet_stub(stack: Stack) -> tuple[Any, wallet_pb2_grpc.WalletServiceStub]:
    channel = authed_channel(stack.grpc_address("wallet"), stack.env["INTERNAL_TOKEN"])
    return channel, wallet_pb2_grpc.WalletServiceStub(channel)


def _credit(stack: Stack, user_id: str, rupees: int) -> None:
    channel, stub = _wallet_stub(stack)
    with channel:
        stub.Credit(wallet_pb2.CreditRequest(idempotency_key=f"seed_{uuid.uuid4().hex}", user_id=user_id,
                                             amount=rupees * 100, currency="INR", type="topup"))


def _assert_audit_ok(stack: Stack) -> None:
    channel, stub = _wallet_stub(stack)
    with channel:
        report = stub.Audit(wallet_pb2.AuditRequest())
    assert report.ok, list(report.violations)


def _user(http: httpx.Client, role: str) -> tuple[str, dict[str, str]]:
    email = f"{role}-{uuid.uuid4().hex[:8]}@winzone.test"
    registered = http.post("/api/auth/register", json={"name": role.title(), "email": email, "password": PASSWORD,
                                                       "role": role})
    assert registered.status_code == 201, registered.text
    login = http.post("/api/auth/login", json={"email": email, "password": PASSWORD}).json()["data"]
    return login["user"]["_id"], {"Authorization": f"Bearer {login['token']}"}


def test_seed_flow_two_organizer_players_match_rewards(stack: Stack, http: httpx.Client) -> None:
    organizer, org = _user(http, "organizer")
    competition = f"cup-{uuid.uuid4().hex[:8]}"
    opened = http.put(f"/api/competitions/{competition}", json={"entryFee": 100, "template": "top3"}, headers=org)
    assert opened.status_code == 201, opened.text
    assert opened.json()["data"]["organizerId"] == organizer

    players = [_user(http, "player") for _ in range(4)]
    for player_id, _ in players:
        _credit(stack, player_id, 150)
    for _, headers in players:
        entered = http.post(f"/api/competitions/{competition}/entry", json={}, headers=headers)
        assert entered.status_code == 201, entered.text
        assert entered.json()["data"]["type"] == "entryFee"
    pool = http.get(f"/api/competitions/{competition}", headers=players[0][1]).json()["data"]
    assert (pool["poolBalance"], pool["entries"], pool["status"]) == (400, 4, "open")

    (first, first_h), (second, second_h), (third, third_h), (fourth, fourth_h) = players
    body = {"competitionId": competition, "standings": [
        {"userId": first, "rank": 1}, {"userId": second, "rank": 2}, {"userId": third, "rank": 3},
        {"userId": fourth, "rank": 4}]}
    match = f"/api/matches/final-{uuid.uuid4().hex[:8]}/rewards"

    _, intruder = _user(http, "organizer")
    assert http.post(match, json=body, headers=intruder).status_code == 403
    assert http.post(match, json=body, headers=first_h).status_code == 403

    paid = http.post(match, json=body, headers=org)
    assert paid.status_code == 201, paid.text
    distribution = paid.json()["data"]
    assert (distribution["prizePool"], distribution["platformFee"], distribution["organizerFee"]) == (400, 40, 20)
    assert [(p["userId"], p["amount"]) for p in distribution["payouts"]] == [(first, 170), (second, 102),
                                                                             (third, 68)]

    again = http.post(match, json=body, headers=org)
    assert again.status_code == 201 and again.json()["data"] == distribution
    swapped = {**body, "standings": [{"userId": second, "rank": 1}, {"userId": first, "rank": 2}]}
    conflict = http.post(match, json=swapped, headers=org)
    assert conflict.status_code == 409 and conflict.json()["error"] == "DISTRIBUTION_CONFLICT"
    assert http.get(match, headers=fourth_h).json()["data"] == distribution

    expected = {first_h["Authorization"]: (220, 170), second_h["Authorization"]: (152, 102),
                third_h["Authorization"]: (118, 68), fourth_h["Authorization"]: (50, 0)}
    for headers in (first_h, second_h, third_h, fourth_h):
        wallet = http.get("/api/wallet", headers=headers).json()["data"]
        assert (wallet["balance"], wallet["totalEarnings"]) == expected[headers["Authorization"]]
    rewards = http.get("/api/wallet/transactions?type=reward", headers=first_h).json()["data"]
    assert [(t["amount"], t["idempotencyKey"]) for t in rewards] == [
        (170, f"match_reward_{match.split('/')[3]}_{first}")]
    assert http.get("/api/wallet", headers=org).json()["data"]["balance"] == 20
    late, late_h = _user(http, "player")
    _credit(stack, late, 100)
    closed = http.post(f"/api/competitions/{competition}/entry", json={}, headers=late_h)
    assert closed.status_code == 409 and closed.json()["error"] == "ENTRIES_CLOSED"
    _assert_audit_ok(stack)


def test_a_cancelled_competition_refunds_every_entry_once(stack: Stack, http: httpx.Client) -> None:
    _, org = _user(http, "organizer")
    competition = f"cup-{uuid.uuid4().hex[:8]}"
    assert http.put(f"/api/competitions/{competition}", json={"entryFee": 25.5}, headers=org).status_code == 201
    players = [_user(http, "player") for _ in range(3)]
    for player_id, headers in players:
        _credit(stack, player_id, 30)
        assert http.post(f"/api/competitions/{competition}/entry", json={}, headers=headers).status_code == 201

    refund = http.post(f"/api/competitions/{competition}/refund", json={"reason": "server outage"}, headers=org)
    again = http.post(f"/api/competitions/{competition}/refund", json={"reason": "server outage"}, headers=org)

    assert refund.status_code == 200, refund.text
    assert refund.json()["data"]["refund"]["total"] == 76.5
    assert again.json()["data"]["refund"] == refund.json()["data"]["refund"]
    for _, headers in players:
        wallet = http.get("/api/wallet", headers=headers).json()["data"]
        assert wallet["balance"] == 30
        assert [t["type"] for t in wallet["recentTransactions"]] == ["refund", "entryFee", "topup"]
    _assert_audit_ok(stack)
