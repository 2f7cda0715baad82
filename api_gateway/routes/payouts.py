"""Payout requests: ``/api/wallet/payout-request(s)`` for players, ``/api/admin/payouts`` for admins.

The payout service validates everything about a payout (method, limits, funds, state); these routes parse
the request strictly, pass the caller's identity down (a player only ever sees their own payouts: anyone
else's is 404), and shape the answer. Payout methods arrive here masked and leave masked.
"""

from __future__ import annotations

from typing import Annotated, Any, get_args

import simplejson
from fastapi import APIRouter, Depends, Request

from api_gateway.body import amount_field, currency_field, json_body, optional_str, required_str
from api_gateway.context import GatewayContext, context, principal, require_roles
from api_gateway.domain.model import Principal, Role
from api_gateway.envelope import EnvelopeResponse, ok, pagination
from api_gateway.idempotency import KEY_CODES, client_key, key_header
from api_gateway.query import ListQuery
from api_gateway.schemas.errors import AMOUNT_CODES, error_responses
from api_gateway.schemas.openapi import AUTHENTICATED, documented
from api_gateway.schemas.requests import (
    MAX_NOTE,
    AdminPayoutQuery,
    ApprovePayoutBody,
    PayoutQuery,
    PayoutRequestBody,
    PayoutStatus,
    RejectPayoutBody,
    ReleasePayoutBody,
)
from api_gateway.schemas.responses import PayoutRequest, envelope, list_envelope
from api_gateway.serializers import approvals_json, review_reasons_json
from winzone.payouts.v1 import payouts_pb2 as pb
from winzone_kernel.money import to_major

router = APIRouter(tags=["payouts"])

STATUSES = frozenset(get_args(PayoutStatus))
NOTE_MAX_LENGTH = MAX_NOTE

PAYOUT_KEY = key_header("Scoped to the caller: the same key and body return the first payout request (or the "
                        "same refusal); another body is 409. Clients should always send one: a request retried "
                        "without a key after a lost answer is a second payout request.")

Who = Annotated[Principal, Depends(principal)]
Admin = Annotated[Principal, Depends(require_roles(Role.ADMIN))]
Ctx = Annotated[GatewayContext, Depends(context)]
Body = Annotated[dict[str, Any], Depends(json_body)]


def _optional(message: Any, name: str) -> str | None:
    return getattr(message, name) if message.HasField(name) else None


def payout_json(p: pb.PayoutRequest) -> dict[str, Any]:
    """The PayoutRequest of API.md; the method is already masked by the payout service."""
    return {
        "_id": p.id,
        "userId": p.user_id,
        "amount": to_major(p.amount, p.currency),
        "currency": p.currency,
        "method": {"type": p.method.type, "details": dict(p.method.details)},
        "status": p.status,
        "adminNote": _optional(p, "admin_note"),
        "processedBy": _optional(p, "processed_by"),
        "transactionId": _optional(p, "transaction_id"),
        "providerReference": _optional(p, "provider_reference"),
        "failureReason": _optional(p, "failure_reason"),
        "refundedAmount": to_major(p.refunded_amount, p.currency),
        "tds": to_major(p.tds, p.currency),
        "netAmount": to_major(p.net_amount if p.net_amount or p.tds else p.amount, p.currency),
        "netWinnings": to_major(p.net_winnings, p.currency),
        "financialYear": p.financial_year or None,
        "history": [{"status": h.status, "at": h.at, "by": h.by, "note": _optional(h, "note")} for h in p.history],
        "approvals": approvals_json(p),
        "reviewReasons": review_reasons_json(p),
        "needsDualApproval": p.needs_dual_approval,
        "createdAt": p.created_at,
        "updatedAt": p.updated_at,
    }


def _method_json(body: dict[str, Any]) -> str:
    """The method exactly as sent, re-encoded for the payout service (which trusts none of it)."""
    if "method" not in body:
        return ""
    return simplejson.dumps(body["method"], use_decimal=True, separators=(",", ":"))


