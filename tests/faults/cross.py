"""The cross-service audit after every schedule: ``winzone_ops.cross_audit.CrossAudit`` over the world's data
folder (every service's store, opened through its own ``build_store``), reporting what is new since the last
schedule, so that one schedule's discrepancy is blamed on that schedule only.

For Stripe the provider's records come straight from the fault explorer's stand-in account (its transfers,
reversals and paid checkout sessions), which is what paging through its API would return.
"""

from __future__ import annotations

from pathlib import Path

from tests.faults.stripe_account import FaultStripeAccount
from tests.support.grpc_servers import TEST_TOKEN
from winzone_kernel.config import CommonSettings
from winzone_ops.cross_audit import CrossAudit, ProviderReader
from winzone_ops.cross_facts import CrossFacts, Discrepancy, ProviderCharge, ProviderRecords, ProviderTransfer


def common_settings(data_dir: Path) -> CommonSettings:
    """What a service (or ``winzone audit``) would read for this data folder, on SQLite."""
    return CommonSettings.from_env({"APP_ENV": "test", "INTERNAL_TOKEN": TEST_TOKEN,
                                    "WINZONE_DATA_DIR": str(data_dir), "SQLITE_SYNCHRONOUS": "NORMAL"})


def migrate_all(common: CommonSettings) -> None:
    """Every service's store exists (a world runs only some of the services)."""
    from payment_gateway.server import build_store as payments
    from payout_service.server import build_store as payouts
    from reward_service.server import build_store as rewards
    from wallet_service.server import build_store as wallet

    for build in (wallet, payouts, payments, rewards):
        store = build(common)
        try:
            store.migrate()
        finally:
            store.close()


def stripe_account_reader(account: FaultStripeAccount) -> ProviderReader:
    """The stand-in account's books as the audit's Stripe reader would page them out of the API."""

    def read(common: CommonSettings, facts: CrossFacts) -> ProviderRecords:
        records = ProviderRecords("stripe")
        clearing: dict[str, int] = {}
        with account._lock:
            transfers = [dict(t) for t in account.transfers.values()]
            sessions = [dict(s) for s in account.sessions.values()]
        for t in transfers:
            currency = str(t["currency"]).upper()
            records.transfers.append(ProviderTransfer(t["id"], t["transfer_group"], t["amount"], currency,
                                                      t["amount_reversed"]))
            clearing[currency] = clearing.get(currency, 0) + t["amount"] - t["amount_reversed"]
        for s in sessions:
            currency, paid = str(s["currency"]).upper(), s["payment_status"] == "paid"
            records.charges.append(ProviderCharge(s.get("payment_intent") or s["id"], s["client_reference_id"],
                                                  s["metadata"].get("user_id", ""), s["amount_total"], currency,
                                                  paid))
            if paid:
                clearing[currency] = clearing.get(currency, 0) - s["amount_total"]
        records.clearing = clearing
        return records

    return read


def _key(found: Discrepancy) -> str:
    """A running total (the clearing account) is the same discrepancy while it is off by the same amount."""
    if found.kind == "clearing_mismatch":
        off = found.amounts.get("ledger", 0) - found.amounts.get("provider", 0)
        return f"{found.kind} {dict(found.ids)} off by {off}"
    return str(found)


class AuditWatch:
    """``CrossAudit`` over one data folder; ``fresh()`` returns the discrepancies no earlier call reported
    (a clearing account that stays off by the same amount is not reported again)."""

    def __init__(self, data_dir: Path, provider: ProviderReader | None = None) -> None:
        self.common = common_settings(data_dir)
        migrate_all(self.common)
        self._audit = CrossAudit(self.common, provider)
        self._known: set[str] = set()
        self.runs = 0

    def fresh(self) -> list[str]:
        self.runs += 1
        found = {_key(d): str(d) for d in self._audit.run().discrepancies}
        new = sorted(found[k] for k in set(found) - self._known)
        self._known |= set(found)
        return [f"cross audit: {d}" for d in new]
