"""Admin money and tax: ``POST /api/admin/users/{id}/bonus`` (a promotion into a user's bonus fund) and
``GET /api/admin/tax/tds`` (the platform's TDS return data, JSON or CSV).

A bonus grant moves money, so it requires an ``Idempotency-Key``; the key is scoped to the granting admin, so
two admins never meet each other's keys. The wallet owns grants and the TDS figures; PANs come masked from the
payout service.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from api_gateway.body import amount_field, currency_field, json_body, optional_str, required_str
from api_gateway.context import GatewayContext, context, require_roles
from api_gateway.domain.model import Principal, Role
from api_gateway.domain.periods import MOMENT_PATTERN
from api_gateway.envelope import EnvelopeResponse, ok
from api_gateway.idempotency import REQUIRED_KEY_CODES, client_key, key_header
from api_gateway.query import only_params
from api_gateway.routes.statements import (
    CSV_TYPE,
    attachment,
    document_format,
    financial_year,
    masked_pan,
    param,
    query_currency,
)
from api_gateway.schemas.errors import AMOUNT_CODES, error_responses
from api_gateway.schemas.openapi import AUTHENTICATED, documented
from api_gateway.schemas.requests import MAX_NOTE, GrantBonusBody, TdsReportQuery
from api_gateway.schemas.responses import TdsReport, Transaction, envelope
from api_gateway.serializers import transaction_json
from api_gateway.statements.tables import tds_report_csv
from winzone.wallet.v1 import wallet_pb2 as wpb
from winzone_kernel.clock import format_utc, utc_now
from winzone_kernel.errors import InvalidArgument, NotFound, PermissionDenied
from winzone_kernel.money import to_major

router = APIRouter(tags=["admin"])

Admin = Annotated[Principal, Depends(require_roles(Role.ADMIN))]
Ctx = Annotated[GatewayContext, Depends(context)]
Body = Annotated[dict[str, Any], Depends(json_body)]

MAX_USER_ID = 128
QUARTERS = ("Q1", "Q2", "Q3", "Q4")
PAN_LOOKUPS = 16
BONUS_FIELDS = ("amount", "currency", "reason", "expiresAt")
BONUS_KEY = key_header("Required: makes the grant happen once. Scoped to the admin: the same key and body return "
                       "the first transaction (or the same refusal); another body is 409.", required=True)


def _only_fields(body: dict[str, Any], *names: str) -> None:
    unknown = sorted(name for name in body if name not in names)
    if unknown:
        raise InvalidArgument(f"Unknown field {unknown[0][:64]!r}", code="VALIDATION_ERROR")


def expiry_field(body: dict[str, Any], now: datetime) -> str:
    """``expiresAt`` as a ledger timestamp ("" when left out); an RFC 3339 time with an offset, in the future."""
    raw = optional_str(body, "expiresAt", max_length=40)
    if raw is None:
        return ""
    if not MOMENT_PATTERN.fullmatch(raw):
        raise InvalidArgument("expiresAt must be an RFC 3339 time with an offset", code="INVALID_EXPIRY")
    try:
        moment = datetime.fromisoformat(raw.replace("z", "Z").replace("t", "T"))
    except ValueError as exc:
        raise InvalidArgument("expiresAt must be an RFC 3339 time with an offset", code="INVALID_EXPIRY") from exc
    if moment <= now:
        raise InvalidArgument("expiresAt must be in the future", code="INVALID_EXPIRY")
    return format_utc(moment)


async def _known_user(ctx: GatewayContext, user_id: str) -> str:
    if len(user_id) > MAX_USER_ID or not await asyncio.to_thread(ctx.directory.exists, user_id):
        raise NotFound("User not found", code="USER_NOT_FOUND")
    return user_id


@router.post(
    "/api/admin/users/{user_id}/bonus", status_code=201, response_model=envelope(Transaction),
    dependencies=AUTHENTICATED, openapi_extra=documented(body=GrantBonusBody, headers=[BONUS_KEY]),
    responses=error_responses(
        body=True, path=True,
        bad_request=[*AMOUNT_CODES, *REQUIRED_KEY_CODES, "VALIDATION_ERROR", "INVALID_EXPIRY"],
        forbidden=["FORBIDDEN", "SELF_GRANT_FORBIDDEN"], not_found=["USER_NOT_FOUND"],
        conflict=["IDEMPOTENCY_CONFLICT"]),
)
async def grant_bonus(user_id: str, request: Request, who: Admin, body: Body, ctx: Ctx) -> EnvelopeResponse:
    """``{amount, currency?, reason, expiresAt?}`` → the user's ``bonus`` Transaction (admin only): a promotion
    into the bonus fund, spent only on entry fees (up to the configured share of each fee) and never withdrawable;
    what is left at ``expiresAt`` expires. An admin cannot grant a bonus to their own wallet."""
    key = client_key(request, required=True)
    if user_id == who.user_id:
        raise PermissionDenied("An admin cannot grant a bonus to their own wallet", code="SELF_GRANT_FORBIDDEN")
    _only_fields(body, *BONUS_FIELDS)
    currency = currency_field(body)
    amount = amount_field(body, currency)
    reason = required_str(body, "reason", max_length=MAX_NOTE)
    expires_at = expiry_field(body, utc_now())
    await _known_user(ctx, user_id)
    reply = await ctx.wallet.GrantBonus(wpb.GrantBonusRequest(
        idempotency_key=f"admin_bonus_{who.user_id}_{key}", user_id=user_id, amount=amount, currency=currency,
        reason=reason, expires_at=expires_at, granted_by=who.user_id))
    leg = next((t for t in reply.posting.transactions if t.user_id == user_id), None)
    if leg is None:
        leg = wpb.Transaction(id=reply.grant.transaction_id, user_id=user_id, type="bonus", amount=reply.grant.amount,
                              currency=reply.grant.currency, status="completed", fund="bonus",
                              created_at=reply.grant.created_at, updated_at=reply.grant.created_at)
    message = "Bonus already granted" if reply.posting.replayed else "Bonus granted"
    return ok(message, transaction_json(leg), status=201)


def quarter_param(request: Request) -> str:
    """``?quarter=`` Q1..Q4 ("" for every quarter)."""
    value = param(request, "quarter")
    if value and value not in QUARTERS:
        raise InvalidArgument("quarter must be Q1, Q2, Q3 or Q4", code="INVALID_QUARTER")
    return value


async def _pans(ctx: GatewayContext, user_ids: list[str]) -> dict[str, str | None]:
    gate = asyncio.Semaphore(PAN_LOOKUPS)

    async def one(user_id: str) -> str | None:
        async with gate:
            return await masked_pan(ctx, user_id)

    found = await asyncio.gather(*(one(user_id) for user_id in user_ids))
    return dict(zip(user_ids, found, strict=True))


def tds_report_json(r: wpb.TdsReportResponse, quarter: str, pans: dict[str, str | None]) -> dict[str, Any]:
    """The wallet's TDS report in the REST shape, each user with the masked PAN."""
    c = r.currency
    lines = [{"userId": line.user_id, "pan": pans.get(line.user_id), "quarter": line.quarter,
              "netWinnings": to_major(line.net_winnings, c), "tds": to_major(line.tds, c),
              "withdrawals": line.withdrawals} for line in r.lines]
    return {"fy": r.financial_year, "quarter": quarter or None, "currency": c, "lines": lines,
            "totals": {"netWinnings": to_major(r.total_net_winnings, c), "tds": to_major(r.total_tds, c),
                       "withdrawals": sum(line.withdrawals for line in r.lines)}}


