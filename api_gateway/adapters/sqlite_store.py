"""Users on SQLite."""

from __future__ import annotations

import sqlite3
import threading
from datetime import datetime
from pathlib import Path

from api_gateway.domain.model import User
from api_gateway.domain.ports import UserStore
from winzone_kernel.clock import format_utc, parse_utc
from winzone_kernel.errors import AlreadyExists
from winzone_kernel.sqlite import connect

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('player', 'organizer', 'admin')),
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
"""
COLUMNS = "id, email, name, role, password_hash, created_at, updated_at"


def _user(row: tuple[str, str, str, str, str, str, str]) -> User:
    user_id, email, name, role, password_hash, created_at, updated_at = row
    return User(user_id, email, name, role, password_hash, parse_utc(created_at), parse_utc(updated_at))


class SqliteUserStore(UserStore):
    """The embedded user store."""

    def __init__(self, path: Path | str, synchronous: str = "FULL") -> None:
        self._conn = connect(path, synchronous)
        self._lock = threading.Lock()

    def migrate(self) -> None:
        with self._lock:
            self._conn.executescript(SCHEMA)

    def add(self, user: User) -> None:
        try:
            with self._lock:
                self._conn.execute(
                    f"INSERT INTO users ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (user.id, user.email, user.name, user.role, user.password_hash, format_utc(user.created_at),
                     format_utc(user.updated_at)),
                )
        except sqlite3.IntegrityError as exc:
            raise AlreadyExists("Email is already registered", code="EMAIL_TAKEN") from exc

    def _one(self, where: str, value: str) -> User | None:
        if not isinstance(value, str):
            return None
        with self._lock:
            row = self._conn.execute(f"SELECT {COLUMNS} FROM users WHERE {where} = ?", (value,)).fetchone()
        return None if row is None else _user(row)

    def by_email(self, email: str) -> User | None:
        return self._one("email", email)

    def by_id(self, user_id: str) -> User | None:
        return self._one("id", user_id)

    def set_password(self, user_id: str, password_hash: str, role: str, now: datetime) -> None:
        with self._lock:
            self._conn.execute(
                "UPDATE users SET password_hash = ?, role = ?, updated_at = ? WHERE id = ?",
                (password_hash, role, format_utc(now), user_id),
            )

    def close(self) -> None:
        self._conn.close()
