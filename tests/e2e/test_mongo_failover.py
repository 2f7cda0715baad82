"""Failover end to end: `winzone up` on a three-member MongoDB replica set, a mixed REST load of top-ups,
entries, distributions and payouts from several threads, and the primary SIGKILLed in the middle of it.

Every client here is a careful one: a write carries its idempotency key (or is idempotent by its path) and
is sent again with the same key on a 503 or a dropped connection, within a bound. The test proves that the
services ride the election out by themselves (the only failures the load sees are 503s and dropped
connections), that afterwards nothing acknowledged is lost and nothing is doubled (the books, every player's
history and balance, every payout and distribution), and that the killed member, restarted, catches up.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from pymongo import MongoClient, ReadPreference
from pymongo.errors import AutoReconnect, NotPrimaryError

from tests.support.ids import new_id
from tests.support.stack import Stack, start_stack
from tests.support.users import sign_in, sign_up
from winzone_ops.mongod import Member, MongodUnavailable, ReplicaSet, ensure_mongod

pytestmark = [pytest.mark.mongo, pytest.mark.e2e]

ROOT = Path(__file__).resolve().parents[2]
DATABASE = "winzone_failover"
PLAYERS = 4
ROUNDS = 8
KILL_AFTER_ROUNDS = 2
TOPUP = 1000
ENTRY_FEE = 100
PAYOUT = 100
OPERATION_BUDGET = 60.0
"""Seconds a careful client keeps sending one request again before it gives up (an outage, not an election)."""
SETTLE_BUDGET = 60.0
CATCH_UP_BUDGET = 60.0
UPI = {"type": "upi", "details": {"upiId": "player@paytm", "name": "Election Player"}}
RECONCILE_ENV = {
    "PAYOUT_RECONCILE_INTERVAL_SECONDS": "1", "PAYOUT_RECONCILE_GRACE_SECONDS": "2",
    "REWARD_RECONCILE_INTERVAL_SECONDS": "1", "REWARD_RECONCILE_GRACE_SECONDS": "2",
}


@dataclass
class LoadRecord:
    """What the load sent and what came back, shared by its threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    answers: Counter[int] = field(default_factory=Counter)
    dropped: int = 0
    retries: int = 0
    acknowledged: int = 0
    slowest: float = 0.0
    unexpected: list[str] = field(default_factory=list)
    topups: dict[str, list[str]] = field(default_factory=dict)
    entries: dict[str, list[str]] = field(default_factory=dict)
    payouts: dict[str, list[str]] = field(default_factory=dict)
    distributions: dict[str, dict[str, Any]] = field(default_factory=dict)

    def note(self, *, status: int | None = None, retry: bool = False, acked: bool = False,
             unexpected: str | None = None) -> None:
        with self.lock:
            if status is None:
                self.dropped += 1
            else:
                self.answers[status] += 1
            self.retries += retry
            self.acknowledged += acked
            if unexpected:
                self.unexpected.append(unexpected)


class CarefulClient:
    """One thread's REST client: sends a request again (same body, same key) on a 503 or a dropped
    connection until ``OPERATION_BUDGET`` runs out, and records every answer in the shared ``LoadRecord``."""

    def __init__(self, url: str, record: LoadRecord, headers: dict[str, str]) -> None:
        self.http = httpx.Client(base_url=url, timeout=30.0, follow_redirects=False)
        self.record = record
        self.headers = headers

    def close(self) -> None:
        self.http.close()

    def send(self, method: str, path: str, *, ok: tuple[int, ...] = (200, 201), key: str | None = None,
             tolerate: tuple[int, ...] = (), **kwargs: Any) -> httpx.Response:
        """The first answer in ``ok`` (an acknowledged request) or ``tolerate``; anything else is recorded as
        unexpected and returned."""
        headers = {**self.headers, **({"Idempotency-Key": key} if key else {})}
        deadline = time.monotonic() + OPERATION_BUDGET
        attempt = 0
        while True:
            retry = attempt > 0
            attempt += 1
            sent = time.monotonic()
            try:
                response = self.http.request(method, path, headers=headers, **kwargs)
            except httpx.TransportError:
                self.record.note(retry=retry)
            else:
                with self.record.lock:
                    self.record.slowest = max(self.record.slowest, time.monotonic() - sent)
                if response.status_code in ok:
                    self.record.note(status=response.status_code, retry=retry, acked=method != "GET")
                    return response
                if response.status_code in tolerate and retry:
                    self.record.note(status=response.status_code, retry=retry)
                    return response
                if response.status_code != 503:
                    self.record.note(status=response.status_code, retry=retry,
                                     unexpected=f"{method} {path} -> {response.status_code} {response.text[:300]}")
                    return response
                self.record.note(status=503, retry=retry)
            if time.monotonic() > deadline:
                self.record.unexpected.append(f"{method} {path}: gave up after {attempt} attempts")
                raise AssertionError(f"{method} {path} still failing after {OPERATION_BUDGET:.0f} s")
            time.sleep(min(0.1 * attempt, 1.0))