@router.get(
    "/api/admin/tax/tds", response_model=envelope(TdsReport), dependencies=AUTHENTICATED,
    openapi_extra=documented(query=TdsReportQuery),
    responses={**error_responses(bad_request=["VALIDATION_ERROR", "INVALID_FINANCIAL_YEAR", "INVALID_QUARTER",
                                              "INVALID_FORMAT", "INVALID_CURRENCY"], forbidden=["FORBIDDEN"]),
               200: {"description": "The envelope (format=json) or a CSV table (format=csv, one row per user and "
                                    "quarter, a header row) as an attachment.",
                     "content": {"text/csv": {"schema": {"type": "string"}}}}},
)
async def tds_report(request: Request, who: Admin, ctx: Ctx) -> Response:
    """Admin only: per user and quarter of financial year ``fy`` (default the current one; ``quarter`` for one
    quarter), net winnings and TDS of paid withdrawals and of the year-end step (Q4), the masked PAN, and the
    totals; ``format=csv`` downloads it."""
    only_params(request, "fy", "quarter", "format", "currency")
    fmt = document_format(request, ("json", "csv"))
    currency, fy, quarter = query_currency(request), financial_year(request), quarter_param(request)
    reply = await ctx.wallet.TdsReport(wpb.TdsReportRequest(financial_year=fy, quarter=quarter, currency=currency))
    pans = await _pans(ctx, sorted({line.user_id for line in reply.lines}))
    data = tds_report_json(reply, quarter, pans)
    if fmt == "csv":
        suffix = f"-{quarter}" if quarter else ""
        return attachment(tds_report_csv(data), CSV_TYPE, f"winzone-tds-{data['fy']}{suffix}.csv")
    return ok("TDS report fetched successfully", data)
