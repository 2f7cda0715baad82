"""Group commit on MongoDB: concurrent commands run as one majority transaction per batch.

One writer thread takes every command waiting (up to ``max_batch``) and runs them, in order, inside one
transaction. A command is a callback over ``CommandDocuments``: its reads come from a batch-local overlay
(each document read once from the server inside the transaction, then served with the batch's earlier writes
applied) and its writes are buffered. A command that raises discards only its own buffered writes (copy on
write, like a savepoint); the rest of the batch goes on. Then the buffered writes leave as one ``bulk_write``
per collection, the transaction commits with write concern ``majority``, and only then does each caller get
its result or its own exception.

Reads are gathered rather than sent one by one: a pass runs every command against what has been read so far,
treating anything not yet read as absent and noting it; the noted documents are then fetched with one
``find`` per collection, and the batch runs again, until a pass needs nothing new (that pass is the real
one). After ``max_passes`` the last pass fetches whatever it still misses one document at a time. Commands
must therefore be pure functions of what they read (ADR 0001): they may run several times, and are rerun
from scratch with the whole batch when the transaction hits a write conflict with another process or a
transient error (``with_transaction`` semantics, with its commit retries). A batch stops taking commands
once its buffered writes reach ``max_documents``; the rest wait for the next batch, so a transaction stays
well inside MongoDB's limits. A batch whose time budget runs out (its commit outcome unknown) is answered
``Unavailable`` and its transaction ended on the server (``end_abandoned_transaction``); callers retry under
the same idempotency keys, which settles it either way.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from typing import Any, TypeVar

import pymongo
from pymongo import InsertOne, ReplaceOne
from pymongo.errors import BulkWriteError, PyMongoError

from winzone_kernel.batch_stats import BatchStats
from winzone_kernel.delivery import deliver, still_wanted
from winzone_kernel.errors import Unavailable
from winzone_kernel.mongo import (
    TX_OPTIONS,
    DriverErrors,
    MongoClientLike,
    TransientConflict,
    end_abandoned_transaction,
)

T = TypeVar("T")
log = logging.getLogger("winzone.mongo")

Document = Mapping[str, Any]
DocKey = tuple[str, Any]
UniqueKey = tuple[str, str, Any]
Command = Callable[["CommandDocuments"], Any]
Waiter = Any
Outcome = tuple[Waiter, Any, BaseException | None]

DUPLICATE_KEY = 11000
WRITE_CONFLICT = 112
_STOP = object()


class DocumentExists(Exception):
    """A command inserted a document whose ``_id`` it can already see."""


class ServerReads:
    """What this transaction has read from the server, and what the current pass asked for but had not."""

    def __init__(self, db: Any, session: Any) -> None:
        self._db = db
        self._session = session
        self._docs: dict[DocKey, Document | None] = {}
        self._unique: dict[UniqueKey, bool] = {}
        self._wanted_docs: dict[str, set[Any]] = {}
        self._wanted_unique: dict[tuple[str, str], set[Any]] = {}
        self.fetch_on_miss = False

    def doc(self, collection: str, doc_id: Any) -> Document | None:
        key = (collection, doc_id)
        if key in self._docs:
            return self._docs[key]
        if self.fetch_on_miss:
            found = self._db[collection].find_one({"_id": doc_id}, session=self._session)
            self._docs[key] = found
            return found
        self._wanted_docs.setdefault(collection, set()).add(doc_id)
        return None

    def existed(self, collection: str, doc_id: Any) -> bool:
        """Whether the document is known to exist on the server (read in this transaction, and found)."""
        return self._docs.get((collection, doc_id)) is not None

    def taken(self, collection: str, field: str, value: Any) -> bool:
        key = (collection, field, value)
        if key in self._unique:
            return self._unique[key]
        if self.fetch_on_miss:
            found = self._db[collection].find_one({field: value}, {"_id": 1}, session=self._session) is not None
            self._unique[key] = found
            return found
        self._wanted_unique.setdefault((collection, field), set()).add(value)
        return False

    @property
    def missed(self) -> bool:
        return bool(self._wanted_docs or self._wanted_unique)

    def fetch_wanted(self) -> None:
        """Read every document and unique value the last pass asked for: one ``find`` per collection/field."""
        for collection, ids in self._wanted_docs.items():
            for doc in self._db[collection].find({"_id": {"$in": list(ids)}}, session=self._session):
                self._docs[(collection, doc["_id"])] = doc
            for doc_id in ids:
                self._docs.setdefault((collection, doc_id), None)
        for (collection, field), values in self._wanted_unique.items():
            found = {doc[field] for doc in self._db[collection].find(
                {field: {"$in": list(values)}}, {field: 1, "_id": 0}, session=self._session)}
            for value in values:
                self._unique[(collection, field, value)] = value in found
        self._wanted_docs, self._wanted_unique = {}, {}


class BatchWrites:
    """The documents the batch's successful commands wrote so far (final state per document)."""

    def __init__(self, reads: ServerReads) -> None:
        self.reads = reads
        self.docs: dict[DocKey, Document] = {}
        self.claims: set[UniqueKey] = set()

    def absorb(self, command: CommandDocuments) -> None:
        self.docs.update(command.changes)
        self.claims |= command.claims

    def flush(self, db: Any, session: Any) -> None:
        """Every buffered write as one ``bulk_write`` per collection, inside the transaction."""
        by_collection: dict[str, list[InsertOne[Any] | ReplaceOne[Any]]] = {}
        replaced: dict[str, int] = {}
        for (collection, doc_id), doc in self.docs.items():
            ops = by_collection.setdefault(collection, [])
            if self.reads.existed(collection, doc_id):
                ops.append(ReplaceOne({"_id": doc_id}, doc))
                replaced[collection] = replaced.get(collection, 0) + 1
            else:
                ops.append(InsertOne(dict(doc)))
        for collection in sorted(by_collection):
            try:
                result = db[collection].bulk_write(by_collection[collection], ordered=False, session=session)
            except BulkWriteError as exc:
                codes = {e.get("code") for e in exc.details.get("writeErrors", [])}
                if codes & {DUPLICATE_KEY, WRITE_CONFLICT}:
                    raise TransientConflict(f"{collection} changed concurrently; rerun the batch") from exc
                raise
            if result.matched_count != replaced.get(collection, 0):
                raise TransientConflict(f"a document of {collection} vanished concurrently; rerun the batch")


