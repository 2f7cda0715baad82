"""Two payout holds of one player, made at the same time by two wallet processes over one store, under TDS.

The tax of a payout hold depends on the player's earlier payout holds of the year (Rule 133: withdrawals less
deposits less the net winnings already taxed), so two holds racing on stale reads would tax the same winnings
twice or leave some untaxed. Each player tops up ``DEPOSIT`` and wins ``WINNINGS``; payouts of ``AMOUNTS``
(winnings only: ``WITHDRAWABLE_FUNDS=winnings``) are taxed on ``sum(AMOUNTS) - DEPOSIT`` together, whatever
order the holds commit in. On SQLite two stores share one file; on MongoDB two stores on clients of their own
share one database, and the second store's hold lands inside the first one's transaction (a certain race).
Both holds are captured; ``tds_payable`` must hold exactly the total tax, and the wallet audit must hold.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pymongo import MongoClient

from tests.support.ids import new_key, new_user
from tests.support.mongo import mongo_skip_reason, real_mongo_uri
from tests.support.mongo_events import ServerEvents, watched_client
from wallet_service.adapters.mongo_store import MongoLedgerStore
from wallet_service.adapters.sqlite_store import SqliteLedgerStore
from wallet_service.domain.accounts import parse_account
from wallet_service.domain.audit import audit
from wallet_service.domain.model import HoldOutcome
from wallet_service.domain.policy import LedgerPolicy
from wallet_service.domain.ports import LedgerStore
from wallet_service.domain.tax import parse_financial_year
from wallet_service.use_cases import WalletUseCases

TAXED = LedgerPolicy(tds_rate=Decimal(30), withdrawable_funds=("winnings",))
DEPOSIT = 20_000
WINNINGS = 100_000
AMOUNTS = (30_000, 40_000)
NET_WINNINGS = sum(AMOUNTS) - DEPOSIT
TDS = NET_WINNINGS * 30 // 100
PLAYERS = 6
CLEARING = "clearing:stripe"
CONTENDED_TIMEOUT = 60.0


@dataclass
class Wallet:
    """One wallet process: its store, the use cases over it under TDS, and (on MongoDB) what its server said."""

    store: LedgerStore
    service: WalletUseCases
    events: ServerEvents | None = None

    def run(self, call: Callable[[WalletUseCases], Any]) -> Any:
        return asyncio.run(call(self.service))

    def fund(self, user: str) -> None:
        self._credit(user, DEPOSIT, "topup")
        self._credit(user, WINNINGS, "reward")

    def _credit(self, user: str, amount: int, tx_type: str) -> None:
        self.run(lambda s: s.postings.credit(
            key=f"{tx_type}_{user}", user_id=user, amount=amount, currency="INR", type=tx_type, counter_account="",
            source="test", description=tx_type, metadata={}))

    def hold(self, user: str, amount: int) -> HoldOutcome:
        result: HoldOutcome = self.run(lambda s: s.holds.create(
            key=new_key(), hold_id=f"payout_{uuid.uuid4().hex[:20]}", user_id=user, amount=amount, currency="INR",
            type="payout", source="payouts", description="payout", metadata={}))
        return result

    def capture(self, hold_id: str) -> HoldOutcome:
        result: HoldOutcome = self.run(lambda s: s.holds.capture(
            key=f"capture_{hold_id}", hold_id=hold_id, counter_account=CLEARING))
        return result

    def balance(self, account: str) -> int:
        state = self.store.get_account(parse_account(account), "INR")
        return 0 if state is None else state.balance

    def assert_audit_ok(self) -> None:
        report = audit(self.store.audit_facts())
        assert report.ok, report.violations
        assert all(total == 0 for total in report.totals.values()), report.totals


def sqlite_wallets(tmp_path: Path) -> Iterator[tuple[Wallet, Wallet]]:
    made = [SqliteLedgerStore(tmp_path / "wallet.sqlite3", synchronous="NORMAL") for _ in range(2)]
    made[0].migrate()
    try:
        first, second = (Wallet(store, WalletUseCases(store, policy=TAXED)) for store in made)
        yield first, second
    finally:
        for store in made:
            store.close()


def mongo_wallets(uri: str) -> Iterator[tuple[Wallet, Wallet]]:
    db_name = f"winzone_test_{uuid.uuid4().hex[:12]}"
    made: list[Wallet] = []
    for _ in range(2):
        events = ServerEvents()
        store = MongoLedgerStore(watched_client(uri, events), db_name, timeout=CONTENDED_TIMEOUT)
        made.append(Wallet(store, WalletUseCases(store, policy=TAXED), events))
    made[0].store.migrate()
    try:
        yield made[0], made[1]
    finally:
        for wallet in made:
            wallet.store.close()
        admin: MongoClient[dict[str, Any]] = MongoClient(uri)
        admin.drop_database(db_name)
        admin.close()


@pytest.fixture(params=["sqlite", pytest.param("mongo", marks=pytest.mark.mongo)])
def wallets(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Wallet, Wallet]]:
    """Two wallet processes over one store."""
    if request.param == "sqlite":
        yield from sqlite_wallets(tmp_path)
        return
    uri = real_mongo_uri()
    if uri is None:
        pytest.skip(mongo_skip_reason())
    yield from mongo_wallets(uri)


def first_read_of_a_transaction(command: dict[str, Any]) -> bool:
    return bool(command.get("startTransaction")) and next(iter(command)) in ("find", "aggregate")


def race(first: Wallet, second: Wallet, user: str) -> list[HoldOutcome]:
    """Both payout holds at once: on MongoDB the second lands inside the first's transaction; on SQLite two
    threads start together."""
    if first.events is not None:
        landed: list[HoldOutcome] = []
        first.events.after_next(first_read_of_a_transaction, lambda: landed.append(second.hold(user, AMOUNTS[1])))
        held = first.hold(user, AMOUNTS[0])
        assert len(landed) == 1, "the second hold never ran inside the first one's transaction"
        return [held, landed[0]]
    barrier = threading.Barrier(2)

    def one(pair: tuple[Wallet, int]) -> HoldOutcome:
        barrier.wait()
        return pair[0].hold(user, pair[1])

    with ThreadPoolExecutor(2) as pool:
        return list(pool.map(one, [(first, AMOUNTS[0]), (second, AMOUNTS[1])]))


def test_two_concurrent_payouts_tax_the_net_winnings_exactly_once(wallets: tuple[Wallet, Wallet]) -> None:
    first, second = wallets
    taxed_before = first.balance("tds_payable")
    users = [new_user() for _ in range(PLAYERS)]
    for user in users:
        first.fund(user)
        holds = race(first, second, user)

        assert sorted(h.hold.amount for h in holds) == sorted(AMOUNTS)
        assert all(h.hold.status == "open" and h.hold.funds == {"winnings": h.hold.amount} for h in holds)
        assert sum(h.hold.net_winnings for h in holds) == NET_WINNINGS
        assert sum(h.hold.tds for h in holds) == TDS
        assert all(h.hold.tds == h.hold.net_winnings * 30 // 100 for h in holds)
        assert {h.hold.net_winnings for h in holds} in ({10_000, 40_000}, {20_000, 30_000})
        for index, held in enumerate(holds):
            captured = (first, second)[index].capture(held.hold.id)
            assert (captured.hold.status, captured.hold.tds, captured.hold.net_amount) == (
                "captured", held.hold.tds, held.hold.amount - held.hold.tds)
        assert first.balance(f"user:{user}") == second.balance(f"user:{user}") == DEPOSIT + WINNINGS - sum(AMOUNTS)
        year = parse_financial_year(holds[0].hold.financial_year)
        assert first.store.tax_facts(user, "INR", year).taxed_net_winnings == NET_WINNINGS

    assert first.balance("tds_payable") - taxed_before == TDS * PLAYERS
    if first.events is not None:
        assert first.events.aborts, "no transaction of the first store was aborted by the race"
    first.assert_audit_ok()

