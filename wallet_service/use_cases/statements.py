"""A wallet's statement over a time range: opening and closing balance per fund, every completed leg in order
with the fund balances right after it, and totals by transaction type."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from wallet_service.domain.accounts import check_id
from wallet_service.domain.funds import Funds
from wallet_service.domain.model import TransactionRecord
from wallet_service.domain.ports import LedgerStore
from winzone_kernel.clock import format_utc
from winzone_kernel.errors import InvalidArgument
from winzone_kernel.money import currency_of

MAX_LINES = 10_000
MAX_SPAN = timedelta(days=366)


@dataclass(frozen=True, slots=True)
class StatementLine:
    """One completed leg of the wallet and the wallet's fund balances right after it."""

    transaction: TransactionRecord
    funds_after: Funds


@dataclass(slots=True)
class TypeTotal:
    """What the statement's legs of one type moved: credits (> 0), debits (<= 0) and how many legs."""

    type: str
    credits: int = 0
    debits: int = 0
    count: int = 0


@dataclass(slots=True)
class Statement:
    """A wallet's statement over [start, end) (``truncated`` when it had more than ``MAX_LINES`` legs)."""

    user_id: str
    currency: str
    start: str
    end: str
    opening: Funds
    closing: Funds
    lines: list[StatementLine] = field(default_factory=list)
    totals: list[TypeTotal] = field(default_factory=list)
    truncated: bool = False


def parse_instant(value: object, what: str) -> datetime:
    """An RFC 3339 timestamp with its offset; INVALID_DATE otherwise."""
    if not isinstance(value, str) or not value or len(value) > 64 or "T" not in value.upper():
        raise InvalidArgument(f"{what} must be an RFC 3339 time", code="INVALID_DATE")
    try:
        moment = datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    except ValueError:
        raise InvalidArgument(f"{what} must be an RFC 3339 time", code="INVALID_DATE") from None
    if moment.tzinfo is None:
        raise InvalidArgument(f"{what} must be an RFC 3339 time with its offset", code="INVALID_DATE")
    return moment


def leg_funds(record: TransactionRecord) -> Funds:
    """The split of a wallet's leg (a leg stored before funds existed is all deposit)."""
    return Funds.of(record.funds) if record.funds else Funds.legacy(record.amount)


def build_statement(user_id: str, currency: str, start: str, end: str, opening: Funds,
                    legs: list[TransactionRecord], closing: Funds | None = None) -> Statement:
    """The statement of ``legs`` (oldest first; more than ``MAX_LINES`` marks it truncated, and then
    ``closing`` is the balance at ``end`` read apart, else the balance after the last leg)."""
    statement = Statement(user_id, currency, start, end, opening, opening, truncated=len(legs) > MAX_LINES)
    running = opening
    totals: dict[str, TypeTotal] = {}
    for leg in legs[:MAX_LINES]:
        running = running + leg_funds(leg)
        statement.lines.append(StatementLine(leg, running))
        total = totals.setdefault(leg.type, TypeTotal(leg.type))
        total.count += 1
        if leg.amount > 0:
            total.credits += leg.amount
        else:
            total.debits += leg.amount
    statement.totals = [totals[name] for name in sorted(totals)]
    statement.closing = closing if statement.truncated and closing is not None else running
    return statement


class Statements:
    """Statements read straight from the store; they block, so an event loop runs them in a thread."""

    def __init__(self, store: LedgerStore) -> None:
        self._store = store

    def statement(self, user_id: str, currency: str, from_time: str, to_time: str) -> Statement:
        """The wallet's statement over [from_time, to_time): INVALID_DATE for a bad time, INVALID_RANGE when
        ``from_time`` is after ``to_time`` or the range is longer than 366 days."""
        check_id(user_id, "user_id")
        code = currency_of(currency or "INR").code
        first, last = parse_instant(from_time, "from"), parse_instant(to_time, "to")
        if first > last:
            raise InvalidArgument("from must not be after to", code="INVALID_RANGE")
        if last - first > MAX_SPAN:
            raise InvalidArgument("The range may span at most 366 days", code="INVALID_RANGE")
        start, end = format_utc(first), format_utc(last)
        opening = Funds.of(self._store.statement_opening(user_id, code, start))
        legs = self._store.statement_legs(user_id, code, start, end, MAX_LINES + 1)
        closing = Funds.of(self._store.statement_opening(user_id, code, end)) if len(legs) > MAX_LINES else None
        return build_statement(user_id, code, start, end, opening, legs, closing)