async def _list(ctx: GatewayContext, query: ListQuery, user_id: str) -> EnvelopeResponse:
    response = await ctx.stubs["payouts"].ListPayoutRequests(pb.ListPayoutRequestsRequest(
        user_id=user_id, status=query.filters.get("status", ""), page=query.page, limit=query.limit,
    ))
    return ok("Payout requests fetched successfully", [payout_json(p) for p in response.payouts],
              pagination=pagination(query.page, query.limit, response.total))


@router.post(
    "/api/wallet/payout-request", status_code=201, response_model=envelope(PayoutRequest), dependencies=AUTHENTICATED,
    openapi_extra=documented(body=PayoutRequestBody, headers=[PAYOUT_KEY]),
    responses=error_responses(
        body=True, bad_request=[*AMOUNT_CODES, *KEY_CODES, "INVALID_PAYOUT_METHOD", "INSUFFICIENT_FUNDS",
                                "VALIDATION_ERROR"],
        conflict=["IDEMPOTENCY_CONFLICT", "ACCOUNT_RESTRICTED", "KYC_REQUIRED", "KYC_NAME_MISMATCH", "LIMIT_EXCEEDED"],
        unavailable=["PAYOUT_BUSY", "PAYOUT_HOLD_CONFLICT", "PAYOUT_WITHDRAWN"]),
)
async def request_payout(request: Request, who: Who, body: Body, ctx: Ctx) -> EnvelopeResponse:
    """``{amount, currency?, method: {type, details}}`` → PayoutRequest; the amount is held at once.

    An ``Idempotency-Key`` header (scoped to the caller) returns the same payout for the same body, and is
    409 with a different one.
    """
    key = client_key(request, required=False)
    currency = currency_field(body)
    amount = amount_field(body, currency)
    response = await ctx.stubs["payouts"].CreatePayoutRequest(pb.CreatePayoutRequestRequest(
        user_id=who.user_id, amount=amount, currency=currency, method_json=_method_json(body),
        idempotency_key=key,
    ))
    return ok("Payout request submitted successfully", payout_json(response.payout), status=201)


@router.get("/api/wallet/payout-requests", response_model=list_envelope(PayoutRequest), dependencies=AUTHENTICATED,
            responses=error_responses(bad_request=["VALIDATION_ERROR"]), openapi_extra=documented(query=PayoutQuery))
async def my_payout_requests(request: Request, who: Who, ctx: Ctx) -> EnvelopeResponse:
    """The caller's payout requests, newest first (``?status=&page=&limit=``)."""
    return await _list(ctx, ListQuery.parse(request, status=STATUSES), who.user_id)


@router.get("/api/wallet/payout-requests/{payout_id}", response_model=envelope(PayoutRequest),
            dependencies=AUTHENTICATED, responses=error_responses(not_found=["PAYOUT_NOT_FOUND"], path=True))
async def get_payout_request(payout_id: str, who: Who, ctx: Ctx) -> EnvelopeResponse:
    """One payout request: its owner or an admin; anyone else gets 404."""
    owner = "" if who.role == Role.ADMIN else who.user_id
    payout = await ctx.stubs["payouts"].GetPayoutRequest(pb.GetPayoutRequestRequest(payout_id=payout_id,
                                                                                     user_id=owner))
    return ok("Payout request fetched successfully", payout_json(payout))


@router.get("/api/admin/payouts", response_model=list_envelope(PayoutRequest), dependencies=AUTHENTICATED,
            responses=error_responses(bad_request=["VALIDATION_ERROR"], forbidden=["FORBIDDEN"]),
            openapi_extra=documented(query=AdminPayoutQuery))
async def all_payout_requests(request: Request, who: Admin, ctx: Ctx) -> EnvelopeResponse:
    """Every payout request (admin only), newest first (``?status=&userId=&page=&limit=``)."""
    query = ListQuery.parse(request, status=STATUSES, userId=None)
    return await _list(ctx, query, query.filters["userId"])


