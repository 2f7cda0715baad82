"""The user store contract on SQLite (always), on the MongoDB adapter over mongomock (always), and on a real
MongoDB replica set when one is reachable (``MONGODB_URI`` or Docker), skipped with the reason otherwise."""

from __future__ import annotations

from api_gateway.adapters.mongo_store import MongoUserStore
from api_gateway.adapters.sqlite_store import SqliteUserStore
from api_gateway.domain.ports import UserStore
from tests.contract.user_store_contract import UserStoreContract
from tests.support.mongo import MongomockClient, RealMongoDatabase


class TestSqliteUserStore(UserStoreContract):
    def create_store(self) -> UserStore:
        return SqliteUserStore(self.tmp_path / "gateway.sqlite3", "NORMAL")


class TestMongomockUserStore(UserStoreContract):
    def create_store(self) -> UserStore:
        return MongoUserStore(MongomockClient(), "winzone_users_contract")


class TestRealMongoUserStore(RealMongoDatabase, UserStoreContract):
    def create_store(self) -> UserStore:
        return MongoUserStore(*self.new_database())
