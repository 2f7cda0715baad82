"""MongoDB for tests: mongomock behind a minimal session/transaction shim, and a real replica set when reachable.

``MongomockClient`` gives the Mongo adapters the part of pymongo's session API they use, on top of mongomock
4.3 (which has no sessions and refuses ``session=`` on most methods):

- every operation takes ``session=`` and runs under one process-wide lock, so a transaction is serializable
  and no reader sees another thread's uncommitted writes;
- ``start_session().with_transaction(callback)`` runs ``callback(session)`` holding that lock; before the
  first write to a collection it deep-copies that collection's documents (mongomock keeps them in
  ``CollectionStore._documents``), and when the callback raises it puts every copy back, so a failed command
  leaves nothing behind, as a real abort does. A ``TransientTransactionError`` reruns the callback, as
  pymongo does;
- ``start_session(snapshot=True)`` holds the lock for the whole ``with`` block: a consistent snapshot;
- an operation inside a transaction that does not pass the transaction's session raises, because on a real
  server it would run outside the transaction;
- ``after_next`` runs an action right after one chosen call, to interleave a "concurrent" writer
  deterministically.

What the shim cannot show (true concurrency, server-side rollback, write concerns) is listed in
``tests/contract/test_ledger_mongomock.py``. ``RealMongoDatabase`` gives each contract test on the real
server a database of its own.
"""

from __future__ import annotations

import atexit
import copy
import functools
import os
import shutil
import tempfile
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import mongomock
import pytest
from mongomock.collection import Cursor
from mongomock.command_cursor import CommandCursor
from pymongo import IndexModel, MongoClient
from pymongo.errors import InvalidOperation, NetworkTimeout, PyMongoError

ROOT = Path(__file__).resolve().parents[2]
REPLICA_SET = "rs0"
TRANSIENT_LABEL = "TransientTransactionError"
MAX_TRANSACTION_ATTEMPTS = 20
WRITE_METHODS = frozenset({
    "insert_one", "insert_many", "update_one", "update_many", "replace_one", "delete_one", "delete_many",
    "find_one_and_update", "find_one_and_replace", "find_one_and_delete", "bulk_write",
})

_LOCK = threading.RLock()
_ACTIVE = threading.local()


class ShimSession:
    """A session of ``MongomockClient``: transactions by snapshot-and-restore under the process-wide lock."""

    def __init__(self, client: MongomockClient, *, snapshot: bool) -> None:
        self.client = client
        self.snapshot = snapshot
        self.has_ended = False
        self._in_transaction = False
        self._holds_lock = False
        self._saved: dict[int, tuple[Any, Any]] = {}

    def __enter__(self) -> ShimSession:
        if self.snapshot:
            _LOCK.acquire()
            self._holds_lock = True
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.end_session()

    def end_session(self) -> None:
        if self._holds_lock:
            self._holds_lock = False
            _LOCK.release()
        self.has_ended = True

    @property
    def in_transaction(self) -> bool:
        return self._in_transaction

    def with_transaction(self, callback: Callable[[ShimSession], Any], read_concern: Any = None,
                         write_concern: Any = None, read_preference: Any = None,
                         max_commit_time_ms: int | None = None) -> Any:
        """Run ``callback(self)`` atomically; rerun it on a transient error, as pymongo does."""
        if self.snapshot:
            raise InvalidOperation("Transactions are not supported in snapshot sessions")
        attempt = 0
        while True:
            attempt += 1
            with _LOCK:
                self._begin()
                try:
                    result = callback(self)
                except BaseException as exc:
                    self._abort()
                    if isinstance(exc, PyMongoError) and exc.has_error_label(TRANSIENT_LABEL):
                        if attempt < MAX_TRANSACTION_ATTEMPTS:
                            self.client.transient_retries += 1
                            continue
                        raise NetworkTimeout(str(exc)) from exc
                    raise
                self._commit()
                return result

    def remember(self, raw_collection: mongomock.Collection) -> None:
        """Keep a copy of the collection's documents the first time this transaction writes to it."""
        store = raw_collection._store
        if id(store) not in self._saved:
            self._saved[id(store)] = (store, copy.deepcopy(store._documents))

    def _begin(self) -> None:
        self._saved = {}
        self._in_transaction = True
        _ACTIVE.session = self

    def _commit(self) -> None:
        self._end()

    def _abort(self) -> None:
        for store, documents in self._saved.values():
            with store._rwlock.writer():
                store._documents = documents
        self._end()

    def _end(self) -> None:
        self._saved = {}
        self._in_transaction = False
        _ACTIVE.session = None


