"""Two wallet stores on one real MongoDB, as two wallet processes would be: what only a real server shows.

Each store has a client of its own, heard by a ``ServerEvents`` listener, so the tests see what the server
said: a transaction that lost a race is aborted by the server (a write conflict or a duplicate key, labelled
``TransientTransactionError``) and run again on a fresh snapshot, never applied twice. A race is made
certain rather than hoped for: the second store's write lands right after the first command of the first
store's transaction, so that transaction read from a snapshot that the write then made stale. Everything goes
through the ``LedgerStore`` port and the wallet use cases; every test ends with the wallet audit.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest
from pymongo import MongoClient

from tests.support.ids import new_key, new_user
from tests.support.mongo import require_real_mongo
from tests.support.mongo_events import DUPLICATE_KEY, WRITE_CONFLICT, ServerEvents, watched_client
from wallet_service.adapters.mongo_store import MongoLedgerStore
from wallet_service.domain.accounts import parse_account
from wallet_service.domain.audit import audit
from wallet_service.domain.model import PostingOutcome, TransactionFilter, TransactionRecord
from wallet_service.use_cases import WalletUseCases
from winzone_kernel.errors import IdempotencyConflict, InsufficientFunds

URI = require_real_mongo()

pytestmark = pytest.mark.mongo

T = TypeVar("T")

CONTENDED_TIMEOUT = 60.0
"""Seconds per store call: stores racing on one account back off and rerun many times."""
CLEARING = "clearing:external"


@dataclass
class Wallet:
    """One wallet store on a client of its own, the use cases over it, and what its server said."""

    store: MongoLedgerStore
    events: ServerEvents
    service: WalletUseCases

    def run(self, call: Callable[[WalletUseCases], Any]) -> Any:
        return asyncio.run(call(self.service))

    def credit(self, user: str, amount: int, key: str | None = None) -> PostingOutcome:
        result: PostingOutcome = self.run(lambda s: s.postings.credit(
            key=key or new_key(), user_id=user, amount=amount, currency="INR", type="topup", counter_account="",
            source="test", description="top-up", metadata={}))
        return result

    def debit(self, user: str, amount: int, key: str) -> PostingOutcome:
        result: PostingOutcome = self.run(lambda s: s.postings.debit(
            key=key, user_id=user, amount=amount, currency="INR", type="debit", counter_account="",
            source="test", description="debit", metadata={}))
        return result

    def transfer(self, sender: str, receiver: str, amount: int, key: str) -> PostingOutcome:
        result: PostingOutcome = self.run(lambda s: s.postings.transfer(
            key=key, from_user_id=sender, to_user_id=receiver, amount=amount, currency="INR",
            description="transfer", metadata={}))
        return result

    def balance(self, account: str) -> int:
        state = self.store.get_account(parse_account(account), "INR")
        return 0 if state is None else state.balance

    def legs(self, user: str) -> list[TransactionRecord]:
        page, found = 1, []
        while True:
            items = self.store.list_transactions(TransactionFilter(user_id=user, page=page, limit=100)).items
            found.extend(items)
            if len(items) < 100:
                return found
            page += 1

    def assert_audit_ok(self) -> None:
        report = audit(self.store.audit_facts())
        assert report.ok, report.violations
        assert all(total == 0 for total in report.totals.values()), report.totals


def first_read_of_a_transaction(command: dict[str, Any]) -> bool:
    """The read that fixes a transaction's snapshot (a read, so the transaction holds no write yet)."""
    return bool(command.get("startTransaction")) and next(iter(command)) in ("find", "aggregate")


@pytest.fixture
def wallets() -> Iterator[tuple[Wallet, Wallet]]:
    """Two wallet stores on one database, each on its own client: two wallet processes."""
    db_name = f"winzone_test_{uuid.uuid4().hex[:12]}"
    made: list[Wallet] = []
    for _ in range(2):
        events = ServerEvents()
        store = MongoLedgerStore(watched_client(URI, events), db_name, timeout=CONTENDED_TIMEOUT)
        made.append(Wallet(store, events, WalletUseCases(store)))
    made[0].store.migrate()
    try:
        yield made[0], made[1]
    finally:
        for wallet in made:
            wallet.store.close()
        admin: MongoClient[dict[str, Any]] = MongoClient(URI)
        admin.drop_database(db_name)
        admin.close()


def outcome_or_error(call: Callable[[], T]) -> T | Exception:
    try:
        return call()
    except (InsufficientFunds, IdempotencyConflict) as exc:
        return exc


def test_a_write_landing_inside_a_transaction_aborts_it_and_the_rerun_applies_it_once(
        wallets: tuple[Wallet, Wallet]) -> None:
    first, second = wallets
    user = new_user()
    first.credit(user, 1_000)
    landed: list[PostingOutcome] = []
    first.events.after_next(first_read_of_a_transaction,
                            lambda: landed.append(second.debit(user, 300, new_key())))
    aborts_before = len(first.events.aborts)

    late = first.debit(user, 200, new_key())

    assert len(landed) == 1, "the second store's debit never ran inside the first store's transaction"
    conflicts = first.events.aborts[aborts_before:]
    assert conflicts and {e.code for e in conflicts if e.code} <= {WRITE_CONFLICT}, conflicts
    assert (landed[0].transactions[0].balance_after, late.transactions[0].balance_after) == (700, 500)
    assert first.balance(f"user:{user}") == second.balance(f"user:{user}") == 500
    assert [t.amount for t in first.legs(user)] == [-200, -300, 1_000]
    first.assert_audit_ok()


