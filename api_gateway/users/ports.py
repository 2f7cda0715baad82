"""The user store port."""

from __future__ import annotations

from abc import ABC, abstractmethod

from api_gateway.users.model import User


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
    def set_password(self, user_id: str, password_hash: str, role: str, now: str) -> None:
        """Replace a user's password hash and role (operator commands only)."""

    @abstractmethod
    def close(self) -> None:
        """Release connections."""