def _shimmed(client: MongomockClient, method: Callable[..., Any], name: str,
             raw_collection: mongomock.Collection | None) -> Callable[..., Any]:
    def call(*args: Any, session: ShimSession | None = None, **kwargs: Any) -> Any:
        with _LOCK:
            active = getattr(_ACTIVE, "session", None)
            if active is not None and session is not active:
                raise RuntimeError(f"{name}() ran inside a transaction without the transaction's session")
            if session is not None and session.in_transaction and raw_collection is not None \
                    and name in WRITE_METHODS:
                session.remember(raw_collection)
            result = method(*args, **kwargs)
            if isinstance(result, Cursor | CommandCursor):
                result = list(result)
            if raw_collection is not None:
                client._run_after(raw_collection, name)
            return result

    return call


class ShimCollection:
    """A mongomock collection whose methods accept ``session=`` (see the module docstring)."""

    def __init__(self, client: MongomockClient, raw: mongomock.Collection) -> None:
        self._client = client
        self.raw = raw

    @property
    def name(self) -> str:
        return self.raw.name

    def create_indexes(self, indexes: list[IndexModel], session: ShimSession | None = None) -> list[str]:
        """Create each index with all its options (mongomock's own ``create_indexes`` drops
        ``partialFilterExpression``); an identical existing index is left alone, as the server does."""
        names = []
        with _LOCK:
            existing = self.raw.index_information()
            for model in indexes:
                spec = dict(model.document)
                keys = list(spec.pop("key").items())
                name = spec["name"]
                if name in existing and _same_index(existing[name], keys, spec):
                    names.append(name)
                    continue
                names.append(self.raw.create_index(keys, **spec))
        return names

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.raw, name)
        if isinstance(attr, mongomock.Collection):
            return ShimCollection(self._client, attr)
        if callable(attr):
            return _shimmed(self._client, attr, name, self.raw)
        return attr


def _same_index(existing: dict[str, Any], keys: list[tuple[str, Any]], options: dict[str, Any]) -> bool:
    return list(existing["key"]) == keys and all(
        existing.get(option) == options.get(option) for option in ("unique", "sparse", "partialFilterExpression"))


class ShimDatabase:
    """A mongomock database handing out ``ShimCollection``s."""

    def __init__(self, client: MongomockClient, raw: mongomock.Database) -> None:
        self._client = client
        self.raw = raw

    @property
    def name(self) -> str:
        return self.raw.name

    def __getitem__(self, name: str) -> ShimCollection:
        return ShimCollection(self._client, self.raw[name])

    def get_collection(self, name: str, **options: Any) -> ShimCollection:
        return ShimCollection(self._client, self.raw.get_collection(name, **options))

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.raw, name)
        if isinstance(attr, mongomock.Collection):
            return ShimCollection(self._client, attr)
        if callable(attr):
            return _shimmed(self._client, attr, name, None)
        return attr