def _top_up(client: CarefulClient, player: str, round_no: int) -> str:
    created = client.send("POST", "/api/wallet/topup", json={"amount": TOPUP}, key=f"fo-topup-{player}-{round_no}")
    session = created.json()["data"]
    if round_no % 2:
        page = client.send("GET", urlsplit(session["checkoutUrl"]).path)
        action = re.search(r'<form method="post" action="([^"]+/pay)"', page.text)
        assert action is not None, page.text[:300]
        client.send("POST", action.group(1), ok=(303,))
    while True:
        verified = client.send("POST", "/api/wallet/topup/verify", json={"sessionId": session["sessionId"]})
        if verified.json()["data"]["status"] == "credited":
            return str(session["sessionId"])
        time.sleep(0.2)


def _player_load(url: str, record: LoadRecord, player: str, headers: dict[str, str],
                 competitions: list[str], rounds_done: list[threading.Semaphore]) -> None:
    client = CarefulClient(url, record, headers)
    try:
        for round_no, competition in enumerate(competitions):
            record.topups[player].append(_top_up(client, player, round_no))
            entered = client.send("POST", f"/api/competitions/{competition}/entry", json={}, ok=(201,))
            record.entries[player].append(entered.json()["data"]["_id"])
            rounds_done[round_no].release()
            payout = client.send("POST", "/api/wallet/payout-request", ok=(201,), key=f"fo-payout-{player}-{round_no}",
                                 json={"amount": PAYOUT, "method": UPI})
            record.payouts[player].append(payout.json()["data"]["_id"])
    finally:
        client.close()


def _organizer_load(url: str, record: LoadRecord, headers: dict[str, str], players: list[str],
                    competitions: list[str], rounds_done: list[threading.Semaphore]) -> None:
    client = CarefulClient(url, record, headers)
    try:
        for round_no, competition in enumerate(competitions):
            for _ in players:
                assert rounds_done[round_no].acquire(timeout=OPERATION_BUDGET * 4), f"round {round_no} never ended"
            ranked = players[round_no % len(players):] + players[:round_no % len(players)]
            body = {"competitionId": competition, "template": "top3",
                    "standings": [{"userId": p, "rank": rank} for rank, p in enumerate(ranked, start=1)]}
            paid = client.send("POST", f"/api/matches/final@{competition}/rewards", json=body, ok=(201,))
            record.distributions[competition] = paid.json()["data"]
    finally:
        client.close()


def _approve_requested(client: CarefulClient) -> int:
    queue = client.send("GET", "/api/admin/payouts", params={"status": "requested", "limit": 100}).json()["data"]
    for payout in queue:
        approved = client.send("PUT", f"/api/admin/payouts/{payout['_id']}/approve", json={"note": "failover"},
                               tolerate=(409,))
        if approved.status_code == 409:
            again = client.send("GET", f"/api/wallet/payout-requests/{payout['_id']}").json()["data"]
            if again["status"] not in ("approved", "paid"):
                client.record.unexpected.append(f"approve {payout['_id']}: 409 yet {again['status']}")
    return len(queue)


def _admin_load(url: str, record: LoadRecord, headers: dict[str, str], players_done: threading.Event) -> None:
    client = CarefulClient(url, record, headers)
    try:
        while not players_done.is_set():
            if not _approve_requested(client):
                time.sleep(0.2)
        while _approve_requested(client):
            pass
    finally:
        client.close()


@pytest.fixture
def replica_set(tmp_path: Path) -> Iterator[ReplicaSet]:
    try:
        binary = ensure_mongod(ROOT / ".cache" / "mongod")
    except MongodUnavailable as exc:
        pytest.skip(f"no MongoDB: the bundled mongod cannot run here ({exc})")
    started = ReplicaSet.start(binary, tmp_path / "rs", size=3)
    try:
        yield started
    finally:
        started.stop(kill=True)
        shutil.rmtree(tmp_path / "rs", ignore_errors=True)


@pytest.fixture
def mongo_stack(replica_set: ReplicaSet, tmp_path: Path) -> Iterator[Stack]:
    uri = replica_set.uri.replace("/?", f"/{DATABASE}?")
    running = start_stack(tmp_path / "stack", {"MONGODB_URI": uri, **RECONCILE_ENV})
    try:
        yield running
    finally:
        running.stop()


