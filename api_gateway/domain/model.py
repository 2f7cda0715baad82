"""Users, roles and the authenticated caller."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from winzone_kernel.clock import format_utc


class Role(StrEnum):
    """What a user may do: play, run competitions, or administer the platform."""

    PLAYER = "player"
    ORGANIZER = "organizer"
    ADMIN = "admin"


ORGANIZING_ROLES = frozenset({Role.ORGANIZER, Role.ADMIN})
PUBLIC_ROLES = frozenset({Role.PLAYER, Role.ORGANIZER})


@dataclass(frozen=True, slots=True)
class User:
    """A registered user. ``password_hash`` never leaves the gateway."""

    id: str
    email: str
    name: str
    role: str
    password_hash: str
    created_at: datetime
    updated_at: datetime

    @property
    def is_player(self) -> bool:
        return self.role == Role.PLAYER

    @property
    def can_organize(self) -> bool:
        """Organizers and admins may own a competition."""
        return self.role in ORGANIZING_ROLES

    def public(self) -> dict[str, str]:
        """The user as the REST API shows it."""
        return {"_id": self.id, "name": self.name, "email": self.email, "role": self.role,
                "createdAt": format_utc(self.created_at), "updatedAt": format_utc(self.updated_at)}


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller of a REST request."""

    user_id: str
    role: str
