"""A scripted stand-in for api.stripe.com on 127.0.0.1, and the Stripe-shaped objects tests script it with.

The stand-in records every request (method, path, query, headers, decoded form) and replays scripted
responses, so tests pin down exactly what goes over the wire and how each Stripe answer maps to our
outcomes. Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

API_KEY = "sk_test_standin_key_123"
WEBHOOK_SECRET = "whsec_standin_secret"
ACCOUNT = "acct_1StandInDest9876"
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


@dataclass(frozen=True)
class SeenRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    form: dict[str, list[str]]


class StripeStandIn:
    """A scripted stand-in for api.stripe.com on 127.0.0.1, port 0, in a background thread."""

    def __init__(self) -> None:
        self.seen: list[SeenRequest] = []
        self._replies: deque[tuple[int, dict[str, Any], float]] = deque()
        self._responder: Callable[[SeenRequest], tuple[int, dict[str, Any]]] | None = None
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def reply(self, status: int, body: dict[str, Any], *, delay: float = 0.0) -> None:
        """Queue the response to the next request."""
        with self._lock:
            self._replies.append((status, body, delay))

    def respond_with(self, responder: Callable[[SeenRequest], tuple[int, dict[str, Any]]]) -> None:
        """Answer every request without a queued reply by calling ``responder`` (e.g. a :class:`StripeAccount`)."""
        self._responder = responder

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _next_reply(self, request: SeenRequest) -> tuple[int, dict[str, Any], float]:
        with self._lock:
            if self._replies:
                return self._replies.popleft()
            responder = self._responder
        if responder is not None:
            return (*responder(request), 0.0)
        return 500, {"error": {"type": "api_error", "message": "no scripted reply"}}, 0.0

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self._serve()

            def do_POST(self) -> None:
                self._serve()

            def log_message(self, format: str, *args: Any) -> None:
                return

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode("utf-8") if length else ""
                parts = urlsplit(self.path)
                request = SeenRequest(
                    method=self.command,
                    path=parts.path,
                    query=parse_qs(parts.query, keep_blank_values=True),
                    headers={key.lower(): value for key, value in self.headers.items()},
                    form=parse_qs(raw, keep_blank_values=True),
                )
                with standin._lock:
                    standin.seen.append(request)
                status, body, delay = standin._next_reply(request)
                if delay:
                    time.sleep(delay)
                payload = json.dumps(body).encode("utf-8")
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.send_header("Request-Id", "req_" + uuid.uuid4().hex[:14])
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    return

        return Handler


def running_standin(monkeypatch: pytest.MonkeyPatch) -> Iterator[StripeStandIn]:
    """A started stand-in with proxies out of the way (for a fixture to ``yield from``); stopped afterwards."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    server = StripeStandIn()
    server.start()
    yield server
    server.stop()


def checkout_session(ref: str, session_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": ref,
        "object": "checkout.session",
        "url": f"https://checkout.stripe.com/c/pay/{ref}",
        "mode": "payment",
        "status": "open",
        "payment_status": "unpaid",
        "amount_total": 100_000,
        "currency": "inr",
        "client_reference_id": session_id,
        "metadata": {"session_id": session_id},
        **fields,
    }


def transfer(payout_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": "tr_" + uuid.uuid4().hex[:16],
        "object": "transfer",
        "amount": 50_000,
        "currency": "inr",
        "destination": ACCOUNT,
        "transfer_group": payout_id,
        "metadata": {"payout_id": payout_id},
        "reversed": False,
        "amount_reversed": 0,
        **fields,
    }


def transfer_list(*transfers: dict[str, Any]) -> dict[str, Any]:
    return {"object": "list", "data": list(transfers), "has_more": False, "url": "/v1/transfers"}


def stripe_error(status: int, error_type: str, code: str | None = None) -> tuple[int, dict[str, Any]]:
    return status, {"error": {"type": error_type, "code": code, "message": f"{error_type} {code} for {ACCOUNT}"}}