def _run_load(stack: Stack, replica_set: ReplicaSet) -> tuple[LoadRecord, dict[str, Any]]:
    record = LoadRecord()
    with stack.client() as http:
        _, org_headers = sign_up(http, "organizer")
        players = [sign_up(http, "player") for _ in range(PLAYERS)]
        _, admin_headers = sign_in(http, stack.admin_email, stack.admin_password)
        competitions = []
        for _ in range(ROUNDS):
            opened = http.post("/api/competitions", json={"entryFee": ENTRY_FEE, "template": "top3"},
                               headers=org_headers)
            assert opened.status_code == 201, opened.text
            competitions.append(opened.json()["data"]["_id"])
    for player, _ in players:
        record.topups[player], record.entries[player], record.payouts[player] = [], [], []
    rounds_done = [threading.Semaphore(0) for _ in competitions]
    player_ids = [p for p, _ in players]
    player_threads = [threading.Thread(target=_player_load, args=(stack.url, record, p, h, competitions, rounds_done))
                      for p, h in players]
    players_done = threading.Event()
    others = [threading.Thread(target=_organizer_load,
                               args=(stack.url, record, org_headers, player_ids, competitions, rounds_done)),
              threading.Thread(target=_admin_load, args=(stack.url, record, admin_headers, players_done))]
    started = time.monotonic()
    for thread in player_threads + others:
        thread.start()
    old_primary = replica_set.wait_for_primary()
    while len(record.distributions) < KILL_AFTER_ROUNDS and any(t.is_alive() for t in player_threads):
        time.sleep(0.05)
    acknowledged_before_kill = record.acknowledged
    killed_at = time.monotonic()
    replica_set.kill(old_primary)
    new_primary = replica_set.wait_for_primary()
    elected_at = time.monotonic()
    for thread in player_threads:
        thread.join(timeout=OPERATION_BUDGET * ROUNDS)
    players_done.set()
    for thread in others:
        thread.join(timeout=OPERATION_BUDGET * 4)
    assert not any(t.is_alive() for t in player_threads + others), "the load did not finish"
    figures = {"players": player_ids, "headers": dict(players), "organizer_headers": org_headers,
               "admin": admin_headers, "competitions": competitions,
               "killed": old_primary, "new_primary": new_primary, "election_s": elected_at - killed_at,
               "load_s": time.monotonic() - started, "acked_before_kill": acknowledged_before_kill}
    return record, figures


