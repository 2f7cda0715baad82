"""The user directory: what the money routes need to know about the user ids a request names.

Every call blocks on the store; the REST routes run them off the event loop.
"""

from __future__ import annotations

from collections.abc import Iterable

from api_gateway.domain.ports import UserStore


class UserDirectory:
    """Questions about users by id, answered from the user store."""

    def __init__(self, users: UserStore) -> None:
        self._users = users

    def exists(self, user_id: str) -> bool:
        return self._users.by_id(user_id) is not None

    def first_non_player(self, user_ids: Iterable[str]) -> str | None:
        """The first id that is not a registered player (unknown, an organizer or an admin), else None: a
        reward paid to an id nobody signs in as could never be undone."""
        for user_id in user_ids:
            user = self._users.by_id(user_id)
            if user is None or not user.is_player:
                return user_id
        return None

    def can_organize(self, user_id: str) -> bool:
        """Whether the id is an organizer or an admin, who may own a competition."""
        user = self._users.by_id(user_id)
        return user is not None and user.can_organize

    def name_of(self, user_id: str) -> str | None:
        """The user's display name, or None for an unknown id."""
        user = self._users.by_id(user_id)
        return user.name if user is not None else None
