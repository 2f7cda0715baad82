"""`winzone demo --url URL`: the original spec's five test flows against a running stack, over REST.

Each step prints what it did and what came back; any unexpected answer stops the demo with exit code 1.
The admin comes from ``--admin-email``/``--admin-password``, else ``WINZONE_ADMIN_EMAIL``/``_PASSWORD``, else
the development admin `winzone up` recorded in ``$WINZONE_DATA_DIR/dev-admin.json``.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

DEV_ADMIN_FILE = "dev-admin.json"


class DemoFailure(Exception):
    """A step got an answer it did not expect."""


class Demo:
    """A REST client that narrates each call and checks its answer."""

    def __init__(self, url: str, out: Callable[[str], None] = print) -> None:
        self.http = httpx.Client(base_url=url.rstrip("/"), timeout=30.0, follow_redirects=False)
        self.out = out
        self.run_id = secrets.token_hex(3)

    def call(self, method: str, path: str, *, token: str | None = None, expect: int = 200,
             **kwargs: Any) -> dict[str, Any]:
        headers = dict(kwargs.pop("headers", {}))
        if token:
            headers["Authorization"] = f"Bearer {token}"
        response = self.http.request(method, path, headers=headers, **kwargs)
        try:
            body = response.json()
        except ValueError:
            body = {"raw": response.text[:200]}
        mark = "ok " if response.status_code == expect else "BAD"
        self.out(f"  [{mark}] {method} {path} -> {response.status_code} {body.get('message', '')}")
        if response.status_code != expect:
            raise DemoFailure(f"{method} {path}: expected {expect}, got {response.status_code}: {body}")
        return body

    def check(self, condition: bool, what: str) -> None:
        self.out(f"  [{'ok ' if condition else 'BAD'}] {what}")
        if not condition:
            raise DemoFailure(what)

    def register_and_login(self, name: str, role: str = "player") -> tuple[str, dict[str, Any]]:
        email = f"{name}.{self.run_id}@demo.winzone.test"
        password = f"demo-{secrets.token_hex(6)}"
        self.call("POST", "/api/auth/register", expect=201,
                  json={"name": name.title(), "email": email, "password": password, "role": role})
        login = self.call("POST", "/api/auth/login", json={"email": email, "password": password})
        return login["data"]["token"], login["data"]["user"]

    def balance(self, token: str) -> Decimal:
        return Decimal(str(self.call("GET", "/api/wallet", token=token)["data"]["balance"]))

    def top_up(self, token: str, amount: int) -> dict[str, Any]:
        session = self.call("POST", "/api/wallet/topup", token=token, expect=201, json={"amount": amount},
                            headers={"Idempotency-Key": f"demo-{secrets.token_hex(8)}"})["data"]
        verified = self.call("POST", "/api/wallet/topup/verify", token=token,
                             json={"sessionId": session["sessionId"]})["data"]
        self.check(verified["status"] == "credited", f"top-up of {amount} credited")
        return session


def _admin_credentials(env: Mapping[str, str], email: str | None, password: str | None) -> tuple[str, str]:
    email = email or env.get("WINZONE_ADMIN_EMAIL")
    password = password or env.get("WINZONE_ADMIN_PASSWORD")
    if email and password:
        return email, password
    recorded = Path(env.get("WINZONE_DATA_DIR", "./var")) / DEV_ADMIN_FILE
    if recorded.exists():
        data = json.loads(recorded.read_text())
        return data["email"], data["password"]
    raise DemoFailure("no admin credentials: pass --admin-email/--admin-password or run it beside `winzone up`")


def run_demo(url: str, *, admin_email: str | None = None, admin_password: str | None = None,
             env: Mapping[str, str] | None = None, out: Callable[[str], None] = print) -> int:
    """Walk the five flows; 0 when every answer was the expected one."""
    env = os.environ if env is None else env
    demo = Demo(url, out)
    try:
        email, password = _admin_credentials(env, admin_email, admin_password)
        _flows(demo, email, password, env)
    except (DemoFailure, httpx.HTTPError) as exc:
        out(f"demo FAILED: {exc}")
        return 1
    finally:
        demo.http.close()
    out("demo: all five flows behaved as expected")
    return 0


def _flows(demo: Demo, admin_email: str, admin_password: str, env: Mapping[str, str]) -> None:
    out = demo.out
    out("Flow 1: register a player, sign in the admin, top up and verify")
    player, player_user = demo.register_and_login("player")
    admin = demo.call("POST", "/api/auth/login", json={"email": admin_email, "password": admin_password})
    admin_token = admin["data"]["token"]
    demo.check(admin["data"]["user"]["role"] == "admin", "the admin signed in with role admin")
    before = demo.balance(player)
    session = demo.top_up(player, 1000)
    demo.check(demo.balance(player) == before + 1000, "the player's balance grew by 1000")

    out("Flow 2: an organizer opens a competition, players enter, the match is distributed")
    organizer, _ = demo.register_and_login("organizer", role="organizer")
    competition = demo.call("POST", "/api/competitions", token=organizer, expect=201,
                            json={"entryFee": 100, "template": "top3"})["data"]["_id"]
    entrants = [(player, player_user)]
    for name in ("second", "third", "fourth"):
        token, user = demo.register_and_login(name)
        demo.top_up(token, 200)
        entrants.append((token, user))
    for token, _ in entrants:
        demo.call("POST", f"/api/competitions/{competition}/entry", token=token, expect=201, json={})
    pool = demo.call("GET", f"/api/competitions/{competition}", token=organizer)["data"]["poolBalance"]
    demo.check(Decimal(str(pool)) == 400, "the prize pool holds 4 x 100")
    standings = [{"userId": user["_id"], "rank": rank} for rank, (_, user) in enumerate(entrants, start=1)]
    paid = demo.call("POST", f"/api/matches/final@{competition}/rewards", token=organizer, expect=201,
                     json={"competitionId": competition, "template": "top3", "standings": standings})["data"]
    amounts = [Decimal(str(p["amount"])) for p in paid["payouts"]]
    demo.check(amounts == [170, 102, 68], f"winners got 170 / 102 / 68 (got {amounts})")
    demo.check(Decimal(str(paid["platformFee"])) == 40 and Decimal(str(paid["organizerFee"])) == 20,
               "platform fee 40 and organizer fee 20")
    wallet = demo.call("GET", "/api/wallet", token=player)["data"]
    demo.check(Decimal(str(wallet["totalEarnings"])) == 170, "the winner's totalEarnings shows 170")

    out("Flow 3: payout request, admin list, approve")
    before = demo.balance(player)
    payout = demo.call("POST", "/api/wallet/payout-request", token=player, expect=201,
                       headers={"Idempotency-Key": f"demo-payout-{demo.run_id}"},
                       json={"amount": 500, "method": {"type": "upi",
                                                       "details": {"upiId": "player@paytm", "name": "Demo Player"}}})
    payout_id = payout["data"]["_id"]
    demo.check("player@paytm" not in json.dumps(payout), "the UPI id is masked in the response")
    listed = demo.call("GET", "/api/admin/payouts?status=requested&limit=100", token=admin_token)["data"]
    demo.check(any(p["_id"] == payout_id for p in listed), "the admin sees the requested payout")
    approved = demo.call("PUT", f"/api/admin/payouts/{payout_id}/approve", token=admin_token,
                         json={"note": "demo"})["data"]
    demo.check(approved["status"] == "paid", f"the payout is paid (status {approved['status']})")
    demo.check(demo.balance(player) == before - 500, "the player's balance fell by 500")

    out("Flow 4: transaction history for the player and the admin")
    mine = demo.call("GET", "/api/transactions/my?limit=50", token=player)
    types = {t["type"] for t in mine["data"]}
    demo.check({"topup", "entryFee", "reward", "payout"} <= types, f"the player's history has {sorted(types)}")
    everyone = demo.call("GET", f"/api/transactions/all?userId={player_user['_id']}", token=admin_token)
    demo.check(everyone["pagination"]["total"] == mine["pagination"]["total"],
               "the admin sees the same transactions for that player")
    demo.call("GET", "/api/transactions/all", token=player, expect=403)

    out("Flow 5: a correctly signed mock webhook changes nothing twice; a forged one is refused")
    from payment_gateway.adapters.mock_events import build_signed_event, checkout_session_object
    from winzone_ops.webhook import mock_webhook_secret

    secret = mock_webhook_secret(env)
    ref = session["checkoutUrl"].rstrip("/").rsplit("/", 1)[-1]
    event = checkout_session_object(ref, client_reference_id=session["sessionId"], amount_minor=100_000,
                                    currency="INR")
    body, headers = build_signed_event("checkout.session.completed", event, secret=secret)
    before = demo.balance(player)
    demo.call("POST", "/api/payments/webhook", content=body, headers={**headers, "content-type": "application/json"})
    demo.check(demo.balance(player) == before, "the signed webhook for a credited session changed nothing")
    forged, forged_headers = build_signed_event("checkout.session.completed", event, secret="not-the-secret")
    refused = demo.call("POST", "/api/payments/webhook", expect=400, content=forged,
                        headers={**forged_headers, "content-type": "application/json"})
    demo.check(refused.get("message") == "Invalid signature", "the forged webhook is 400 Invalid signature")
    demo.check(demo.balance(player) == before, "the forged webhook changed nothing")
