"""Tax use cases: the TDS a withdrawal would withhold, a user's tax statement of a financial year, the TDS
return data per quarter, and the year-end step that taxes net winnings left in each wallet."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from wallet_service.domain.accounts import check_id, receivable_account, user_account
from wallet_service.domain.commands import LegSpec
from wallet_service.domain.entries import book
from wallet_service.domain.funds import DEPOSIT_FIRST
from wallet_service.domain.model import HoldRecord, HoldStatus, TxType, WalletView
from wallet_service.domain.policy import DEFAULT_POLICY, LedgerPolicy
from wallet_service.domain.ports import LedgerStore, LedgerUnitOfWork
from wallet_service.domain.tax import (
    QUARTERS,
    FinancialYear,
    TaxYearRecord,
    financial_year_of,
    minor_per_major,
    net_winnings_of_withdrawal,
    parse_financial_year,
    tds_on,
    tds_payable_account,
    year_end_net_winnings,
)
from winzone_kernel.clock import Clock, format_utc, utc_now
from winzone_kernel.errors import InvalidArgument
from winzone_kernel.money import check_minor, currency_of

YEAR_END = "TDS on net winnings at the end of the financial year"
PAID = (HoldStatus.CAPTURED.value,)
TAKEN = (HoldStatus.OPEN.value, HoldStatus.CAPTURED.value)
REVERSED = "reversed"


@dataclass(frozen=True, slots=True)
class TdsEstimate:
    """What a payout hold of ``amount`` would withhold now (nothing reserved)."""

    amount: int
    tds: int
    net_winnings: int
    financial_year: str
    tds_rate: Decimal
    withdrawable: int

    @property
    def net_amount(self) -> int:
        return self.amount - self.tds


@dataclass(frozen=True, slots=True)
class TaxWithdrawal:
    """One payout hold of the year as the tax statement shows it."""

    payout_id: str
    date: str
    amount: int
    net_winnings: int
    tds: int
    status: str
    reversed: int = 0

    @property
    def tds_returned(self) -> bool:
        """The whole payout came back (the reversal that completed it also returned the tds)."""
        return self.status == REVERSED


@dataclass(slots=True)
class TaxStatement:
    """A user's tax position for one financial year (``year_end`` once the year is closed for the wallet)."""

    user_id: str
    currency: str
    financial_year: str
    tds_rate: Decimal
    opening_balance: int
    deposits: int
    withdrawals: int
    net_winnings: int
    tds: int
    entries: list[TaxWithdrawal] = field(default_factory=list)
    year_end: TaxYearRecord | None = None


@dataclass(slots=True)
class TdsLine:
    """Net winnings and TDS of one user in one quarter (paid withdrawals; the year end in Q4)."""

    user_id: str
    quarter: str
    net_winnings: int = 0
    tds: int = 0
    withdrawals: int = 0


@dataclass(slots=True)
class TdsReport:
    financial_year: str
    currency: str
    lines: list[TdsLine] = field(default_factory=list)

    @property
    def total_net_winnings(self) -> int:
        return sum(line.net_winnings for line in self.lines)

    @property
    def total_tds(self) -> int:
        return sum(line.tds for line in self.lines)


@dataclass(slots=True)
class CloseYearResult:
    """What one run of the year-end step did (``already_closed`` wallets were left as they were)."""

    financial_year: str
    currency: str
    wallets: int = 0
    closed_now: int = 0
    already_closed: int = 0
    net_winnings: int = 0
    tds: int = 0
    shortfall: int = 0


def _withdrawal(hold: HoldRecord, reversed_amount: int) -> TaxWithdrawal:
    status = REVERSED if reversed_amount >= hold.amount else hold.status
    return TaxWithdrawal(hold.id, hold.created_at, hold.amount, hold.net_winnings, hold.tds, status, reversed_amount)


def _currency(value: str) -> str:
    return currency_of(value or "INR").code


def close_wallet(uow: LedgerUnitOfWork, user_id: str, currency: str, year: FinancialYear, now: str,
                 policy: LedgerPolicy) -> tuple[TaxYearRecord, bool]:
    """Close ``year`` for one wallet (or find it closed): net winnings left in the closing balance are taxed and
    the TDS taken from the wallet, deposit then winnings, to ``tds_payable`` (what it no longer holds is the
    shortfall). Returns the year's record and whether this call closed it."""
    done = uow.tax_year_get(user_id, currency, year.label)
    if done is not None:
        return done, False
    facts = uow.tax_facts(user_id, currency, year)
    closing = uow.tax_balance_at(user_id, currency, year.end_utc)
    net_winnings = year_end_net_winnings(facts, closing)
    tds = tds_on(net_winnings, policy.tds_rate, minor_per_major(currency))
    state = uow.account_get(user_account(user_id), currency)
    room = 0 if state is None else sum(max(0, state.available_funds.get(name)) for name in DEPOSIT_FIRST)
    withheld = min(tds, room)
    transaction_id = ""
    if withheld:
        key = f"tax_close_{year.label}_{user_id}_{currency}"
        metadata = {"financialYear": year.label}
        outcome = book(uow, [
            LegSpec(user_account(user_id), -withheld, currency, TxType.TDS.value, YEAR_END, key, metadata),
            LegSpec(tds_payable_account(), withheld, currency, TxType.TDS.value, YEAR_END, None, metadata),
        ], source="tax", metadata=metadata, now=now, restrict=False, settle=False, policy=policy)
        transaction_id = outcome.transactions[0].id
    record = TaxYearRecord(
        user_id=user_id, currency=currency, financial_year=year.label, opening_balance=facts.opening_balance,
        closing_balance=closing, deposits=facts.deposits, withdrawals=facts.withdrawals,
        taxed_net_winnings=facts.taxed_net_winnings, net_winnings=net_winnings, tds=tds, withheld=withheld,
        next_opening_balance=closing - withheld, transaction_id=transaction_id, closed_at=now,
    )
    uow.tax_year_put(record)
    return record, True


