"""KYC records on MongoDB, in the payout store's database: ``kyc`` (one document per user, ``_id`` the user
id, the PAN sealed) and ``pan_owners`` (``_id`` the HMAC of a PAN, so a claim is one unique insert: of two
concurrent claims of one PAN exactly one wins). A record is replaced only while it is rejected or flagged
(a conditional upsert: a pending or verified one makes it a duplicate key). Driver failures are
``Unavailable``."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.errors import DuplicateKeyError

from payout_service.adapters.kyc_documents import from_kyc_document, pan_fingerprint, to_kyc_document
from payout_service.adapters.mongo_store import CLIENT_OPTIONS
from payout_service.domain.kyc import RESUBMITTABLE, KycAlreadySubmitted, KycRecord, KycStatus
from payout_service.domain.ports import KycStore
from winzone_kernel.mongo import DEFAULT_TIMEOUT, DriverErrors, MongoClientLike, MongoStore
from winzone_kernel.sealing import Sealer

KYC = "kyc"
PAN_OWNERS = "pan_owners"
INDEXES: dict[str, list[IndexModel]] = {
    KYC: [IndexModel([("status", ASCENDING), ("submittedAt", ASCENDING)], name="status_submittedAt"),
          IndexModel([("submittedAt", ASCENDING)], name="submittedAt")],
}


class MongoKycStore(MongoStore, KycStore):
    """The KYC store on MongoDB (see the module docstring)."""

    app_name = "winzone-payouts-kyc"
    collections = (KYC, PAN_OWNERS)
    indexes = INDEXES
    errors = DriverErrors("KYC store", other="KYC store unavailable", kept=(DuplicateKeyError,))
    client_options = CLIENT_OPTIONS

    def __init__(self, client: MongoClientLike, db_name: str, *, sealer: Sealer, index_key: bytes,
                 timeout: float = DEFAULT_TIMEOUT) -> None:
        self._sealer = sealer
        self._index_key = index_key
        self._owns_client = True
        super().__init__(client, db_name, timeout=timeout)

    @classmethod
    def beside(cls, store: MongoStore, *, sealer: Sealer, index_key: bytes) -> MongoKycStore:
        """A KYC store in ``store``'s database, on its client (which ``store`` keeps and closes)."""
        kyc = cls(store._client, store._db.name, sealer=sealer, index_key=index_key, timeout=store._timeout)
        kyc._owns_client = False
        return kyc

    def close(self) -> None:
        if self._owns_client:
            super().close()

    @property
    def _kyc(self) -> Any:
        return self._db[KYC]

    def get(self, user_id: str) -> KycRecord | None:
        with self._bounded():
            doc = self._kyc.find_one({"_id": user_id})
        return None if doc is None else from_kyc_document(doc, self._sealer)

    def _owner(self, fingerprint: str, user_id: str) -> str:
        owners = self._db[PAN_OWNERS]
        try:
            owners.insert_one({"_id": fingerprint, "userId": user_id})
            return user_id
        except DuplicateKeyError:
            doc = owners.find_one({"_id": fingerprint})
            return str(doc["userId"]) if doc is not None else user_id

    def submit(self, record: KycRecord) -> KycRecord:
        fingerprint = pan_fingerprint(self._index_key, record.pan)
        replaceable = {"_id": record.user_id, "status": {"$in": [s.value for s in RESUBMITTABLE]}}
        with self._bounded():
            current = self._kyc.find_one({"_id": record.user_id}, projection={"status": 1})
            if current is not None and KycStatus(current["status"]) not in RESUBMITTABLE:
                raise KycAlreadySubmitted()
            owner = self._owner(fingerprint, record.user_id)
            saved = record if owner == record.user_id else record.flagged()
            try:
                self._kyc.replace_one(replaceable, to_kyc_document(saved, self._sealer), upsert=True)
            except DuplicateKeyError:
                raise KycAlreadySubmitted() from None
        return saved

    def update(self, record: KycRecord, expected: KycStatus) -> bool:
        with self._bounded():
            result = self._kyc.replace_one({"_id": record.user_id, "status": expected.value},
                                           to_kyc_document(record, self._sealer))
        return bool(result.matched_count == 1)

    def list(self, *, status: KycStatus | None, page: int, limit: int) -> tuple[list[KycRecord], int]:
        query = {} if status is None else {"status": status.value}
        with self._snapshot() as session:
            total = self._kyc.count_documents(query, session=session)
            docs = list(self._kyc.find(query, session=session).sort([("submittedAt", ASCENDING), ("_id", ASCENDING)])
                        .skip((page - 1) * limit).limit(limit))
        return [from_kyc_document(d, self._sealer) for d in docs], int(total)
