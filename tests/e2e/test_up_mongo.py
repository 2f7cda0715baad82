"""`winzone up --mongo` (`make run-mongo`) as a developer runs it: a replica set of its own from the bundled
``mongod``, every service on it, the URI printed, the data kept under the data dir for the next run, and
mongod stopped (by its PID) with the stack. It shares nothing with the other stacks of the session."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.ids import new_email
from tests.support.stack import Stack, start_stack
from tests.support.users import PASSWORD, sign_in
from winzone_ops.mongod import MongodUnavailable, ensure_mongod

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("WINZONE_MONGOD_CACHE") or ROOT / ".cache" / "mongod")
ANNOUNCED = re.compile(r"^MongoDB: (\S+)  \(mongod pid (\d+), data (.+)\)$", re.MULTILINE)


@pytest.fixture(scope="module")
def bundled_mongod() -> Path:
    try:
        return ensure_mongod(CACHE)
    except MongodUnavailable as exc:
        pytest.skip(f"`winzone up --mongo` needs the bundled mongod, which cannot run here: {exc}")


def _start(data_dir: Path) -> tuple[Stack, str, int]:
    stack = start_stack(data_dir, {"WINZONE_MONGOD_CACHE": str(CACHE)}, up_args=["--mongo"])
    announced = ANNOUNCED.search(stack.log())
    if announced is None or Path(announced.group(3)) != data_dir / "mongo":
        stack.stop()
        pytest.fail(f"`winzone up --mongo` did not announce its MongoDB:\n{stack.log()}")
    return stack, announced.group(1), int(announced.group(2))


def _stop(stack: Stack, mongod_pid: int) -> None:
    assert stack.stop() == 0, stack.log()
    assert stack.log().rstrip().endswith("WinZone stopped.\nMongoDB stopped."), stack.log()[-2000:]
    with pytest.raises(ProcessLookupError):
        os.kill(mongod_pid, 0)


def _audit(stack: Stack, uri: str) -> str:
    audit = subprocess.run([sys.executable, "-m", "winzone_ops.cli", "audit"], env={**stack.env, "MONGODB_URI": uri},
                           capture_output=True, text=True, timeout=60)
    assert audit.returncode == 0, audit.stdout + audit.stderr
    assert "audit: OK" in audit.stdout
    return audit.stdout


@pytest.mark.mongo
def test_up_mongo_tops_up_on_its_replica_set_keeps_the_books_and_stops_mongod(
        bundled_mongod: Path, tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    email = new_email("player")
    stack, uri, pid = _start(data_dir)
    try:
        assert re.fullmatch(r"mongodb://127\.0\.0\.1:\d+/winzone\?replicaSet=rs0", uri), uri
        with stack.client() as http:
            registered = http.post("/api/auth/register", json={"name": "Player", "email": email,
                                                               "password": PASSWORD})
            assert registered.status_code == 201, registered.text
            _, headers = sign_in(http, email, PASSWORD)
            session = http.post("/api/wallet/topup", json={"amount": 1000}, headers=headers)
            assert session.status_code == 201, session.text
            verified = http.post("/api/wallet/topup/verify", json={"sessionId": session.json()["data"]["sessionId"]},
                                 headers=headers)
            assert verified.status_code == 200 and verified.json()["data"]["balance"] == 1000, verified.text
        stack.assert_audit_ok()
        first_audit = _audit(stack, uri)
        assert not list(data_dir.glob("*.sqlite3"))
    finally:
        _stop(stack, pid)

    stack, again_uri, again_pid = _start(data_dir)
    try:
        assert again_uri == uri and again_pid != pid
        with stack.client() as http:
            _, headers = sign_in(http, email, PASSWORD)
            assert http.get("/api/wallet", headers=headers).json()["data"]["balance"] == 1000
        stack.assert_audit_ok()
        assert _audit(stack, uri).splitlines()[0] == first_audit.splitlines()[0]
    finally:
        _stop(stack, again_pid)


def test_up_mongo_says_why_when_mongod_cannot_run(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    binary = cache / "fiftyone" / "db" / "bin" / "mongod"
    binary.parent.mkdir(parents=True)
    binary.write_text("not a program\n")
    binary.chmod(0o644)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WINZONE_", "MONGODB_"))}
    env.update({"WINZONE_DATA_DIR": str(tmp_path / "var"), "WINZONE_MONGOD_CACHE": str(cache)})
    up = subprocess.run([sys.executable, "-m", "winzone_ops.cli", "up", "--mongo"], env=env, capture_output=True,
                        text=True, timeout=60)
    assert up.returncode == 1, up.stdout + up.stderr
    assert f"cannot start MongoDB: {binary} cannot be executed: [Errno 13] Permission denied" in up.stderr
    assert "WinZone is up" not in up.stdout


def test_up_mongo_refuses_a_mongodb_uri_it_would_ignore(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WINZONE_", "MONGODB_"))}
    env.update({"WINZONE_DATA_DIR": str(tmp_path / "var"), "MONGODB_URI": "mongodb://127.0.0.1:1/?replicaSet=rs0"})
    up = subprocess.run([sys.executable, "-m", "winzone_ops.cli", "up", "--mongo"], env=env, capture_output=True,
                        text=True, timeout=60)
    assert up.returncode == 2
    assert "--mongo starts a replica set of its own: unset MONGODB_URI" in up.stderr
