"""One full audit of the books, as `winzone audit --json` and the auditor service report it: the wallet's
ledger audit, work the services' sweeps left unfinished, and the cross-service audit, with the currency of
each discrepancy's amounts looked up in the facts the audit read."""

from __future__ import annotations

from dataclasses import dataclass, field

from wallet_service.domain.audit import AuditReport
from winzone_kernel.clock import timestamp_now
from winzone_kernel.config import CommonSettings
from winzone_ops.audit import find_stuck_work, run_audit
from winzone_ops.cross_audit import CrossAudit, ProviderReader, audit_facts
from winzone_ops.cross_facts import CrossAuditReport, CrossFacts, Discrepancy

DEFAULT_STUCK_GRACE_SECONDS = 600


@dataclass(slots=True)
class FullAudit:
    """Everything one audit found; ``currencies[i]`` is the currency of ``cross.discrepancies[i]``'s amounts
    ("" when the facts do not tell)."""

    checked_at: str
    ledger: AuditReport
    stuck: list[str]
    cross: CrossAuditReport
    currencies: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.ledger.ok and not self.stuck and self.cross.ok


def discrepancy_currency(discrepancy: Discrepancy, facts: CrossFacts) -> str:
    """The currency of a discrepancy's amounts: named in its ids, else that of the payout, hold, session or
    wallet transaction it concerns."""
    ids = discrepancy.ids
    if ids.get("currency"):
        return ids["currency"]
    for key, found in (("payout", facts.payouts), ("hold", facts.ledger.holds), ("session", facts.sessions)):
        fact = found.get(ids.get(key, ""))
        if fact is not None:
            return fact.currency
    transaction = ids.get("transaction")
    if transaction:
        for leg in facts.ledger.legs:
            if leg.id == transaction:
                return leg.currency
    return ""


def run_full_audit(common: CommonSettings, grace_seconds: int = DEFAULT_STUCK_GRACE_SECONDS,
                   provider: ProviderReader | None = None) -> FullAudit:
    """Read every store (read-only) and the provider, and check them."""
    checked_at = timestamp_now()
    ledger = run_audit(common)
    stuck = find_stuck_work(common, grace_seconds)
    facts = CrossAudit(common, provider).read()
    cross = audit_facts(facts)
    return FullAudit(checked_at, ledger, stuck, cross, [discrepancy_currency(d, facts) for d in cross.discrepancies])
