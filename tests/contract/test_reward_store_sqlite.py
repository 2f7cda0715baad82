"""The reward store contract on the embedded SQLite store (a file per test)."""

from __future__ import annotations

import contextlib
import sqlite3
from dataclasses import replace

import pytest

from reward_service.adapters.sqlite_store import SqliteRewardStore
from reward_service.domain.model import NO_LEASE
from reward_service.domain.ports import RewardStore
from tests.contract.reward_store_contract import (
    LATER,
    NOW,
    RewardStoreContract,
    a_competition,
    a_contribution,
    a_distribution,
    at,
)
from winzone_kernel.clock import parse_utc

LEGACY_CONTRIBUTIONS = """
CREATE TABLE contributions (
    id TEXT PRIMARY KEY,
    competition_id TEXT NOT NULL REFERENCES competitions (id),
    user_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('entry', 'sponsorship')),
    amount INTEGER NOT NULL CHECK (amount > 0),
    currency TEXT NOT NULL,
    request_fingerprint TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'paid')),
    lease_token TEXT NOT NULL,
    lease_until REAL NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) WITHOUT ROWID
"""
"""The contributions table as versions before leases ran on the service clock created it."""

PRE_ATTEMPT_CONTRIBUTIONS = LEGACY_CONTRIBUTIONS.replace("lease_until REAL", "lease_until TEXT") + """;
CREATE TRIGGER contributions_paid_are_final
BEFORE UPDATE ON contributions WHEN OLD.status = 'paid' OR NEW.amount <> OLD.amount
    OR NEW.user_id <> OLD.user_id OR NEW.competition_id <> OLD.competition_id
BEGIN SELECT RAISE(ABORT, 'a paid contribution never changes'); END;
CREATE TRIGGER contributions_paid_are_never_deleted
BEFORE DELETE ON contributions WHEN OLD.status = 'paid'
BEGIN SELECT RAISE(ABORT, 'a paid contribution is never deleted'); END;
"""
"""The contributions table and its triggers as versions before entry attempts created them."""


