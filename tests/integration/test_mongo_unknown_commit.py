"""Commits whose outcome the client does not learn, on a real MongoDB: retried safely, applied once.

The server's ``failCommand`` failpoint (test commands enabled, one client chosen by its app name) makes the
next ``commitTransaction`` fail in the ways a network or a primary does:

- refused before it ran (a retryable error, or the connection closed): the driver commits again and the
  command is applied once;
- run, but its acknowledgement lost (a write concern error after the commit): the driver's second commit is
  answered "already committed" and the command is applied once;
- held back until the caller's time budget ran out: the caller gets ``Unavailable`` and retries with the
  same idempotency key, which settles the outcome exactly once, and meanwhile nobody else is locked out of the
  documents the abandoned transaction wrote (the store ends it on the server at once instead of leaving it
  to the server's 60 s transaction lifetime).

Every wallet test ends with the wallet audit.
"""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from pymongo import MongoClient

from reward_service.adapters.mongo_store import MongoRewardStore
from reward_service.domain.model import Competition
from reward_service.domain.ports import RewardUnitOfWork
from tests.support.ids import new_key, new_user
from tests.support.mongo import require_real_mongo
from tests.support.mongo_events import ServerEvents, fail_next, kill_sessions, watched_client
from wallet_service.adapters.mongo_store import MongoLedgerStore
from wallet_service.domain.accounts import parse_account
from wallet_service.domain.audit import audit
from wallet_service.domain.model import PostingOutcome, TransactionFilter
from wallet_service.use_cases import WalletUseCases
from winzone_kernel.errors import Unavailable

URI = require_real_mongo()

pytestmark = pytest.mark.mongo

SHORT_BUDGET = 1.0
"""Seconds per store call for the store whose commit is held back."""
HELD_BACK_MS = 2_500
"""How long the server holds that commit: longer than the budget."""
RETRY_BUDGET = 5.0
"""Seconds the caller's retry (and any other writer) may take: far less than the server's 60 s lifetime."""

NOT_RUN_RETRYABLE = {"errorCode": 89, "errorLabels": ["RetryableWriteError"]}
NOT_RUN_CONNECTION_CLOSED = {"closeConnection": True}
RUN_BUT_ANSWER_LOST = {"writeConcernError": {"code": 64, "codeName": "WriteConcernFailed",
                                             "errmsg": "waiting for replication timed out",
                                             "errInfo": {"wtimeout": True}}}


@dataclasses.dataclass
class Ledger:
    store: MongoLedgerStore
    events: ServerEvents
    app_name: str

    def credit(self, user: str, amount: int, key: str) -> PostingOutcome:
        result: PostingOutcome = asyncio.run(WalletUseCases(self.store).postings.credit(
            key=key, user_id=user, amount=amount, currency="INR", type="topup", counter_account="",
            source="test", description="top-up", metadata={}))
        return result

    def balance(self, user: str) -> int:
        state = self.store.get_account(parse_account(f"user:{user}"), "INR")
        return 0 if state is None else state.balance

    def keyed_legs(self, user: str, key: str) -> int:
        items = self.store.list_transactions(TransactionFilter(user_id=user, limit=100)).items
        return sum(1 for t in items if t.idempotency_key == key)

    def assert_audit_ok(self) -> None:
        report = audit(self.store.audit_facts())
        assert report.ok, report.violations


@pytest.fixture
def db_name() -> Iterator[str]:
    name = f"winzone_test_{uuid.uuid4().hex[:12]}"
    yield name
    admin: MongoClient[dict[str, Any]] = MongoClient(URI)
    admin.drop_database(name)
    admin.close()


def ledger_on(db_name: str, timeout: float) -> Ledger:
    events, app_name = ServerEvents(), f"winzone-commit-{uuid.uuid4().hex[:12]}"
    store = MongoLedgerStore(watched_client(URI, events, app_name), db_name, timeout=timeout)
    store.migrate()
    return Ledger(store, events, app_name)


