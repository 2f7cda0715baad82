"""The ledger's invariants, checked over a consistent snapshot of aggregates (see DESIGN.md)."""

from __future__ import annotations

from dataclasses import dataclass, field

from wallet_service.domain.accounts import RECEIVABLE_PREFIX
from wallet_service.domain.funds import FUNDS, ZERO
from wallet_service.domain.model import AuditFacts


@dataclass(slots=True)
class AuditReport:
    """What the audit found: ``ok`` only when there are no violations."""

    violations: list[str] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)
    accounts_checked: int = 0
    transactions_checked: int = 0
    holds_checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.violations


def audit(facts: AuditFacts) -> AuditReport:
    """Check: per currency balances sum to 0; each balance equals its posted legs; every entry balances;
    no user or pool account is negative or below its held funds; no receivable is positive (it holds only
    what a user owes); held equals open holds; total earnings
    equal posted rewards; every hold is open, captured or voided exactly once with a matching transaction; and
    every rule per fund of each user wallet (``_fund_rules``)."""
    report = AuditReport(
        accounts_checked=len(facts.accounts),
        transactions_checked=facts.transactions_checked,
        holds_checked=facts.holds_checked,
    )
    seen: set[tuple[str, str]] = set()
    for account, currency, kind, balance, held, earnings in facts.accounts:
        key = (account, currency)
        seen.add(key)
        report.totals[currency] = report.totals.get(currency, 0) + balance
        posted = facts.posted_sums.get(key, 0)
        if balance != posted:
            report.violations.append(f"{account} {currency}: balance {balance} != sum of its legs {posted}")
        if kind != "system" and balance - held < 0:
            report.violations.append(f"{account} {currency}: balance {balance} below held {held}")
        if kind != "system" and balance < 0:
            report.violations.append(f"{account} {currency}: negative balance {balance}")
        if account.startswith(RECEIVABLE_PREFIX) and balance > 0:
            report.violations.append(f"{account} {currency}: positive receivable {balance}")
        open_holds = facts.open_hold_sums.get(key, 0)
        if held != open_holds:
            report.violations.append(f"{account} {currency}: held {held} != open holds {open_holds}")
        rewards = facts.reward_sums.get(key, 0)
        if earnings != rewards:
            report.violations.append(f"{account} {currency}: total earnings {earnings} != rewards {rewards}")
    _fund_rules(facts, report)
    for key in facts.posted_sums.keys() - seen:
        report.violations.append(f"{key[0]} {key[1]}: legs posted to an account that does not exist")
    for currency, total in report.totals.items():
        if total != 0:
            report.violations.append(f"{currency}: account balances sum to {total}, not 0")
    for entry_id, currency, total in facts.unbalanced_entries:
        report.violations.append(f"entry {entry_id} {currency}: legs sum to {total}, not 0")
    report.violations.extend(facts.hold_mismatches)
    report.violations.extend(bonus_violations(facts))
    return report


def bonus_violations(facts: AuditFacts) -> list[str]:
    """Per user wallet and currency, the bonus fund must equal what is left of the user's active grants."""
    found = []
    for key in sorted(facts.bonus_grant_sums.keys() | facts.account_funds.keys()):
        bonus = facts.account_funds[key][0].bonus if key in facts.account_funds else 0
        granted = facts.bonus_grant_sums.get(key, 0)
        if bonus != granted:
            found.append(f"{key[0]} {key[1]}: bonus fund {bonus} != active bonus grants {granted}")
    return found


def _fund_rules(facts: AuditFacts, report: AuditReport) -> None:
    """Per user wallet and fund: the funds sum to the balance and the held parts to held; each fund equals the
    fund parts of its completed legs (legacy legs as deposit); fund >= held part >= 0; held parts equal the
    funds of the open holds (legacy holds as deposit)."""
    balances = {(a, c): (b, h) for a, c, kind, b, h, _ in facts.accounts if kind == "user"}
    for key, (funds, held) in sorted(facts.account_funds.items()):
        account, currency = key
        balance, held_total = balances.get(key, (funds.total, held.total))
        if funds.total != balance:
            report.violations.append(f"{account} {currency}: funds sum to {funds.total}, balance is {balance}")
        if held.total != held_total:
            report.violations.append(f"{account} {currency}: held funds sum to {held.total}, held is {held_total}")
        posted = facts.posted_fund_sums.get(key, ZERO)
        holds = facts.open_hold_fund_sums.get(key, ZERO)
        for name in FUNDS:
            if funds.get(name) != posted.get(name):
                report.violations.append(
                    f"{account} {currency}: {name} {funds.get(name)} != sum of its legs' {name} {posted.get(name)}")
            if held.get(name) < 0 or funds.get(name) < held.get(name):
                report.violations.append(
                    f"{account} {currency}: {name} {funds.get(name)} below held {name} {held.get(name)}")
            if held.get(name) != holds.get(name):
                report.violations.append(
                    f"{account} {currency}: held {name} {held.get(name)} != open holds' {name} {holds.get(name)}")
