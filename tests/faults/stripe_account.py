"""Connect transfers as api.stripe.com keeps them, for the fault explorer's stand-in.

Unlike ``tests.support.stripe_standin.StripeAccount`` it honours ``Idempotency-Key`` (a repeated create
returns the first transfer, a repeated refused create the same refusal, as within Stripe's 24 h key
window; ``forget_refusals`` plays a retry after the window), refuses a destination's first
transfer with ``balance_insufficient`` and then accepts (the platform balance was topped up), can lose
the answer of a create that went through (a 500: the gateway reports the payout pending), and reverses
transfers in full or in part like Stripe does (``amount_reversed`` grows, ``reversed`` only once all of it came back).
Checkout sessions are kept too (created once per ``Idempotency-Key``, paid by the player, expired by Stripe).
"""

from __future__ import annotations

import threading
import uuid
from typing import Any

from tests.support.stripe_standin import (
    SeenRequest,
    checkout_session,
    stripe_error,
    stripe_event,
    transfer,
    transfer_list,
)

SESSIONS = "/v1/checkout/sessions"


class FaultStripeAccount:
    """Transfers by id, with scripted behaviour per destination account."""

    def __init__(self) -> None:
        self.transfers: dict[str, dict[str, Any]] = {}
        self.by_key: dict[str, str] = {}
        self.refuse_once: set[str] = set()
        self.refusals: dict[str, tuple[int, dict[str, Any]]] = {}
        self.lose_answer: set[str] = set()
        self.creates = 0
        self.requests: list[tuple[str, int, str]] = []
        """Every transfer create received: (transfer_group, amount, Idempotency-Key), repeats included."""
        self.sessions: dict[str, dict[str, Any]] = {}
        self.session_keys: dict[str, str] = {}
        self._lock = threading.Lock()

    def __call__(self, request: SeenRequest) -> tuple[int, dict[str, Any]]:
        with self._lock:
            if (request.method, request.path) == ("GET", "/v1/transfers"):
                group = request.query.get("transfer_group", [""])[0]
                return 200, transfer_list(*(dict(t) for t in self.transfers.values() if t["transfer_group"] == group))
            if (request.method, request.path) == ("POST", "/v1/transfers"):
                return self._create(request)
            if (request.method, request.path) == ("POST", SESSIONS):
                return self._create_session(request)
            if request.method == "GET" and request.path.startswith(SESSIONS + "/"):
                found = self.sessions.get(request.path.rsplit("/", 1)[1])
                return (200, dict(found)) if found else stripe_error(404, "invalid_request_error", "resource_missing")
        return stripe_error(404, "invalid_request_error", "resource_missing")

    def _create(self, request: SeenRequest) -> tuple[int, dict[str, Any]]:
        key = request.headers.get("idempotency-key", "")
        destination = request.form["destination"][0]
        self.requests.append((request.form["transfer_group"][0], int(request.form["amount"][0]), key))
        if key in self.by_key:
            return 200, dict(self.transfers[self.by_key[key]])
        if key in self.refusals:
            return self.refusals[key]
        if destination in self.refuse_once:
            self.refuse_once.discard(destination)
            refusal = stripe_error(400, "invalid_request_error", "balance_insufficient")
            self.refusals[key] = refusal
            return refusal
        self.creates += 1
        made = transfer(request.form["transfer_group"][0], amount=int(request.form["amount"][0]),
                        currency=request.form["currency"][0], destination=destination)
        self.transfers[made["id"]] = made
        self.by_key[key] = made["id"]
        if destination in self.lose_answer:
            self.lose_answer.discard(destination)
            return stripe_error(500, "api_error")
        return 200, dict(made)

    def forget_refusals(self) -> None:
        """Stripe's idempotency window passed: a refused create may now be tried again."""
        with self._lock:
            self.refusals.clear()

    def for_payout(self, payout_id: str) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(t) for t in self.transfers.values() if t["transfer_group"] == payout_id]

    def requests_for(self, payout_id: str) -> list[tuple[int, str]]:
        """The (amount, Idempotency-Key) of every transfer create received for the payout."""
        with self._lock:
            return [(amount, key) for group, amount, key in self.requests if group == payout_id]

    def reverse(self, payout_id: str, amount: int, event_id: str) -> bytes:
        """Reverse ``amount`` more of the payout's transfer; returns the ``transfer.reversed`` event body."""
        with self._lock:
            found = next(t for t in self.transfers.values() if t["transfer_group"] == payout_id)
            found["amount_reversed"] = min(found["amount"], found["amount_reversed"] + amount)
            found["reversed"] = found["amount_reversed"] == found["amount"]
            return stripe_event("transfer.reversed", dict(found), event_id)

    def event(self, event_type: str, payout_id: str, event_id: str) -> bytes:
        with self._lock:
            found = next(t for t in self.transfers.values() if t["transfer_group"] == payout_id)
            return stripe_event(event_type, dict(found), event_id)

    def _create_session(self, request: SeenRequest) -> tuple[int, dict[str, Any]]:
        key = request.headers.get("idempotency-key", "")
        if key in self.session_keys:
            return 200, dict(self.sessions[self.session_keys[key]])
        form = request.form
        ref = "cs_test_" + uuid.uuid4().hex[:24]
        session_id = form["client_reference_id"][0]
        self.sessions[ref] = checkout_session(
            ref, session_id, amount_total=int(form["line_items[0][price_data][unit_amount]"][0]),
            currency=form["line_items[0][price_data][currency]"][0],
            metadata={"session_id": session_id, "user_id": form["metadata[user_id]"][0]})
        self.session_keys[key] = ref
        return 200, dict(self.sessions[ref])

    def checkouts_of(self, session_id: str) -> list[dict[str, Any]]:
        """Every checkout session Stripe made for our top-up session."""
        with self._lock:
            return [dict(s) for s in self.sessions.values() if s["client_reference_id"] == session_id]

    def pay_checkout(self, ref: str) -> None:
        """The player pays on Stripe's page."""
        with self._lock:
            self.sessions[ref].update(status="complete", payment_status="paid",
                                      payment_intent="pi_" + uuid.uuid4().hex[:16])

    def expire_checkout(self, ref: str) -> None:
        """Stripe expires a session nobody paid."""
        with self._lock:
            if self.sessions[ref]["payment_status"] != "paid":
                self.sessions[ref]["status"] = "expired"

    def checkout_event(self, event_type: str, ref: str, event_id: str) -> bytes:
        with self._lock:
            return stripe_event(event_type, dict(self.sessions[ref]), event_id)
