"""Group commit of the MongoDB ledger store on a real replica set: batches, per-command refusal, replays
within a batch, and two store instances (two processes' worth of writers) on the same accounts.

Commands are put into one batch deterministically: a first command holds the writer thread on a gate until
the others are queued, so the writer then takes all of them together. ``group_commit.batches`` counts the
transactions committed and ``group_commit.attempts`` every transaction tried (a conflict rerun adds one).
"""

from __future__ import annotations

import asyncio
import random
import threading
from collections.abc import Callable, Coroutine, Iterator
from typing import Any, NamedTuple, TypeVar

import pytest
from pymongo import MongoClient

from tests.support.ids import new_key, new_user
from tests.support.mongo import require_real_mongo
from wallet_service.adapters.mongo_store import MongoLedgerStore
from wallet_service.domain import ledger
from wallet_service.domain.accounts import user_account
from wallet_service.domain.audit import audit
from wallet_service.domain.commands import MoveCommand, TransferCommand
from wallet_service.domain.model import PostingOutcome, TransactionFilter
from wallet_service.domain.ports import LedgerUnitOfWork
from winzone_kernel.errors import IdempotencyConflict, InsufficientFunds

URI = require_real_mongo()

pytestmark = pytest.mark.mongo

T = TypeVar("T")
TIMEOUT = 60.0


@pytest.fixture
def db_name() -> Iterator[str]:
    name = f"winzone_gc_{new_key()[4:16]}"
    yield name
    client: MongoClient[dict[str, Any]] = MongoClient(URI)
    try:
        client.drop_database(name)
    finally:
        client.close()


@pytest.fixture
def store(db_name: str) -> Iterator[MongoLedgerStore]:
    with _store(db_name) as opened:
        yield opened


class _store:
    """A migrated ``MongoLedgerStore`` on its own client (as another process would have), closed on exit."""

    def __init__(self, db_name: str) -> None:
        self.store = MongoLedgerStore.from_uri(URI, db_name, timeout=TIMEOUT)

    def __enter__(self) -> MongoLedgerStore:
        self.store.migrate()
        return self.store

    def __exit__(self, *exc: object) -> None:
        self.store.close()


def move(user: str, amount: int, *, key: str | None = None) -> Callable[[LedgerUnitOfWork], PostingOutcome]:
    cmd = MoveCommand.build(
        key=key or new_key(), user_id=user, amount=abs(amount), currency="INR", type="", counter_account="",
        source="test", description="", metadata={}, direction=1 if amount > 0 else -1,
    )
    return lambda uow: ledger.move(uow, cmd)


def transfer(sender: str, receiver: str, amount: int, key: str) -> Callable[[LedgerUnitOfWork], PostingOutcome]:
    cmd = TransferCommand.build(key=key, from_user_id=sender, to_user_id=receiver, amount=amount, currency="INR",
                                description="", metadata={})
    return lambda uow: ledger.transfer(uow, cmd)


class Planned(NamedTuple):
    """One transfer of a test's plan."""

    key: str
    sender: str
    receiver: str
    amount: int

    def command(self) -> Callable[[LedgerUnitOfWork], PostingOutcome]:
        return transfer(self.sender, self.receiver, self.amount, self.key)


def plan_transfers(users: list[str], count: int, seed: int, start: int) -> tuple[list[Planned], dict[str, int]]:
    """``count`` random transfers among ``users`` (each funded with ``start``) and the balances they leave."""
    rng = random.Random(seed)
    pairs = [rng.sample(users, 2) for _ in range(count)]
    plan = [Planned(new_key(), sender, receiver, rng.randint(1, 300)) for sender, receiver in pairs]
    expected = dict.fromkeys(users, start)
    for planned in plan:
        expected[planned.sender] -= planned.amount
        expected[planned.receiver] += planned.amount
    return plan, expected


def balance(store: MongoLedgerStore, user: str) -> int:
    state = store.get_account(user_account(user), "INR")
    return 0 if state is None else state.balance


def assert_audit_ok(store: MongoLedgerStore) -> None:
    report = audit(store.audit_facts())
    assert report.ok, report.violations
    assert all(total == 0 for total in report.totals.values()), report.totals


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


async def in_one_batch(store: MongoLedgerStore, ops: list[Callable[[LedgerUnitOfWork], T]]) -> list[T | Exception]:
    """Run ``ops`` as one batch: a gate command holds the writer until every op is queued behind it."""
    entered, gate = threading.Event(), threading.Event()

    def hold_the_writer(uow: LedgerUnitOfWork) -> None:
        entered.set()
        gate.wait(TIMEOUT)

    holder = asyncio.ensure_future(store.atomic_async(hold_the_writer))
    await asyncio.to_thread(entered.wait, TIMEOUT)
    tasks = [asyncio.ensure_future(store.atomic_async(op)) for op in ops]
    await asyncio.sleep(0)
    gate.set()
    await holder
    outcomes = await asyncio.gather(*tasks, return_exceptions=True)
    return [RuntimeError(o) if isinstance(o, BaseException) and not isinstance(o, Exception) else o
            for o in outcomes]


