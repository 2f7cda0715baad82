"""Player protection: ``/api/kyc`` and the admin KYC review, ``/api/wallet/limits`` and
``/api/wallet/self-exclusion`` for the caller's own controls, and the admin's view of one user.

The payout service owns KYC (it validates PAN, name and age, seals the PAN and answers it masked); the wallet
service owns limits and self-exclusion (and enforces them where money moves). These routes parse strictly,
always name the caller (a player never reads or changes anyone else's), and shape the answers.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, get_args

from fastapi import APIRouter, Depends, Request

from api_gateway.body import json_body, optional_str, required_str
from api_gateway.context import GatewayContext, context, principal, require_roles
from api_gateway.domain.model import Principal, Role
from api_gateway.envelope import EnvelopeResponse, ok, pagination
from api_gateway.query import ListQuery, only_params
from api_gateway.schemas.errors import AMOUNT_CODES, error_responses
from api_gateway.schemas.openapi import AUTHENTICATED, documented
from api_gateway.schemas.requests import (
    MAX_EXCLUSION_DAYS,
    MAX_KYC_NAME,
    MAX_NOTE,
    MIN_EXCLUSION_DAYS,
    KycBody,
    KycQuery,
    KycReviewStatus,
    LimitsBody,
    LimitsQuery,
    RejectKycBody,
    SelfExclusionBody,
    VerifyKycBody,
)
from api_gateway.schemas.responses import Kyc, Limits, Protection, SelfExclusion, envelope, list_envelope
from api_gateway.serializers import LIMIT_NAMES, kyc_json, limits_json, self_exclusion_json
from winzone.payouts.v1 import payouts_pb2 as opb
from winzone.wallet.v1 import wallet_pb2 as wpb
from winzone_kernel.errors import InvalidArgument, NotFound
from winzone_kernel.money import CURRENCIES, DEFAULT_CURRENCY, currency_of, to_minor

router = APIRouter(tags=["protection"])

KYC_STATUSES = frozenset(get_args(KycReviewStatus))
CURRENCY_CODES = frozenset(CURRENCIES)
LIMIT_FIELDS = {rest: name for name, rest in LIMIT_NAMES.items()}
MAX_USER_ID = 128

Who = Annotated[Principal, Depends(principal)]
Admin = Annotated[Principal, Depends(require_roles(Role.ADMIN))]
Ctx = Annotated[GatewayContext, Depends(context)]
Body = Annotated[dict[str, Any], Depends(json_body)]



def _kyc_review_errors(*bad_request: str) -> dict[int | str, dict[str, Any]]:
    return error_responses(body=True, path=True, bad_request=["VALIDATION_ERROR", *bad_request],
                           forbidden=["FORBIDDEN", "SELF_REVIEW_FORBIDDEN"],
                           not_found=["USER_NOT_FOUND", "KYC_NOT_FOUND"],
                           conflict=["INVALID_KYC_STATE", "KYC_NOT_CONFIGURED"])


def _only_fields(body: dict[str, Any], *names: str) -> None:
    unknown = sorted(name for name in body if name not in names)
    if unknown:
        raise InvalidArgument(f"Unknown field {unknown[0][:64]!r}", code="VALIDATION_ERROR")


def _currency(request: Request) -> str:
    only_params(request, "currency")
    query = ListQuery.parse(request, currency=CURRENCY_CODES)
    return query.filters["currency"] or DEFAULT_CURRENCY


async def _known_user(ctx: GatewayContext, user_id: str) -> str:
    """``user_id`` when a user has it; 404 otherwise (admin routes name users by id)."""
    if len(user_id) > MAX_USER_ID or not await asyncio.to_thread(ctx.directory.exists, user_id):
        raise NotFound("User not found", code="USER_NOT_FOUND")
    return user_id


async def _controls(ctx: GatewayContext, user_id: str, currency: str) -> wpb.PlayerControls:
    reply: wpb.PlayerControls = await ctx.wallet.GetPlayerControls(
        wpb.GetPlayerControlsRequest(user_id=user_id, currency=currency))
    return reply


def _limit_changes(body: dict[str, Any], currency: str) -> list[wpb.LimitChange]:
    changes = []
    for field, name in LIMIT_FIELDS.items():
        if field not in body:
            continue
        value = body[field]
        if value is None:
            changes.append(wpb.LimitChange(limit=name, remove=True))
        else:
            changes.append(wpb.LimitChange(limit=name, amount=to_minor(value, currency)))
    return changes


def _exclusion_request(user_id: str, body: dict[str, Any]) -> wpb.SelfExcludeRequest:
    _only_fields(body, "days", "permanent")
    days, permanent = body.get("days"), body.get("permanent")
    if permanent is not None and permanent is not True:
        raise InvalidArgument("permanent must be true", code="VALIDATION_ERROR")
    if (days is None) == (permanent is None):
        raise InvalidArgument("Give either days (7-365) or permanent: true", code="INVALID_DAYS")
    if permanent:
        return wpb.SelfExcludeRequest(user_id=user_id, permanent=True)
    if isinstance(days, bool) or not isinstance(days, int) or not MIN_EXCLUSION_DAYS <= days <= MAX_EXCLUSION_DAYS:
        raise InvalidArgument(f"days must be a whole number from {MIN_EXCLUSION_DAYS} to {MAX_EXCLUSION_DAYS}",
                              code="INVALID_DAYS")
    return wpb.SelfExcludeRequest(user_id=user_id, days=days)


@router.post(
    "/api/kyc", status_code=201, response_model=envelope(Kyc), dependencies=AUTHENTICATED,
    openapi_extra=documented(body=KycBody),
    responses=error_responses(body=True, bad_request=["VALIDATION_ERROR", "INVALID_PAN", "INVALID_NAME",
                                                      "INVALID_DATE_OF_BIRTH", "UNDER_AGE"],
                              conflict=["KYC_ALREADY_SUBMITTED", "PAN_IN_USE", "KYC_NOT_CONFIGURED"]),
)
async def submit_kyc(who: Who, body: Body, ctx: Ctx) -> EnvelopeResponse:
    """``{pan, name, dateOfBirth}`` → the caller's KYC record, ``pending`` (the PAN answered masked). Again
    after a rejection or a flag; a PAN another account holds is 409 ``PAN_IN_USE`` and flags this one."""
    _only_fields(body, "pan", "name", "dateOfBirth")
    pan = required_str(body, "pan", max_length=32)
    name = required_str(body, "name", max_length=MAX_KYC_NAME * 2)
    date_of_birth = required_str(body, "dateOfBirth", max_length=32)
    record = await ctx.stubs["payouts"].SubmitKyc(opb.SubmitKycRequest(
        user_id=who.user_id, pan=pan, name=name, date_of_birth=date_of_birth))
    return ok("KYC submitted for review", kyc_json(record), status=201)


@router.get("/api/kyc", response_model=envelope(Kyc), dependencies=AUTHENTICATED,
            responses=error_responses(bad_request=["VALIDATION_ERROR"], conflict=["KYC_NOT_CONFIGURED"]))
async def my_kyc(request: Request, who: Who, ctx: Ctx) -> EnvelopeResponse:
    """The caller's KYC record; ``status: none`` when never submitted."""
    only_params(request)
    record = await ctx.stubs["payouts"].GetKyc(opb.GetKycRequest(user_id=who.user_id))
    return ok("KYC fetched successfully", kyc_json(record) | {"userId": who.user_id})