def _all_pages(http: httpx.Client, path: str, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    page = 1
    while True:
        reply = http.get(path, params={**params, "page": page, "limit": 100}, headers=headers)
        assert reply.status_code == 200, reply.text
        body = reply.json()
        items.extend(body["data"])
        if len(items) >= body["pagination"]["total"]:
            return items
        page += 1


def _settled_payouts(http: httpx.Client, admin: dict[str, str]) -> list[dict[str, Any]]:
    """Every payout once none is still on its way (an approve cut off by the election is finished by the
    payout service's reconciler)."""
    deadline = time.monotonic() + SETTLE_BUDGET
    while True:
        payouts = _all_pages(http, "/api/admin/payouts", admin)
        if all(p["status"] not in ("requested", "approved") for p in payouts) or time.monotonic() > deadline:
            return payouts
        time.sleep(0.5)


def _check_books(stack: Stack, record: LoadRecord, figures: dict[str, Any]) -> None:
    competitions: list[str] = figures["competitions"]
    with stack.client() as http:
        payouts = {p["_id"]: p for p in _settled_payouts(http, figures["admin"])}
        acknowledged_payouts = [p for ids in record.payouts.values() for p in ids]
        assert sorted(payouts) == sorted(acknowledged_payouts)
        assert {p["status"] for p in payouts.values()} == {"paid"}
        rewards: dict[str, Decimal] = dict.fromkeys(figures["players"], Decimal(0))
        for competition in competitions:
            match = f"final@{competition}"
            stored = http.get(f"/api/matches/{match}/rewards", headers=figures["admin"])
            assert stored.status_code == 200, stored.text
            assert stored.json()["data"] == record.distributions[competition]
            for line in stored.json()["data"]["payouts"]:
                rewards[line["userId"]] += Decimal(str(line["amount"]))
            pool = http.get(f"/api/competitions/{competition}", headers=figures["admin"]).json()["data"]
            assert (pool["entries"], Decimal(str(pool["poolBalance"]))) == (PLAYERS, 0), pool
        organizer_fees = sum(Decimal(str(d["organizerFee"])) for d in record.distributions.values())
        organizer = http.get("/api/wallet", headers=figures["organizer_headers"]).json()["data"]
        assert Decimal(str(organizer["balance"])) == organizer_fees
        for player in figures["players"]:
            history = _all_pages(http, "/api/transactions/all", figures["admin"], userId=player)
            by_type: dict[str, list[dict[str, Any]]] = {}
            for t in history:
                by_type.setdefault(t["type"], []).append(t)
            topup_keys = [t["idempotencyKey"] for t in by_type["topup"]]
            assert sorted(topup_keys) == sorted(f"topup_{s}" for s in record.topups[player])
            assert len(by_type["entryFee"]) == ROUNDS
            assert sorted(t["_id"] for t in by_type["entryFee"]) == sorted(record.entries[player])
            assert len(by_type["payout"]) == ROUNDS
            assert sum(Decimal(str(t["amount"])) for t in by_type.get("reward", [])) == rewards[player]
            wallet = http.get("/api/wallet", headers=figures["headers"][player]).json()["data"]
            expected = ROUNDS * (TOPUP - ENTRY_FEE - PAYOUT) + rewards[player]
            assert (Decimal(str(wallet["balance"])), Decimal(str(wallet["held"]))) == (expected, 0)
    audit = subprocess.run([sys.executable, "-m", "winzone_ops.cli", "audit", "--grace-seconds", "0"],
                           env=stack.env, capture_output=True, text=True, timeout=120)
    print(audit.stdout)
    assert audit.returncode == 0, audit.stdout + audit.stderr
    stack.assert_audit_ok()


def _optime(status: dict[str, Any], host: str) -> Any:
    member = next(m for m in status["members"] if m["name"] == host)
    return member["stateStr"], member["optime"]["ts"]


def _serves(member: MongoClient[dict[str, Any]], marker: str) -> bool:
    """Whether the member, by its own account a secondary, already has the marker (False while it recovers)."""
    try:
        if not member.admin.command("hello").get("secondary"):
            return False
        return member[DATABASE]["failover_markers"].find_one({"_id": marker}) is not None
    except (NotPrimaryError, AutoReconnect):
        return False


def _catch_up(replica_set: ReplicaSet, killed: Member) -> float:
    """Restart the killed member; the seconds until it is a secondary at the primary's optime and serves a
    majority write made after its restart."""
    restarted_at = time.monotonic()
    replica_set.restart(killed)
    primary = replica_set.wait_for_primary()
    to_primary: MongoClient[dict[str, Any]] = MongoClient(primary.host, directConnection=True, w="majority")
    to_killed: MongoClient[dict[str, Any]] = MongoClient(killed.host, directConnection=True,
                                                         read_preference=ReadPreference.SECONDARY_PREFERRED)
    with to_primary, to_killed:
        marker = new_id("after-restart")
        to_primary[DATABASE]["failover_markers"].insert_one({"_id": marker})
        deadline = time.monotonic() + CATCH_UP_BUDGET
        while True:
            status = to_primary.admin.command("replSetGetStatus")
            state, optime = _optime(status, killed.host)
            _, primary_optime = _optime(status, primary.host)
            seen = state == "SECONDARY" and _serves(to_killed, marker)
            if seen and optime >= primary_optime:
                break
            assert time.monotonic() < deadline, f"the restarted member is {state} at {optime}, primary at " \
                                                f"{primary_optime}, marker seen: {bool(seen)}"
            time.sleep(0.2)
        caught_up = time.monotonic() - restarted_at
        for name in to_primary[DATABASE].list_collection_names():
            assert (to_killed[DATABASE][name].count_documents({})
                    == to_primary[DATABASE][name].count_documents({})), name
    return caught_up


def test_the_stack_rides_out_a_primary_kill_and_loses_nothing(replica_set: ReplicaSet, mongo_stack: Stack) -> None:
    record, figures = _run_load(mongo_stack, replica_set)
    print(f"\nload: {figures['load_s']:.1f} s, {record.acknowledged} writes acknowledged "
          f"({figures['acked_before_kill']} before the kill), answers {dict(sorted(record.answers.items()))}, "
          f"dropped connections {record.dropped}, retries {record.retries}, slowest answer {record.slowest:.1f} s; "
          f"primary {figures['killed'].port} killed, {figures['new_primary'].port} elected in "
          f"{figures['election_s']:.1f} s")
    assert record.unexpected == []
    assert set(record.answers) <= {200, 201, 303, 409, 503}
    _check_books(mongo_stack, record, figures)
    failures = [r for r in mongo_stack.log_records() if r.get("level") in ("error", "critical")]
    assert failures == [], failures[:5]
    caught_up = _catch_up(replica_set, figures["killed"])
    print(f"restarted member {figures['killed'].port} caught up in {caught_up:.1f} s")
    mongo_stack.assert_audit_ok()
