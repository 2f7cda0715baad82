"""The success envelope of ``GET /api/admin/audit``, field for field as ``routes.admin_audit`` writes it."""

from __future__ import annotations

from typing import Literal

from api_gateway.schemas.responses import Money, Shape, Timestamp


class LedgerCheck(Shape):
    """The wallet's ledger audit: every invariant over every account, entry and hold."""

    ok: bool
    violations: list[str]
    accountsChecked: int
    transactionsChecked: int
    holdsChecked: int
    totals: dict[str, Money]
    """Per currency, the sum of every account's balance (0 when the books balance)."""


class CrossServiceCheck(Shape):
    """The cross-service audit: how many of each record it compared."""

    ok: bool
    checked: dict[str, int]


class AuditFinding(Shape):
    """One thing found: a ledger violation, work left stuck, or records of two services (or ours and the
    provider's) that disagree. ``amounts`` are exact major units of ``currency`` (empty when the currency is
    not known); ``amountsMinor`` the same amounts in minor units."""

    source: Literal["ledger", "stuck", "crossService"]
    kind: str
    ids: dict[str, str]
    currency: str | None
    amounts: dict[str, Money]
    amountsMinor: dict[str, int]
    detail: str


class AuditResult(Shape):
    """The books checked end to end; ``ok`` only when nothing was found."""

    ok: bool
    checkedAt: Timestamp
    ledger: LedgerCheck
    stuck: list[str]
    crossService: CrossServiceCheck
    discrepancies: list[AuditFinding]
