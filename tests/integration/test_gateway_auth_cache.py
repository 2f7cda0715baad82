"""How long the gateway keeps trusting what it read about a bearer token's user (``AUTH_CACHE_SECONDS``): a
deleted user, or one given another role, is seen so at most that long after the change. Real SQLite user store,
real argon2 and JWTs; only the clocks are injected."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from api_gateway.adapters.passwords import Argon2PasswordHasher
from api_gateway.adapters.sqlite_store import SqliteUserStore
from api_gateway.adapters.tokens import JwtTokenIssuer
from api_gateway.domain.commands import EnsureAdmin, LogIn, Register
from api_gateway.domain.model import Principal, Role
from api_gateway.use_cases.accounts import Accounts, ensure_admin
from api_gateway.use_cases.user_cache import UserCache
from winzone_kernel.errors import Unauthenticated

TTL = 5
PASSWORD = "correct-horse-1"
SECRET = "s" * 40


class Ticks:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class WallClock:
    """A wall clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Rig:
    path: Path
    users: SqliteUserStore
    accounts: Accounts
    ticks: Ticks
    wall: WallClock

    def player(self, email: str = "p@winzone.test") -> tuple[str, str]:
        """A registered, signed-in player: its id and bearer token."""
        self.accounts.register(Register.parse(role="player", name="P", email=email, password=PASSWORD))
        signed_in = self.accounts.login(LogIn.parse(email=email, password=PASSWORD))
        return signed_in.user.id, signed_in.token

    def delete(self, user_id: str) -> None:
        with sqlite3.connect(self.path) as conn:
            conn.execute("DELETE FROM users WHERE id = ?", (user_id,))

    def who(self, token: str) -> Principal:
        """What the REST gateway's ``principal`` dependency resolves: the cache, else the store."""
        return self.accounts.authenticate_cached(token) or self.accounts.authenticate(token)


def rig(tmp_path: Path, ttl: int) -> Iterator[Rig]:
    path = tmp_path / "gateway.sqlite3"
    users = SqliteUserStore(path)
    users.migrate()
    ticks, wall = Ticks(), WallClock()
    accounts = Accounts(users, Argon2PasswordHasher(), JwtTokenIssuer(SECRET, 3600, clock=wall), clock=wall,
                        cache=UserCache(users, ttl, clock=ticks))
    try:
        yield Rig(path, users, accounts, ticks, wall)
    finally:
        users.close()


@pytest.fixture
def cached(tmp_path: Path) -> Iterator[Rig]:
    yield from rig(tmp_path, TTL)


@pytest.fixture
def uncached(tmp_path: Path) -> Iterator[Rig]:
    yield from rig(tmp_path, 0)


def test_a_deleted_user_is_refused_once_the_cache_bound_has_passed(cached: Rig) -> None:
    user_id, token = cached.player()
    assert cached.who(token) == Principal(user_id, "player")
    cached.delete(user_id)
    cached.ticks.now += TTL - 0.001
    assert cached.accounts.authenticate_cached(token) == Principal(user_id, "player"), "within the bound"
    cached.ticks.now += 0.001
    assert cached.accounts.authenticate_cached(token) is None, "past the bound only the store can answer"
    with pytest.raises(Unauthenticated) as refused:
        cached.who(token)
    assert refused.value.code == "INVALID_TOKEN"
    with pytest.raises(Unauthenticated):
        cached.accounts.authenticate_cached(token)


def test_a_role_change_shows_within_the_bound(cached: Rig) -> None:
    user_id, token = cached.player("promoted@winzone.test")
    assert cached.who(token).role == "player"
    cached.ticks.now += 1
    ensure_admin(cached.users, Argon2PasswordHasher(),
                 EnsureAdmin.parse(email="promoted@winzone.test", password="another-horse-2", name="Admin"))
    assert cached.who(token).role == "player"
    cached.ticks.now += TTL - 1
    assert cached.who(token) == Principal(user_id, Role.ADMIN.value)


def test_with_the_cache_off_every_request_reads_the_store(uncached: Rig) -> None:
    user_id, token = uncached.player()
    assert uncached.accounts.authenticate_cached(token) is None
    assert uncached.who(token) == Principal(user_id, "player")
    uncached.delete(user_id)
    with pytest.raises(Unauthenticated):
        uncached.who(token)


def test_each_user_is_cached_on_its_own(cached: Rig) -> None:
    first_id, first = cached.player("one@winzone.test")
    second_id, second = cached.player("two@winzone.test")
    assert cached.who(first).user_id == first_id
    assert cached.accounts.authenticate_cached(second) is None
    assert cached.who(second).user_id == second_id
    cached.delete(first_id)
    cached.ticks.now += TTL
    with pytest.raises(Unauthenticated):
        cached.who(first)
    assert cached.who(second).user_id == second_id


def test_a_remembered_token_is_refused_from_its_expiry_on(cached: Rig) -> None:
    user_id, token = cached.player()
    assert cached.who(token).user_id == user_id
    cached.wall.now += timedelta(seconds=3599)
    cached.ticks.now += 1
    assert cached.who(token).user_id == user_id
    cached.wall.now += timedelta(seconds=1)
    for check in (cached.accounts.authenticate_cached, cached.accounts.authenticate):
        with pytest.raises(Unauthenticated) as refused:
            check(token)
        assert refused.value.code == "INVALID_TOKEN"


def test_a_token_altered_after_a_good_one_was_remembered_is_refused(cached: Rig) -> None:
    _, token = cached.player()
    cached.who(token)
    head, payload, signature = token.split(".")
    for forged in (f"{head}.{payload}.{signature[:-2]}AA", f"{head}.{payload[:-1]}.{signature}", token + " "):
        with pytest.raises(Unauthenticated):
            cached.accounts.authenticate_cached(forged)
    other = JwtTokenIssuer("o" * 40, 3600, clock=cached.wall).issue(cached.who(token).user_id, "admin")
    with pytest.raises(Unauthenticated):
        cached.who(other)


def test_the_cache_stays_bounded(tmp_path: Path) -> None:
    users = SqliteUserStore(tmp_path / "gateway.sqlite3")
    users.migrate()
    try:
        cache = UserCache(users, TTL, clock=Ticks(), max_entries=3)
        for n in range(10):
            assert cache.load(f"usr_missing{n}") is None
        assert [cache.peek(f"usr_missing{n}")[0] for n in range(10)] == [False] * 7 + [True] * 3
    finally:
        users.close()
