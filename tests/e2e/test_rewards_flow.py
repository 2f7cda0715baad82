"""Seed flow 2 end to end over real processes (`winzone up`): an organizer opens a competition, players are
funded and enter, the organizer distributes a match, and the winners see their rewards — driven over REST
as the web app would, with player money credited through the wallet's internal gRPC API."""

from __future__ import annotations

import httpx
import pytest

from tests.support.errors import rest_error_code
from tests.support.ids import new_id
from tests.support.stack import Stack
from tests.support.users import sign_up

pytestmark = pytest.mark.e2e
RUPEE = 100


def test_seed_flow_two_organizer_players_match_rewards(stack: Stack, http: httpx.Client) -> None:
    organizer, org = sign_up(http, "organizer")
    opened = http.post("/api/competitions", json={"entryFee": 100, "template": "top3"}, headers=org)
    assert opened.status_code == 201, opened.text
    assert opened.json()["data"]["organizerId"] == organizer
    competition = opened.json()["data"]["_id"]

    players = [sign_up(http, "player") for _ in range(4)]
    for player_id, _ in players:
        stack.credit(player_id, 150 * RUPEE)
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
    match = f"/api/matches/{new_id('final')}@{competition}/rewards"

    _, intruder = sign_up(http, "organizer")
    assert http.post(match, json=body, headers=intruder).status_code == 403
    assert http.post(match, json=body, headers=first_h).status_code == 403
    own = http.post("/api/competitions", json={"entryFee": 1}, headers=intruder).json()["data"]["_id"]
    squat = http.post(match, json={**body, "competitionId": own}, headers=intruder)
    assert squat.status_code == 400 and rest_error_code(squat) == "INVALID_MATCH_ID"
    assert http.put(f"/api/competitions/{new_id('cup')}", json={"entryFee": 1}, headers=intruder).status_code == 404

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
    assert conflict.status_code == 409 and rest_error_code(conflict) == "DISTRIBUTION_CONFLICT"
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
    late, late_h = sign_up(http, "player")
    stack.credit(late, 100 * RUPEE)
    closed = http.post(f"/api/competitions/{competition}/entry", json={}, headers=late_h)
    assert closed.status_code == 409 and rest_error_code(closed) == "ENTRIES_CLOSED"
    stack.assert_audit_ok()


def test_a_cancelled_competition_refunds_every_entry_once(stack: Stack, http: httpx.Client) -> None:
    _, org = sign_up(http, "organizer")
    opened = http.post("/api/competitions", json={"entryFee": 25.5}, headers=org)
    assert opened.status_code == 201, opened.text
    competition = opened.json()["data"]["_id"]
    players = [sign_up(http, "player") for _ in range(3)]
    for player_id, headers in players:
        stack.credit(player_id, 30 * RUPEE)
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
    stack.assert_audit_ok()
