"""Users on MongoDB."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.errors import DuplicateKeyError

from api_gateway.domain.model import User
from api_gateway.domain.ports import UserStore
from winzone_kernel.clock import format_utc, parse_utc
from winzone_kernel.errors import AlreadyExists
from winzone_kernel.mongo import DriverErrors, MongoStore

USERS = "users"
INDEXES: dict[str, list[IndexModel]] = {USERS: [IndexModel([("email", ASCENDING)], unique=True, name="email_unique")]}
CLIENT_OPTIONS: dict[str, Any] = {"tz_aware": True, "serverSelectionTimeoutMS": 5000, "timeoutMS": 10000}


def _user(doc: dict[str, Any] | None) -> User | None:
    if doc is None:
        return None
    return User(id=doc["_id"], email=doc["email"], name=doc["name"], role=doc["role"],
                password_hash=doc["passwordHash"], created_at=parse_utc(doc["createdAt"]),
                updated_at=parse_utc(doc["updatedAt"]))


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
                    "passwordHash": user.password_hash, "createdAt": format_utc(user.created_at),
                    "updatedAt": format_utc(user.updated_at),
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

    def set_password(self, user_id: str, password_hash: str, role: str, now: datetime) -> None:
        with self._bounded():
            changes = {"passwordHash": password_hash, "role": role, "updatedAt": format_utc(now)}
            self._users.update_one({"_id": user_id}, {"$set": changes})