@router.get("/api/admin/kyc", response_model=list_envelope(Kyc), dependencies=AUTHENTICATED,
            responses=error_responses(bad_request=["VALIDATION_ERROR"], forbidden=["FORBIDDEN"],
                                      conflict=["KYC_NOT_CONFIGURED"]),
            openapi_extra=documented(query=KycQuery))
async def list_kyc(request: Request, who: Admin, ctx: Ctx) -> EnvelopeResponse:
    """KYC records (admin only), oldest submission first (``?status=pending&page=&limit=``); ``flagged`` are
    the accounts that submitted a PAN another account holds."""
    only_params(request, "status", "page", "limit")
    query = ListQuery.parse(request, status=KYC_STATUSES)
    reply = await ctx.stubs["payouts"].ListKyc(opb.ListKycRequest(
        status=query.filters["status"], page=query.page, limit=query.limit))
    return ok("KYC records fetched successfully", [kyc_json(r) for r in reply.records],
              pagination=pagination(query.page, query.limit, reply.total))


@router.put("/api/admin/kyc/{user_id}/verify", response_model=envelope(Kyc), dependencies=AUTHENTICATED,
            openapi_extra=documented(body=VerifyKycBody, body_required=False),
            responses=_kyc_review_errors("INVALID_NOTE"))
async def verify_kyc(user_id: str, who: Admin, body: Body, ctx: Ctx) -> EnvelopeResponse:
    """``{note?}`` → the user's KYC record, ``verified`` (admin only; not one's own)."""
    _only_fields(body, "note")
    note = optional_str(body, "note", max_length=MAX_NOTE)
    await _known_user(ctx, user_id)
    record = await ctx.stubs["payouts"].VerifyKyc(opb.VerifyKycRequest(
        user_id=user_id, admin_id=who.user_id, note=note or ""))
    return ok("KYC verified", kyc_json(record))


@router.put("/api/admin/kyc/{user_id}/reject", response_model=envelope(Kyc), dependencies=AUTHENTICATED,
            openapi_extra=documented(body=RejectKycBody),
            responses=_kyc_review_errors("INVALID_REASON"))
