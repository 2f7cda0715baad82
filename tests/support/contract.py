"""The frame every store contract test case shares (pyeventsourcing style): a new, migrated store per test."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from pathlib import Path
from typing import Generic, Protocol, TypeVar

import pytest


class Store(Protocol):
    """What the frame needs of a store: every port has these two."""

    def migrate(self) -> None: ...

    def close(self) -> None: ...


S = TypeVar("S", bound=Store)


class StoreContract(ABC, Generic[S]):
    """Abstract base of a store contract test case: before each test ``self.store`` is a new store from
    ``create_store``, migrated; after it, ``dispose_store`` gets rid of it. Subclass per port, then per
    backend."""

    store: S
    tmp_path: Path

    @abstractmethod
    def create_store(self) -> S:
        """A new, empty store for one test (``self.tmp_path`` is a fresh directory)."""

    def dispose_store(self, store: S) -> None:
        store.close()

    @pytest.fixture(autouse=True)
    def _fresh_store(self, tmp_path: Path) -> Iterator[None]:
        self.tmp_path = tmp_path
        self.store = self.create_store()
        self.store.migrate()
        try:
            yield
        finally:
            self.dispose_store(self.store)
