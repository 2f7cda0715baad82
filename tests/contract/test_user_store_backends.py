"""The user store contract on SQLite (always) and on a real MongoDB replica set (``tests.support.mongo``),
skipped with the exact reason where there is none."""

from __future__ import annotations

import pytest

from api_gateway.adapters.mongo_store import MongoUserStore
from api_gateway.adapters.sqlite_store import SqliteUserStore
from api_gateway.domain.ports import UserStore
from tests.contract.user_store_contract import UserStoreContract
from tests.support.mongo import RealMongoDatabase


class TestSqliteUserStore(UserStoreContract):
    def create_store(self) -> UserStore:
        return SqliteUserStore(self.tmp_path / "gateway.sqlite3", "NORMAL")


@pytest.mark.mongo
class TestRealMongoUserStore(RealMongoDatabase, UserStoreContract):
    def create_store(self) -> UserStore:
        return MongoUserStore(*self.new_database())
