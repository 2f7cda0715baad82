"""The reward store contract on the embedded SQLite store (a file per test)."""

from __future__ import annotations

import sqlite3
from dataclasses import replace

import pytest

from reward_service.adapters.sqlite_store import SqliteRewardStore
from reward_service.domain.ports import RewardStore
from tests.contract.reward_store_contract import LATER, RewardStoreContract, a_distribution


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
