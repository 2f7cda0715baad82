"""Top-up sessions, processed events and the mock provider's state on MongoDB.

Every write is a single-document operation (a conditional ``find_one_and_update`` for status changes, an
insert against a unique index for keys), so no multi-document transaction is needed and a standalone
server works as well as a replica set. Collections are prefixed by purpose because every service shares
the ``MONGODB_DB`` database; fields are camelCase.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from contextlib import suppress
from typing import Any, TypeVar

from pymongo import ASCENDING, IndexModel, ReturnDocument
from pymongo.errors import DuplicateKeyError

from payment_gateway.domain.deposits import DepositGuard
from payment_gateway.domain.mock_checkout import MockCheckout, MockSessionState
from payment_gateway.domain.model import UNSETTLED, ProcessedEvent, TopUpSession, TopUpStatus
from payment_gateway.domain.ports import MockCheckoutState, TopUpStore
from payment_gateway.domain.provider import REVERSED_REASON, PayoutResult, PayoutStatus
from winzone_kernel.clock import timestamp_now
from winzone_kernel.errors import NotFound, Unavailable
from winzone_kernel.mongo import DriverErrors, MongoStore

T = TypeVar("T")

SESSIONS = "topup_sessions"
EVENTS = "payment_webhook_events"
MOCK_CHECKOUTS = "mock_checkouts"
MOCK_PAYOUTS = "mock_payouts"
DEPOSIT_GUARDS = "topup_deposit_guards"
"""One document per user with deposit limits, written first in every guarded insert so that two concurrent
inserts of one user conflict and the later one reruns, counting the earlier's session."""
COLLECTIONS = (SESSIONS, EVENTS, MOCK_CHECKOUTS, MOCK_PAYOUTS, DEPOSIT_GUARDS)

INDEXES: dict[str, list[IndexModel]] = {
    SESSIONS: [
        IndexModel(
            [("userId", ASCENDING), ("idempotencyKey", ASCENDING)], name="userId_idempotencyKey_unique",
            unique=True, partialFilterExpression={"idempotencyKey": {"$type": "string"}},
        ),
        IndexModel(
            [("provider", ASCENDING), ("providerRef", ASCENDING)], name="provider_providerRef_unique",
            unique=True, partialFilterExpression={"providerRef": {"$type": "string"}},
        ),
        IndexModel(
            [("provider", ASCENDING), ("paymentIntent", ASCENDING)], name="provider_paymentIntent_unique",
            unique=True, partialFilterExpression={"paymentIntent": {"$type": "string"}},
        ),
        IndexModel([("userId", ASCENDING), ("createdAt", ASCENDING)], name="userId_createdAt"),
        IndexModel([("status", ASCENDING)], name="status"),
    ],
    EVENTS: [
        IndexModel([("provider", ASCENDING), ("eventId", ASCENDING)], name="provider_eventId_unique", unique=True),
    ],
}
CLIENT_OPTIONS: dict[str, Any] = {"serverSelectionTimeoutMS": 10_000, "timeoutMS": 10_000}


def _session_doc(s: TopUpSession) -> dict[str, Any]:
    return {
        "_id": s.id, "userId": s.user_id, "amount": s.amount, "currency": s.currency, "provider": s.provider,
        "status": s.status.value, "providerRef": s.provider_ref, "checkoutUrl": s.checkout_url,
        "idempotencyKey": s.idempotency_key, "transactionId": s.transaction_id, "createdAt": s.created_at,
        "updatedAt": s.updated_at, "paymentIntent": s.payment_intent,
    }


def _session(doc: dict[str, Any] | None) -> TopUpSession | None:
    if doc is None:
        return None
    return TopUpSession(
        id=doc["_id"], user_id=doc["userId"], amount=doc["amount"], currency=doc["currency"],
        provider=doc["provider"], status=TopUpStatus(doc["status"]), created_at=doc["createdAt"],
        updated_at=doc["updatedAt"], provider_ref=doc.get("providerRef"), checkout_url=doc.get("checkoutUrl"),
        idempotency_key=doc.get("idempotencyKey"), transaction_id=doc.get("transactionId"),
        payment_intent=doc.get("paymentIntent"),
    )


