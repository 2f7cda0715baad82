"""The stored form of a payout record: one JSON-ready document with camelCase fields, shared by every store.

The payout method is needed in full to send the money, so it is stored sealed (AES-256-GCM, the key from
``PAYOUT_METHOD_KEY``, bound to the payout id: ``winzone_kernel.sealing``), never in the clear; documents
written before sealing (a plain JSON object) still read, and are sealed the next time they are saved. It never
leaves the service unmasked: responses and logs go through ``PayoutMethod.masked()`` / ``mask_for_log``.

The tax withheld (``tds``, ``netWinnings``, ``financialYear``, and ``netAmount`` = amount - tds for readers of
the raw store) is absent from documents written before it: such a payout withheld nothing.
"""

from __future__ import annotations

import json
from typing import Any

from payout_service.domain.methods import PayoutMethod
from payout_service.domain.model import (
    Approval,
    HistoryEntry,
    HoldAction,
    PayoutRequest,
    PayoutStatus,
    ReviewReason,
)
from payout_service.domain.ports import PayoutRecord, PendingFunds
from winzone_kernel.clock import format_utc, parse_utc
from winzone_kernel.sealing import Sealer


def seal_method(method: PayoutMethod, payout_id: str, sealer: Sealer) -> str:
    """The method as stored: its JSON sealed for this payout."""
    return sealer.seal(json.dumps(method.to_json(), sort_keys=True, separators=(",", ":"), ensure_ascii=False),
                       payout_id)


def open_method(stored: Any, payout_id: str, sealer: Sealer) -> PayoutMethod:
    """The method of a stored document: sealed, or a plain object written before sealing."""
    if Sealer.is_sealed(stored):
        return PayoutMethod.from_json(json.loads(sealer.open(stored, payout_id)))
    return PayoutMethod.from_json(stored)


def to_document(record: PayoutRecord, sealer: Sealer) -> dict[str, Any]:
    """The record as a document (``_id`` is the payout id); ``attention`` mirrors ``needs_attention``; the
    method sealed with ``sealer``."""
    p = record.payout
    return {
        "_id": p.id,
        "userId": p.user_id,
        "amount": p.amount_minor,
        "currency": p.currency,
        "method": seal_method(p.method, p.id, sealer),
        "status": p.status.value,
        "adminNote": p.admin_note,
        "processedBy": p.processed_by,
        "transactionId": p.transaction_id,
        "providerReference": p.provider_reference,
        "failureReason": p.failure_reason,
        "refundTransactionId": p.refund_transaction_id,
        "refundedAmount": p.refunded_amount,
        "history": [
            {"status": h.status.value, "at": format_utc(h.at), "by": h.by, "note": h.note} for h in p.history
        ],
        "approvals": [{"by": a.by, "at": format_utc(a.at), "note": a.note} for a in p.approvals],
        "reviewReasons": [
            {"rule": r.rule, "message": r.message, "at": format_utc(r.at)} for r in p.review_reasons
        ],
        "needsDualApproval": p.needs_dual_approval,
        "tds": p.tds,
        "netAmount": p.net_amount,
        "netWinnings": p.net_winnings,
        "financialYear": p.financial_year,
        "createdAt": format_utc(p.created_at),
        "updatedAt": format_utc(p.updated_at),
        "version": p.version,
        "requestKey": record.request_key,
        "fingerprint": record.fingerprint,
        "destination": record.destination,
        "holdPlaced": record.hold_placed,
        "pendingFunds": None if record.pending is None else {
            "action": record.pending.action.value,
            "reason": record.pending.reason,
            "providerReference": record.pending.provider_reference,
            "amountReversed": record.pending.amount_reversed,
        },
        "attention": record.needs_attention,
    }


def from_document(doc: dict[str, Any], sealer: Sealer) -> PayoutRecord:
    """Rebuild a record written by ``to_document`` (or, with its method in the clear, before sealing)."""
    payout = PayoutRequest(
        id=doc["_id"],
        user_id=doc["userId"],
        amount_minor=doc["amount"],
        currency=doc["currency"],
        method=open_method(doc["method"], doc["_id"], sealer),
        status=PayoutStatus(doc["status"]),
        created_at=parse_utc(doc["createdAt"]),
        updated_at=parse_utc(doc["updatedAt"]),
        history=[
            HistoryEntry(PayoutStatus(h["status"]), parse_utc(h["at"]), h["by"], h.get("note"))
            for h in doc["history"]
        ],
        admin_note=doc.get("adminNote"),
        processed_by=doc.get("processedBy"),
        transaction_id=doc.get("transactionId"),
        provider_reference=doc.get("providerReference"),
        failure_reason=doc.get("failureReason"),
        refund_transaction_id=doc.get("refundTransactionId"),
        version=doc["version"],
        refunded_amount=doc.get("refundedAmount", 0),
        approvals=[Approval(a["by"], parse_utc(a["at"]), a.get("note")) for a in doc.get("approvals") or ()],
        review_reasons=[
            ReviewReason(r["rule"], r["message"], parse_utc(r["at"])) for r in doc.get("reviewReasons") or ()
        ],
        needs_dual_approval=bool(doc.get("needsDualApproval", False)),
        tds=doc.get("tds", 0),
        net_winnings=doc.get("netWinnings", 0),
        financial_year=doc.get("financialYear", ""),
    )
    pending = doc.get("pendingFunds")
    return PayoutRecord(
        payout=payout,
        fingerprint=doc["fingerprint"],
        request_key=doc.get("requestKey"),
        hold_placed=bool(doc["holdPlaced"]),
        destination=doc.get("destination"),
        pending=None if pending is None else PendingFunds(
            HoldAction(pending["action"]), pending.get("reason"), pending.get("providerReference"),
            pending.get("amountReversed"),
        ),
    )


def next_version(record: PayoutRecord, expected_version: int) -> int:
    """The version a successful ``save`` stores: past ``expected_version`` even when no transition bumped it."""
    if record.payout.version < expected_version:
        raise ValueError(f"payout {record.payout.id} is at version {record.payout.version}, behind {expected_version}")
    return max(record.payout.version, expected_version + 1)