@router.put(
    "/api/admin/payouts/{payout_id}/approve", response_model=envelope(PayoutRequest), dependencies=AUTHENTICATED,
    openapi_extra=documented(body=ApprovePayoutBody, body_required=False),
    responses=error_responses(body=True, path=True, bad_request=["VALIDATION_ERROR", "INVALID_NOTE"],
                              forbidden=["FORBIDDEN", "SELF_APPROVAL_FORBIDDEN", "SECOND_APPROVAL_SAME_ADMIN"],
                              not_found=["PAYOUT_NOT_FOUND"], conflict=["INVALID_PAYOUT_STATE", "PAYOUT_HELD"],
                              unavailable=["PAYOUT_BUSY"]),
)
async def approve_payout(payout_id: str, who: Admin, body: Body, ctx: Ctx) -> EnvelopeResponse:
    """``{note?}`` → PayoutRequest: approved and sent to the payment provider (paid, failed, or still
    approved while the provider's answer is pending); at or above the dual-approval threshold the first
    approval leaves it ``awaiting_second_approval`` and a second, different admin's sends it. A held payout
    is 409 ``PAYOUT_HELD`` until released."""
    note = optional_str(body, "note", max_length=NOTE_MAX_LENGTH)
    payout = await ctx.stubs["payouts"].ApprovePayout(pb.ApprovePayoutRequest(
        payout_id=payout_id, admin_id=who.user_id, note=note or ""))
    messages = {"paid": "Payout approved and paid", "failed": "Payout approved but the payment failed"}
    return ok(messages.get(payout.status, "Payout approved and sent to the payment provider"), payout_json(payout))


@router.put(
    "/api/admin/payouts/{payout_id}/reject", response_model=envelope(PayoutRequest), dependencies=AUTHENTICATED,
    openapi_extra=documented(body=RejectPayoutBody),
    responses=error_responses(body=True, path=True, bad_request=["VALIDATION_ERROR", "INVALID_REASON"],
                              forbidden=["FORBIDDEN"], not_found=["PAYOUT_NOT_FOUND"],
                              conflict=["INVALID_PAYOUT_STATE"], unavailable=["PAYOUT_BUSY"]),
)
async def reject_payout(payout_id: str, who: Admin, body: Body, ctx: Ctx) -> EnvelopeResponse:
    """``{reason}`` → PayoutRequest: rejected, and the held funds are available again."""
    reason = optional_str(body, "reason", max_length=NOTE_MAX_LENGTH)
    payout = await ctx.stubs["payouts"].RejectPayout(pb.RejectPayoutRequest(
        payout_id=payout_id, admin_id=who.user_id, reason=reason or ""))
    return ok("Payout rejected and funds released", payout_json(payout))


@router.put(
    "/api/admin/payouts/{payout_id}/release", response_model=envelope(PayoutRequest), dependencies=AUTHENTICATED,
    openapi_extra=documented(body=ReleasePayoutBody),
    responses=error_responses(body=True, path=True, bad_request=["VALIDATION_ERROR", "INVALID_NOTE"],
                              forbidden=["FORBIDDEN", "SELF_APPROVAL_FORBIDDEN"], not_found=["PAYOUT_NOT_FOUND"],
                              conflict=["INVALID_PAYOUT_STATE"], unavailable=["PAYOUT_BUSY"]),
)
async def release_payout(payout_id: str, who: Admin, body: Body, ctx: Ctx) -> EnvelopeResponse:
    """``{note}`` → PayoutRequest: a payout a risk rule held continues to ``requested`` (and waits for
    approval); the payout's own user may not release it."""
    note = required_str(body, "note", max_length=NOTE_MAX_LENGTH)
    payout = await ctx.stubs["payouts"].ReleasePayout(pb.ReleasePayoutRequest(
        payout_id=payout_id, admin_id=who.user_id, note=note))
    return ok("Payout released for approval", payout_json(payout))
