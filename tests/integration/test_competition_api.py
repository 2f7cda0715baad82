"""The REST contract of competitions and match rewards: the gateway in-process over real wallet and reward
gRPC servers and SQLite stores. Roles, ownership, exact amounts, and 400 (never 422) for any bad body."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api_gateway.adapters.sqlite_store import SqliteUserStore
from api_gateway.app import build_app
from api_gateway.settings import GatewaySettings
from tests.support.grpc_servers import TEST_TOKEN
from tests.support.ids import new_id, new_key
from tests.support.rewards import RUPEE, Harness
from winzone.rewards.v1 import rewards_pb2 as rpb
from winzone_kernel.config import CommonSettings
from winzone_ops.admin import ensure_admin

PASSWORD = "correct-horse-1"


class Api:
    """A TestClient against the gateway, the servers behind it, and sign-in helpers."""

    def __init__(self, client: TestClient, env: Harness, common: CommonSettings) -> None:
        self.client = client
        self.env = env
        self.common = common

    def user(self, role: str = "player") -> tuple[str, dict[str, str]]:
        email = f"{new_id(role)}@winzone.test"
        if role == "admin":
            ensure_admin(self.common, email, PASSWORD)
        else:
            registered = self.client.post("/api/auth/register", json={"name": role, "email": email,
                                                                      "password": PASSWORD, "role": role})
            assert registered.status_code == 201, registered.text
        login = self.client.post("/api/auth/login", json={"email": email, "password": PASSWORD}).json()["data"]
        return login["user"]["_id"], {"Authorization": f"Bearer {login['token']}"}

    def put(self, competition: str, headers: dict[str, str], **body: Any) -> Any:
        return self.client.put(f"/api/competitions/{competition}", json=body, headers=headers)

    def create(self, headers: dict[str, str], **body: Any) -> Any:
        return self.client.post("/api/competitions", json=body, headers=headers)

    def open(self, headers: dict[str, str], **body: Any) -> str:
        """A new competition (``POST /api/competitions``): its generated id."""
        created = self.create(headers, **body)
        assert created.status_code == 201, created.text
        competition: str = created.json()["data"]["_id"]
        return competition

    def post(self, path: str, headers: dict[str, str], body: Any = None, *, key: str | None = None) -> Any:
        if key is not None:
            headers = {**headers, "Idempotency-Key": key}
        return self.client.post(path, json={} if body is None else body, headers=headers)


def match_of(competition: str) -> str:
    """A fresh match id bound to ``competition``, as REST requires: ``<name>@<competitionId>``."""
    return f"{new_id('m')}@{competition}"


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    tmp_path = tmp_path_factory.mktemp("competition-api")
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


def assert_error(response: Any, status: int, code: str | None = None) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is False and body["error"].isupper()
    if code is not None:
        assert body["error"] == code, body


def test_seeded_flow_with_exact_amounts(api: Api) -> None:
    organizer, org = api.user("organizer")
    created = api.create(org, entryFee=100, template="top3")
    assert created.status_code == 201, created.text
    competition = created.json()["data"]["_id"]
    assert competition.startswith("cmp-") and "_" not in competition
    assert created.json()["data"] == {
        "_id": competition, "organizerId": organizer, "entryFee": 100, "currency": "INR", "template": "top3",
        "status": "open", "poolBalance": 0, "entries": 0, "createdAt": created.json()["data"]["createdAt"],
        "updatedAt": created.json()["data"]["updatedAt"]}
    changed = api.put(competition, org, entryFee=99.99)
    assert changed.status_code == 200 and changed.json()["data"]["entryFee"] == 99.99
    players = [api.user() for _ in range(3)]
    for player_id, _ in players:
        api.env.credit(player_id, 100 * RUPEE)

    entries = [api.post(f"/api/competitions/{competition}/entry", headers) for _, headers in players]
    again = api.post(f"/api/competitions/{competition}/entry", players[0][1], {"amount": 99.99})

    assert [e.status_code for e in entries] == [201, 201, 201]
    assert entries[0].json()["data"]["type"] == "entryFee" and entries[0].json()["data"]["amount"] == -99.99
    assert again.status_code == 201 and again.json()["data"]["_id"] == entries[0].json()["data"]["_id"]
    assert api.client.get(f"/api/competitions/{competition}", headers=players[0][1]).json()["data"][
        "poolBalance"] == 299.97
    (a, ha), (b, _), (c, _) = players
    body = {"competitionId": competition, "standings": [{"userId": a, "rank": 1}, {"userId": b, "rank": 1},
                                                        {"userId": c, "rank": 3}]}
    paid = api.post(f"/api/matches/final@{competition}/rewards", org, body)
    assert paid.status_code == 201, paid.text
    data = paid.json()["data"]
    assert (data["prizePool"], data["platformFee"], data["organizerFee"], data["status"]) == (
        299.97, 29.99, 14.99, "paid")
    amounts = {p["userId"]: p["amount"] for p in data["payouts"]}
    first, second = sorted((a, b))
    assert amounts == {first: 102, second: 101.99, c: 51}
    assert api.post(f"/api/matches/final@{competition}/rewards", org, body).json()["data"] == data
    assert api.client.get(f"/api/matches/final@{competition}/rewards", headers=ha).json()["data"] == data
    wallet = api.client.get("/api/wallet", headers=ha).json()["data"]
    winner = next(p for p in data["payouts"] if p["userId"] == a)
    assert wallet["totalEarnings"] == winner["amount"]
    api.env.assert_audit_ok()


def test_roles_and_ownership(api: Api) -> None:
    organizer, org = api.user("organizer")
    _, other_org = api.user("organizer")
    player, ph = api.user("player")
    _, adm = api.user("admin")
    assert_error(api.create(ph, entryFee=10), 403, "FORBIDDEN")
    assert_error(api.create(org, entryFee=10, organizerId=player), 403, "FORBIDDEN")
    competition = api.open(org, entryFee=10)
    assert_error(api.put(competition, ph, entryFee=10), 403, "FORBIDDEN")
    assert_error(api.put(competition, org, entryFee=10, organizerId=player), 403, "FORBIDDEN")
    api.env.credit(player, 10 * RUPEE)
    api.env.credit(organizer, 50 * RUPEE)
    for path, body in ((f"/api/competitions/{competition}/fund", {"amount": 5}),
                       (f"/api/competitions/{competition}/refund", {"reason": "mine"}),
                       (f"/api/matches/{match_of(competition)}/rewards", {"competitionId": competition,
                                                              "standings": [{"userId": player, "rank": 1}]})):
        assert_error(api.post(path, other_org, body, key=new_key()), 403, "FORBIDDEN")
        assert_error(api.post(path, ph, body, key=new_key()), 403, "FORBIDDEN")
    assert_error(api.put(competition, other_org, entryFee=20), 403, "FORBIDDEN")
    assert_error(api.post(f"/api/competitions/{competition}/entry", org), 403, "FORBIDDEN")
    assert_error(api.client.get(f"/api/competitions/{competition}"), 401)

    funded = api.post(f"/api/competitions/{competition}/fund", org, {"amount": 50}, key=new_key())
    assert funded.status_code == 201 and funded.json()["data"]["amount"] == -50
    admin_named = api.create(adm, entryFee=5, organizerId=organizer)
    assert admin_named.status_code == 201 and admin_named.json()["data"]["organizerId"] == organizer
    assert_error(api.create(adm, entryFee=5, organizerId=player), 400, "INVALID_ORGANIZER")
    assert_error(api.put(competition, adm, entryFee=5, organizerId=player), 400, "INVALID_ORGANIZER")
    assert api.put(competition, adm, entryFee=11).json()["data"]["organizerId"] == organizer
    api.env.assert_audit_ok()


def test_unknown_resources_are_404(api: Api) -> None:
    _, org = api.user("organizer")
    _, ph = api.user("player")
    assert_error(api.client.get("/api/competitions/nope", headers=ph), 404, "COMPETITION_NOT_FOUND")
    assert_error(api.client.get(f"/api/competitions/{'x' * 300}", headers=ph), 404)
    assert_error(api.client.get("/api/matches/nope/rewards", headers=ph), 404, "DISTRIBUTION_NOT_FOUND")
    assert_error(api.put("nope", org, entryFee=10), 404, "COMPETITION_NOT_FOUND")
    assert_error(api.post("/api/competitions/nope/entry", ph), 404)
    assert_error(api.post("/api/competitions/no_such/entry", ph), 404, "COMPETITION_NOT_FOUND")
    assert_error(api.post("/api/competitions/no_such/fund", org, {"amount": 5}, key=new_key()), 404)
    assert_error(api.post("/api/competitions/no_such/refund", org, {"reason": "x"}), 404)
    assert_error(api.post("/api/matches/m1/rewards", org, {"competitionId": "no_such", "standings": [
        {"userId": "u1", "rank": 1}]}), 404)
    assert_error(api.post("/api/competitions/nope/fund", org, {"amount": 5}, key=new_key()), 404)
    assert_error(api.post("/api/competitions/nope/refund", org, {"reason": "x"}), 404)
    assert_error(api.post("/api/matches/m1/rewards", org, {"competitionId": "nope", "standings": [
        {"userId": "u1", "rank": 1}]}), 404)


@pytest.mark.parametrize("body", [
    {}, {"entryFee": None}, {"entryFee": "10"}, {"entryFee": 10.001}, {"entryFee": 0}, {"entryFee": -1},
    {"entryFee": True}, {"entryFee": {"$ne": None}}, {"entryFee": 10, "currency": "EUR"},
    {"entryFee": 10, "currency": {"$ne": None}}, {"entryFee": 10, "template": "top4"},
    {"entryFee": 10, "template": {"$ne": None}}, {"entryFee": 10, "organizerId": {"$ne": None}},
    {"entryFee": 1e300},
])
def test_bad_competition_bodies_are_400(api: Api, body: dict[str, Any]) -> None:
    _, org = api.user("organizer")
    competition = api.open(org, entryFee=7)
    assert_error(api.client.post("/api/competitions", json=body, headers=org), 400)
    assert_error(api.client.put(f"/api/competitions/{competition}", json=body, headers=org), 400)
    assert_error(api.client.put(f"/api/competitions/{new_id('c')}", json=body, headers=org), 400)
    assert api.client.get(f"/api/competitions/{competition}", headers=org).json()["data"]["entryFee"] == 7


def test_malformed_json_and_bad_ids_are_400(api: Api) -> None:
    _, org = api.user("organizer")
    response = api.client.put("/api/competitions/c1", content=b"{", headers={**org, "content-type":
                                                                               "application/json"})
    assert_error(response, 400, "INVALID_JSON")
    assert_error(api.put("bad id!", org, entryFee=10), 400, "INVALID_ID")
    assert_error(api.put("x" * 65, org, entryFee=10), 400, "INVALID_ID")


def test_create_with_an_idempotency_key_opens_one_competition(api: Api) -> None:
    organizer, org = api.user("organizer")
    _, other = api.user("organizer")
    key = new_key()
    first = api.client.post("/api/competitions", json={"entryFee": 25}, headers={**org, "Idempotency-Key": key})
    again = api.client.post("/api/competitions", json={"entryFee": 25}, headers={**org, "Idempotency-Key": key})
    assert first.status_code == again.status_code == 201, (first.text, again.text)
    assert again.json()["data"] == first.json()["data"]
    competition = first.json()["data"]["_id"]
    assert_error(api.client.post("/api/competitions", json={"entryFee": 26}, headers={**org, "Idempotency-Key": key}),
                 409, "IDEMPOTENCY_CONFLICT")
    theirs = api.client.post("/api/competitions", json={"entryFee": 25}, headers={**other, "Idempotency-Key": key})
    assert theirs.status_code == 201 and theirs.json()["data"]["_id"] != competition
    listed = api.client.get(f"/api/competitions?organizerId={organizer}", headers=org).json()
    assert [c["_id"] for c in listed["data"]] == [competition]
    assert listed["data"][0]["entryFee"] == 25
    for bad in ("x" * 65, "bad key!", "a/b"):
        assert_error(api.client.post("/api/competitions", json={"entryFee": 25},
                                     headers={**org, "Idempotency-Key": bad}), 400, "INVALID_IDEMPOTENCY_KEY")
    assert api.client.get(f"/api/competitions?organizerId={organizer}", headers=org).json()["pagination"]["total"] == 1


def test_concurrent_keyed_creates_open_one_competition(api: Api) -> None:
    organizer, _ = api.user("organizer")
    key = new_key()
    request = rpb.OpenCompetitionRequest(entry_fee=10 * RUPEE, currency="INR", idempotency_key=key,
                                         actor=rpb.Actor(user_id=organizer, role="organizer"))
    with ThreadPoolExecutor(8) as pool:
        replies = list(pool.map(lambda _: api.env.rewards.OpenCompetition(request), range(8)))
    assert len({r.competition.id for r in replies}) == 1
    assert sum(r.created for r in replies) == 1


@pytest.mark.parametrize(("body", "code"), [
    ({"standings": [{"userId": "u1", "rank": 1}]}, None),
    ({"competitionId": {"$ne": None}, "standings": [{"userId": "u1", "rank": 1}]}, None),
    ({"competitionId": "C", "standings": {"$ne": None}}, "INVALID_STANDINGS"),
    ({"competitionId": "C", "standings": [{"userId": {"$ne": None}, "rank": 1}]}, "INVALID_USER_ID"),
    ({"competitionId": "C", "standings": [{"userId": "u1", "rank": "1"}]}, "INVALID_RANK"),
    ({"competitionId": "C", "standings": [{"userId": "u1", "rank": 1.5}]}, "INVALID_RANK"),
    ({"competitionId": "C", "standings": [{"userId": "u1", "rank": 0}]}, "INVALID_RANK"),
    ({"competitionId": "C", "standings": [{"userId": "u1", "rank": True}]}, "INVALID_RANK"),
    ({"competitionId": "C", "standings": [{"userId": "u1", "rank": 2**40}]}, "INVALID_RANK"),
    ({"competitionId": "C", "standings": ["u1"]}, "INVALID_STANDINGS"),
    ({"competitionId": "C", "standings": []}, "EMPTY_STANDINGS"),
    ({"competitionId": "C", "standings": [{"userId": "u1", "rank": 1}, {"userId": "u1", "rank": 2}]},
     "DUPLICATE_USER"),
    ({"competitionId": "C", "template": "top4", "standings": [{"userId": "u1", "rank": 1}]}, "UNKNOWN_TEMPLATE"),
    ({"competitionId": "C", "shares": [50, 40], "standings": [{"userId": "u1", "rank": 1}]}, "INVALID_SHARES"),
    ({"competitionId": "C", "shares": ["100"], "standings": [{"userId": "u1", "rank": 1}]}, "INVALID_SHARES"),
    ({"competitionId": "C", "shares": [110, -10], "standings": [{"userId": "u1", "rank": 1}]}, "INVALID_SHARES"),
    ({"competitionId": "C", "shares": {"$ne": None}, "standings": [{"userId": "u1", "rank": 1}]},
     "INVALID_SHARES"),
    ({"competitionId": "C", "template": "top3", "shares": [100], "standings": [{"userId": "u1", "rank": 1}]},
     "TEMPLATE_AND_SHARES"),
    ({"competitionId": "C", "prizePool": 0.001, "standings": [{"userId": "u1", "rank": 1}]}, "INVALID_AMOUNT"),
    ({"competitionId": "C", "prizePool": "5", "standings": [{"userId": "u1", "rank": 1}]}, "INVALID_AMOUNT"),
])
def test_bad_distribution_bodies_are_400_and_move_nothing(api: Api, body: dict[str, Any], code: str | None) -> None:
    _, org = api.user("organizer")
    competition = api.open(org, entryFee=10)
    player, ph = api.user()
    api.env.credit(player, 10 * RUPEE)
    api.post(f"/api/competitions/{competition}/entry", ph)
    before = api.env.ledger_state()
    payload = json.loads(json.dumps({k: (competition if v == "C" else v) for k, v in body.items()})
                         .replace('"u1"', json.dumps(player)))

    assert_error(api.post(f"/api/matches/{match_of(competition)}/rewards", org, payload), 400, code)

    assert api.env.ledger_state() == before


def test_entry_fund_and_refund_validation(api: Api) -> None:
    organizer, org = api.user("organizer")
    competition = api.open(org, entryFee=10)
    player, ph = api.user()
    api.env.credit(player, 100 * RUPEE)
    api.env.credit(organizer, 100 * RUPEE)
    entry = f"/api/competitions/{competition}/entry"
    assert_error(api.post(entry, ph, {"amount": 11}), 400, "ENTRY_FEE_MISMATCH")
    assert_error(api.post(entry, ph, {"amount": 10, "currency": "USD"}), 400, "CURRENCY_MISMATCH")
    assert_error(api.post(entry, ph, {"amount": {"$ne": None}}), 400)
    assert_error(api.post(entry, ph, []), 400, "INVALID_JSON")
    fund = f"/api/competitions/{competition}/fund"
    for bad in ({}, {"amount": -5}, {"amount": 5.001}, {"amount": 5, "currency": "USD"}, {"amount": "5"}):
        assert_error(api.post(fund, org, bad), 400)
    keyed = {**org, "Idempotency-Key": "sponsor-1"}
    first = api.client.post(fund, json={"amount": 20}, headers=keyed)
    assert api.client.post(fund, json={"amount": 20}, headers=keyed).json()["data"] == first.json()["data"]
    assert_error(api.client.post(fund, json={"amount": 21}, headers=keyed), 409)
    assert_error(api.post(f"/api/competitions/{competition}/refund", org, {"reason": {"$ne": None}}), 400)
    assert_error(api.post(f"/api/competitions/{competition}/refund", org, {}), 400)
    assert api.post(entry, ph).status_code == 201

    refund = api.post(f"/api/competitions/{competition}/refund", org, {"reason": "cancelled by organizer"})

    assert refund.status_code == 200, refund.text
    data = refund.json()["data"]
    assert data["competition"]["status"] == "cancelled" and data["refund"]["total"] == 30
    assert sorted(r["amount"] for r in data["refund"]["refunds"]) == [10, 20]
    assert api.client.get("/api/wallet", headers=ph).json()["data"]["balance"] == 100
    assert_error(api.post(entry, api.user()[1]), 409, "COMPETITION_CANCELLED")
    api.env.assert_audit_ok()


def test_conflicts_are_409(api: Api) -> None:
    _, org = api.user("organizer")
    competition = api.open(org, entryFee=10)
    players = [api.user() for _ in range(2)]
    for player, headers in players:
        api.env.credit(player, 10 * RUPEE)
        api.post(f"/api/competitions/{competition}/entry", headers)
    standings = [{"userId": p, "rank": r} for r, (p, _) in enumerate(players, start=1)]
    match = f"/api/matches/{match_of(competition)}/rewards"
    assert api.post(match, org, {"competitionId": competition, "standings": standings}).status_code == 201
    before = api.env.ledger_state()

    swapped = [{"userId": players[1][0], "rank": 1}, {"userId": players[0][0], "rank": 2}]
    assert_error(api.post(match, org, {"competitionId": competition, "standings": swapped}), 409,
                 "DISTRIBUTION_CONFLICT")
    assert_error(api.put(competition, org, entryFee=20), 409, "COMPETITION_NOT_OPEN")
    assert_error(api.post(f"/api/competitions/{competition}/refund", org, {"reason": "late"}), 409,
                 "REFUND_REFUSED")
    assert_error(api.post(f"/api/competitions/{competition}/entry", api.user()[1]), 409, "ENTRIES_CLOSED")
    assert_error(api.post(f"/api/matches/{match_of(competition)}/rewards", org,
                          {"competitionId": competition, "standings": standings}), 409, "INSUFFICIENT_POOL")
    assert api.env.ledger_state() == before
    api.env.assert_audit_ok()


def test_rewards_go_only_to_registered_players(api: Api) -> None:
    organizer, org = api.user("organizer")
    admin, _ = api.user("admin")
    competition = api.open(org, entryFee=10)
    player, ph = api.user()
    api.env.credit(player, 10 * RUPEE)
    api.post(f"/api/competitions/{competition}/entry", ph)
    match = match_of(competition)
    before = api.env.ledger_state()

    for stranger in ("usr_typo", organizer, admin):
        standings = [{"userId": player, "rank": 1}, {"userId": stranger, "rank": 2}]
        assert_error(api.post(f"/api/matches/{match}/rewards", org, {"competitionId": competition,
                                                                     "standings": standings}), 400, "UNKNOWN_PLAYER")

    assert api.env.ledger_state() == before
    assert_error(api.client.get(f"/api/matches/{match}/rewards", headers=ph), 404)
    paid = api.post(f"/api/matches/{match}/rewards", org, {"competitionId": competition,
                                                          "standings": [{"userId": player, "rank": 1}]})
    assert paid.status_code == 201 and paid.json()["data"]["payouts"][0]["userId"] == player
    api.env.assert_audit_ok()


def test_explicit_shares_may_use_any_json_number_form(api: Api) -> None:
    _, org = api.user("organizer")
    competition = api.open(org, entryFee=100)
    (a, ha), (b, hb) = api.user(), api.user()
    for player, headers in ((a, ha), (b, hb)):
        api.env.credit(player, 100 * RUPEE)
        api.post(f"/api/competitions/{competition}/entry", headers)
    body = b'{"competitionId": "%s", "shares": [6e1, 40.0], "standings": [{"userId": "%s", "rank": 1}, ' \
           b'{"userId": "%s", "rank": 2}]}' % (competition.encode(), a.encode(), b.encode())

    paid = api.client.post(f"/api/matches/{match_of(competition)}/rewards", content=body,
                           headers={**org, "content-type": "application/json"})

    assert paid.status_code == 201, paid.text
    data = paid.json()["data"]
    assert (data["shares"], [p["amount"] for p in data["payouts"]]) == ([60, 40.0], [102, 68])
    api.env.assert_audit_ok()



def test_fund_requires_an_idempotency_key_so_a_retry_after_a_lost_answer_pays_once(api: Api) -> None:
    organizer, org = api.user("organizer")
    competition = api.open(org, entryFee=10)
    api.env.credit(organizer, 100 * RUPEE)
    fund = f"/api/competitions/{competition}/fund"
    for _ in range(2):
        assert_error(api.post(fund, org, {"amount": 30}), 400, "IDEMPOTENCY_KEY_REQUIRED")
    assert api.env.balance(organizer) == 100 * RUPEE
    for bad in ("", "a" * 65, "has space", "k#1", "a/b", "x;y"):
        assert_error(api.post(fund, org, {"amount": 30}, key=bad), 400, "INVALID_IDEMPOTENCY_KEY")
    key = "client:retry@1_a.b-c"
    first = api.post(fund, org, {"amount": 30}, key=key)
    retried = api.post(fund, org, {"amount": 30}, key=key)
    assert first.status_code == retried.status_code == 201, first.text
    assert retried.json()["data"]["_id"] == first.json()["data"]["_id"]
    assert api.env.balance(organizer) == 70 * RUPEE
    assert api.env.pool(competition) == 30 * RUPEE
    api.env.assert_audit_ok()


def test_a_refused_sponsorship_is_refused_again_under_its_key(api: Api) -> None:
    organizer, org = api.user("organizer")
    competition = api.open(org, entryFee=10)
    fund = f"/api/competitions/{competition}/fund"
    key = new_key()
    assert_error(api.post(fund, org, {"amount": 30}, key=key), 400, "INSUFFICIENT_FUNDS")
    api.env.credit(organizer, 100 * RUPEE)
    assert_error(api.post(fund, org, {"amount": 30}, key=key), 400, "INSUFFICIENT_FUNDS")
    assert api.env.balance(organizer) == 100 * RUPEE
    assert api.post(fund, org, {"amount": 30}, key=new_key()).status_code == 201
    assert api.env.balance(organizer) == 70 * RUPEE
    api.env.assert_audit_ok()


def test_entry_honours_a_key_and_checks_it(api: Api) -> None:
    _, org = api.user("organizer")
    competition = api.open(org, entryFee=10)
    player, ph = api.user()
    api.env.credit(player, 100 * RUPEE)
    entry = f"/api/competitions/{competition}/entry"
    assert_error(api.post(entry, ph, key="bad key"), 400, "INVALID_IDEMPOTENCY_KEY")
    first = api.post(entry, ph, key="enter-1")
    assert first.status_code == 201 and api.post(entry, ph, key="enter-1").json()["data"] == first.json()["data"]
    assert api.env.balance(player) == 90 * RUPEE
    api.env.assert_audit_ok()


def _entered(api: Api, competition: str) -> list[dict[str, Any]]:
    """A registered, funded player entered into ``competition`` (over gRPC): the standings of a match."""
    player, _ = api.user()
    api.env.enter(competition, player)
    return [{"userId": player, "rank": 1}]


def test_an_organizer_cannot_take_the_match_id_of_another_organizers_competition(api: Api) -> None:
    """Issue 10, scenario 8: organizer A posted B's future match id from A's own competition, and B could then
    never distribute under it (403; an admin 409). A REST match id is now bound to its competition."""
    a, ah = api.user("organizer")
    b, bh = api.user("organizer")
    _, adm = api.user("admin")
    mine, theirs = api.env.open(a, 10 * RUPEE), api.env.open(b, 10 * RUPEE)
    ours, winners = _entered(api, mine) + _entered(api, mine), _entered(api, theirs)
    future = f"final@{theirs}"
    squat = api.post(f"/api/matches/{future}/rewards", ah, {"competitionId": mine, "standings": ours[:1]})
    unbound = api.post("/api/matches/final/rewards", adm, {"competitionId": mine, "standings": ours[1:]})

    paid = api.post(f"/api/matches/{future}/rewards", bh, {"competitionId": theirs, "standings": winners})

    assert paid.status_code == 201, paid.text
    assert paid.json()["data"]["competitionId"] == theirs and paid.json()["data"]["organizerId"] == b
    assert_error(squat, 400, "INVALID_MATCH_ID")
    assert_error(unbound, 400, "INVALID_MATCH_ID")
    assert api.env.pool(mine) == 20 * RUPEE
    api.env.assert_audit_ok()


def test_an_organizer_cannot_take_a_match_id_the_match_service_will_use(api: Api) -> None:
    a, ah = api.user("organizer")
    b, _ = api.user("organizer")
    mine, theirs = api.env.open(a, 10 * RUPEE), api.env.open(b, 10 * RUPEE)
    match = new_id("match")
    squat = api.post(f"/api/matches/{match}/rewards", ah, {"competitionId": mine, "standings": _entered(api, mine)})
    winners = _entered(api, theirs)

    paid = api.env.distribute(match, theirs, [(winners[0]["userId"], 1)])

    assert (paid.competition_id, paid.status) == (theirs, "paid")
    assert_error(squat, 400, "INVALID_MATCH_ID")
    api.env.assert_audit_ok()


def test_an_organizer_cannot_take_a_competition_id_another_organizer_will_use(api: Api) -> None:
    """Issue 10, scenario 8: organizer A opened the competition id B meant to use, and B could never open it.
    Over REST a new competition's id is now chosen by the server; ``PUT`` only changes one that exists."""
    a, ah = api.user("organizer")
    b, bh = api.user("organizer")
    _, adm = api.user("admin")
    intended = new_id("cup")
    squats = [api.put(intended, ah, entryFee=10), api.put(intended, adm, entryFee=10, organizerId=a)]

    theirs = api.open(bh, entryFee=20)

    for squat in squats:
        assert_error(squat, 404, "COMPETITION_NOT_FOUND")
    assert_error(api.client.get(f"/api/competitions/{intended}", headers=bh), 404, "COMPETITION_NOT_FOUND")
    opened = api.client.get(f"/api/competitions/{theirs}", headers=bh).json()["data"]
    assert (opened["organizerId"], opened["entryFee"]) == (b, 20)
    assert_error(api.put(theirs, ah, entryFee=1), 403, "FORBIDDEN")
    standings = _entered(api, theirs)
    assert_error(api.post(f"/api/matches/final@{theirs}/rewards", ah, {"competitionId": theirs,
                                                                      "standings": standings}), 403, "FORBIDDEN")
    assert api.post(f"/api/matches/final@{theirs}/rewards", bh, {"competitionId": theirs,
                                                                "standings": standings}).status_code == 201
    api.env.assert_audit_ok()


def test_the_match_services_own_ids_keep_working_over_grpc(api: Api) -> None:
    """The trusted internal caller (no actor) still opens competitions and pays matches under its own ids."""
    organizer, org = api.user("organizer")
    competition = new_id("league")
    assert api.env.open(organizer, 10 * RUPEE, competition=competition) == competition
    changed = api.put(competition, org, entryFee=15)
    assert changed.status_code == 200 and changed.json()["data"]["entryFee"] == 15
    players = [api.user()[0] for _ in range(2)]
    for player in players:
        api.env.enter(competition, player)

    paid = api.env.distribute("m-1001", competition, [(players[0], 1), (players[1], 2)])

    assert (paid.match_id, paid.status, paid.prize_pool) == ("m-1001", "paid", 30 * RUPEE)
    generated = api.env.rewards.OpenCompetition(rpb.OpenCompetitionRequest(
        competition_id="", organizer_id=organizer, entry_fee=RUPEE, currency="INR"))
    assert generated.created and generated.competition.id.startswith("cmp-")
    api.env.assert_audit_ok()
