"""MongoDB plumbing shared by the stores: the client, one time budget per call, driver errors translated,
collections and indexes created by ``migrate``, majority transactions and snapshot sessions.

A store subclasses ``MongoStore``, names its client, collections, indexes and ``DriverErrors``, and runs
every server call inside ``_bounded()``, ``_transaction()`` or ``_snapshot()``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol, Self, TypeVar

import pymongo
from pymongo import IndexModel, MongoClient, ReadPreference
from pymongo.errors import CollectionInvalid, ConnectionFailure, ExecutionTimeout, OperationFailure, PyMongoError
from pymongo.read_concern import ReadConcern
from pymongo.write_concern import WriteConcern

from winzone_kernel.errors import Unavailable

log = logging.getLogger("winzone.mongo")

T = TypeVar("T")

TRANSIENT_LABEL = "TransientTransactionError"
ILLEGAL_OPERATION = 20
DEFAULT_TIMEOUT = 10.0
"""Seconds one store call may take, ``with_transaction`` reruns included (pymongo's own limit is 120 s)."""
CLIENT_DEFAULTS: dict[str, Any] = {
    "retryWrites": True,
    "retryReads": True,
    "w": "majority",
    "readConcernLevel": "majority",
    "serverSelectionTimeoutMS": int(DEFAULT_TIMEOUT * 1000),
}
"""Every store's client: a write or read cut off by an election is sent once more to the new primary, and a
write is acknowledged (and a read sees it) only once a majority holds it, so a failover never takes it back.
A store's own ``client_options`` override these."""
TX_OPTIONS: dict[str, Any] = {
    "read_concern": ReadConcern("majority"),
    "write_concern": WriteConcern("majority"),
    "read_preference": ReadPreference.PRIMARY,
}


class MongoClientLike(Protocol):
    """What a store needs of a client: ``pymongo.MongoClient`` or a test double with sessions."""

    def __getitem__(self, name: str) -> Any: ...

    def start_session(self, *, snapshot: bool = ...) -> Any: ...

    def close(self) -> None: ...


class TransientConflict(PyMongoError):
    """A document changed after this transaction read it; the ``TransientTransactionError`` label makes
    ``with_transaction`` rerun the whole transaction on a fresh snapshot."""

    def __init__(self, message: str) -> None:
        super().__init__(message, error_labels=[TRANSIENT_LABEL])


@dataclass(frozen=True)
class DriverErrors:
    """How driver failures leave one store (``store`` names it in every message).

    A server out of reach or out of time (a connection failure, or any error pymongo marks as a timeout) is
    ``Unavailable("<store> unavailable")``; a server that cannot run transactions (code 20: not a replica set)
    is ``Unavailable`` saying so. Any other driver error becomes ``Unavailable(other)`` when ``other`` is set,
    and leaves unchanged when it is not (a bad query is a bug, not an outage). ``kept`` errors always leave
    unchanged, for the store to translate itself.
    """

    store: str
    other: str | None = None
    kept: tuple[type[PyMongoError], ...] = ()

    @contextmanager
    def translated(self) -> Iterator[None]:
        try:
            yield
        except self.kept:
            raise
        except PyMongoError as exc:
            failure = self._failure(exc)
            if failure is None:
                raise
            raise failure from exc

    def _failure(self, exc: PyMongoError) -> Unavailable | None:
        if isinstance(exc, ConnectionFailure | ExecutionTimeout) or exc.timeout:
            return Unavailable(f"{self.store} unavailable")
        if isinstance(exc, OperationFailure) and exc.code == ILLEGAL_OPERATION:
            return Unavailable(f"{self.store} cannot run transactions: MongoDB must be a replica set")
        return None if self.other is None else Unavailable(self.other)


ABANDON_TIMEOUT = 2.0
"""Seconds to end a transaction the driver gave up on, after the call's own budget ran out."""


def end_abandoned_transaction(client: MongoClientLike, session: Any) -> None:
    """End, on the server, whatever transaction ``session`` may still have open there.

    A call whose time ran out while committing (or while aborting after a failed step) leaves its outcome
    unknown and, when the commit never ran, the transaction open on the server, holding its writes: every
    other writer of those documents then meets a write conflict until the server's
    ``transactionLifetimeLimitSeconds`` (60 s by default) reaps it. ``killSessions`` ends it now: a commit that
    already happened stays, one that did not never will, so the caller's retry (same idempotency key)
    settles the outcome either way. Best effort, under a budget of its own."""
    with suppress(PyMongoError), pymongo.timeout(ABANDON_TIMEOUT):
        client["admin"].command("killSessions", [session.session_id])


class MongoStore:
    """What every MongoDB store shares: a client and its database, one time budget per call with driver
    errors translated, ``migrate``, majority transactions, snapshot sessions and ``close``.

    A subclass sets ``app_name`` (how the server names its connections), ``collections`` and ``indexes``
    (created by ``migrate``), ``errors``, and any further ``client_options`` for ``from_uri``.
    """

    app_name: ClassVar[str]
    collections: ClassVar[Sequence[str]]
    indexes: ClassVar[Mapping[str, list[IndexModel]]]
    errors: ClassVar[DriverErrors]
    client_options: ClassVar[Mapping[str, Any]] = {}

    def __init__(self, client: MongoClientLike, db_name: str, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        self._client = client
        self._db = client[db_name]
        self._timeout = timeout

    @classmethod
    def from_uri(cls, uri: str, db_name: str, *, timeout: float = DEFAULT_TIMEOUT) -> Self:
        """A store on a new client; nothing connects until the first operation."""
        options = {**CLIENT_DEFAULTS, **cls.client_options}
        client: MongoClient[dict[str, Any]] = MongoClient(uri, appname=cls.app_name, **options)
        log.info("MongoDB store", extra={"fields": {"store": cls.app_name, "database": db_name}})
        return cls(client, db_name, timeout=timeout)

    @contextmanager
    def _bounded(self) -> Iterator[None]:
        """One time budget for the whole call, reruns included, and driver errors translated."""
        with pymongo.timeout(self._timeout), self.errors.translated():
            yield

    def _transaction(self, work: Callable[[Any], T]) -> T:
        """``work(session)`` in one majority transaction, rerun by ``with_transaction`` on transient errors;
        a transaction the driver gave up on is ended on the server (``end_abandoned_transaction``)."""
        with self._client.start_session() as session:
            try:
                with self._bounded():
                    return session.with_transaction(work, **TX_OPTIONS)
            except Unavailable:
                end_abandoned_transaction(self._client, session)
                raise

    @contextmanager
    def _snapshot(self) -> Iterator[Any]:
        """A snapshot session: every read that passes it sees the same point in time."""
        with self._bounded(), self._client.start_session(snapshot=True) as session:
            yield session

    def migrate(self) -> None:
        with self.errors.translated():
            existing = set(self._db.list_collection_names())
            for name in self.collections:
                if name not in existing:
                    with suppress(CollectionInvalid):
                        self._db.create_collection(name)
            for name, indexes in self.indexes.items():
                self._db[name].create_indexes(indexes)

    def close(self) -> None:
        self._client.close()
