"""The caller's own statements: ``/api/wallet/statement`` (JSON, CSV, PDF), ``/api/wallet/tax-statement`` (JSON,
CSV, PDF) and ``/api/wallet/tds-estimate``.

Every figure comes from the wallet, for the signed-in caller only (no user id is ever read from the request);
the PAN of the tax statement comes masked from the payout service's KYC record.
"""

from __future__ import annotations

import asyncio
import re
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from api_gateway.context import GatewayContext, context, principal
from api_gateway.domain.model import Principal
from api_gateway.domain.periods import current_financial_year, financial_year_label, statement_period
from api_gateway.envelope import EnvelopeResponse, ok
from api_gateway.query import only_params
from api_gateway.schemas.errors import AMOUNT_CODES, error_responses
from api_gateway.schemas.openapi import AUTHENTICATED, documented
from api_gateway.schemas.requests import StatementQuery, TaxStatementQuery, TdsEstimateQuery
from api_gateway.schemas.responses import Statement, TaxStatement, TdsEstimate, envelope
from api_gateway.serializers import FUND_NAMES, funds_json, transaction_json
from api_gateway.statements.pdf import statement_pdf, tax_statement_pdf
from api_gateway.statements.tables import statement_csv, tax_statement_csv
from winzone.payouts.v1 import payouts_pb2 as opb
from winzone.wallet.v1 import wallet_pb2 as wpb
from winzone_kernel.clock import utc_now
from winzone_kernel.errors import FailedPrecondition, InvalidArgument
from winzone_kernel.money import CURRENCIES, DEFAULT_CURRENCY, currency_of, to_major, to_minor

router = APIRouter(tags=["wallet"])

Who = Annotated[Principal, Depends(principal)]
Ctx = Annotated[GatewayContext, Depends(context)]

FORMATS = ("json", "csv", "pdf")
AMOUNT_QUERY = re.compile(r"^[0-9]{1,16}(\.[0-9]{1,8})?$")
CSV_TYPE = "text/csv; charset=utf-8"
PDF_TYPE = "application/pdf"
FILE_RESPONSES: dict[int | str, dict[str, Any]] = {200: {
    "description": "The envelope (format=json), a CSV table (format=csv, one row per line, a header row) or a "
                   "PDF document (format=pdf), the files as attachments.",
    "content": {"text/csv": {"schema": {"type": "string"}},
                PDF_TYPE: {"schema": {"type": "string", "format": "binary"}}},
}}


def param(request: Request, name: str) -> str:
    """One query parameter ("" when absent), given at most once."""
    values = request.query_params.getlist(name)
    if len(values) > 1:
        raise InvalidArgument(f"{name} may be given once", code="VALIDATION_ERROR")
    return values[0] if values else ""


def document_format(request: Request, allowed: tuple[str, ...] = FORMATS) -> str:
    """``?format=`` (default json); ``INVALID_FORMAT`` for anything else."""
    value = param(request, "format") or "json"
    if value not in allowed:
        raise InvalidArgument(f"format must be one of {', '.join(allowed)}", code="INVALID_FORMAT")
    return value


def query_currency(request: Request) -> str:
    """``?currency=`` (default INR)."""
    value = param(request, "currency") or DEFAULT_CURRENCY
    if value not in CURRENCIES:
        raise InvalidArgument(f"Unsupported currency: {value[:16]!r}", code="INVALID_CURRENCY")
    return value


def financial_year(request: Request) -> str:
    """``?fy=`` (default: the current financial year)."""
    value = param(request, "fy")
    return financial_year_label(value) if value else current_financial_year(utc_now())


