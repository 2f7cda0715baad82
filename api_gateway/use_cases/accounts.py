"""Accounts: public registration, sign-in with a bearer token, the signed-in user, and the operator's admin.

Every call here blocks (argon2 and the store); the REST routes run them off the event loop, except
``authenticate_cached``, which never touches the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from api_gateway.domain.commands import EnsureAdmin, LogIn, Register
from api_gateway.domain.model import Principal, Role, User
from api_gateway.domain.ports import PasswordHasher, TokenIssuer, UserStore
from api_gateway.use_cases.user_cache import UserCache
from winzone_kernel.clock import Clock, utc_now
from winzone_kernel.errors import NotFound, Unauthenticated
from winzone_kernel.ids import new_id


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A successful sign-in: the bearer token and who it names."""

    token: str
    user: User


def _new_user(email: str, name: str, role: Role, password_hash: str, now: datetime) -> User:
    return User(new_id("usr"), email, name, role.value, password_hash, now, now)


class Accounts:
    """The accounts use cases over the user store, the password hasher and the token issuer."""

    def __init__(self, users: UserStore, passwords: PasswordHasher, tokens: TokenIssuer,
                 clock: Clock = utc_now, *, cache: UserCache | None = None) -> None:
        self._users = users
        self._passwords = passwords
        self._tokens = tokens
        self._clock = clock
        self._cache = cache or UserCache(users, 0)

    def register(self, command: Register) -> User:
        """A new player or organizer; ``AlreadyExists`` (EMAIL_TAKEN) when the email is registered."""
        password_hash = self._passwords.hash(command.password)
        user = _new_user(command.email, command.name, command.role, password_hash, self._clock())
        self._users.add(user)
        return user

    def login(self, command: LogIn) -> SignedIn:
        """A bearer token for matching credentials; ``Unauthenticated`` alike for an unknown email and a wrong
        password, at the same cost."""
        user = self._users.by_email(command.email)
        valid = self._passwords.verify(user.password_hash if user else None, command.password)
        if user is None or not valid:
            raise Unauthenticated("Invalid credentials", code="INVALID_CREDENTIALS")
        return SignedIn(self._tokens.issue(user.id, user.role), user)

    def authenticate(self, token: str) -> Principal:
        """The caller a bearer token names, with the role the store holds now; a token for a deleted user is
        ``Unauthenticated``."""
        claimed = self._tokens.verify(token)
        return _principal(self._cache.load(claimed.user_id))

    def authenticate_cached(self, token: str) -> Principal | None:
        """What ``authenticate`` would answer, when the token is invalid or the user cache answers for its user
        (no store call: safe on the event loop); None when only the store can tell. The role and existence
        seen are at most the cache's ``ttl_seconds`` old; the token itself is checked every time."""
        claimed = self._tokens.verify(token)
        fresh, user = self._cache.peek(claimed.user_id)
        return _principal(user) if fresh else None

    def current_user(self, user_id: str) -> User:
        """The signed-in user; ``NotFound`` when the account is gone."""
        user = self._users.by_id(user_id)
        if user is None:
            raise NotFound("User not found")
        return user


def _principal(user: User | None) -> Principal:
    if user is None:
        raise Unauthenticated("Invalid or expired token", code="INVALID_TOKEN")
    return Principal(user.id, user.role)


def ensure_admin(users: UserStore, passwords: PasswordHasher, command: EnsureAdmin, clock: Clock = utc_now) -> str:
    """Create the admin, or make the existing account with that email an admin with this password; its id.

    The operator's command (``winzone create-admin``, the development stack): it needs no token issuer.
    """
    password_hash = passwords.hash(command.password)
    now = clock()
    existing = users.by_email(command.email)
    if existing is None:
        user = _new_user(command.email, command.name, Role.ADMIN, password_hash, now)
        users.add(user)
        return user.id
    users.set_password(existing.id, password_hash, Role.ADMIN.value, now)
    return existing.id
