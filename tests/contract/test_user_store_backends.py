"""The user store contract on SQLite (always), on the MongoDB adapter over mongomock (always), and on a real
MongoDB replica set when one is reachable (``MONGODB_URI`` or Docker), skipped with the reason otherwise."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from pymongo import MongoClient

from api_gateway.users.mongo_store import MongoUserStore
from api_gateway.users.ports import UserStore
from api_gateway.users.sqlite_store import SqliteUserStore
from tests.contract.user_store_contract import UserStoreContract
from tests.support.mongo import MONGO_SKIP_REASON, MongomockClient, real_mongo_uri


class TestSqliteUserStore(UserStoreContract):
    @pytest.fixture(autouse=True)
    def _dir(self, tmp_path: Path) -> None:
        self.path = tmp_path / "gateway.sqlite3"

    def create_store(self) -> UserStore:
        return SqliteUserStore(self.path, "NORMAL")


class TestMongomockUserStore(UserStoreContract):
    def create_store(self) -> UserStore:
        return MongoUserStore(MongomockClient(), "winzone_users_contract")


class TestRealMongoUserStore(UserStoreContract):
    client: MongoClient[dict[str, Any]]

    def create_store(self) -> UserStore:
        uri = real_mongo_uri()
        if uri is None:
            pytest.skip(MONGO_SKIP_REASON)
        self.client = MongoClient(uri)
        self.db_name = f"winzone_test_{uuid.uuid4().hex[:12]}"
        return MongoUserStore(self.client, self.db_name)

    def dispose_store(self, store: UserStore) -> None:
        self.client.drop_database(self.db_name)
        store.close()
