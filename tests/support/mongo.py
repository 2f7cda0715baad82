"""The real MongoDB the tests run on.

``real_mongo_uri()`` is ``MONGODB_URI`` when set (an external replica set), else one session-wide one-node
replica set started from the bundled ``mongod`` (``winzone_ops.mongod``, test commands enabled) and stopped
when the test process exits. Where neither is possible, ``mongo_skip_reason()`` says exactly why and every
MongoDB test skips with it.

``RealMongoDatabase`` gives each store contract test a database and a client of its own, heard by a
``tests.support.mongo_events.ServerEvents`` (to step in between two of its commands with a second client's
write), and the server's ``failCommand`` failpoint for that client alone; ``unreachable_client`` points at a
closed port.
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pymongo import MongoClient

from tests.support.mongo_events import Predicate, ServerEvents, fail_next, watched_client
from winzone_ops.mongod import MongodUnavailable, ReplicaSet, ensure_mongod

ROOT = Path(__file__).resolve().parents[2]
CLOSED_PORT_URI = "mongodb://127.0.0.1:1/"
EVERY_TIME = 1_000_000
"""``failCommand`` answers this many commands, more than any test sends: until the failpoint is switched off."""


@dataclass(frozen=True)
class MongoForTests:
    """The MongoDB the tests use: its URI, or None and the exact reason there is none."""

    uri: str | None
    why_not: str = ""


def mongod_cache_dir() -> Path:
    """Where the bundled ``mongod`` is installed: ``WINZONE_MONGOD_CACHE`` or ``.cache/mongod`` in the repository."""
    return Path(os.environ.get("WINZONE_MONGOD_CACHE") or ROOT / ".cache" / "mongod")


def find_mongo(uri: str | None, cache_dir: Path) -> MongoForTests:
    """``uri`` when given; else a one-node replica set from the ``mongod`` in ``cache_dir`` on a free loopback
    port, with a throw-away data folder, stopped (by PID) when the process exits; else why neither."""
    if uri:
        return MongoForTests(uri)
    try:
        binary = ensure_mongod(cache_dir)
        base = Path(tempfile.mkdtemp(prefix="winzone-mongo-"))
        atexit.register(shutil.rmtree, base, True)
        replica_set = ReplicaSet.start(binary, base, size=1, test_commands=True)
    except MongodUnavailable as exc:
        return MongoForTests(None, f"no MongoDB: MONGODB_URI is unset and the bundled mongod cannot run here ({exc})")
    atexit.register(replica_set.stop, kill=True)
    return MongoForTests(replica_set.uri)


@functools.cache
def session_mongo() -> MongoForTests:
    """The MongoDB of this test session, found once."""
    return find_mongo(os.environ.get("MONGODB_URI"), mongod_cache_dir())


def real_mongo_uri() -> str | None:
    """The session's real MongoDB (see the module docstring); None where there is none."""
    return session_mongo().uri


def mongo_skip_reason() -> str:
    """Why there is no real MongoDB, exactly."""
    return session_mongo().why_not


def require_real_mongo() -> str:
    """The real MongoDB's URI; called at a test module's top level, skips the whole module when there is none."""
    uri = real_mongo_uri()
    if uri is None:
        pytest.skip(mongo_skip_reason(), allow_module_level=True)
    return uri


def unreachable_client() -> MongoClient[dict[str, Any]]:
    """A client of a closed loopback port that gives up within a tenth of a second."""
    return MongoClient(CLOSED_PORT_URI, serverSelectionTimeoutMS=100, connectTimeoutMS=100)


def finds_in(collection: str) -> Predicate:
    """For ``ServerEvents.after_next``: a ``find`` on ``collection``."""
    return lambda command: command.get("find") == collection


class RealMongoDatabase:
    """For a store contract test case on the real MongoDB (list it before the contract): each test gets a
    database and a client of its own (named ``app_name``, heard by ``events``), dropped afterwards; skipped,
    with the reason, when there is no server."""

    uri: str
    client: MongoClient[dict[str, Any]]
    db_name: str
    app_name: str
    events: ServerEvents
    _writer: MongoClient[dict[str, Any]] | None = None

    def new_database(self) -> tuple[MongoClient[dict[str, Any]], str]:
        """A client and the name of a database for this test alone, to build the store on."""
        uri = real_mongo_uri()
        if uri is None:
            pytest.skip(mongo_skip_reason())
        self.uri = uri
        self.events = ServerEvents()
        self.app_name = f"winzone-contract-{uuid.uuid4().hex[:12]}"
        self.client = watched_client(uri, self.events, self.app_name)
        self.db_name = f"winzone_test_{uuid.uuid4().hex[:12]}"
        return self.client, self.db_name

    def dispose_store(self, store: Any) -> None:
        try:
            self.client.drop_database(self.db_name)
        finally:
            store.close()
            if self._writer is not None:
                self._writer.close()

    def raw_db(self) -> Any:
        """The test's database through the store's own client."""
        return self.client[self.db_name]

    def other_writer(self) -> Any:
        """The test's database through a second client, with connections of its own: another process."""
        if self._writer is None:
            self._writer = MongoClient(self.uri, appname=f"{self.app_name}-writer")
        return self._writer[self.db_name]

    @contextmanager
    def failing(self, commands: list[str], **behaviour: Any) -> Iterator[None]:
        """Every ``commands`` this test's client sends fails on the server as ``behaviour`` says, until the
        block ends (``tests.support.mongo_events.fail_next``: skipped where test commands are off)."""
        with fail_next(self.uri, self.app_name, commands, times=EVERY_TIME, **behaviour):
            yield