def attachment(content: bytes, media_type: str, filename: str) -> Response:
    """A file download."""
    return Response(content, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


async def masked_pan(ctx: GatewayContext, user_id: str) -> str | None:
    """The user's PAN as the payout service masks it; None without KYC (or where KYC is not configured)."""
    try:
        record = await ctx.stubs["payouts"].GetKyc(opb.GetKycRequest(user_id=user_id))
    except FailedPrecondition as exc:
        if exc.code == "KYC_NOT_CONFIGURED":
            return None
        raise
    return record.pan or None


def _balance(funds: wpb.Funds, currency: str) -> dict[str, Any]:
    figures = funds_json(funds, currency)
    return {**figures, "total": sum((figures[name] for name in FUND_NAMES), Decimal(0))}


def _line_json(line: wpb.StatementLine) -> dict[str, Any]:
    tx = line.transaction
    data = transaction_json(tx)
    after = line.funds_after
    if data["balanceAfter"] is None:
        data["balanceAfter"] = to_major(after.deposit + after.winnings + after.bonus, tx.currency)
    data["fundsAfter"] = funds_json(after, tx.currency)
    return data


def statement_json(s: wpb.Statement) -> dict[str, Any]:
    """The wallet's statement in the REST shape."""
    return {
        "from": getattr(s, "from"),
        "to": s.to,
        "currency": s.currency,
        "opening": _balance(s.opening, s.currency),
        "closing": _balance(s.closing, s.currency),
        "transactions": [_line_json(line) for line in s.lines],
        "totals": [{"type": t.type, "credits": to_major(t.credits, s.currency),
                    "debits": to_major(t.debits, s.currency), "count": t.count} for t in s.totals],
        "truncated": s.truncated,
    }


def tax_statement_json(t: wpb.TaxStatement, pan: str | None) -> dict[str, Any]:
    """The wallet's tax statement in the REST shape, with the masked PAN."""
    c = t.currency

    def major(minor: int) -> Decimal:
        return to_major(minor, c)

    year_end = None
    if t.HasField("year_end"):
        y = t.year_end
        year_end = {"closingBalance": major(y.closing_balance), "netWinnings": major(y.net_winnings),
                    "tds": major(y.tds), "closedAt": y.closed_at, "nextOpeningBalance": major(y.next_opening_balance)}
    return {
        "fy": t.financial_year,
        "currency": c,
        "pan": pan,
        "tdsRate": Decimal(t.tds_rate or "0"),
        "openingBalance": major(t.opening_balance),
        "deposits": major(t.deposits),
        "withdrawals": major(t.withdrawals),
        "netWinnings": major(t.net_winnings),
        "tds": major(t.tds),
        "entries": [{"payoutId": e.payout_id, "date": e.date, "amount": major(e.amount),
                     "netWinnings": major(e.net_winnings), "tds": major(e.tds), "status": e.status}
                    for e in t.entries],
        "yearEnd": year_end,
    }


async def _user_name(ctx: GatewayContext, user_id: str) -> str:
    return await asyncio.to_thread(ctx.directory.name_of, user_id) or ""


@router.get(
    "/api/wallet/statement", response_model=envelope(Statement), dependencies=AUTHENTICATED,
    openapi_extra=documented(query=StatementQuery),
    responses={**error_responses(bad_request=["VALIDATION_ERROR", "INVALID_DATE", "INVALID_RANGE", "INVALID_FORMAT",
                                              "INVALID_CURRENCY"]), **FILE_RESPONSES},
)
async def my_statement(request: Request, who: Who, ctx: Ctx) -> Response:
    """The caller's statement over ``[from, to)`` (dates ``YYYY-MM-DD``, ``to`` included whole, or RFC 3339
    times; default the last 30 days) in one currency: opening and closing balance per fund, every completed
    transaction oldest first with the fund balances after it, and totals by type; ``format=csv`` or ``pdf``
    downloads it."""
    only_params(request, "from", "to", "format", "currency")
    fmt, currency = document_format(request), query_currency(request)
    period = statement_period(param(request, "from"), param(request, "to"), utc_now())
    reply = await ctx.wallet.GetStatement(wpb.GetStatementRequest(
        user_id=who.user_id, currency=currency, **{"from": period.start}, to=period.end))
    data = statement_json(reply)
    name = f"winzone-statement-{period.start[:10]}-{period.end[:10]}"
    if fmt == "csv":
        return attachment(statement_csv(data), CSV_TYPE, f"{name}.csv")
    if fmt == "pdf":
        pdf = await asyncio.to_thread(statement_pdf, data, user_name=await _user_name(ctx, who.user_id),
                                      user_id=who.user_id)
        return attachment(pdf, PDF_TYPE, f"{name}.pdf")
    return ok("Statement fetched successfully", data)


@router.get(
    "/api/wallet/tax-statement", response_model=envelope(TaxStatement), dependencies=AUTHENTICATED,
    openapi_extra=documented(query=TaxStatementQuery),
    responses={**error_responses(bad_request=["VALIDATION_ERROR", "INVALID_FINANCIAL_YEAR", "INVALID_FORMAT",
                                              "INVALID_CURRENCY"]), **FILE_RESPONSES},
)
async def my_tax_statement(request: Request, who: Who, ctx: Ctx) -> Response:
    """The caller's tax statement for financial year ``fy`` (``2026-27``; default the current one): opening
    balance, deposits, withdrawals, net winnings and TDS, each withdrawal, the year-end step once it ran, and the
    masked PAN; ``format=csv`` (one row per withdrawal) or ``pdf`` downloads it."""
    only_params(request, "fy", "format", "currency")
    fmt, currency, fy = document_format(request), query_currency(request), financial_year(request)
    reply, pan = await asyncio.gather(
        ctx.wallet.GetTaxStatement(wpb.GetTaxStatementRequest(user_id=who.user_id, currency=currency,
                                                              financial_year=fy)),
        masked_pan(ctx, who.user_id))
    data = tax_statement_json(reply, pan)
    name = f"winzone-tax-statement-{data['fy']}"
    if fmt == "csv":
        return attachment(tax_statement_csv(data), CSV_TYPE, f"{name}.csv")
    if fmt == "pdf":
        pdf = await asyncio.to_thread(tax_statement_pdf, data, user_name=await _user_name(ctx, who.user_id),
                                      user_id=who.user_id)
        return attachment(pdf, PDF_TYPE, f"{name}.pdf")
    return ok("Tax statement fetched successfully", data)


def query_amount(request: Request, currency: str) -> int:
    """``?amount=`` in minor units, parsed exactly like a body's amount (a plain decimal, no exponent)."""
    raw = param(request, "amount")
    if not raw:
        raise InvalidArgument("amount is required", code="INVALID_AMOUNT")
    if not AMOUNT_QUERY.fullmatch(raw):
        raise InvalidArgument("amount must be a positive decimal number", code="INVALID_AMOUNT")
    return to_minor(Decimal(raw), currency_of(currency).code)


@router.get(
    "/api/wallet/tds-estimate", response_model=envelope(TdsEstimate), dependencies=AUTHENTICATED,
    openapi_extra=documented(query=TdsEstimateQuery),
    responses=error_responses(bad_request=["VALIDATION_ERROR", *AMOUNT_CODES]),
)
async def tds_estimate(request: Request, who: Who, ctx: Ctx) -> EnvelopeResponse:
    """What a payout request of ``amount`` would withhold now: TDS, what would be sent (``netAmount``), the net
    winnings it taxes, the financial year and rate, and what is withdrawable. Nothing is reserved."""
    only_params(request, "amount", "currency")
    currency = query_currency(request)
    amount = query_amount(request, currency)
    e = await ctx.wallet.EstimateTds(wpb.EstimateTdsRequest(user_id=who.user_id, amount=amount, currency=currency))
    data = {"amount": to_major(e.amount, currency), "currency": currency, "tds": to_major(e.tds, currency),
            "netAmount": to_major(e.net_amount, currency), "netWinnings": to_major(e.net_winnings, currency),
            "financialYear": e.financial_year, "tdsRate": Decimal(e.tds_rate or "0"),
            "withdrawable": to_major(e.withdrawable, currency)}
    return ok("TDS estimate fetched successfully", data)
