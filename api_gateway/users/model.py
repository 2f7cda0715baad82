"""Users and roles, and the validation of what registration accepts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from winzone_kernel.errors import InvalidArgument

EMAIL_PATTERN = re.compile(r"^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63})+$")
MIN_PASSWORD = 8
MAX_PASSWORD = 256


class Role(StrEnum):
    PLAYER = "player"
    ORGANIZER = "organizer"
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class User:
    """A registered user. ``password_hash`` never leaves the gateway."""

    id: str
    email: str
    name: str
    role: str
    password_hash: str
    created_at: str
    updated_at: str

    def public(self) -> dict[str, str]:
        return {"_id": self.id, "name": self.name, "email": self.email, "role": self.role,
                "createdAt": self.created_at, "updatedAt": self.updated_at}


def normalize_email(value: object) -> str:
    if not isinstance(value, str) or len(value) > 254 or not EMAIL_PATTERN.fullmatch(value.strip()):
        raise InvalidArgument("A valid email is required", code="INVALID_EMAIL")
    return value.strip().lower()


def check_password(value: object) -> str:
    if not isinstance(value, str) or not MIN_PASSWORD <= len(value) <= MAX_PASSWORD:
        raise InvalidArgument(
            f"Password must be a string of {MIN_PASSWORD}-{MAX_PASSWORD} characters", code="INVALID_PASSWORD"
        )
    return value


def check_name(value: object) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 100 or not value.isprintable():
        raise InvalidArgument("Name is required (at most 100 printable characters)", code="INVALID_NAME")
    return value.strip()
