"""What a caller asks the accounts use cases to do, validated on construction by ``parse``."""

from __future__ import annotations

from dataclasses import dataclass

from api_gateway.domain.model import Role
from api_gateway.domain.rules import check_name, check_password, normalize_email, public_role
from winzone_kernel.errors import InvalidArgument


@dataclass(frozen=True, slots=True)
class Register:
    """A public registration: a player or organizer with a valid name, email and password."""

    name: str
    email: str
    password: str
    role: Role

    @classmethod
    def parse(cls, *, role: str, name: object, email: object, password: object) -> Register:
        """Checked in this order: role, name, email, password (the first failure is the error)."""
        checked_role = public_role(role)
        return cls(check_name(name), normalize_email(email), check_password(password), checked_role)


@dataclass(frozen=True, slots=True)
class LogIn:
    """Email and password offered for a bearer token; the email is only trimmed and case-folded, so that
    a malformed one fails as wrong credentials rather than as invalid input."""

    email: str
    password: str

    @classmethod
    def parse(cls, *, email: object, password: object) -> LogIn:
        if not isinstance(email, str) or not isinstance(password, str) or not email or not password:
            raise InvalidArgument("email and password are required strings", code="VALIDATION_ERROR")
        return cls(email.strip().lower(), password)


@dataclass(frozen=True, slots=True)
class EnsureAdmin:
    """The operator's admin account: created, or an existing account made admin with this password."""

    email: str
    password: str
    name: str

    @classmethod
    def parse(cls, *, email: object, password: object, name: str) -> EnsureAdmin:
        return cls(normalize_email(email), check_password(password), name)