def test_concurrent_debits_and_transfers_on_one_account_never_overspend_or_double_apply(
        wallets: tuple[Wallet, Wallet]) -> None:
    first, second = wallets
    payer, payee = new_user(), new_user()
    first.credit(payer, 2_000)
    first.events.after_next(first_read_of_a_transaction, lambda: second.debit(payer, 100, "forced-conflict"))
    keys = [f"race-{i}-{new_key()}" for i in range(40)]

    def move(index: int) -> PostingOutcome | Exception:
        wallet = (first, second)[index % 2]
        if index % 4 < 2:
            return outcome_or_error(lambda: wallet.debit(payer, 100, keys[index]))
        return outcome_or_error(lambda: wallet.transfer(payer, payee, 100, keys[index]))

    barrier = threading.Barrier(8)

    def worker(indexes: range) -> list[tuple[str, PostingOutcome | Exception]]:
        barrier.wait()
        return [(keys[i], move(i)) for i in indexes]

    with ThreadPoolExecutor(8) as pool:
        by_key = dict(pair for chunk in pool.map(worker, [range(i, 40, 8) for i in range(8)]) for pair in chunk)

    paid = {k: r for k, r in by_key.items() if isinstance(r, PostingOutcome)}
    refused = [r for r in by_key.values() if not isinstance(r, PostingOutcome)]
    assert all(isinstance(r, InsufficientFunds) for r in refused), refused
    assert len(paid) == 19 and len(refused) == 21
    transfers = sum(1 for k in paid if keys.index(k) % 4 >= 2)
    assert first.balance(f"user:{payer}") == 0
    assert first.balance(f"user:{payee}") == 100 * transfers
    assert first.balance(CLEARING) == -2_000 + 100 * (20 - transfers)
    payer_legs = first.legs(payer)
    assert sorted(str(t.idempotency_key) for t in payer_legs if t.amount < 0) == sorted([*paid, "forced-conflict"])
    assert min(t.balance_after or 0 for t in payer_legs) == 0
    for key, outcome in paid.items():
        replay = move(keys.index(key))
        assert isinstance(replay, PostingOutcome) and replay.replayed and replay.entry_id == outcome.entry_id
    server_aborts = first.events.aborts + second.events.aborts
    assert any(e.code == WRITE_CONFLICT for e in server_aborts), server_aborts
    first.assert_audit_ok()


def test_the_same_key_raced_from_two_stores_aborts_the_loser_which_replays_the_winner(
        wallets: tuple[Wallet, Wallet]) -> None:
    first, second = wallets
    user = new_user()
    first.credit(user, 1_000)
    key = new_key()
    winner: list[PostingOutcome] = []
    first.events.after_next(first_read_of_a_transaction, lambda: winner.append(second.debit(user, 250, key)))
    aborts_before = len(first.events.aborts)

    loser = first.debit(user, 250, key)

    assert len(winner) == 1 and not winner[0].replayed
    aborted = first.events.aborts[aborts_before:]
    assert aborted and {e.code for e in aborted if e.code} <= {WRITE_CONFLICT, DUPLICATE_KEY}, aborted
    assert loser.replayed
    assert (loser.entry_id, [t.id for t in loser.transactions], loser.wallets) == (
        winner[0].entry_id, [t.id for t in winner[0].transactions], winner[0].wallets)
    assert [t.idempotency_key for t in first.legs(user) if t.idempotency_key == key] == [key]
    assert first.balance(f"user:{user}") == 750
    before = (first.store.audit_facts().transactions_checked, first.balance(f"user:{user}"))

    with pytest.raises(IdempotencyConflict):
        second.debit(user, 999, key)
    with pytest.raises(IdempotencyConflict):
        first.transfer(user, new_user(), 250, key)

    assert (first.store.audit_facts().transactions_checked, first.balance(f"user:{user}")) == before
    first.assert_audit_ok()


def test_twenty_keys_each_sent_by_both_stores_at_once_are_applied_once_each(
        wallets: tuple[Wallet, Wallet]) -> None:
    first, second = wallets
    user = new_user()
    first.credit(user, 10_000)
    keys = [new_key() for _ in range(20)]
    calls = [(wallet, key) for key in keys for wallet in (first, second)]
    barrier = threading.Barrier(len(calls))

    def send(call: tuple[Wallet, str]) -> PostingOutcome:
        barrier.wait()
        return call[0].debit(user, 100, call[1])

    with ThreadPoolExecutor(len(calls)) as pool:
        outcomes = list(pool.map(send, calls))

    for index in range(0, len(outcomes), 2):
        a, b = outcomes[index], outcomes[index + 1]
        assert a.entry_id == b.entry_id and [t.id for t in a.transactions] == [t.id for t in b.transactions]
        assert sorted([a.replayed, b.replayed]) == [False, True]
    debit_keys = [str(t.idempotency_key) for t in first.legs(user) if t.amount < 0]
    assert sorted(debit_keys) == sorted(keys)
    assert first.balance(f"user:{user}") == 10_000 - 100 * len(keys)
    first.assert_audit_ok()
