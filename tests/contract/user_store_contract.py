"""The user store contract, run against every reachable backend."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from api_gateway.domain.model import User
from api_gateway.domain.ports import UserStore
from tests.support.contract import StoreContract
from winzone_kernel.clock import utc_now
from winzone_kernel.errors import AlreadyExists
from winzone_kernel.ids import new_id


def make_user(email: str, role: str = "player") -> User:
    now = utc_now()
    return User(new_id("usr"), email, "Some Name", role, "argon2-hash", now, now)


class UserStoreContract(StoreContract[UserStore]):
    """Subclasses provide ``create_store`` (and may override ``dispose_store``)."""

    def test_add_and_find_by_id_and_email(self) -> None:
        user = make_user("a@winzone.test")
        self.store.add(user)
        assert self.store.by_id(user.id) == user
        assert self.store.by_email("a@winzone.test") == user
        assert self.store.by_email("nobody@winzone.test") is None
        assert self.store.by_id("usr_missing") is None

    def test_emails_are_unique(self) -> None:
        self.store.add(make_user("dup@winzone.test"))
        with pytest.raises(AlreadyExists) as info:
            self.store.add(make_user("dup@winzone.test"))
        assert info.value.code == "EMAIL_TAKEN"

    def test_parallel_registrations_of_one_email_create_one_user(self) -> None:
        def attempt(_: int) -> bool:
            try:
                self.store.add(make_user("race@winzone.test"))
                return True
            except AlreadyExists:
                return False

        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(attempt, range(16)))
        assert results.count(True) == 1

    def test_set_password_changes_hash_and_role(self) -> None:
        user = make_user("ops@winzone.test")
        self.store.add(user)
        self.store.set_password(user.id, "new-hash", "admin", utc_now())
        changed = self.store.by_id(user.id)
        assert changed is not None and (changed.password_hash, changed.role) == ("new-hash", "admin")

    def test_migrate_is_idempotent(self) -> None:
        self.store.migrate()
        self.store.migrate()
        self.store.add(make_user("after@winzone.test"))
        assert self.store.by_email("after@winzone.test") is not None

    def test_lookups_do_not_interpret_operator_objects(self) -> None:
        self.store.add(make_user("victim@winzone.test"))
        assert self.store.by_email({"$ne": None}) is None  # type: ignore[arg-type]
        assert self.store.by_id({"$gt": ""}) is None  # type: ignore[arg-type]
