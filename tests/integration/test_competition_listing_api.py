"""The REST reads the web app needs around competitions: the list of competitions, a competition's entrants and
the preview of a match's rewards. The gateway in process over real wallet and reward gRPC servers and SQLite
stores; every test that could move money checks the wallet's audit."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api_gateway.adapters.sqlite_store import SqliteUserStore
from api_gateway.app import build_app
from api_gateway.settings import GatewaySettings
from tests.integration.test_competition_api import Api, assert_error, match_of
from tests.support.grpc_servers import TEST_TOKEN
from tests.support.ids import new_key
from tests.support.rewards import RUPEE, Harness


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    tmp_path = tmp_path_factory.mktemp("competition-listing")
    env = Harness(tmp_path)
    settings = GatewaySettings.from_env({
        "INTERNAL_TOKEN": TEST_TOKEN, "JWT_SECRET": "x" * 48, "WINZONE_DATA_DIR": str(tmp_path),
        "WALLET_SERVICE_ADDR": env.wallet_server.address, "REWARDS_SERVICE_ADDR": env.reward_server.address,
        "SQLITE_SYNCHRONOUS": "NORMAL",
    })
    users = SqliteUserStore(settings.common.sqlite_path("gateway"))
    users.migrate()
    try:
        with TestClient(build_app(settings, users)) as client:
            yield Api(client, env, settings.common)
    finally:
        users.close()
        env.close()


def entered(api: Api, competition: str, players: int) -> list[tuple[str, dict[str, str]]]:
    """``players`` new players, each credited and entered into ``competition`` in turn."""
    joined = []
    for _ in range(players):
        player, headers = api.user()
        api.env.credit(player, 1_000 * RUPEE)
        assert api.post(f"/api/competitions/{competition}/entry", headers).status_code == 201
        joined.append((player, headers))
    return joined


# --- GET /api/competitions ------------------------------------------------------------------------------------

def test_competitions_are_listed_newest_first_with_filters_and_pagination(api: Api) -> None:
    organizer, org = api.user("organizer")
    _, ph = api.user()
    opened = [api.open(org, entryFee=10 + i) for i in range(5)]
    _, adm = api.user("admin")
    assert api.post(f"/api/competitions/{opened[1]}/refund", org, {"reason": "rained off"}).status_code == 200

    listed = api.client.get(f"/api/competitions?organizerId={organizer}", headers=ph)

    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert [c["_id"] for c in body["data"]] == opened[::-1]
    assert body["pagination"] == {"page": 1, "limit": 20, "total": 5, "pages": 1}
    newest = body["data"][0]
    assert (newest["entryFee"], newest["organizerId"], newest["status"], newest["poolBalance"]) == (
        14, organizer, "open", 0)
    page = api.client.get(f"/api/competitions?organizerId={organizer}&page=2&limit=2", headers=adm).json()
    assert [c["_id"] for c in page["data"]] == [opened[2], opened[1]]
    assert page["pagination"] == {"page": 2, "limit": 2, "total": 5, "pages": 3}
    cancelled = api.client.get(f"/api/competitions?organizerId={organizer}&status=cancelled", headers=org).json()
    assert [c["_id"] for c in cancelled["data"]] == [opened[1]]
    assert cancelled["data"][0]["status"] == "cancelled" and cancelled["pagination"]["total"] == 1
    open_ones = api.client.get("/api/competitions?status=open&limit=100", headers=ph).json()
    assert {c["status"] for c in open_ones["data"]} == {"open"}
    assert set(opened) - {opened[1]} <= {c["_id"] for c in open_ones["data"]}
    everything = api.client.get("/api/competitions", headers=ph).json()["data"]
    stamps = [(c["createdAt"], c["_id"]) for c in everything]
    assert stamps == sorted(stamps, reverse=True)
    past_the_end = api.client.get(f"/api/competitions?organizerId={organizer}&page=9", headers=ph).json()
    assert past_the_end["data"] == [] and past_the_end["pagination"]["total"] == 5
    nobody = api.client.get("/api/competitions?organizerId=nobody-at-all", headers=ph).json()
    assert nobody["data"] == [] and nobody["pagination"] == {"page": 1, "limit": 20, "total": 0, "pages": 0}
    api.env.assert_audit_ok()


@pytest.mark.parametrize("query", [
    "page=0", "page=-1", "page=1.5", "page=abc", "page=", "limit=0", "limit=101", "limit=1e2", "status=paused",
    "status=OPEN", "status=open&status=closed", "organizerId[$ne]=", "organizerId[$ne]=x", "status[$ne]=open",
    "organizerId=a%20b", f"organizerId={'x' * 65}", "organizerId=a&organizerId=b", "sort=createdAt",
])
def test_bad_list_queries_are_400(api: Api, query: str) -> None:
    _, ph = api.user()
    response = api.client.get(f"/api/competitions?{query}", headers=ph)
    if query == "page=":
        assert response.status_code == 200
        return
    assert_error(response, 400)
    assert response.json()["error"] in {"VALIDATION_ERROR", "INVALID_ID"}


def test_listing_needs_a_signed_in_user(api: Api) -> None:
    assert_error(api.client.get("/api/competitions"), 401)
    assert_error(api.client.get("/api/competitions", headers={"Authorization": "Bearer nope"}), 401)


# --- GET /api/competitions/{id}/entries -----------------------------------------------------------------------

def test_the_owner_and_an_admin_see_the_entrants_in_the_order_they_entered(api: Api) -> None:
    organizer, org = api.user("organizer")
    _, adm = api.user("admin")
    competition = api.open(org, entryFee=99.99)
    players = entered(api, competition, 3)
    api.env.credit(organizer, 500 * RUPEE)
    assert api.post(f"/api/competitions/{competition}/fund", org, {"amount": 25}, key=new_key()).status_code == 201
    broke, broke_headers = api.user()
    assert_error(api.post(f"/api/competitions/{competition}/entry", broke_headers), 400, "INSUFFICIENT_FUNDS")

    listed = api.client.get(f"/api/competitions/{competition}/entries", headers=org)

    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert [e["userId"] for e in body["data"]] == [p for p, _ in players]
    assert all(set(e) == {"userId", "amount", "currency", "status", "createdAt"} for e in body["data"])
    assert {(e["amount"], e["currency"], e["status"]) for e in body["data"]} == {(99.99, "INR", "paid")}
    assert broke not in {e["userId"] for e in body["data"]}
    assert body["pagination"] == {"page": 1, "limit": 20, "total": 3, "pages": 1}
    as_admin = api.client.get(f"/api/competitions/{competition}/entries?page=2&limit=2", headers=adm).json()
    assert [e["userId"] for e in as_admin["data"]] == [players[2][0]]
    assert as_admin["pagination"] == {"page": 2, "limit": 2, "total": 3, "pages": 2}
    assert api.client.get(f"/api/competitions/{competition}", headers=org).json()["data"]["entries"] == 3
    api.env.assert_audit_ok()


def test_entrants_are_only_for_the_owner_or_an_admin(api: Api) -> None:
    _, org = api.user("organizer")
    _, other_org = api.user("organizer")
    competition = api.open(org, entryFee=5)
    (_, ph), = entered(api, competition, 1)
    path = f"/api/competitions/{competition}/entries"
    assert_error(api.client.get(path, headers=other_org), 403, "FORBIDDEN")
    assert_error(api.client.get(path, headers=ph), 403, "FORBIDDEN")
    assert_error(api.client.get(path), 401)
    assert_error(api.client.get("/api/competitions/no-such-competition/entries", headers=org), 404,
                 "COMPETITION_NOT_FOUND")
    assert_error(api.client.get(f"/api/competitions/{'x' * 300}/entries", headers=org), 404)
    for query in ("page=0", "limit=101", "limit=x", "page[$ne]=1", "status=paid"):
        assert_error(api.client.get(f"{path}?{query}", headers=org), 400, "VALIDATION_ERROR")


# --- POST /api/matches/{id}/rewards/preview -------------------------------------------------------------------

def test_a_preview_is_what_the_distribution_then_pays_and_moves_nothing(api: Api) -> None:
    _, org = api.user("organizer")
    competition = api.open(org, entryFee=33.33, template="top3")
    players = entered(api, competition, 4)
    standings = [{"userId": p, "rank": rank} for (p, _), rank in zip(players, (1, 1, 3, 4), strict=True)]
    body = {"competitionId": competition, "standings": standings}
    match = match_of(competition)
    before, pool_before = api.env.ledger_state(), api.env.pool(competition)
    balances = [api.env.balance(p) for p, _ in players]

    preview = api.post(f"/api/matches/{match}/rewards/preview", org, body)
    again = api.post(f"/api/matches/{match}/rewards/preview", org, body)

    assert preview.status_code == 200, preview.text
    shown = preview.json()["data"]
    assert shown["status"] == "preview" and shown["entryId"] is None
    assert (shown["prizePool"], shown["platformFee"], shown["organizerFee"]) == (133.32, 13.33, 6.66)
    assert sum(p["amount"] * 100 for p in shown["payouts"]) == 133.32 * 100 - 1333 - 666
    assert again.json()["data"]["payouts"] == shown["payouts"]
    assert api.env.ledger_state() == before and api.env.pool(competition) == pool_before
    assert [api.env.balance(p) for p, _ in players] == balances
    assert_error(api.client.get(f"/api/matches/{match}/rewards", headers=org), 404, "DISTRIBUTION_NOT_FOUND")
    still = api.client.get(f"/api/competitions/{competition}", headers=org).json()["data"]
    assert (still["status"], still["poolBalance"]) == ("open", 133.32)

    paid = api.post(f"/api/matches/{match}/rewards", org, body)

    assert paid.status_code == 201, paid.text
    real = paid.json()["data"]
    keys = ("matchId", "competitionId", "template", "shares", "currency", "prizePool", "platformFee", "organizerFee",
            "platformFeePercentage", "organizerFeePercentage", "organizerId", "payouts")
    assert {k: real[k] for k in keys} == {k: shown[k] for k in keys}
    assert real["status"] == "paid"
    paid_to = {p["userId"]: p["amount"] for p in real["payouts"]}
    for (player, _), balance in zip(players, balances, strict=True):
        assert api.env.balance(player) - balance == round(paid_to.get(player, 0) * 100)
    api.env.assert_audit_ok()


def test_a_preview_of_part_of_the_pool_with_explicit_shares(api: Api) -> None:
    _, org = api.user("organizer")
    competition = api.open(org, entryFee=10)
    (a, _), (b, _) = entered(api, competition, 2)
    body = {"competitionId": competition, "shares": [70, 30], "prizePool": 15.55,
            "standings": [{"userId": a, "rank": 1}, {"userId": b, "rank": 2}]}
    match = match_of(competition)
    shown = api.post(f"/api/matches/{match}/rewards/preview", org, body).json()["data"]
    assert (shown["prizePool"], shown["template"], shown["shares"]) == (15.55, None, [70, 30])
    paid = api.post(f"/api/matches/{match}/rewards", org, body).json()["data"]
    assert paid["payouts"] == shown["payouts"] and paid["platformFee"] == shown["platformFee"]
    assert api.client.get(f"/api/competitions/{competition}", headers=org).json()["data"]["poolBalance"] == 4.45
    api.env.assert_audit_ok()


def test_a_preview_follows_the_rules_of_the_distribution(api: Api) -> None:
    _, org = api.user("organizer")
    _, other_org = api.user("organizer")
    _, adm = api.user("admin")
    competition = api.open(org, entryFee=10)
    (player, ph), = entered(api, competition, 1)
    body = {"competitionId": competition, "standings": [{"userId": player, "rank": 1}]}
    before = api.env.ledger_state()
    other = api.open(other_org, entryFee=10)

    assert api.post(f"/api/matches/{match_of(competition)}/rewards/preview", adm, body).status_code == 200
    assert_error(api.post("/api/matches/final/rewards/preview", org, body), 400, "INVALID_MATCH_ID")
    assert_error(api.post(f"/api/matches/{match_of(other)}/rewards/preview", org, body), 400, "INVALID_MATCH_ID")
    assert_error(api.post(f"/api/matches/{match_of(competition)}/rewards/preview", other_org, body), 403,
                 "FORBIDDEN")
    assert_error(api.post(f"/api/matches/{match_of(competition)}/rewards/preview", ph, body), 403, "FORBIDDEN")
    assert_error(api.client.post(f"/api/matches/{match_of(competition)}/rewards/preview", json=body), 401)
    assert_error(api.post(f"/api/matches/{match_of(competition)}/rewards/preview", org,
                          {**body, "competitionId": "no-such"}), 404, "COMPETITION_NOT_FOUND")
    assert_error(api.post(f"/api/matches/{match_of(competition)}/rewards/preview", org,
                          {**body, "standings": [{"userId": "not-registered", "rank": 1}]}), 400, "UNKNOWN_PLAYER")
    assert_error(api.post(f"/api/matches/{match_of(competition)}/rewards/preview", org,
                          {**body, "prizePool": 10.01}), 409, "INSUFFICIENT_POOL")
    malformed = api.client.post(f"/api/matches/{match_of(competition)}/rewards/preview", content=b"{",
                                headers={**org, "content-type": "application/json"})
    assert_error(malformed, 400, "INVALID_JSON")
    assert api.env.ledger_state() == before
    api.env.assert_audit_ok()


@pytest.mark.parametrize(("change", "code"), [
    ({"competitionId": None}, None), ({"competitionId": {"$ne": None}}, None), ({"standings": None}, None),
    ({"standings": {"$ne": None}}, "INVALID_STANDINGS"), ({"standings": []}, "EMPTY_STANDINGS"),
    ({"standings": [{"userId": {"$ne": None}, "rank": 1}]}, "INVALID_USER_ID"),
    ({"standings": [{"userId": "P", "rank": "1"}]}, "INVALID_RANK"),
    ({"standings": [{"userId": "P", "rank": 0}]}, "INVALID_RANK"),
    ({"standings": [{"userId": "P", "rank": -1}]}, "INVALID_RANK"),
    ({"standings": [{"userId": "P", "rank": 1.5}]}, "INVALID_RANK"),
    ({"prizePool": 0}, "INVALID_AMOUNT"), ({"prizePool": -5}, "INVALID_AMOUNT"),
    ({"prizePool": 0.001}, "INVALID_AMOUNT"), ({"prizePool": "5"}, "INVALID_AMOUNT"),
    ({"prizePool": 1e300}, "INVALID_AMOUNT"), ({"prizePool": {"$ne": None}}, "INVALID_AMOUNT"),
    ({"prizePool": True}, "INVALID_AMOUNT"), ({"template": "top4"}, "UNKNOWN_TEMPLATE"),
    ({"shares": [50, 40]}, "INVALID_SHARES"), ({"shares": ["NaN"]}, "INVALID_SHARES"),
])
def test_bad_preview_bodies_are_400_and_move_nothing(api: Api, change: dict[str, Any], code: str | None) -> None:
    _, org = api.user("organizer")
    competition = api.open(org, entryFee=10)
    (player, _), = entered(api, competition, 1)
    body = {"competitionId": competition, "standings": [{"userId": player, "rank": 1}]}
    payload = json.loads(json.dumps({**body, **change}).replace('"P"', json.dumps(player)))
    payload = {k: v for k, v in payload.items() if v is not None}
    before = api.env.ledger_state()

    assert_error(api.post(f"/api/matches/{match_of(competition)}/rewards/preview", org, payload), 400, code)

    assert api.env.ledger_state() == before
