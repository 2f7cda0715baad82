"""The ports the gateway's use cases depend on: the user store, password hashing and bearer tokens."""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import datetime

from api_gateway.domain.model import Principal, User


class UserStore(ABC):
    """Users by id and by (case-folded) email; emails are unique."""

    @abstractmethod
    def migrate(self) -> None:
        """Create tables/collections and indexes, idempotently."""

    @abstractmethod
    def add(self, user: User) -> None:
        """Insert a user; ``AlreadyExists`` (code EMAIL_TAKEN) if the email is registered."""

    @abstractmethod
    def by_email(self, email: str) -> User | None:
        """The user with this email."""

    @abstractmethod
    def by_id(self, user_id: str) -> User | None:
        """The user with this id."""

    @abstractmethod
    def set_password(self, user_id: str, password_hash: str, role: str, now: datetime) -> None:
        """Replace a user's password hash and role (operator commands only)."""

    @abstractmethod
    def close(self) -> None:
        """Release connections."""


class PasswordHasher(ABC):
    """One-way password hashes, slow on purpose."""

    @abstractmethod
    def hash(self, password: str) -> str:
        """A salted hash of ``password``."""

    @abstractmethod
    def verify(self, password_hash: str | None, password: str) -> bool:
        """Whether ``password`` matches; with no hash (an unknown user) it still costs one verification and
        is False, so timing does not tell which emails are registered."""


class TokenIssuer(ABC):
    """Bearer tokens naming a user and role, valid for a limited time."""

    @abstractmethod
    def issue(self, user_id: str, role: str) -> str:
        """A signed token for this user."""

    @abstractmethod
    def verify(self, token: str) -> Principal:
        """The token's principal; ``Unauthenticated`` (INVALID_TOKEN) when forged, malformed or expired."""