@pytest.fixture
def ledger(db_name: str) -> Iterator[Ledger]:
    made = ledger_on(db_name, 30.0)
    yield made
    made.store.close()


@pytest.mark.parametrize("failure", [NOT_RUN_RETRYABLE, NOT_RUN_CONNECTION_CLOSED, RUN_BUT_ANSWER_LOST],
                         ids=["not-run-retryable-error", "not-run-connection-closed", "run-answer-lost"])
def test_a_commit_whose_outcome_was_unknown_is_retried_and_applied_once(
        ledger: Ledger, failure: dict[str, Any]) -> None:
    user, key = new_user(), new_key()
    ledger.credit(user, 1_000, new_key())
    commits_before = ledger.events.commits_sent

    with fail_next(URI, ledger.app_name, ["commitTransaction"], **failure):
        outcome = ledger.credit(user, 250, key)

    assert ledger.events.commits_sent - commits_before >= 2, "the driver did not commit a second time"
    assert ledger.events.errors and ledger.events.errors[-1].command == "commitTransaction"
    assert not outcome.replayed and outcome.transactions[0].balance_after == 1_250
    assert ledger.balance(user) == 1_250
    assert ledger.keyed_legs(user, key) == 1
    again = ledger.credit(user, 250, key)
    assert again.replayed and again.entry_id == outcome.entry_id
    assert ledger.balance(user) == 1_250
    ledger.assert_audit_ok()


def test_a_wallet_commit_cut_off_by_the_time_budget_is_settled_once_by_the_retry(db_name: str) -> None:
    impatient, other = ledger_on(db_name, SHORT_BUDGET), ledger_on(db_name, RETRY_BUDGET)
    try:
        user, key = new_user(), new_key()
        other.credit(user, 1_000, new_key())

        with fail_next(URI, impatient.app_name, ["commitTransaction"], blockConnection=True,
                       blockTimeMS=HELD_BACK_MS), pytest.raises(Unavailable):
            impatient.credit(user, 250, key)
        other.credit(user, 1, new_key())
        retried = other.credit(user, 250, key)

        assert other.keyed_legs(user, key) == 1
        assert other.balance(user) == 1_251
        assert retried.transactions[0].amount == 250
        other.assert_audit_ok()
    finally:
        kill_sessions(URI, impatient.events)
        impatient.store.close()
        other.store.close()


def _add_to_pool(amount: int) -> Any:
    def op(uow: RewardUnitOfWork) -> None:
        current = uow.competition_get("cmp-held")
        assert current is not None
        uow.competition_update(dataclasses.replace(current, pool_balance=current.pool_balance + amount,
                                                   version=current.version + 1))
    return op


def test_a_reward_commit_cut_off_by_the_time_budget_locks_nobody_out(db_name: str) -> None:
    events, app_name = ServerEvents(), f"winzone-commit-{uuid.uuid4().hex[:12]}"
    impatient = MongoRewardStore(watched_client(URI, events, app_name), db_name, timeout=SHORT_BUDGET)
    other = MongoRewardStore(MongoClient(URI), db_name, timeout=RETRY_BUDGET)
    try:
        impatient.migrate()
        other.atomic(lambda uow: uow.competition_add(
            Competition("cmp-held", "org", 100, "INR", "top3", "open", 0, 0, 1, "t0", "t0")))

        with fail_next(URI, app_name, ["commitTransaction"], blockConnection=True, blockTimeMS=HELD_BACK_MS), \
                pytest.raises(Unavailable):
            impatient.atomic(_add_to_pool(10))
        other.atomic(_add_to_pool(5))

        competition = other.read(lambda uow: uow.competition_get("cmp-held"))
        assert competition is not None
        assert (competition.pool_balance, competition.version) in ((5, 2), (15, 3))
    finally:
        impatient.close()
        other.close()
