"""Payout records on MongoDB: one document per payout in ``payout_requests``.

Every write touches one document, which MongoDB applies atomically, so no multi-document transaction is
needed: compare-and-set is ``replace_one({_id, version: expected}, ...)``. Indexes: ``{status}``,
``{userId, createdAt}`` as the original spec lists, ``{attention, updatedAt}`` for reconciliation, and a
unique ``{userId, requestKey}`` (partial: only documents with a key) for idempotent creation.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel, MongoClient
from pymongo.errors import CollectionInvalid, DuplicateKeyError, PyMongoError

from payout_service.adapters.documents import from_document, next_version, to_document
from payout_service.domain.state import PayoutStatus
from payout_service.instants import format_instant
from payout_service.ports import AttentionCursor, DuplicateRequestKey, PayoutRecord, PayoutStore, RecordPage
from winzone_kernel.errors import Unavailable

COLLECTION = "payout_requests"

INDEXES = [
    IndexModel([("status", ASCENDING)], name="status"),
    IndexModel([("userId", ASCENDING), ("createdAt", ASCENDING)], name="userId_createdAt"),
    IndexModel([("attention", ASCENDING), ("updatedAt", ASCENDING)], name="attention_updatedAt"),
    IndexModel(
        [("userId", ASCENDING), ("requestKey", ASCENDING)], name="userId_requestKey_unique", unique=True,
        partialFilterExpression={"requestKey": {"$type": "string"}},
    ),
]


@contextmanager
def _driver_errors() -> Iterator[None]:
    """Any driver failure (unreachable, timed out, a write concern not met, ...) is ``Unavailable``: the
    caller retries or leaves the step to reconciliation. Duplicate keys are the callers' to translate."""
    try:
        yield
    except DuplicateKeyError:
        raise
    except PyMongoError as exc:
        raise Unavailable("payout store unavailable") from exc


class MongoPayoutStore(PayoutStore):
    """The payout store on MongoDB (see the module docstring)."""

    def __init__(self, client: Any, db_name: str) -> None:
        self._client = client
        self._db = client[db_name]

    @classmethod
    def from_uri(cls, uri: str, db_name: str) -> MongoPayoutStore:
        """A store on a new client with majority writes; nothing connects until the first operation."""
        client: MongoClient[dict[str, Any]] = MongoClient(
            uri, appname="winzone-payouts", serverSelectionTimeoutMS=10_000, retryWrites=True, retryReads=True,
            w="majority",
        )
        return cls(client, db_name)

    @property
    def _payouts(self) -> Any:
        return self._db[COLLECTION]

    def migrate(self) -> None:
        with _driver_errors():
            if COLLECTION not in set(self._db.list_collection_names()):
                with suppress(CollectionInvalid):
                    self._db.create_collection(COLLECTION)
            self._payouts.create_indexes(INDEXES)

    def insert(self, record: PayoutRecord) -> None:
        doc = to_document(record)
        if doc["requestKey"] is None:
            del doc["requestKey"]
        try:
            with _driver_errors():
                self._payouts.insert_one(doc)
        except DuplicateKeyError as exc:
            key_pattern = (exc.details or {}).get("keyPattern")
            if key_pattern is None or "requestKey" in key_pattern:
                raise DuplicateRequestKey("This idempotency key was already used for a payout") from exc
            raise

    def get(self, payout_id: str) -> PayoutRecord | None:
        with _driver_errors():
            doc = self._payouts.find_one({"_id": payout_id})
        return None if doc is None else from_document(doc)

    def find_by_key(self, user_id: str, request_key: str) -> PayoutRecord | None:
        with _driver_errors():
            doc = self._payouts.find_one({"userId": user_id, "requestKey": request_key})
        return None if doc is None else from_document(doc)

    def save(self, record: PayoutRecord, expected_version: int) -> bool:
        version = next_version(record, expected_version)
        previous = record.payout.version
        record.payout.version = version
        doc = to_document(record)
        if doc["requestKey"] is None:
            del doc["requestKey"]
        with _driver_errors():
            result = self._payouts.replace_one({"_id": doc["_id"], "version": expected_version}, doc)
        if result.matched_count != 1:
            record.payout.version = previous
            return False
        return True

    def delete_unplaced(self, payout_id: str) -> bool:
        with _driver_errors():
            result = self._payouts.delete_one({"_id": payout_id, "holdPlaced": False})
        return result.deleted_count == 1

    def list(self, *, user_id: str | None, status: PayoutStatus | None, page: int, limit: int) -> RecordPage:
        query: dict[str, Any] = {"holdPlaced": True}
        if user_id:
            query["userId"] = user_id
        if status is not None:
            query["status"] = status.value
        with _driver_errors():
            total = self._payouts.count_documents(query)
            docs = list(self._payouts.find(
                query, sort=[("createdAt", DESCENDING), ("_id", DESCENDING)], skip=(page - 1) * limit, limit=limit,
            ))
        return RecordPage([from_document(d) for d in docs], total)

    def needing_attention(
        self, updated_before: datetime, limit: int, after: AttentionCursor | None = None
    ) -> list[PayoutRecord]:
        query: dict[str, Any] = {"attention": True, "updatedAt": {"$lte": format_instant(updated_before)}}
        if after is not None:
            at = format_instant(after[0])
            query["$or"] = [{"updatedAt": {"$gt": at}}, {"updatedAt": at, "_id": {"$gt": after[1]}}]
        with _driver_errors():
            docs = list(self._payouts.find(
                query, sort=[("updatedAt", ASCENDING), ("_id", ASCENDING)], limit=limit,
            ))
        return [from_document(d) for d in docs]

    def close(self) -> None:
        self._client.close()

