"""``GET /api/admin/analytics``: money moved per UTC day, as the wallet (the owner of the books) sums it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from api_gateway.context import GatewayContext, context, require_roles
from api_gateway.domain.model import Principal, Role
from api_gateway.envelope import EnvelopeResponse, ok
from api_gateway.query import only_params
from api_gateway.schemas.errors import error_responses
from api_gateway.schemas.openapi import AUTHENTICATED, documented
from api_gateway.schemas.requests import AnalyticsQuery
from api_gateway.schemas.responses import Analytics, envelope
from winzone.wallet.v1 import wallet_pb2 as wpb
from winzone_kernel.errors import InvalidArgument
from winzone_kernel.money import to_major

router = APIRouter(tags=["admin"])

Admin = Annotated[Principal, Depends(require_roles(Role.ADMIN))]
FIGURES = (("topups", "topups"), ("payouts", "payouts"), ("entryFees", "entry_fees"), ("rewards", "rewards"),
           ("platformFees", "platform_fees"), ("organizerFees", "organizer_fees"), ("refunds", "refunds"))
"""REST name → field of ``winzone.wallet.v1.ActivityFigures``."""


def _param(request: Request, name: str, default: str | None = None) -> str:
    values = request.query_params.getlist(name)
    if len(values) > 1:
        raise InvalidArgument(f"{name} may be given once", code="VALIDATION_ERROR")
    if not values or values[0] == "":
        if default is None:
            raise InvalidArgument(f"{name} is required (YYYY-MM-DD)", code="VALIDATION_ERROR")
        return default
    return values[0][:32]


def _figures(figures: wpb.ActivityFigures, currency: str) -> dict[str, Any]:
    return {name: to_major(getattr(figures, field), currency) for name, field in FIGURES}


@router.get(
    "/api/admin/analytics", response_model=envelope(Analytics), dependencies=AUTHENTICATED,
    openapi_extra=documented(query=AnalyticsQuery),
    responses=error_responses(bad_request=["VALIDATION_ERROR", "INVALID_DATE", "INVALID_RANGE", "INVALID_CURRENCY"],
                              forbidden=["FORBIDDEN"]),
)
async def analytics(request: Request, who: Admin, ctx: Annotated[GatewayContext, Depends(context)]
                    ) -> EnvelopeResponse:
    """Admin only: per UTC day from ``from`` to ``to`` (both included, at most 366 days) in one currency (default
    INR), the top-ups credited, payouts paid out, entry fees, rewards, platform and organizer fees and refunds,
    from completed movements only, as positive exact decimals; every day of the range is present, zeros
    included, and ``totals`` sums them."""
    only_params(request, "from", "to", "currency")
    first, last, currency = _param(request, "from"), _param(request, "to"), _param(request, "currency", "INR")
    summary = await ctx.stubs["wallet"].SummarizeActivity(wpb.SummarizeActivityRequest(
        from_date=first, to_date=last, currency=currency))
    data = {
        "from": summary.from_date, "to": summary.to_date, "currency": summary.currency,
        "days": [{"date": d.date, **_figures(d.figures, summary.currency)} for d in summary.days],
        "totals": _figures(summary.totals, summary.currency),
    }
    return ok("Analytics fetched successfully", data)
