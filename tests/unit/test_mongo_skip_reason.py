"""Where the bundled mongod cannot run and ``MONGODB_URI`` is unset, the MongoDB tests skip saying exactly why."""

from __future__ import annotations

import platform
import sys
from pathlib import Path

import pytest

from tests.support import mongo
from tests.support.mongo import MongoForTests, RealMongoDatabase, find_mongo, require_real_mongo
from winzone_ops import mongod


def a_cache_whose_mongod_is_not_a_program(tmp_path: Path) -> Path:
    binary = tmp_path / mongod.BINARY
    binary.parent.mkdir(parents=True)
    binary.write_text("not a program\n")
    binary.chmod(0o755)
    return tmp_path


@pytest.mark.skipif(sys.platform != "linux" or platform.machine() not in ("x86_64", "AMD64"),
                    reason="elsewhere ensure_mongod refuses the platform before it runs the binary")
def test_a_mongod_that_cannot_execute_is_named_with_the_error(tmp_path: Path) -> None:
    cache = a_cache_whose_mongod_is_not_a_program(tmp_path)

    found = find_mongo(None, cache)

    assert found.uri is None
    assert found.why_not.startswith("no MongoDB: MONGODB_URI is unset and the bundled mongod cannot run here (")
    assert f"{(cache / mongod.BINARY).resolve()} cannot be executed: [Errno 8] Exec format error" in found.why_not


def test_another_cpu_is_named_with_what_to_do_instead(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mongod.platform, "machine", lambda: "aarch64")

    found = find_mongo(None, tmp_path)

    assert found.uri is None
    assert (f"the bundled mongod is built for x86_64 Linux; this is {sys.platform}/aarch64: "
            "set MONGODB_URI to a replica set instead") in found.why_not
    assert not any(tmp_path.iterdir())


def test_mongodb_uri_is_used_as_it_is_and_nothing_is_started(tmp_path: Path) -> None:
    uri = "mongodb://db1:27017,db2:27017/?replicaSet=rs0"

    assert find_mongo(uri, tmp_path) == MongoForTests(uri)
    assert not any(tmp_path.iterdir())


def test_every_mongodb_test_skips_with_that_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mongod.platform, "machine", lambda: "aarch64")
    found = find_mongo(None, tmp_path)
    monkeypatch.setattr(mongo, "session_mongo", lambda: found)

    with pytest.raises(pytest.skip.Exception) as module_skip:
        require_real_mongo()
    with pytest.raises(pytest.skip.Exception) as test_skip:
        RealMongoDatabase().new_database()

    assert "this is" in found.why_not and "/aarch64" in found.why_not
    assert str(module_skip.value) == str(test_skip.value) == found.why_not
