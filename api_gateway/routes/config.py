"""``GET /api/config``: what a client must know before its first request, each figure from the service that owns
it (top-up limits and the provider from the payment gateway, payout limits from the payout service, fees from
the reward service)."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends

from api_gateway.context import GatewayContext, context
from api_gateway.envelope import EnvelopeResponse, ok
from api_gateway.schemas.errors import error_responses
from api_gateway.schemas.responses import PlatformConfig, envelope
from winzone.payments.v1 import payments_pb2 as ppb
from winzone.payouts.v1 import payouts_pb2 as opb
from winzone.rewards.v1 import rewards_pb2 as rpb
from winzone_kernel.funds_policy import LedgerPolicy
from winzone_kernel.money import CURRENCIES, DEFAULT_CURRENCY, to_major

router = APIRouter(tags=["config"])


def _bounds(limits: Any) -> dict[str, dict[str, Decimal]]:
    """``{currency: {min, max}}`` in major units from a reply's repeated ``{currency, min, max}``."""
    return {x.currency: {"min": to_major(x.min, x.currency), "max": to_major(x.max, x.currency)}
            for x in limits if x.currency in CURRENCIES}


def _risk(risk: opb.PayoutRisk) -> dict[str, Any]:
    """The payout risk rules; amounts in major units (the same scale for every currency, like the bounds)."""
    return {"kycRequired": risk.kyc_required,
            "dualApprovalThreshold": to_major(risk.dual_approval_threshold, DEFAULT_CURRENCY),
            "dailyCount": risk.daily_count, "dailyAmount": to_major(risk.daily_amount, DEFAULT_CURRENCY),
            "cooldownAfterTopupSeconds": risk.cooldown_after_topup_seconds, "minAge": risk.min_age}


def _funds_rules(rules: LedgerPolicy) -> dict[str, Any]:
    """The funds and tax rules the wallet applies (percentages as exact decimals)."""
    return {"tdsRate": rules.tds_rate, "withdrawableFunds": list(rules.withdrawable_funds),
            "bonusMaxShareOfEntry": rules.bonus_max_share_percent,
            "gstOnDepositPercent": rules.gst_on_deposit_percent,
            "gstOnPlatformFeePercent": rules.gst_on_platform_fee_percent}


@router.get("/api/config", response_model=envelope(PlatformConfig),
            responses=error_responses(authenticated=False))
async def platform_config(ctx: Annotated[GatewayContext, Depends(context)]) -> EnvelopeResponse:
    """Public (no sign-in): every currency with its minor-unit digits and the bounds of one top-up and one
    payout in it (``null`` where that service does not take the currency), the fee percentages of a
    distribution, the payment provider in use, and the funds and tax rules (TDS rate, the funds a payout draws
    on, the bonus share of an entry fee, GST). Amounts are exact decimals in major units."""
    topups, payouts, fees = await asyncio.gather(
        ctx.stubs["payments"].GetTopUpLimits(ppb.GetTopUpLimitsRequest()),
        ctx.stubs["payouts"].GetPayoutLimits(opb.GetPayoutLimitsRequest()),
        ctx.stubs["rewards"].GetFees(rpb.GetFeesRequest()),
    )
    topup, payout = _bounds(topups.limits), _bounds(payouts.limits)
    currencies = [{"code": code, "minorDigits": currency.exponent, "topup": topup.get(code), "payout": payout.get(code)}
                  for code, currency in sorted(CURRENCIES.items())]
    data = {"currencies": currencies, "platformFeePercentage": Decimal(fees.platform_fee_percentage),
            "organizerFeePercentage": Decimal(fees.organizer_fee_percentage), "paymentProvider": topups.provider,
            "payoutRisk": _risk(payouts.risk), **_funds_rules(ctx.settings.funds_rules)}
    return ok("Configuration fetched successfully", data)