def stripe_event(event_type: str, obj: dict[str, Any], event_id: str = "evt_1StandIn") -> bytes:
    event = {
        "id": event_id,
        "object": "event",
        "api_version": "2026-10-28.endive",
        "created": int(time.time()),
        "livemode": False,
        "type": event_type,
        "data": {"object": obj},
    }
    return json.dumps(event, indent=2).encode("utf-8")


class StripeAccount:
    """Checkout sessions and Connect transfers kept as api.stripe.com keeps them, for the stand-in to answer
    from (``standin.respond_with(account)``): what the provider contract needs of Stripe, nothing more.

    ``pay`` is the player paying on Stripe's page; transfers to an account in ``refusing`` are declined
    (``balance_insufficient``); while ``down`` every request is a 503. Charges, disputes and balance
    transactions are kept too, and every collection is listed in pages (``limit``, ``starting_after``) as
    the audit's ``auto_paging_iter`` reads them.
    """

    def __init__(self) -> None:
        self.sessions: dict[str, dict[str, Any]] = {}
        self.transfers: list[dict[str, Any]] = []
        self.charges: list[dict[str, Any]] = []
        self.disputes: list[dict[str, Any]] = []
        self.balance_transactions: list[dict[str, Any]] = []
        self.refusing: set[str] = set()
        self.down = False
        self._lock = threading.Lock()

    def pay(self, ref: str) -> None:
        with self._lock:
            self._charge(ref)

    def add_paid_session(self, session_id: str, user_id: str, amount: int, currency: str = "inr") -> str:
        """A checkout session of ours the player already paid (with its charge and balance transaction)."""
        ref = "cs_test_" + uuid.uuid4().hex[:24]
        with self._lock:
            self.sessions[ref] = checkout_session(ref, session_id, amount_total=amount, currency=currency,
                                                  metadata={"session_id": session_id, "user_id": user_id})
            self._charge(ref)
        return ref

    def add_transfer(self, payout_id: str, amount: int, currency: str = "inr") -> dict[str, Any]:
        with self._lock:
            return self._transfer(transfer(payout_id, amount=amount, currency=currency))

    def reverse(self, payout_id: str, amount: int) -> None:
        """Reverse ``amount`` more of the payout's transfer (partially unless it reaches the whole)."""
        with self._lock:
            made = next(t for t in self.transfers if t["transfer_group"] == payout_id)
            made["amount_reversed"] += amount
            made["reversed"] = made["amount_reversed"] == made["amount"]
            self._balance("transfer_refund", amount, made["currency"], made["id"])

    def refund(self, ref: str, amount: int) -> dict[str, Any]:
        """Refund ``amount`` of the session's charge; the charge as ``charge.refunded`` carries it."""
        with self._lock:
            charge = self._charge_of(ref)
            refund = {"id": "re_" + uuid.uuid4().hex[:16], "object": "refund", "amount": amount,
                      "charge": charge["id"], "currency": charge["currency"], "status": "succeeded",
                      "created": int(time.time()) * 1000 + len(charge["refunds"]["data"])}
            charge["refunds"]["data"].insert(0, refund)
            charge["amount_refunded"] += amount
            charge["refunded"] = charge["amount_refunded"] == charge["amount"]
            self._balance("refund", -amount, charge["currency"], refund["id"])
            return json.loads(json.dumps(charge))

    def dispute(self, ref: str, amount: int) -> dict[str, Any]:
        """The card holder disputes ``amount`` of the session's charge (withdrawn from the balance)."""
        with self._lock:
            charge = self._charge_of(ref)
            made = {"id": "dp_" + uuid.uuid4().hex[:16], "object": "dispute", "amount": amount,
                    "currency": charge["currency"], "charge": charge["id"], "payment_intent": charge["payment_intent"],
                    "status": "needs_response", "reason": "fraudulent"}
            charge["disputed"] = True
            self.disputes.append(made)
            self._balance("adjustment", -amount, charge["currency"], made["id"])
            return dict(made)

    def close_dispute(self, dispute_id: str, status: str) -> dict[str, Any]:
        """Decide a dispute: ``won`` reinstates the withdrawn funds, ``lost`` keeps them withdrawn."""
        with self._lock:
            made = next(d for d in self.disputes if d["id"] == dispute_id)
            made["status"] = status
            if status == "won":
                self._balance("adjustment", made["amount"], made["currency"], made["id"])
            return dict(made)

    def _charge_of(self, ref: str) -> dict[str, Any]:
        intent = self.sessions[ref]["payment_intent"]
        return next(c for c in self.charges if c["payment_intent"] == intent)

    def _charge(self, ref: str) -> None:
        session = self.sessions[ref]
        intent, charge = "pi_" + uuid.uuid4().hex[:16], "ch_" + uuid.uuid4().hex[:16]
        self.sessions[ref] = {**session, "status": "complete", "payment_status": "paid", "payment_intent": intent}
        self.charges.append({"id": charge, "object": "charge", "amount": session["amount_total"],
                             "currency": session["currency"], "payment_intent": intent, "amount_refunded": 0,
                             "refunded": False, "disputed": False, "status": "succeeded", "paid": True,
                             "refunds": {"object": "list", "data": [], "has_more": False}})
        self._balance("charge", session["amount_total"], session["currency"], charge)

    def _transfer(self, made: dict[str, Any]) -> dict[str, Any]:
        self.transfers.append(made)
        self._balance("transfer", -made["amount"], made["currency"], made["id"])
        return made

    def _balance(self, kind: str, amount: int, currency: str, source: str) -> None:
        self.balance_transactions.append({"id": "txn_" + uuid.uuid4().hex[:16], "object": "balance_transaction",
                                          "type": kind, "amount": amount, "currency": currency, "fee": 0,
                                          "source": source})

    @staticmethod
    def _page(items: list[dict[str, Any]], request: SeenRequest, path: str) -> dict[str, Any]:
        limit = int(request.query.get("limit", ["10"])[0])
        after = request.query.get("starting_after", [""])[0]
        ordered = list(reversed(items))
        start = next((i + 1 for i, item in enumerate(ordered) if item["id"] == after), 0) if after else 0
        page = ordered[start:start + limit]
        return {"object": "list", "data": page, "has_more": start + limit < len(ordered), "url": path}

    def __call__(self, request: SeenRequest) -> tuple[int, dict[str, Any]]:
        with self._lock:
            if self.down:
                return stripe_error(503, "api_error")
            route = (request.method, request.path)
            if route == ("POST", "/v1/checkout/sessions"):
                return self._create_session(request.form)
            if request.method == "GET" and request.path.startswith("/v1/checkout/sessions/"):
                found = self.sessions.get(request.path.rsplit("/", 1)[1])
                return (200, found) if found else stripe_error(404, "invalid_request_error", "resource_missing")
            if route == ("GET", "/v1/transfers"):
                group = request.query.get("transfer_group", [""])[0]
                if not group:
                    return 200, self._page(self.transfers, request, request.path)
                return 200, transfer_list(*(t for t in self.transfers if t["transfer_group"] == group))
            listed = {"/v1/checkout/sessions": list(self.sessions.values()), "/v1/charges": self.charges,
                      "/v1/disputes": self.disputes, "/v1/balance_transactions": self.balance_transactions}
            if request.method == "GET" and request.path in listed:
                return 200, self._page(listed[request.path], request, request.path)
            if route == ("POST", "/v1/transfers"):
                return self._create_transfer(request.form)
        return stripe_error(404, "invalid_request_error", "resource_missing")

    def _create_session(self, form: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        ref = "cs_test_" + uuid.uuid4().hex[:24]
        self.sessions[ref] = checkout_session(
            ref, form["client_reference_id"][0],
            amount_total=int(form["line_items[0][price_data][unit_amount]"][0]),
            currency=form["line_items[0][price_data][currency]"][0],
        )
        return 200, self.sessions[ref]

    def _create_transfer(self, form: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        destination = form["destination"][0]
        if destination in self.refusing:
            return stripe_error(400, "invalid_request_error", "balance_insufficient")
        made = transfer(form["transfer_group"][0], amount=int(form["amount"][0]), currency=form["currency"][0],
                        destination=destination)
        return 200, self._transfer(made)
