"""Payout records on MongoDB: one document per payout in ``payout_requests``.

Every write touches one document, which MongoDB applies atomically, so no multi-document transaction is
needed: compare-and-set is ``replace_one({_id, version: expected}, ...)``. Indexes: ``{status}``,
``{userId, createdAt}`` as the original spec lists, ``{attention, updatedAt}`` for reconciliation, and a
unique ``{userId, requestKey}`` (partial: only documents with a key) for idempotent creation. Any driver
failure (unreachable, timed out, a write concern not met, ...) is ``Unavailable``: the caller retries or
leaves the step to reconciliation. Duplicate keys pass through, for ``insert`` to translate. The payout
method inside each document is sealed (``payout_service.adapters.documents``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.errors import DuplicateKeyError

from payout_service.adapters.documents import from_document, next_version, to_document
from payout_service.domain.model import PayoutStatus
from payout_service.domain.ports import (
    AttentionCursor,
    DuplicateRequestKey,
    PayoutRecord,
    PayoutStore,
    RecordPage,
    VelocityExceeded,
    VelocityLimit,
)
from winzone_kernel.clock import format_utc
from winzone_kernel.mongo import DEFAULT_TIMEOUT, DriverErrors, MongoClientLike, MongoStore
from winzone_kernel.sealing import Sealer

COLLECTION = "payout_requests"
GUARDS = "payout_velocity_guards"

INDEXES: dict[str, list[IndexModel]] = {
    COLLECTION: [
        IndexModel([("status", ASCENDING)], name="status"),
        IndexModel([("userId", ASCENDING), ("createdAt", ASCENDING)], name="userId_createdAt"),
        IndexModel([("attention", ASCENDING), ("updatedAt", ASCENDING)], name="attention_updatedAt"),
        IndexModel(
            [("userId", ASCENDING), ("requestKey", ASCENDING)], name="userId_requestKey_unique", unique=True,
            partialFilterExpression={"requestKey": {"$type": "string"}},
        ),
        IndexModel([("destination", ASCENDING)], name="destination",
                   partialFilterExpression={"destination": {"$type": "string"}}),
    ],
}
CLIENT_OPTIONS: dict[str, Any] = {"serverSelectionTimeoutMS": 10_000, "w": "majority"}


def _document(record: PayoutRecord, sealer: Sealer) -> dict[str, Any]:
    """The stored document, without ``requestKey`` when there is none (the unique index is partial)."""
    doc = to_document(record, sealer)
    if doc["requestKey"] is None:
        del doc["requestKey"]
    return doc


class MongoPayoutStore(MongoStore, PayoutStore):
    """The payout store on MongoDB (see the module docstring)."""

    app_name = "winzone-payouts"
    collections = (COLLECTION, GUARDS)
    indexes = INDEXES
    errors = DriverErrors("payout store", other="payout store unavailable", kept=(DuplicateKeyError,))
    client_options = CLIENT_OPTIONS

    def __init__(self, client: MongoClientLike, db_name: str, *, timeout: float = DEFAULT_TIMEOUT,
                 sealer: Sealer | None = None) -> None:
        """Methods are sealed with ``sealer``, by default the key ``PAYOUT_METHOD_KEY`` names."""
        self._sealer = sealer or Sealer.from_env()
        super().__init__(client, db_name, timeout=timeout)

    @property
    def _payouts(self) -> Any:
        return self._db[COLLECTION]

    def insert(self, record: PayoutRecord, velocity: VelocityLimit | None = None) -> None:
        doc = _document(record, self._sealer)
        try:
            if velocity is None:
                with self._bounded():
                    self._payouts.insert_one(doc)
            else:
                self._transaction(lambda session: self._insert_within(session, doc, record, velocity))
        except DuplicateKeyError as exc:
            key_pattern = (exc.details or {}).get("keyPattern")
            if key_pattern is None or "requestKey" in key_pattern:
                raise DuplicateRequestKey("This idempotency key was already used for a payout") from exc
            raise

    def _insert_within(self, session: Any, doc: dict[str, Any], record: PayoutRecord,
                       velocity: VelocityLimit) -> None:
        """Count, then insert, in one transaction that first writes the user's guard document: two concurrent
        inserts of one user conflict on it and the later one reruns, seeing the earlier's record."""
        user_id = record.payout.user_id
        self._db[GUARDS].update_one({"_id": user_id}, {"$inc": {"inserts": 1}}, upsert=True, session=session)
        match = {
            "userId": user_id, "createdAt": {"$gte": format_utc(velocity.since)},
            "$or": [{"holdPlaced": True}, {"pendingFunds": None}],
        }
        rows = list(self._payouts.aggregate([
            {"$match": match},
            {"$group": {"_id": None, "count": {"$sum": 1}, "amount": {"$sum": {
                "$cond": [{"$eq": ["$currency", record.payout.currency]}, "$amount", 0]}}}},
        ], session=session))
        count, amount = (rows[0]["count"], rows[0]["amount"]) if rows else (0, 0)
        if velocity.refuses(count, amount, record):
            raise VelocityExceeded("Daily payout limit reached; try again later")
        self._payouts.insert_one(doc, session=session)

    def shares_destination(self, destination: str, user_id: str) -> bool:
        with self._bounded():
            doc = self._payouts.find_one({"destination": destination, "userId": {"$ne": user_id}},
                                         projection={"_id": 1})
        return doc is not None

    def get(self, payout_id: str) -> PayoutRecord | None:
        with self._bounded():
            doc = self._payouts.find_one({"_id": payout_id})
        return None if doc is None else from_document(doc, self._sealer)

    def find_by_key(self, user_id: str, request_key: str) -> PayoutRecord | None:
        with self._bounded():
            doc = self._payouts.find_one({"userId": user_id, "requestKey": request_key})
        return None if doc is None else from_document(doc, self._sealer)

    def save(self, record: PayoutRecord, expected_version: int) -> bool:
        version = next_version(record, expected_version)
        previous = record.payout.version
        record.payout.version = version
        doc = _document(record, self._sealer)
        with self._bounded():
            result = self._payouts.replace_one({"_id": doc["_id"], "version": expected_version}, doc)
        if result.matched_count != 1:
            record.payout.version = previous
            return False
        return True

    def delete_unplaced(self, payout_id: str) -> bool:
        with self._bounded():
            result = self._payouts.delete_one({"_id": payout_id, "holdPlaced": False})
        return result.deleted_count == 1

    def needing_attention(
        self, updated_before: datetime, limit: int, after: AttentionCursor | None = None
    ) -> list[PayoutRecord]:
        query: dict[str, Any] = {"attention": True, "updatedAt": {"$lte": format_utc(updated_before)}}
        if after is not None:
            at = format_utc(after[0])
            query["$or"] = [{"updatedAt": {"$gt": at}}, {"updatedAt": at, "_id": {"$gt": after[1]}}]
        with self._bounded():
            docs = list(self._payouts.find(
                query, sort=[("updatedAt", ASCENDING), ("_id", ASCENDING)], limit=limit,
            ))
        return [from_document(d, self._sealer) for d in docs]

    def list(self, *, user_id: str | None, status: PayoutStatus | None, page: int, limit: int) -> RecordPage:
        query: dict[str, Any] = {"holdPlaced": True}
        if user_id:
            query["userId"] = user_id
        if status is not None:
            query["status"] = status.value
        with self._bounded():
            total = self._payouts.count_documents(query)
            docs = list(self._payouts.find(
                query, sort=[("createdAt", DESCENDING), ("_id", DESCENDING)], skip=(page - 1) * limit, limit=limit,
            ))
        return RecordPage([from_document(d, self._sealer) for d in docs], total)
