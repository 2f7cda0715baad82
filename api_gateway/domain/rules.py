"""What registration and sign-in accept: emails, passwords, names and the roles open to the public."""

from __future__ import annotations

import re

from api_gateway.domain.model import PUBLIC_ROLES, Role
from winzone_kernel.errors import InvalidArgument, PermissionDenied

EMAIL_PATTERN = re.compile(r"^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63})+$")
MIN_PASSWORD = 8
MAX_PASSWORD = 256
MAX_EMAIL = 254
MAX_NAME = 100


def normalize_email(value: object) -> str:
    """A well-formed email, trimmed and case-folded; ``InvalidArgument`` otherwise."""
    if not isinstance(value, str) or len(value) > MAX_EMAIL or not EMAIL_PATTERN.fullmatch(value.strip()):
        raise InvalidArgument("A valid email is required", code="INVALID_EMAIL")
    return value.strip().lower()


def check_password(value: object) -> str:
    """A password of acceptable length; ``InvalidArgument`` otherwise."""
    if not isinstance(value, str) or not MIN_PASSWORD <= len(value) <= MAX_PASSWORD:
        raise InvalidArgument(
            f"Password must be a string of {MIN_PASSWORD}-{MAX_PASSWORD} characters", code="INVALID_PASSWORD"
        )
    return value


def check_name(value: object) -> str:
    """A display name, trimmed; ``InvalidArgument`` when empty, too long or unprintable."""
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_NAME or not value.isprintable():
        raise InvalidArgument(f"Name is required (at most {MAX_NAME} printable characters)", code="INVALID_NAME")
    return value.strip()


def public_role(value: str) -> Role:
    """A role anyone may register with; asking for admin is ``PermissionDenied``."""
    if value == Role.ADMIN:
        raise PermissionDenied("Admins cannot be registered publicly", code="FORBIDDEN")
    if value not in PUBLIC_ROLES:
        raise InvalidArgument("role must be player or organizer", code="INVALID_ROLE")
    return Role(value)
