"""KYC records as stored documents (the same shape in SQLite's JSON column and in MongoDB): the PAN sealed
with the KYC key bound to the user id, never in the clear; ``pan_owners`` keyed by an HMAC of the PAN."""

from __future__ import annotations

import hashlib
import hmac
from datetime import date
from typing import Any

from payout_service.domain.kyc import KycRecord, KycStatus
from winzone_kernel.clock import format_utc, parse_utc
from winzone_kernel.sealing import Sealer


def pan_fingerprint(index_key: bytes, pan: str) -> str:
    """The ``pan_owners`` key of a PAN: HMAC-SHA256 under the index key derived from ``KYC_PAN_KEY``."""
    return hmac.new(index_key, pan.encode(), hashlib.sha256).hexdigest()


def _time(value: Any) -> Any:
    return None if value is None else format_utc(value)


def to_kyc_document(record: KycRecord, sealer: Sealer) -> dict[str, Any]:
    return {
        "_id": record.user_id, "userId": record.user_id, "status": record.status.value,
        "pan": sealer.seal(record.pan, record.user_id), "name": record.name,
        "dateOfBirth": record.date_of_birth.isoformat(), "submittedAt": format_utc(record.submitted_at),
        "updatedAt": format_utc(record.updated_at), "reviewedAt": _time(record.reviewed_at),
        "reviewedBy": record.reviewed_by, "note": record.note,
    }


def from_kyc_document(doc: dict[str, Any], sealer: Sealer) -> KycRecord:
    return KycRecord(
        user_id=doc["userId"], status=KycStatus(doc["status"]), pan=sealer.open(doc["pan"], doc["userId"]),
        name=doc["name"], date_of_birth=date.fromisoformat(doc["dateOfBirth"]),
        submitted_at=parse_utc(doc["submittedAt"]), updated_at=parse_utc(doc["updatedAt"]),
        reviewed_at=None if doc.get("reviewedAt") is None else parse_utc(doc["reviewedAt"]),
        reviewed_by=doc.get("reviewedBy"), note=doc.get("note"),
    )
