"""``GET /api/admin/audit``: the books checked end to end, for admins.

The gateway reads no other service's store: it asks the auditor (``winzone.audit.v1.AuditService``, run by
the operator package), which runs the wallet's ledger audit, looks for stuck payouts and top-ups, and runs the
cross-service audit. An auditor that is down or slower than its deadline is 503.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from api_gateway.context import GatewayContext, context, require_roles
from api_gateway.domain.model import Principal, Role
from api_gateway.envelope import EnvelopeResponse, ok
from api_gateway.schemas.audit import AuditResult
from api_gateway.schemas.errors import error_responses
from api_gateway.schemas.openapi import AUTHENTICATED
from api_gateway.schemas.responses import envelope
from winzone.audit.v1 import audit_pb2 as pb
from winzone_kernel.money import CURRENCIES, to_major

router = APIRouter(tags=["admin"])

Admin = Annotated[Principal, Depends(require_roles(Role.ADMIN))]
Ctx = Annotated[GatewayContext, Depends(context)]


def _finding(source: str, kind: str, detail: str, *, ids: dict[str, str] | None = None, currency: str = "",
             amounts: dict[str, int] | None = None) -> dict[str, Any]:
    minor = dict(amounts or {})
    known = currency if currency in CURRENCIES else None
    return {"source": source, "kind": kind, "ids": dict(ids or {}), "currency": known,
            "amounts": {name: to_major(value, known) for name, value in minor.items()} if known else {},
            "amountsMinor": minor, "detail": detail}


def audit_json(report: pb.AuditReport) -> dict[str, Any]:
    """The AuditResult of docs/api.md: every finding in ``discrepancies``, amounts in exact major units."""
    ledger = report.ledger
    findings = [_finding("ledger", "ledger_violation", v) for v in ledger.violations]
    findings += [_finding("stuck", "stuck_work", s) for s in report.stuck]
    findings += [_finding("crossService", d.kind, d.detail, ids=dict(d.ids), currency=d.currency,
                          amounts=dict(d.amounts)) for d in report.cross_service.discrepancies]
    return {
        "ok": report.ok,
        "checkedAt": report.checked_at,
        "ledger": {
            "ok": ledger.ok, "violations": list(ledger.violations), "accountsChecked": ledger.accounts_checked,
            "transactionsChecked": ledger.transactions_checked, "holdsChecked": ledger.holds_checked,
            "totals": {t.currency: to_major(t.sum_of_balances, t.currency) for t in ledger.totals
                       if t.currency in CURRENCIES},
        },
        "stuck": list(report.stuck),
        "crossService": {"ok": report.cross_service.ok, "checked": dict(report.cross_service.checked)},
        "discrepancies": findings,
    }


@router.get("/api/admin/audit", response_model=envelope(AuditResult), dependencies=AUTHENTICATED,
            responses=error_responses(forbidden=["FORBIDDEN"]))
async def audit_books(who: Admin, ctx: Ctx) -> EnvelopeResponse:
    """Run the ledger audit, the stuck-work scan and the cross-service audit now (admin only). Slow on big
    books; one audit runs at a time."""
    report = await ctx.stubs["auditor"].RunAudit(pb.RunAuditRequest())
    message = "The books balance" if report.ok else "The audit found discrepancies"
    return ok(message, audit_json(report))
