"""The largest postings the reward service makes, on a real MongoDB: a distribution to the most winners one
match may pay (19,997 winners and two fees) and the refund of 20,000 entry fees. One transaction cannot hold
either (a 20,000-leg posting is some 40,000 document writes: the bundled mongod's 0.25 GB WiredTiger cache
refuses it with TransactionTooLargeForCache, and under load it outlasts the store's 10 s budget), so the reward
service splits a distribution into postings of at most 2,000 winners, and pays a refund as one entry per line in
PostBatch calls of 250 entries, each posting or call its own transaction within MongoDB's limits (the
storage engine's cache for its writes, 16 MB per batch of commands, 60 s of lifetime), each leg still keyed
once, so every winner and every payer is paid exactly once.

Both services run on gRPC ports as in production, their stores built by ``from_uri`` with the production time
budget. The refund's 20,000 entries are seeded as paid entries leave them (each player topped up and charged
through wallet postings whose legs carry the entry ids, the entries recorded paid in the reward store through
its port) because charging 20,000 entries one request at a time would take minutes; the refund itself takes
the service's real path. Each test ends with the wallet's Audit RPC.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from pymongo import MongoClient

from reward_service.adapters.mongo_store import MongoRewardStore
from reward_service.domain.model import NO_LEASE, Contribution, ContributionKind, PaymentStatus
from reward_service.domain.ports import RewardUnitOfWork
from reward_service.domain.postings import DISTRIBUTION_BATCH, MAX_PAYOUTS, REFUND_BATCH
from reward_service.domain.rules import competition_of
from tests.support.ids import new_id
from tests.support.mongo import require_real_mongo
from tests.support.rewards import Harness
from wallet_service.adapters.mongo_store import MongoLedgerStore
from wallet_service.domain.commands import LegRequest
from wallet_service.domain.ports import LedgerStore
from wallet_service.use_cases import WalletUseCases
from winzone.rewards.v1 import rewards_pb2 as rpb
from winzone_kernel.clock import timestamp_now

URI = require_real_mongo()

pytestmark = pytest.mark.mongo

REFUNDED_ENTRIES = 20_000
ENTRY_FEE = 100
SEED_CHUNK = 1_000
SEED_THREADS = 4
"""Entries recorded per reward-store transaction while seeding, and transactions at once."""
SEED_TIMEOUT = 120.0
"""Seconds per seeding call: seeding is not what is tested, so a loaded machine must not fail it."""
REFUND_TIMEOUT = 300.0
"""Seconds the refund of 20,000 entries may take: 80 PostBatch calls of 250 entries, each a wallet transaction
of some 1,000 documents, on a machine the other tests share (a bound, not an assertion)."""


@pytest.fixture
def db_names() -> Iterator[tuple[str, str]]:
    """The wallet's database and the reward service's, dropped afterwards."""
    names = (f"winzone_test_{uuid.uuid4().hex[:12]}", f"winzone_test_{uuid.uuid4().hex[:12]}")
    yield names
    admin: MongoClient[dict[str, Any]] = MongoClient(URI)
    for name in names:
        admin.drop_database(name)
    admin.close()


@pytest.fixture
def env(tmp_path: Path, db_names: tuple[str, str]) -> Iterator[Harness]:
    ledger = MongoLedgerStore.from_uri(URI, db_names[0])
    rewards = MongoRewardStore.from_uri(URI, db_names[1])
    with Harness(tmp_path, ledger=ledger, rewards_store=rewards) as harness:
        yield harness


@pytest.fixture
def seed_ledger(env: Harness, db_names: tuple[str, str]) -> Iterator[LedgerStore]:
    """A second wallet store on the wallet's database with a generous budget, for seeding only."""
    store = MongoLedgerStore.from_uri(URI, db_names[0], timeout=SEED_TIMEOUT)
    yield store
    store.close()


@pytest.fixture
def seed_rewards(env: Harness, db_names: tuple[str, str]) -> Iterator[MongoRewardStore]:
    """A second reward store on the reward service's database with a generous budget, for seeding only."""
    store = MongoRewardStore.from_uri(URI, db_names[1], timeout=SEED_TIMEOUT)
    yield store
    store.close()


def balances(ledger: LedgerStore) -> dict[str, int]:
    """Every account's balance, from one snapshot."""
    return {account: balance for account, _, _, balance, _, _ in ledger.audit_facts().accounts}


def post(ledger: LedgerStore, key: str, legs: list[LegRequest]) -> None:
    asyncio.run(WalletUseCases(ledger).postings.post(key=key, legs=legs, source="seed", description="seed",
                                                     metadata={}))


