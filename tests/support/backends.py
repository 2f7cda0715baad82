"""The two stores a whole stack (or one service process) runs on in the tests that start real processes:
embedded SQLite, and the session's real MongoDB replica set (``tests.support.mongo.real_mongo_uri``) with a
database of its own, named in the URI's path, for each stack."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from pymongo import MongoClient

from tests.support.mongo import mongo_skip_reason, real_mongo_uri

SQLITE = "sqlite"
MONGO = "mongo"
BACKENDS = [pytest.param(SQLITE, id=SQLITE), pytest.param(MONGO, id=MONGO, marks=pytest.mark.mongo)]
"""For ``params=`` or ``parametrize``: the MongoDB case carries the ``mongo`` marker."""


def skip_unless_available(backend: str) -> None:
    """Skip the test, with the exact reason, when ``backend`` is MongoDB and none can run here."""
    if backend == MONGO and real_mongo_uri() is None:
        pytest.skip(mongo_skip_reason())


def with_database(uri: str, database: str) -> str:
    """``uri`` naming ``database`` in its path (``mongodb://h1,h2/<database>?replicaSet=rs0``), whatever
    database it named before."""
    scheme, rest = uri.split("://", 1)
    if "/" in rest:
        hosts, _, path = rest.partition("/")
        query = path.partition("?")[2]
    else:
        hosts, _, query = rest.partition("?")
    return f"{scheme}://{hosts}/{database}" + (f"?{query}" if query else "")


@contextmanager
def fresh_mongo_database(prefix: str = "winzone_e2e") -> Iterator[str]:
    """A URI of the session's MongoDB naming a database nobody has used, dropped afterwards."""
    base = real_mongo_uri()
    if base is None:
        pytest.skip(mongo_skip_reason())
    database = f"{prefix}_{uuid.uuid4().hex[:12]}"
    yield with_database(base, database)
    client: MongoClient[dict[str, Any]] = MongoClient(base, serverSelectionTimeoutMS=10_000)
    try:
        client.drop_database(database)
    finally:
        client.close()


@contextmanager
def store_env(backend: str) -> Iterator[dict[str, str]]:
    """The environment that puts processes on ``backend``: nothing for SQLite (the stack strips
    ``MONGODB_*``), ``MONGODB_URI`` with a fresh database for MongoDB."""
    if backend == SQLITE:
        yield {}
        return
    with fresh_mongo_database() as uri:
        yield {"MONGODB_URI": uri}
