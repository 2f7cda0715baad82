"""Users on MongoDB."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, MongoClient
from pymongo.errors import DuplicateKeyError, PyMongoError

from api_gateway.users.model import User
from api_gateway.users.ports import UserStore
from winzone_kernel.errors import AlreadyExists, Unavailable


def _user(doc: dict[str, Any] | None) -> User | None:
    if doc is None:
        return None
    return User(id=doc["_id"], email=doc["email"], name=doc["name"], role=doc["role"],
                password_hash=doc["passwordHash"], created_at=doc["createdAt"], updated_at=doc["updatedAt"])


class MongoUserStore(UserStore):
    """Users in the ``users`` collection, with a unique email index."""

    def __init__(self, client: Any, db_name: str) -> None:
        self._client = client
        self._users = client[db_name]["users"]

    @classmethod
    def from_uri(cls, uri: str, db_name: str) -> MongoUserStore:
        return cls(MongoClient(uri, tz_aware=True, serverSelectionTimeoutMS=5000, timeoutMS=10000), db_name)

    def migrate(self) -> None:
        self._users.create_index([("email", ASCENDING)], unique=True, name="email_unique")

    def add(self, user: User) -> None:
        try:
            self._users.insert_one({
                "_id": user.id, "email": user.email, "name": user.name, "role": user.role,
                "passwordHash": user.password_hash, "createdAt": user.created_at, "updatedAt": user.updated_at,
            })
        except DuplicateKeyError as exc:
            raise AlreadyExists("Email is already registered", code="EMAIL_TAKEN") from exc
        except PyMongoError as exc:
            raise Unavailable("user store unavailable") from exc

    def _find(self, query: dict[str, str]) -> User | None:
        try:
            return _user(self._users.find_one(query))
        except PyMongoError as exc:
            raise Unavailable("user store unavailable") from exc

    def by_email(self, email: str) -> User | None:
        return self._find({"email": email}) if isinstance(email, str) else None

    def by_id(self, user_id: str) -> User | None:
        return self._find({"_id": user_id}) if isinstance(user_id, str) else None

    def set_password(self, user_id: str, password_hash: str, role: str, now: str) -> None:
        try:
            self._users.update_one({"_id": user_id},
                                   {"$set": {"passwordHash": password_hash, "role": role, "updatedAt": now}})
        except PyMongoError as exc:
            raise Unavailable("user store unavailable") from exc

    def close(self) -> None:
        self._client.close()
