"""The MongoDB of `winzone up --mongo`: a one-member replica set from the bundled ``mongod``
(``winzone_ops.mongod``), its data and port kept under the data dir (``<data>/mongo``) between runs, so the
next run finds the same books at the same URI."""

from __future__ import annotations

import contextlib
import socket
from dataclasses import dataclass
from pathlib import Path

from winzone_kernel.files import ensure_private_dir
from winzone_ops.mongod import REPLICA_SET, MongodUnavailable, ReplicaSet, ensure_mongod
from winzone_ops.supervisor import free_port

MONGO_DIR = "mongo"
PORT_FILE = "port"
DATABASE = "winzone"


@dataclass
class DevMongo:
    """The running replica set, the URI every service gets, and where its data lives."""

    replica_set: ReplicaSet
    uri: str
    data_dir: Path

    @property
    def pid(self) -> int:
        process = self.replica_set.members[0].process
        if process is None:
            raise RuntimeError("mongod is not running")
        return process.pid

    def stop(self) -> None:
        """SIGTERM to mongod by its PID and wait for it to exit (SIGKILL only if it hangs)."""
        self.replica_set.stop()


def start_dev_mongo(data_dir: Path, cache_dir: Path | None = None) -> DevMongo:
    """Start (or restart, on its kept data and port) the development replica set; ``MongodUnavailable`` says
    why when it cannot run."""
    base = ensure_private_dir(ensure_private_dir(data_dir) / MONGO_DIR)
    port = _port(base)
    binary = ensure_mongod(cache_dir)
    replica_set = ReplicaSet.start(binary, base, size=1, ports=[port])
    (base / PORT_FILE).write_text(f"{port}\n")
    return DevMongo(replica_set, f"mongodb://127.0.0.1:{port}/{DATABASE}?replicaSet={REPLICA_SET}", base)


def _port(base: Path) -> int:
    """The port the kept data was set up on (a replica set's configuration names its host and port), or a
    free one for a fresh data folder."""
    recorded = base / PORT_FILE
    if not recorded.exists():
        return free_port()
    port = int(recorded.read_text().strip())
    if not _is_free(port):
        lock = base / "member0" / "mongod.lock"
        holder = lock.read_text().strip() if lock.exists() else ""
        owner = f" (its mongod.lock names pid {holder}, perhaps a mongod left running)" if holder else ""
        raise MongodUnavailable(f"port {port}, which the data in {base} was set up on, is in use{owner}: "
                                f"stop what holds it, or delete {base} to start afresh")
    return port


def _is_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        with contextlib.suppress(OSError):
            sock.bind(("127.0.0.1", port))
            return True
    return False
