"""Users on MongoDB."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.errors import DuplicateKeyError

from api_gateway.users.model import User
from api_gateway.users.ports import UserStore
from winzone_kernel.errors import AlreadyExists
from winzone_kernel.mongo import DriverErrors, MongoStore

USERS = "users"
INDEXES: dict[str, list[IndexModel]] = {USERS: [IndexModel([("email", ASCENDING)], unique=True, name="email_unique")]}
CLIENT_OPTIONS: dict[str, Any] = {"tz_aware": True, "serverSelectionTimeoutMS": 5000, "timeoutMS": 10000}


def _user(doc: dict[str, Any] | None) -> User | None:
    if doc is None:
        return None
    return User(id=doc["_id"], email=doc["email"], name=doc["name"], role=doc["role"],
                password_hash=doc["passwordHash"], created_at=doc["createdAt"], updated_at=doc["updatedAt"])


class MongoUserStore(MongoStore, UserStore):
    """Users in the ``users`` collection, with a unique email index."""

    app_name = "winzone-gateway"
    collections = (USERS,)
    indexes = INDEXES
    errors = DriverErrors("user store", other="user store unavailable")
    client_options = CLIENT_OPTIONS

    @property
    def _users(self) -> Any:
        return self._db[USERS]

    def add(self, user: User) -> None:
        with self._bounded():
            try:
                self._users.insert_one({
                    "_id": user.id, "email": user.email, "name": user.name, "role": user.role,
                    "passwordHash": user.password_hash, "createdAt": user.created_at,
                    "updatedAt": user.updated_at,
                })
            except DuplicateKeyError as exc:
                raise AlreadyExists("Email is already registered", code="EMAIL_TAKEN") from exc

    def _find(self, query: dict[str, str]) -> User | None:
        with self._bounded():
            return _user(self._users.find_one(query))

    def by_email(self, email: str) -> User | None:
        return self._find({"email": email}) if isinstance(email, str) else None

    def by_id(self, user_id: str) -> User | None:
        return self._find({"_id": user_id}) if isinstance(user_id, str) else None

    def set_password(self, user_id: str, password_hash: str, role: str, now: str) -> None:
        with self._bounded():
            self._users.update_one({"_id": user_id},
                                   {"$set": {"passwordHash": password_hash, "role": role, "updatedAt": now}})
