"""The cross-service audit: the wallet's books checked against the payout, payment and reward stores and
against the payment provider's own records (see ``winzone_ops.cross_checks`` for the rules)."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping

from winzone_kernel.config import CommonSettings
from winzone_ops.cross_checks import (
    CONTRIBUTION_LEG_TYPES,
    check_clearing,
    check_holds,
    check_pools,
    check_tds,
    check_topups,
    check_transfers,
)
from winzone_ops.cross_facts import CrossAuditReport, CrossFacts, ProviderRecords
from winzone_ops.ledger_reader import read_ledger
from winzone_ops.provider_readers import read_mock_provider, read_stripe, stripe_client_from_env
from winzone_ops.service_readers import read_payouts, read_rewards, read_sessions

ProviderReader = Callable[[CommonSettings, CrossFacts], ProviderRecords]


def audit_facts(facts: CrossFacts) -> CrossAuditReport:
    """Every cross-service rule over facts already read."""
    report = CrossAuditReport(checked={
        "holds": len(facts.ledger.holds), "legs": len(facts.ledger.legs), "payouts": len(facts.payouts),
        "sessions": len(facts.sessions), "pools": len(facts.rewards.pools),
        "provider_transfers": len(facts.provider.transfers), "provider_charges": len(facts.provider.charges),
    })
    for check in (
        check_holds(facts.ledger, facts.payouts),
        check_transfers(facts.ledger, facts.payouts, facts.provider),
        check_topups(facts.ledger, facts.sessions, facts.provider),
        check_pools(facts.ledger, facts.rewards),
        check_clearing(facts.ledger, facts.provider),
        check_tds(facts.ledger, facts.payouts),
    ):
        report.discrepancies.extend(check)
    return report


def mock_provider(common: CommonSettings, facts: CrossFacts) -> ProviderRecords:
    return read_mock_provider(common, facts.sessions.values(), [*facts.payouts, *facts.ledger.holds])


def stripe_provider(client: object, page_size: int = 100) -> ProviderReader:
    def read(common: CommonSettings, facts: CrossFacts) -> ProviderRecords:
        return read_stripe(client, page_size)

    return read


def provider_from_env(env: Mapping[str, str] | None = None) -> ProviderReader:
    """The provider the payment gateway is configured with (``PAYMENT_PROVIDER``, mock by default)."""
    env = os.environ if env is None else env
    if (env.get("PAYMENT_PROVIDER") or "mock").strip().lower() == "stripe":
        return stripe_provider(stripe_client_from_env(env))
    return mock_provider


class CrossAudit:
    """A step any operator or cron can run: read every store (read-only) and the provider, then check that
    they tell the same story. ``run`` returns the discrepancies, each with its kind, ids and amounts."""

    def __init__(self, common: CommonSettings, provider: ProviderReader | None = None) -> None:
        self._common = common
        self._provider = provider or provider_from_env()

    def read(self) -> CrossFacts:
        ledger = read_ledger(self._common)
        payouts = read_payouts(self._common)
        sessions = read_sessions(self._common)
        pools = [a.removeprefix("pool:") for a, _ in ledger.balances if a.startswith("pool:")]
        contributions = [leg.key for leg in ledger.legs
                         if leg.type in CONTRIBUTION_LEG_TYPES and leg.metadata.get("competitionId") and leg.key]
        rewards = read_rewards(self._common, pools, contributions)
        facts = CrossFacts(ledger, payouts, sessions, rewards, ProviderRecords("none", clearing=None))
        facts.provider = self._provider(self._common, facts)
        return facts

    def run(self) -> CrossAuditReport:
        return audit_facts(self.read())