async def reject_kyc(user_id: str, who: Admin, body: Body, ctx: Ctx) -> EnvelopeResponse:
    """``{reason}`` → the user's KYC record, ``rejected`` (admin only; not one's own); the user may submit
    again."""
    _only_fields(body, "reason")
    reason = required_str(body, "reason", max_length=MAX_NOTE)
    await _known_user(ctx, user_id)
    record = await ctx.stubs["payouts"].RejectKyc(opb.RejectKycRequest(
        user_id=user_id, admin_id=who.user_id, reason=reason))
    return ok("KYC rejected", kyc_json(record))


@router.get("/api/wallet/limits", response_model=envelope(Limits), dependencies=AUTHENTICATED,
            responses=error_responses(bad_request=["VALIDATION_ERROR"]), openapi_extra=documented(query=LimitsQuery))
async def my_limits(request: Request, who: Who, ctx: Ctx) -> EnvelopeResponse:
    """The caller's deposit and entry limits in one currency (``?currency=``, default INR) and the changes
    waiting out their cooling-off."""
    currency = _currency(request)
    return ok("Limits fetched successfully", limits_json(await _controls(ctx, who.user_id, currency), currency))


@router.put(
    "/api/wallet/limits", response_model=envelope(Limits), dependencies=AUTHENTICATED,
    openapi_extra=documented(body=LimitsBody),
    responses=error_responses(body=True, bad_request=[*AMOUNT_CODES, "VALIDATION_ERROR", "INVALID_LIMIT"]),
)
async def set_limits(who: Who, body: Body, ctx: Ctx) -> EnvelopeResponse:
    """``{depositDaily?, depositMonthly?, entryDaily?, currency?}``: each a number (major units) or ``null`` to
    remove it. Lowering (or a first limit) applies at once; raising or removing applies 24 hours later and
    shows in ``pending`` until then."""
    _only_fields(body, *LIMIT_FIELDS, "currency")
    currency = currency_of(body.get("currency", DEFAULT_CURRENCY)).code
    changes = _limit_changes(body, currency)
    reply = await ctx.wallet.SetLimits(wpb.SetLimitsRequest(user_id=who.user_id, currency=currency, changes=changes))
    return ok("Limits updated", limits_json(reply, currency))


@router.post(
    "/api/wallet/self-exclusion", response_model=envelope(SelfExclusion), dependencies=AUTHENTICATED,
    openapi_extra=documented(body=SelfExclusionBody),
    responses=error_responses(body=True, bad_request=["VALIDATION_ERROR", "INVALID_DAYS"]),
)
async def self_exclude(who: Who, body: Body, ctx: Ctx) -> EnvelopeResponse:
    """``{days}`` (7-365) or ``{permanent: true}``: no top-ups, entry fees or sponsorship until it ends (never,
    if permanent); payouts of what is in the wallet still work. It only ever lengthens and cannot be lifted."""
    reply = await ctx.wallet.SelfExclude(_exclusion_request(who.user_id, body))
    return ok("Self-exclusion in force", self_exclusion_json(reply))


@router.get("/api/wallet/self-exclusion", response_model=envelope(SelfExclusion), dependencies=AUTHENTICATED,
            responses=error_responses(bad_request=["VALIDATION_ERROR"]))
async def my_self_exclusion(request: Request, who: Who, ctx: Ctx) -> EnvelopeResponse:
    """Whether the caller is self-excluded, until when, and since when."""
    only_params(request)
    return ok("Self-exclusion fetched successfully",
              self_exclusion_json(await _controls(ctx, who.user_id, DEFAULT_CURRENCY)))


@router.get("/api/admin/users/{user_id}/protection", response_model=envelope(Protection), dependencies=AUTHENTICATED,
            responses=error_responses(bad_request=["VALIDATION_ERROR"], forbidden=["FORBIDDEN"],
                                      not_found=["USER_NOT_FOUND"], conflict=["KYC_NOT_CONFIGURED"], path=True),
            openapi_extra=documented(query=LimitsQuery))
async def user_protection(user_id: str, request: Request, who: Admin, ctx: Ctx) -> EnvelopeResponse:
    """One user's KYC, limits (``?currency=``, default INR) and self-exclusion (admin only)."""
    currency = _currency(request)
    await _known_user(ctx, user_id)
    record, controls = await asyncio.gather(
        ctx.stubs["payouts"].GetKyc(opb.GetKycRequest(user_id=user_id)), _controls(ctx, user_id, currency))
    data = {"userId": user_id, "kyc": kyc_json(record) | {"userId": user_id},
            "limits": limits_json(controls, currency), "selfExclusion": self_exclusion_json(controls)}
    return ok("Protection fetched successfully", data)