class TestSqliteRewardStore(RewardStoreContract):
    def create_store(self) -> RewardStore:
        return SqliteRewardStore(self.tmp_path / "rewards.sqlite3", synchronous="NORMAL")

    def test_a_paid_distribution_cannot_be_rewritten_even_by_hand(self) -> None:
        competition = self.add_competition()
        distribution = a_distribution(competition.id)
        self.atomic(lambda uow: uow.distribution_add(distribution))
        self.atomic(lambda uow: uow.distribution_mark_paid(distribution.match_id, "ent_1", LATER))
        conn = sqlite3.connect(self.tmp_path / "rewards.sqlite3")
        try:
            for statement in ("UPDATE distributions SET status = 'pending', entry_id = ''",
                              "UPDATE distributions SET prize_pool = prize_pool + 1",
                              "DELETE FROM distributions"):
                with pytest.raises(sqlite3.IntegrityError):
                    conn.execute(statement)
        finally:
            conn.close()

    def test_the_list_queries_read_an_index_in_order_and_sort_nothing(self) -> None:
        self.add_competition()
        queries = {
            "SELECT id FROM competitions ORDER BY created_at DESC, id DESC LIMIT 20": "competitions_newest",
            "SELECT id FROM competitions WHERE status = 'open' ORDER BY created_at DESC, id DESC LIMIT 20":
                "competitions_status_newest",
            "SELECT id FROM competitions WHERE organizer_id = 'org1' ORDER BY created_at DESC, id DESC LIMIT 20":
                "competitions_organizer_newest",
            "SELECT id FROM contributions WHERE competition_id = 'c' AND kind = 'entry' AND status <> 'refused' "
            "ORDER BY created_at, id LIMIT 20": "contributions_entries",
        }
        with contextlib.closing(sqlite3.connect(self.tmp_path / "rewards.sqlite3")) as conn:
            for query, index in queries.items():
                plan = " | ".join(row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {query}"))
                assert index in plan and "TEMP B-TREE" not in plan, (query, plan)

    def test_the_schema_refuses_impossible_records(self) -> None:
        competition = self.add_competition()
        conn = sqlite3.connect(self.tmp_path / "rewards.sqlite3")
        try:
            for statement in (f"UPDATE competitions SET pool_balance = -1 WHERE id = '{competition.id}'",
                              f"UPDATE competitions SET status = 'paused' WHERE id = '{competition.id}'",
                              f"UPDATE competitions SET entry_fee = 0 WHERE id = '{competition.id}'"):
                with pytest.raises(sqlite3.IntegrityError):
                    conn.execute(statement)
        finally:
            conn.close()
        with pytest.raises(ValueError):
            replace(a_distribution(competition.id), prize_pool=1)

    def test_leases_written_as_epoch_seconds_by_earlier_versions_read_as_timestamps(self) -> None:
        path = self.tmp_path / "legacy.sqlite3"
        with contextlib.closing(sqlite3.connect(path)) as conn:
            conn.execute(LEGACY_CONTRIBUTIONS)
        legacy = SqliteRewardStore(path, synchronous="NORMAL")
        try:
            legacy.migrate()
            competition = a_competition()
            expired, released = a_contribution(competition.id, "u1"), a_contribution(competition.id, "u2")
            legacy.atomic(lambda uow: (uow.competition_add(competition), uow.contribution_add(expired),
                                       uow.contribution_add(released)))
            with contextlib.closing(sqlite3.connect(path)) as conn, conn:
                conn.execute("UPDATE contributions SET lease_until = ? WHERE id = ?",
                             (parse_utc(NOW).timestamp() - 30, expired.id))
                conn.execute("UPDATE contributions SET lease_until = 0.0 WHERE id = ?", (released.id,))

            pending = legacy.read(lambda uow: uow.contributions_pending(NOW, 10))

            assert pending == [replace(released, lease_until=NO_LEASE), replace(expired, lease_until=at(-30))]
        finally:
            legacy.close()

    def test_contributions_of_a_version_before_attempts_keep_their_wallet_key_and_may_be_refused(self) -> None:
        path = self.tmp_path / "pre-attempt.sqlite3"
        competition = a_competition()
        pending, paid = a_contribution(competition.id, "u1"), a_contribution(competition.id, "u2", status="paid")
        with contextlib.closing(sqlite3.connect(path)) as conn:
            conn.executescript(PRE_ATTEMPT_CONTRIBUTIONS)
            for c in (pending, paid):
                conn.execute("INSERT INTO contributions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                             (c.id, c.competition_id, c.user_id, c.kind, c.amount, c.currency,
                              c.request_fingerprint, c.status, c.lease_token, c.lease_until, c.created_at,
                              c.updated_at))
            conn.commit()
        old = SqliteRewardStore(path, synchronous="NORMAL")
        try:
            old.migrate()
            old.migrate()
            old.atomic(lambda uow: uow.competition_add(competition))
            stored = old.read(lambda uow: uow.contributions_of(competition.id))
            assert stored == [pending, paid]
            assert [c.posting_key for c in stored] == [pending.id, paid.id]

            refused = replace(pending, status="refused", lease_until=NO_LEASE, updated_at=LATER)
            old.atomic(lambda uow: uow.contribution_update(refused))
            retried = refused.retried(2_000, "INR", "t2", at(30), LATER)
            old.atomic(lambda uow: uow.contribution_update(retried))
            assert old.read(lambda uow: uow.contribution_get(pending.id)) == retried
        finally:
            old.close()
        with contextlib.closing(sqlite3.connect(path)) as conn:
            for statement in (f"UPDATE contributions SET amount = 1 WHERE id = '{pending.id}'",
                              f"UPDATE contributions SET status = 'refused' WHERE id = '{paid.id}'",
                              "DELETE FROM contributions",
                              f"UPDATE contributions SET status = 'lost' WHERE id = '{pending.id}'"):
                with pytest.raises(sqlite3.IntegrityError):
                    conn.execute(statement)