class MongoTopUpStore(MongoStore, TopUpStore):
    """The payment gateway's store on MongoDB (see the module docstring)."""

    app_name = "winzone-payments"
    collections = COLLECTIONS
    indexes = INDEXES
    errors = DriverErrors("payments store")
    client_options = CLIENT_OPTIONS

    def _run(self, op: Callable[[], T]) -> T:
        with self._bounded():
            return op()

    def add_session(self, session: TopUpSession, guard: DepositGuard | None = None) -> tuple[TopUpSession, bool]:
        sessions = self._db[SESSIONS]

        def earlier(tx: Any = None) -> TopUpSession | None:
            if session.idempotency_key is None:
                return None
            return _session(sessions.find_one({"userId": session.user_id, "idempotencyKey": session.idempotency_key},
                                              session=tx))

        def guarded(tx: Any) -> tuple[TopUpSession, bool]:
            assert guard is not None
            self._db[DEPOSIT_GUARDS].update_one({"_id": session.user_id}, {"$inc": {"inserts": 1}}, upsert=True,
                                                session=tx)
            found = earlier(tx)
            if found is not None:
                return found, False
            guard.check([self._committed_since(session.user_id, guard.currency, w.since, tx) for w in guard.windows],
                        session.amount)
            sessions.insert_one(_session_doc(session), session=tx)
            return session, True

        def op() -> tuple[TopUpSession, bool]:
            found = earlier()
            if found is not None:
                return found, False
            try:
                if guard is not None:
                    return self._transaction(guarded)
                sessions.insert_one(_session_doc(session))
            except DuplicateKeyError:
                found = earlier()
                if found is None:
                    raise
                return found, False
            return session, True

        return self._run(op)

    def _committed_since(self, user_id: str, currency: str, since: str, tx: Any) -> int:
        """What the user's sessions in ``currency`` created at ``since`` or later commit them to pay."""
        rows = list(self._db[SESSIONS].aggregate([
            {"$match": {"userId": user_id, "currency": currency, "createdAt": {"$gte": since},
                        "status": {"$nin": sorted(status.value for status in UNSETTLED)}}},
            {"$group": {"_id": None, "amount": {"$sum": "$amount"}}},
        ], session=tx))
        return int(rows[0]["amount"]) if rows else 0

    def get_session(self, session_id: str) -> TopUpSession | None:
        return self._run(lambda: _session(self._db[SESSIONS].find_one({"_id": session_id})))

    def find_by_provider_ref(self, provider: str, provider_ref: str) -> TopUpSession | None:
        return self._run(lambda: _session(self._db[SESSIONS].find_one(
            {"provider": provider, "providerRef": provider_ref})))

    def attach_checkout(self, session_id: str, provider_ref: str, checkout_url: str, now: str) -> TopUpSession:
        sessions = self._db[SESSIONS]

        def op() -> TopUpSession:
            sessions.update_one(
                {"_id": session_id, "providerRef": None},
                {"$set": {"providerRef": provider_ref, "checkoutUrl": checkout_url, "updatedAt": now}},
            )
            stored = _session(sessions.find_one({"_id": session_id}))
            if stored is None:
                raise NotFound("Top-up session not found", code="SESSION_NOT_FOUND")
            return stored

        return self._run(op)

    def find_by_payment_intent(self, provider: str, payment_intent: str) -> TopUpSession | None:
        return self._run(lambda: _session(self._db[SESSIONS].find_one(
            {"provider": provider, "paymentIntent": payment_intent})))

    def attach_payment_intent(self, session_id: str, payment_intent: str, now: str) -> TopUpSession:
        sessions = self._db[SESSIONS]

        def op() -> TopUpSession:
            with suppress(DuplicateKeyError):
                sessions.update_one({"_id": session_id, "paymentIntent": None},
                                    {"$set": {"paymentIntent": payment_intent}})
            stored = _session(sessions.find_one({"_id": session_id}))
            if stored is None:
                raise NotFound("Top-up session not found", code="SESSION_NOT_FOUND")
            return stored

        return self._run(op)

    def transition(
        self,
        session_id: str,
        allowed_from: Collection[TopUpStatus],
        to: TopUpStatus,
        now: str,
        *,
        transaction_id: str | None = None,
    ) -> TopUpSession | None:
        sources = [TopUpStatus(s).value for s in allowed_from]
        if not sources:
            return None
        changes: dict[str, Any] = {"status": to.value, "updatedAt": now}
        if transaction_id is not None:
            changes["transactionId"] = transaction_id
        return self._run(lambda: _session(self._db[SESSIONS].find_one_and_update(
            {"_id": session_id, "status": {"$in": sources}}, {"$set": changes},
            return_document=ReturnDocument.AFTER,
        )))

    def sessions_in_status(
        self, status: TopUpStatus, limit: int, after: tuple[str, str] | None = None
    ) -> list[TopUpSession]:
        wanted, count = TopUpStatus(status).value, max(0, int(limit))
        if count == 0:
            return []
        query: dict[str, object] = {"status": wanted}
        if after is not None:
            query["$or"] = [{"updatedAt": {"$gt": after[0]}}, {"updatedAt": after[0], "_id": {"$gt": after[1]}}]

        def op() -> list[TopUpSession]:
            found = self._db[SESSIONS].find(
                query, sort=[("updatedAt", ASCENDING), ("_id", ASCENDING)], limit=count)
            return [s for s in map(_session, found) if s is not None]

        return self._run(op)

    def event_processed(self, provider: str, event_id: str) -> bool:
        return self._run(lambda: self._db[EVENTS].find_one({"provider": provider, "eventId": event_id}) is not None)

    def record_event(self, event: ProcessedEvent) -> bool:
        def op() -> bool:
            try:
                self._db[EVENTS].insert_one({
                    "provider": event.provider, "eventId": event.event_id, "type": event.type,
                    "outcome": event.outcome.value, "sessionId": event.session_id, "receivedAt": event.received_at,
                })
            except DuplicateKeyError:
                return False
            return True

        return self._run(op)

    def mock_state(self) -> MockCheckoutState:
        return _MongoMockState(self._db, self._run)