def test_a_refused_command_refuses_only_itself(store: MongoLedgerStore) -> None:
    alice, bob = new_user(), new_user()
    used = new_key()
    store.atomic(move(alice, 1_000, key=used))
    batches = store.group_commit.batches
    outcomes = run(in_one_batch(store, [
        move(alice, -300),
        move(alice, -900),
        move(alice, 50),
        move(bob, 5, key=used),
        transfer(alice, bob, 200, new_key()),
        move(alice, -551),
    ]))
    assert store.group_commit.batches == batches + 2
    debit, overdraw, credit, reused, moved, overdraw_again = outcomes
    assert isinstance(overdraw, InsufficientFunds) and isinstance(overdraw_again, InsufficientFunds)
    assert isinstance(reused, IdempotencyConflict)
    assert isinstance(debit, PostingOutcome) and isinstance(credit, PostingOutcome)
    assert isinstance(moved, PostingOutcome)
    assert [debit.wallets[0].balance, credit.wallets[0].balance, moved.wallets[0].balance] == [700, 750, 550]
    assert (balance(store, alice), balance(store, bob)) == (550, 200)
    assert store.list_transactions(TransactionFilter(user_id=alice)).total == 4
    assert store.get_account(user_account(bob), "INR") is not None
    assert_audit_ok(store)


def test_the_same_key_twice_in_one_batch_posts_once(store: MongoLedgerStore) -> None:
    user = new_user()
    key = new_key()
    batches = store.group_commit.batches
    first, second = run(in_one_batch(store, [move(user, 700, key=key), move(user, 700, key=key)]))
    assert store.group_commit.batches == batches + 2
    assert isinstance(first, PostingOutcome) and isinstance(second, PostingOutcome)
    assert (first.replayed, second.replayed) == (False, True)
    assert second.entry_id == first.entry_id
    assert second.transactions == first.transactions and second.wallets == first.wallets
    assert balance(store, user) == 700
    assert store.list_transactions(TransactionFilter(user_id=user)).total == 1
    assert_audit_ok(store)


def test_many_concurrent_postings_land_exactly_once(store: MongoLedgerStore) -> None:
    users = [new_user() for _ in range(12)]
    for user in users:
        store.atomic(move(user, 100_000))
    plan, expected = plan_transfers(users, 300, seed=11, start=100_000)

    async def everyone() -> list[PostingOutcome]:
        sem = asyncio.Semaphore(48)

        async def one(planned: Planned) -> PostingOutcome:
            async with sem:
                return await store.atomic_async(planned.command())

        first = asyncio.gather(*(one(p) for p in plan))
        again = asyncio.gather(*(one(p) for p in plan[::3]))
        outcomes, replays = await asyncio.gather(first, again)
        return [*outcomes, *replays]

    batches = store.group_commit.batches
    outcomes = run(everyone())
    threaded = [threading.Thread(target=store.atomic, args=(p.command(),)) for p in plan[1::7]]
    for thread in threaded:
        thread.start()
    for thread in threaded:
        thread.join()
    assert len({o.entry_id for o in outcomes}) == len(plan)
    assert {user: balance(store, user) for user in users} == expected
    assert sum(store.list_transactions(TransactionFilter(user_id=u)).total for u in users) == 2 * len(plan) + 12
    assert store.group_commit.batches - batches < len(outcomes)
    assert_audit_ok(store)


def test_a_write_conflict_with_another_store_reruns_the_batch(store: MongoLedgerStore, db_name: str) -> None:
    user = new_user()
    store.atomic(move(user, 1_000))
    read_inside, gate = threading.Event(), threading.Event()
    debit = move(user, -400)

    def debit_after_a_concurrent_credit(uow: LedgerUnitOfWork) -> PostingOutcome:
        if uow.account_get(user_account(user), "INR") is not None and not gate.is_set():
            read_inside.set()
            gate.wait(TIMEOUT)
        return debit(uow)

    with _store(db_name) as other:
        async def race() -> PostingOutcome:
            pending = asyncio.ensure_future(store.atomic_async(debit_after_a_concurrent_credit))
            await asyncio.to_thread(read_inside.wait, TIMEOUT)
            await other.atomic_async(move(user, 250))
            gate.set()
            return await pending

        attempts = store.group_commit.attempts
        outcome = run(race())
    assert store.group_commit.attempts >= attempts + 2
    assert outcome.wallets[0].balance == 850
    assert balance(store, user) == 850
    assert store.list_transactions(TransactionFilter(user_id=user)).total == 3
    assert_audit_ok(store)


def test_two_stores_on_the_same_accounts_serialize(store: MongoLedgerStore, db_name: str) -> None:
    users = [new_user() for _ in range(3)]
    for user in users:
        store.atomic(move(user, 10_000))
    plan, expected = plan_transfers(users, 240, seed=5, start=10_000)

    with _store(db_name) as other:
        async def both() -> list[PostingOutcome]:
            stores = (store, other)
            return await asyncio.gather(*(
                stores[index % 2].atomic_async(planned.command()) for index, planned in enumerate(plan)))

        async def replay_first_twenty() -> list[PostingOutcome]:
            return await asyncio.gather(*(other.atomic_async(p.command()) for p in plan[:20]))

        attempts = store.group_commit.attempts + other.group_commit.attempts
        batches = store.group_commit.batches + other.group_commit.batches
        outcomes = run(both())
        replays = run(replay_first_twenty())
        reruns = store.group_commit.attempts + other.group_commit.attempts - attempts \
            - (store.group_commit.batches + other.group_commit.batches - batches)
    assert len({o.entry_id for o in outcomes}) == len(plan)
    print(f"two stores: {len(plan)} transfers over {len(users)} accounts, {reruns} batch reruns after conflicts")
    assert all(r.replayed for r in replays)
    assert [r.entry_id for r in replays] == [o.entry_id for o in outcomes[:20]]
    assert {user: balance(store, user) for user in users} == expected
    assert sum(store.list_transactions(TransactionFilter(user_id=u)).total for u in users) == 2 * len(plan) + 3
    assert_audit_ok(store)