class Taxes:
    """Tax reads straight from the store (they block: an event loop runs them in a thread) and the year end."""

    def __init__(self, store: LedgerStore, clock: Clock = utc_now, policy: LedgerPolicy = DEFAULT_POLICY) -> None:
        self._store = store
        self._clock = clock
        self._policy = policy

    def estimate(self, user_id: str, amount: int, currency: str) -> TdsEstimate:
        """The TDS, net winnings and net amount of a payout hold of ``amount`` if it were created now."""
        check_id(user_id, "user_id")
        amount = check_minor(amount)
        code = _currency(currency)
        year = financial_year_of(format_utc(self._clock()))
        tds = net_winnings = 0
        if self._policy.tds_rate > 0:
            net_winnings = net_winnings_of_withdrawal(self._store.tax_facts(user_id, code, year), amount)
            tds = min(amount, tds_on(net_winnings, self._policy.tds_rate, minor_per_major(code)))
        owed = self._store.get_account(receivable_account(user_id), code)
        wallet = WalletView.of(user_id, self._store.get_account(user_account(user_id), code), code,
                               0 if owed is None else max(0, -owed.balance), self._policy)
        return TdsEstimate(amount, tds, net_winnings, year.label, self._policy.tds_rate, wallet.withdrawable)

    def statement(self, user_id: str, currency: str, financial_year: str) -> TaxStatement:
        """The user's deposits, withdrawals, opening balance, each withdrawal's net winnings and TDS, and the
        year-end step if it ran, for one financial year."""
        check_id(user_id, "user_id")
        code = _currency(currency)
        year = parse_financial_year(financial_year)
        facts = self._store.tax_facts(user_id, code, year)
        holds = self._store.tax_payout_holds(code, year, user_id, TAKEN)
        closed = self._store.tax_year_get(user_id, code, year.label)
        refunded = self._store.tax_payout_refunds([h.id for h in holds])
        entries = [_withdrawal(h, refunded.get(h.id, 0)) for h in holds]
        kept = [e for e in entries if not e.tds_returned]
        statement = TaxStatement(
            user_id=user_id, currency=code, financial_year=year.label, tds_rate=self._policy.tds_rate,
            opening_balance=facts.opening_balance, deposits=facts.deposits, withdrawals=facts.withdrawals,
            net_winnings=sum(e.net_winnings for e in kept), tds=sum(e.tds for e in kept), entries=entries,
            year_end=closed,
        )
        if closed is not None:
            statement.net_winnings += closed.net_winnings
            statement.tds += closed.withheld
        return statement

    def report(self, financial_year: str, quarter: str, currency: str) -> TdsReport:
        """Per user and quarter: net winnings and TDS of the withdrawals paid (the quarter of the capture; a
        capture after the year counts in Q4) and of the year-end step (Q4)."""
        year = parse_financial_year(financial_year)
        if quarter and quarter not in QUARTERS:
            raise InvalidArgument("quarter must be Q1, Q2, Q3 or Q4", code="INVALID_QUARTER")
        code = _currency(currency)
        lines: dict[tuple[str, str], TdsLine] = {}
        paid = self._store.tax_payout_holds(code, year, None, PAID)
        refunded = self._store.tax_payout_refunds([h.id for h in paid])
        for hold in paid:
            if refunded.get(hold.id, 0) >= hold.amount:
                continue
            paid_in = year.quarter_of(hold.updated_at) if year.contains(hold.updated_at) else "Q4"
            line = lines.setdefault((hold.user_id, paid_in), TdsLine(hold.user_id, paid_in))
            line.net_winnings += hold.net_winnings
            line.tds += hold.tds
            line.withdrawals += 1
        for record in self._store.tax_years_of(code, year.label):
            if record.net_winnings or record.withheld:
                line = lines.setdefault((record.user_id, "Q4"), TdsLine(record.user_id, "Q4"))
                line.net_winnings += record.net_winnings
                line.tds += record.withheld
        chosen = [lines[k] for k in sorted(lines) if not quarter or k[1] == quarter]
        return TdsReport(year.label, code, chosen)

    async def close_year(self, financial_year: str, currency: str) -> CloseYearResult:
        """Close a financial year that has ended for every wallet with activity in it, each wallet in a unit of
        work of its own (a run stopped midway resumes where it stopped; a second run changes nothing)."""
        year = parse_financial_year(financial_year)
        code = _currency(currency)
        if not year.ended_by(self._clock()):
            raise InvalidArgument(f"financial year {year.label} has not ended", code="INVALID_FINANCIAL_YEAR")
        result = CloseYearResult(year.label, code)
        for user_id in self._store.tax_wallets(code, year):
            record, closed_now = await self._store.atomic_async(self._closer(user_id, code, year))
            result.wallets += 1
            if closed_now:
                result.closed_now += 1
                result.net_winnings += record.net_winnings
                result.tds += record.withheld
                result.shortfall += record.shortfall
            else:
                result.already_closed += 1
        return result

    def _closer(self, user_id: str, currency: str, year: FinancialYear
                ) -> Callable[[LedgerUnitOfWork], tuple[TaxYearRecord, bool]]:
        def op(uow: LedgerUnitOfWork) -> tuple[TaxYearRecord, bool]:
            return close_wallet(uow, user_id, currency, year, format_utc(self._clock()), self._policy)

        return op