class _MongoMockState(MockCheckoutState):
    """The mock provider's sessions and payout outcomes in the payment gateway's database."""

    def __init__(self, db: Any, run: Callable[[Callable[[], Any]], Any]) -> None:
        self._checkouts = db[MOCK_CHECKOUTS]
        self._payouts = db[MOCK_PAYOUTS]
        self._run = run

    def get(self, provider_ref: str) -> MockCheckout | None:
        doc = self._run(lambda: self._checkouts.find_one({"_id": provider_ref}))
        if doc is None:
            return None
        return MockCheckout(doc["_id"], doc["sessionId"], doc["userId"], doc["amount"], doc["currency"],
                            MockSessionState(doc["status"]), doc["successUrl"], doc["cancelUrl"],
                            tuple(doc.get("refunds") or ()), doc.get("disputeId"), doc.get("disputeAmount", 0),
                            doc.get("disputeStatus", ""))

    def set(self, checkout: MockCheckout, *, expected: MockSessionState | None) -> bool:
        fields = {
            "sessionId": checkout.session_id, "userId": checkout.user_id, "amount": checkout.amount_minor,
            "currency": checkout.currency, "status": checkout.status.value, "successUrl": checkout.success_url,
            "cancelUrl": checkout.cancel_url, "refunds": list(checkout.refunds), "disputeId": checkout.dispute_id,
            "disputeAmount": checkout.dispute_amount, "disputeStatus": checkout.dispute_status,
            "updatedAt": timestamp_now(),
        }

        def op() -> bool:
            if expected is None:
                try:
                    self._checkouts.insert_one({"_id": checkout.provider_ref, **fields})
                except DuplicateKeyError:
                    return False
                return True
            result = self._checkouts.update_one({"_id": checkout.provider_ref, "status": expected.value},
                                                {"$set": fields})
            return result.matched_count == 1

        return self._run(op)

    def get_payout(self, payout_id: str) -> PayoutResult | None:
        doc = self._run(lambda: self._payouts.find_one({"_id": payout_id}))
        if doc is None:
            return None
        return PayoutResult(PayoutStatus(doc["status"]), doc.get("providerRef"), doc.get("failureReason"),
                            doc.get("amount"), doc.get("currency"), doc.get("amountReversed", 0))

    def add_payout(self, payout_id: str, result: PayoutResult) -> PayoutResult:
        def op() -> bool:
            try:
                self._payouts.insert_one({
                    "_id": payout_id, "status": result.status.value, "providerRef": result.provider_ref,
                    "failureReason": result.failure_reason, "amount": result.amount_minor,
                    "currency": result.currency, "amountReversed": result.amount_reversed,
                    "createdAt": timestamp_now(),
                })
            except DuplicateKeyError:
                return False
            return True

        if self._run(op):
            return result
        recorded = self.get_payout(payout_id)
        if recorded is None:
            raise Unavailable("payments store lost a mock payout record")
        return recorded

    def reverse_payout(self, payout_id: str, amount_reversed: int) -> PayoutResult | None:
        total = {"$max": [{"$ifNull": ["$amountReversed", 0]}, amount_reversed]}
        full = {"$and": [{"$gt": ["$amount", 0]}, {"$gte": ["$amountReversed", "$amount"]},
                         {"$ne": ["$status", PayoutStatus.FAILED.value]}]}
        pipeline = [
            {"$set": {"amountReversed": total}},
            {"$set": {"status": {"$cond": [full, PayoutStatus.FAILED.value, "$status"]},
                      "failureReason": {"$cond": [full, REVERSED_REASON, "$failureReason"]}}},
        ]
        doc = self._run(lambda: self._payouts.find_one_and_update(
            {"_id": payout_id}, pipeline, return_document=ReturnDocument.AFTER))
        if doc is None:
            return None
        return PayoutResult(PayoutStatus(doc["status"]), doc.get("providerRef"), doc.get("failureReason"),
                            doc.get("amount"), doc.get("currency"), doc.get("amountReversed", 0))
