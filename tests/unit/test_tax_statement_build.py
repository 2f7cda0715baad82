"""The statement read model built from a wallet's legs: running fund balances, totals by type, legacy legs as
deposit, and truncation past 10,000 legs."""

from __future__ import annotations

from wallet_service.domain.funds import Funds
from wallet_service.domain.model import TransactionRecord
from wallet_service.use_cases.statements import MAX_LINES, build_statement, leg_funds


def leg(n: int, amount: int, tx_type: str, funds: dict[str, int]) -> TransactionRecord:
    at = f"2026-05-01T00:00:{n % 60:02d}.{n:06d}Z"
    return TransactionRecord(
        id=f"txn_{n:08d}", account="user:u1", user_id="u1", type=tx_type, amount=amount, currency="INR",
        status="completed", source="t", description="d", metadata={}, idempotency_key=None, balance_after=0,
        entry_id=f"ent_{n}", hold_id=None, created_at=at, updated_at=at, posted_at=at, funds=funds)


def test_a_leg_stored_before_funds_counts_as_deposit() -> None:
    assert leg_funds(leg(1, -300, "debit", {})) == Funds(deposit=-300)
    assert leg_funds(leg(1, 500, "reward", {"winnings": 500})) == Funds(winnings=500)


def test_running_balances_and_totals() -> None:
    legs = [leg(1, 1000, "topup", {"deposit": 1000}), leg(2, 800, "reward", {"winnings": 800}),
            leg(3, -500, "entryFee", {"bonus": -50, "deposit": -450}), leg(4, 200, "topup", {})]
    statement = build_statement("u1", "INR", "a", "b", Funds(bonus=50), legs)
    assert [line.funds_after for line in statement.lines] == [
        Funds(1000, 0, 50), Funds(1000, 800, 50), Funds(550, 800, 0), Funds(750, 800, 0)]
    assert statement.closing == Funds(750, 800, 0)
    assert [(t.type, t.credits, t.debits, t.count) for t in statement.totals] == [
        ("entryFee", 0, -500, 1), ("reward", 800, 0, 1), ("topup", 1200, 0, 2)]
    assert not statement.truncated


def test_more_than_ten_thousand_legs_is_truncated_and_the_closing_is_read_apart() -> None:
    legs = [leg(n, 1, "topup", {"deposit": 1}) for n in range(MAX_LINES + 1)]
    statement = build_statement("u1", "INR", "a", "b", Funds(), legs, closing=Funds(deposit=12345))
    assert statement.truncated
    assert len(statement.lines) == MAX_LINES == 10_000
    assert statement.lines[-1].funds_after == Funds(deposit=10_000)
    assert statement.closing == Funds(deposit=12345)
    assert [(t.type, t.credits, t.count) for t in statement.totals] == [("topup", 10_000, 10_000)]
    exact = build_statement("u1", "INR", "a", "b", Funds(), legs[:MAX_LINES], closing=Funds(deposit=1))
    assert not exact.truncated and exact.closing == Funds(deposit=10_000)