class CommandDocuments:
    """One command's view of the batch: reads see the server's snapshot plus the batch's earlier writes plus
    this command's own; writes stay here until the command returns (documents are never mutated in place:
    write a new mapping)."""

    __slots__ = ("_batch", "changes", "claims")

    def __init__(self, batch: BatchWrites) -> None:
        self._batch = batch
        self.changes: dict[DocKey, Document] = {}
        self.claims: set[UniqueKey] = set()

    def get(self, collection: str, doc_id: Any) -> Document | None:
        key = (collection, doc_id)
        if key in self.changes:
            return self.changes[key]
        if key in self._batch.docs:
            return self._batch.docs[key]
        return self._batch.reads.doc(collection, doc_id)

    def insert(self, collection: str, doc: Document) -> None:
        """Buffer a new document. Only what is already known is checked (read earlier, or written in this
        batch): a fresh id is not looked up, and the server's unique ``_id`` index is the backstop."""
        key = (collection, doc["_id"])
        if self.changes.get(key) is not None or self._batch.docs.get(key) is not None \
                or self._batch.reads.existed(collection, doc["_id"]):
            raise DocumentExists(f"{collection} {doc['_id']} already exists")
        self.changes[key] = doc

    def replace(self, collection: str, doc: Document) -> None:
        """Write a new version of a document this command has read."""
        self.changes[(collection, doc["_id"])] = doc

    @property
    def guessing(self) -> bool:
        """True once this pass has read something not fetched yet: the pass only gathers reads and will be
        thrown away, so a command may skip refusals that would stop it before its later reads."""
        return self._batch.reads.missed

    def taken(self, collection: str, field: str, value: Any) -> bool:
        """Whether a unique ``field`` already holds ``value`` (on the server, in the batch or here)."""
        key = (collection, field, value)
        return key in self.claims or key in self._batch.claims or self._batch.reads.taken(collection, field, value)

    def claim(self, collection: str, field: str, value: Any) -> None:
        self.claims.add((collection, field, value))

    def nested(self) -> NestedDocuments:
        """A part of this command that can fail alone (a savepoint): see ``NestedDocuments``."""
        return NestedDocuments(self)


class NestedDocuments(CommandDocuments):
    """A part of one command (an entry of a batch command): it reads what the command wrote so far, its own
    writes join the command's only on ``keep``; left unkept, they are dropped as a savepoint rolled back."""

    __slots__ = ("_parent",)

    def __init__(self, parent: CommandDocuments) -> None:
        super().__init__(parent._batch)
        self._parent = parent

    def get(self, collection: str, doc_id: Any) -> Document | None:
        key = (collection, doc_id)
        if key in self.changes:
            return self.changes[key]
        return self._parent.get(collection, doc_id)

    def insert(self, collection: str, doc: Document) -> None:
        if self._parent.changes.get((collection, doc["_id"])) is not None:
            raise DocumentExists(f"{collection} {doc['_id']} already exists")
        super().insert(collection, doc)

    def taken(self, collection: str, field: str, value: Any) -> bool:
        return (collection, field, value) in self.claims or self._parent.taken(collection, field, value)

    def keep(self) -> None:
        """Add this part's writes to the command's."""
        self._parent.changes.update(self.changes)
        self._parent.claims |= self.claims