class MongomockClient:
    """``mongomock.MongoClient`` with the minimal session/transaction API of pymongo (module docstring)."""

    def __init__(self, raw: mongomock.MongoClient | None = None) -> None:
        self.raw = raw or mongomock.MongoClient()
        self.transient_retries = 0
        self.closed = False
        self._after: list[tuple[str, str, Callable[[mongomock.Database], None]]] = []

    def __getitem__(self, name: str) -> ShimDatabase:
        return ShimDatabase(self, self.raw[name])

    def get_database(self, name: str, **options: Any) -> ShimDatabase:
        return ShimDatabase(self, self.raw.get_database(name, **options))

    def start_session(self, *, snapshot: bool = False, causal_consistency: bool | None = None,
                      default_transaction_options: Any = None) -> ShimSession:
        return ShimSession(self, snapshot=snapshot)

    def drop_database(self, name: str) -> None:
        with _LOCK:
            self.raw.drop_database(name)

    def close(self) -> None:
        self.closed = True

    def after_next(self, collection: str, method: str, action: Callable[[mongomock.Database], None]) -> None:
        """Run ``action(raw database)`` once, right after the next ``method`` call on ``collection``."""
        self._after.append((collection, method, action))

    def _run_after(self, raw_collection: mongomock.Collection, method: str) -> None:
        for index, (collection, name, action) in enumerate(self._after):
            if collection == raw_collection.name and name == method:
                del self._after[index]
                action(raw_collection.database)
                return


_UNAVAILABLE: list[str] = []


def _start_local_replica_set() -> str | None:
    """A one-node replica set from the bundled ``mongod`` (``winzone_ops.mongod``) on a free loopback port
    with a throw-away data folder, stopped (by PID) when the test process exits; None, with the reason kept
    for the skip message, where the binary cannot run."""
    from winzone_ops.mongod import MongodUnavailable, ReplicaSet, ensure_mongod

    try:
        binary = ensure_mongod(Path(os.environ.get("WINZONE_MONGOD_CACHE") or ROOT / ".cache" / "mongod"))
    except MongodUnavailable as exc:
        _UNAVAILABLE.append(str(exc))
        return None
    base = Path(tempfile.mkdtemp(prefix="winzone-mongo-"))
    replica_set = ReplicaSet.start(binary, base, size=1, test_commands=True)
    atexit.register(shutil.rmtree, base, True)
    atexit.register(replica_set.stop, kill=True)
    return replica_set.uri


@functools.cache
def real_mongo_uri() -> str | None:
    """``MONGODB_URI`` if set (an external replica set); else a one-node replica set this test process starts
    from the bundled ``mongod``, shared by the whole session; None where neither is possible."""
    uri = os.environ.get("MONGODB_URI")
    if uri:
        return uri
    return _start_local_replica_set()


def mongo_skip_reason() -> str:
    """Why no real MongoDB is available, exactly."""
    why = _UNAVAILABLE[-1] if _UNAVAILABLE else "unknown"
    return f"no MongoDB: MONGODB_URI is unset and the bundled mongod cannot run here ({why})"


def require_real_mongo() -> str:
    """The real MongoDB's URI; called at a test module's top level, skips the whole module when there is none."""
    uri = real_mongo_uri()
    if uri is None:
        pytest.skip(mongo_skip_reason(), allow_module_level=True)
    return uri


class RealMongoDatabase:
    """For a store contract test case on the real MongoDB (list it before the contract): each test gets a
    database of its own, dropped afterwards; skipped, with the reason, when no server is reachable."""

    client: MongoClient[dict[str, Any]]
    db_name: str

    def new_database(self) -> tuple[MongoClient[dict[str, Any]], str]:
        """A client and the name of a database for this test alone, to build the store on."""
        uri = real_mongo_uri()
        if uri is None:
            pytest.skip(mongo_skip_reason())
        self.client = MongoClient(uri, appname="winzone-contract-tests")
        self.db_name = f"winzone_test_{uuid.uuid4().hex[:12]}"
        return self.client, self.db_name

    def dispose_store(self, store: Any) -> None:
        try:
            self.client.drop_database(self.db_name)
        finally:
            store.close()

    def raw_db(self) -> Any:
        return self.client[self.db_name]
