"""Reads that a decision depends on see one snapshot on a real MongoDB, whatever another client writes meanwhile.

The race is certain, not hoped for: a second store (its own client, as another process) commits a write right
after the first read of the reader's snapshot session and before its next one. A reader that took each query
at its own point in time would then see the write in some of its queries and not in others: an audit whose
balances disagree with their legs, a page longer than its total, a competition whose entries disagree with
its contributions. Every wallet test ends with the wallet audit.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from pymongo import MongoClient

from reward_service.adapters.mongo_store import MongoRewardStore
from reward_service.domain.model import NO_LEASE, Competition, Contribution, PaymentStatus
from reward_service.domain.ports import RewardUnitOfWork
from reward_service.domain.rules import competition_of
from tests.support.ids import new_key, new_user
from tests.support.mongo import require_real_mongo
from tests.support.mongo_events import ServerEvents, reads_snapshot, watched_client
from wallet_service.adapters.mongo_store import MongoLedgerStore
from wallet_service.domain.audit import audit
from wallet_service.domain.model import TransactionFilter
from wallet_service.use_cases import WalletUseCases

URI = require_real_mongo()

pytestmark = pytest.mark.mongo


@pytest.fixture
def db_name() -> Iterator[str]:
    name = f"winzone_test_{uuid.uuid4().hex[:12]}"
    yield name
    admin: MongoClient[dict[str, Any]] = MongoClient(URI)
    admin.drop_database(name)
    admin.close()


@pytest.fixture
def ledgers(db_name: str) -> Iterator[tuple[MongoLedgerStore, ServerEvents, WalletUseCases]]:
    """The reader's wallet store (heard by its events) and the use cases of a second store, the writer."""
    events = ServerEvents()
    reader = MongoLedgerStore(watched_client(URI, events), db_name)
    writer = MongoLedgerStore(MongoClient(URI), db_name)
    reader.migrate()
    try:
        yield reader, events, WalletUseCases(writer)
    finally:
        reader.close()
        writer.close()


def credit(wallet: WalletUseCases, user: str, amount: int) -> None:
    asyncio.run(wallet.postings.credit(key=new_key(), user_id=user, amount=amount, currency="INR", type="topup",
                                       counter_account="", source="test", description="top-up", metadata={}))


def transfer(wallet: WalletUseCases, sender: str, receiver: str, amount: int) -> None:
    asyncio.run(wallet.postings.transfer(key=new_key(), from_user_id=sender, to_user_id=receiver, amount=amount,
                                         currency="INR", description="transfer", metadata={}))


def test_the_audit_reads_one_snapshot_while_money_moves(
        ledgers: tuple[MongoLedgerStore, ServerEvents, WalletUseCases]) -> None:
    reader, events, writer = ledgers
    alice, bob = new_user(), new_user()
    credit(writer, alice, 1_000)
    before = reader.audit_facts()
    moved: list[bool] = []

    def money_moves() -> None:
        transfer(writer, alice, bob, 400)
        credit(writer, bob, 50)
        moved.append(True)

    events.after_next(reads_snapshot, money_moves)

    facts = reader.audit_facts()

    assert moved, "nothing was written between the audit's reads"
    report = audit(facts)
    assert report.ok, report.violations
    assert (facts.transactions_checked, sorted(facts.accounts)) == (before.transactions_checked,
                                                                     sorted(before.accounts))
    after = audit(reader.audit_facts())
    assert after.ok, after.violations
    assert after.transactions_checked == before.transactions_checked + 4


def test_a_page_of_transactions_agrees_with_its_total_while_they_are_written(
        ledgers: tuple[MongoLedgerStore, ServerEvents, WalletUseCases]) -> None:
    reader, events, writer = ledgers
    user = new_user()
    credit(writer, user, 100)
    events.after_next(reads_snapshot, lambda: credit(writer, user, 200))

    page = reader.list_transactions(TransactionFilter(user_id=user, limit=50))

    assert (page.total, [t.amount for t in page.items]) == (1, [100])
    later = reader.list_transactions(TransactionFilter(user_id=user, limit=50))
    assert (later.total, [t.amount for t in later.items]) == (2, [200, 100])
    report = audit(reader.audit_facts())
    assert report.ok, report.violations


def _competition_and_entries(uow: RewardUnitOfWork) -> tuple[int, int, int]:
    """What a refund decides from: the competition's counters, then its contributions."""
    competition = competition_of(uow, "cmp-snap")
    paid = [c for c in uow.contributions_of("cmp-snap") if c.status == PaymentStatus.PAID]
    return competition.entries, competition.pool_balance, len(paid)


def _one_more_entry(now: str) -> Any:
    def op(uow: RewardUnitOfWork) -> None:
        competition = competition_of(uow, "cmp-snap")
        player = f"p{competition.entries}"
        uow.contribution_add(Contribution(
            id=Contribution.entry_id("cmp-snap", player), competition_id="cmp-snap", user_id=player,
            kind="entry", amount=100, currency="INR", request_fingerprint="test", status=PaymentStatus.PAID.value,
            lease_token="", lease_until=NO_LEASE, created_at=now, updated_at=now))
        uow.competition_update(competition.bumped(now, entries=competition.entries + 1,
                                                  pool_balance=competition.pool_balance + 100))
    return op


def test_a_reward_decision_reads_the_competition_and_its_entries_from_one_snapshot(db_name: str) -> None:
    events = ServerEvents()
    reader = MongoRewardStore(watched_client(URI, events), db_name)
    writer = MongoRewardStore(MongoClient(URI), db_name)
    try:
        reader.migrate()
        writer.atomic(lambda uow: uow.competition_add(
            Competition("cmp-snap", "org", 100, "INR", "top3", "open", 0, 0, 1, "t0", "t0")))
        for _ in range(3):
            writer.atomic(_one_more_entry("t1"))
        events.after_next(reads_snapshot, lambda: writer.atomic(_one_more_entry("t2")))

        seen = reader.read(_competition_and_entries)

        assert seen == (3, 300, 3)
        assert reader.read(_competition_and_entries) == (4, 400, 4)
    finally:
        reader.close()
        writer.close()