def test_a_distribution_to_the_most_winners_allowed_is_paid_once_in_postings_that_fit(env: Harness) -> None:
    competition = env.open(new_id("org"), 100)
    sponsor = new_id("s")
    env.credit(sponsor, 1_000_000)
    env.rewards.FundPrizePool(rpb.FundPrizePoolRequest(competition_id=competition, user_id=sponsor,
                                                       amount=1_000_000, idempotency_key="seed"))
    winners = [f"w{i:05d}-{competition}" for i in range(MAX_PAYOUTS)]
    match = new_id("m")
    request = env.request(match, competition, [(w, 1) for w in winners])
    legs_before = env.ledger.audit_facts().transactions_checked

    paid = env.rewards.DistributeMatchRewards(request)

    assert paid.status == "paid" and paid.entry_id and len(paid.payouts) == MAX_PAYOUTS
    assert sum(p.amount for p in paid.payouts) + paid.platform_fee + paid.organizer_fee == 1_000_000
    after = env.ledger.audit_facts()
    postings = -(-MAX_PAYOUTS // DISTRIBUTION_BATCH)
    assert after.transactions_checked == legs_before + MAX_PAYOUTS + 2 + postings
    held = balances(env.ledger)
    assert all(held[f"user:{p.user_id}"] == p.amount for p in paid.payouts)
    assert env.pool(competition) == 0
    again = env.rewards.DistributeMatchRewards(request)
    assert again.entry_id == paid.entry_id and list(again.payouts) == list(paid.payouts)
    assert env.ledger.audit_facts().transactions_checked == after.transactions_checked
    env.assert_audit_ok()


def seed_paid_entries(ledger: LedgerStore, rewards: MongoRewardStore, competition: str,
                      players: list[str]) -> None:
    """What 20,000 charged entries leave: each player topped up and charged (leg key = the entry's id), and
    the entries recorded paid, counted and in the pool of the reward store."""
    for start in range(0, len(players), REFUND_BATCH):
        batch = players[start:start + REFUND_BATCH]
        post(ledger, f"seed-topup-{competition}-{start}", [
            LegRequest(account="clearing:external", amount=-ENTRY_FEE * len(batch), type="topup"),
            *(LegRequest(account=f"user:{p}", amount=ENTRY_FEE, type="topup") for p in batch)])
        post(ledger, f"seed-entries-{competition}-{start}", [
            *(LegRequest(account=f"user:{p}", amount=-ENTRY_FEE, type="entryFee",
                         key=Contribution.entry_id(competition, p)) for p in batch),
            LegRequest(account=f"pool:{competition}", amount=ENTRY_FEE * len(batch), type="entryFee")])
    now = timestamp_now()

    def record(chunk: list[str]) -> None:
        def op(uow: RewardUnitOfWork) -> None:
            for player in chunk:
                uow.contribution_add(Contribution(
                    id=Contribution.entry_id(competition, player), competition_id=competition, user_id=player,
                    kind=ContributionKind.ENTRY.value, amount=ENTRY_FEE, currency="INR",
                    request_fingerprint="seeded", status=PaymentStatus.PAID.value, lease_token="",
                    lease_until=NO_LEASE, created_at=now, updated_at=now))
        rewards.atomic(op)

    with ThreadPoolExecutor(SEED_THREADS) as pool:
        list(pool.map(record, [players[i:i + SEED_CHUNK] for i in range(0, len(players), SEED_CHUNK)]))

    def count(uow: RewardUnitOfWork) -> None:
        current = competition_of(uow, competition)
        uow.competition_update(current.bumped(now, entries=current.entries + len(players),
                                              pool_balance=current.pool_balance + ENTRY_FEE * len(players)))

    rewards.atomic(count)


def test_a_refund_of_twenty_thousand_entries_returns_each_fee_once(env: Harness, seed_ledger: LedgerStore,
                                                                   seed_rewards: MongoRewardStore) -> None:
    competition = env.open(new_id("org"), ENTRY_FEE)
    players = [f"p{i:05d}-{competition}" for i in range(REFUNDED_ENTRIES)]
    seed_paid_entries(seed_ledger, seed_rewards, competition, players)
    assert env.competition(competition).pool_balance == env.pool(competition) == ENTRY_FEE * REFUNDED_ENTRIES
    seeded = balances(env.ledger)
    assert all(seeded[f"user:{p}"] == 0 for p in players)
    legs_before = env.ledger.audit_facts().transactions_checked

    result = env.rewards.RefundEntryFees(rpb.RefundEntryFeesRequest(competition_id=competition, reason="cancel"),
                                         timeout=REFUND_TIMEOUT)

    assert (result.refund.status, result.refund.total) == ("paid", ENTRY_FEE * REFUNDED_ENTRIES)
    assert len(result.refund.lines) == REFUNDED_ENTRIES and result.competition.status == "cancelled"
    after = env.ledger.audit_facts()
    assert after.transactions_checked == legs_before + 2 * REFUNDED_ENTRIES
    held = balances(env.ledger)
    assert all(held[f"user:{p}"] == ENTRY_FEE for p in players)
    assert env.pool(competition) == 0 == env.competition(competition).pool_balance
    again = env.rewards.RefundEntryFees(rpb.RefundEntryFeesRequest(competition_id=competition, reason="cancel"),
                                        timeout=REFUND_TIMEOUT)
    assert again.refund == result.refund
    assert env.ledger.audit_facts().transactions_checked == after.transactions_checked
    env.assert_audit_ok()
