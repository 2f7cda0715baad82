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