class MongoGroupCommit:
    """The writer thread that runs commands in batched majority transactions (see the module docstring).

    ``batches`` counts committed transactions and ``attempts`` every transaction tried (reruns included), for
    metrics and tests.
    """

    def __init__(
        self, client: MongoClientLike, db: Any, *, errors: DriverErrors, timeout: float, max_batch: int = 256,
        max_documents: int = 6_000, max_passes: int = 4, name: str = "mongo-writer",
    ) -> None:
        self._client = client
        self._db = db
        self._errors = errors
        self._timeout = timeout
        self._max_batch = max_batch
        self._max_documents = max_documents
        self._max_passes = max_passes
        self._name = name
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._closed = False
        self.batches = 0
        self.attempts = 0
        self.stats = BatchStats(name)
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def run(self, command: Callable[[CommandDocuments], T]) -> T:
        if self._closed:
            raise Unavailable("store is closed")
        future: Future[T] = Future()
        self._queue.put((command, future))
        return future.result()

    async def run_async(self, command: Callable[[CommandDocuments], T]) -> T:
        """Like ``run`` for an event loop: results of one batch reach each loop in a single wake-up."""
        if self._closed:
            raise Unavailable("store is closed")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._queue.put((command, (loop, future)))
        return await future

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._queue.put(_STOP)
            self._thread.join(timeout=self._timeout + 30)

    def _run(self) -> None:
        carried: list[tuple[Command, Waiter]] = []
        stopping = False
        while True:
            batch = carried
            if not batch:
                if stopping:
                    return
                item = self._queue.get()
                if item is _STOP:
                    return
                batch = [item]
            while not stopping and len(batch) < self._max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is _STOP:
                    stopping = True
                else:
                    batch.append(item)
            started = time.perf_counter()
            try:
                carried = self._run_batch(batch)
            except BaseException:
                log.exception("group commit writer failed; the batch is reported as unavailable")
                deliver([(waiter, None, Unavailable(f"{self._name} failed to commit")) for _, waiter in batch])
                carried = []
            self.stats.record(len(batch) - len(carried), time.perf_counter() - started, None)

    def _run_batch(self, batch: list[tuple[Command, Waiter]]) -> list[tuple[Command, Waiter]]:
        """Commit one batch and answer its callers; returns the commands left for the next batch."""
        live = [(command, waiter) for command, waiter in batch if still_wanted(waiter)]
        if not live:
            return []
        done: list[tuple[list[Outcome], list[tuple[Command, Waiter]]]] = []

        def attempt(session: Any) -> None:
            self.attempts += 1
            done[:] = [self._attempt(session, live)]

        try:
            with self._client.start_session() as session:
                try:
                    with pymongo.timeout(self._timeout), self._errors.translated():
                        session.with_transaction(attempt, **TX_OPTIONS)
                except Unavailable:
                    end_abandoned_transaction(self._client, session)
                    raise
        except Exception as exc:
            if not isinstance(exc, Unavailable):
                log.exception("group commit failed")
                failure = Unavailable(f"{self._name} failed to commit")
                failure.__cause__ = exc
                exc = failure
            deliver([(waiter, None, exc) for _, waiter in live])
            return []
        self.batches += 1
        outcomes, deferred = done[0]
        deliver(outcomes)
        return deferred

    def _attempt(
        self, session: Any, batch: list[tuple[Command, Waiter]]
    ) -> tuple[list[Outcome], list[tuple[Command, Waiter]]]:
        """One try of the transaction: passes until the reads are complete, then the writes."""
        reads = ServerReads(self._db, session)
        passes = 0
        while True:
            passes += 1
            reads.fetch_on_miss = passes > self._max_passes
            writes = BatchWrites(reads)
            outcomes: list[Outcome] = []
            deferred: list[tuple[Command, Waiter]] = []
            for index, (command, waiter) in enumerate(batch):
                if index and len(writes.docs) >= self._max_documents:
                    deferred = batch[index:]
                    break
                view = CommandDocuments(writes)
                try:
                    result = command(view)
                except PyMongoError:
                    raise
                except Exception as exc:
                    outcomes.append((waiter, None, exc))
                else:
                    writes.absorb(view)
                    outcomes.append((waiter, result, None))
            if not reads.missed:
                break
            reads.fetch_wanted()
        writes.flush(self._db, session)
        return outcomes, deferred
