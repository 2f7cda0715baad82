"""What the real MongoDB told one client, and a way to step in between two of its commands.

``ServerEvents`` is a pymongo ``CommandListener``: it keeps every transaction abort the server reported (a
write conflict, a duplicate key, any error carrying ``TransientTransactionError``), counts the transactions
started and the ``commitTransaction`` commands sent, and can run an action once, right after the next command
that matches a predicate succeeds and before its caller sees the reply (a second client's write lands at
exactly that moment). ``watched_client`` builds a client with it; ``fail_next`` arms the server's
``failCommand`` failpoint for one client's next commands; ``kill_sessions`` ends the sessions a client used.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from pymongo import MongoClient, monitoring
from pymongo.errors import OperationFailure

TRANSIENT_LABEL = "TransientTransactionError"
WRITE_CONFLICT = 112
DUPLICATE_KEY = 11000

Predicate = Callable[[dict[str, Any]], bool]


@dataclass(frozen=True)
class ServerError:
    """One error the server returned: the command, its code, its labels."""

    command: str
    code: int | None
    labels: tuple[str, ...]


def starts_transaction(command: dict[str, Any]) -> bool:
    """The first command of a transaction: the one that fixes its snapshot."""
    return bool(command.get("startTransaction"))


def reads_snapshot(command: dict[str, Any]) -> bool:
    """A read of a snapshot session (``readConcern: {level: snapshot}``)."""
    concern = command.get("readConcern") or {}
    return concern.get("level") == "snapshot"


class ServerEvents(monitoring.CommandListener):
    """Listens to one client (see the module docstring)."""

    def __init__(self) -> None:
        self.errors: list[ServerError] = []
        self.transactions_started = 0
        self.commits_sent = 0
        self.sessions: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._pending: dict[int, dict[str, Any]] = {}
        self._hooks: list[tuple[Predicate, Callable[[], object]]] = []

    def after_next(self, predicate: Predicate, action: Callable[[], object]) -> None:
        """Run ``action()`` once, right after the next command for which ``predicate(command)`` holds."""
        with self._lock:
            self._hooks.append((predicate, action))

    @property
    def aborts(self) -> list[ServerError]:
        """Errors that aborted a transaction: write conflicts, duplicate keys, anything labelled transient
        (not the driver's ``abortTransaction`` afterwards, which the server answers with ``NoSuchTransaction``)."""
        return [e for e in self.errors if e.command != "abortTransaction"
                and (e.code in (WRITE_CONFLICT, DUPLICATE_KEY) or TRANSIENT_LABEL in e.labels)]

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        with self._lock:
            if event.command.get("startTransaction"):
                self.transactions_started += 1
            if event.command_name == "commitTransaction":
                self.commits_sent += 1
            lsid = event.command.get("lsid")
            if lsid is not None and lsid not in self.sessions:
                self.sessions.append(lsid)
            self._pending[event.request_id] = dict(event.command)

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        reply = event.reply or {}
        with self._lock:
            command = self._pending.pop(event.request_id, {})
            for error in reply.get("writeErrors") or ():
                self.errors.append(ServerError(event.command_name, error.get("code"), ()))
            due = next((hook for hook in self._hooks if hook[0](command)), None)
            if due is not None:
                self._hooks.remove(due)
        if due is not None:
            due[1]()

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        failure = event.failure or {}
        with self._lock:
            self._pending.pop(event.request_id, None)
            self.errors.append(ServerError(event.command_name, failure.get("code"),
                                           tuple(failure.get("errorLabels") or ())))


def watched_client(uri: str, events: ServerEvents, app_name: str | None = None) -> MongoClient[dict[str, Any]]:
    """A client of its own (its own connections, as another process would have), heard by ``events``."""
    return MongoClient(uri, appname=app_name or f"winzone-behaviour-{uuid.uuid4().hex[:12]}",
                       event_listeners=[events])


def kill_sessions(uri: str, events: ServerEvents) -> None:
    """End on the server every session the listened client used, with any transaction still open there."""
    admin: MongoClient[dict[str, Any]] = MongoClient(uri, serverSelectionTimeoutMS=10_000)
    try:
        if events.sessions:
            admin.admin.command("killSessions", events.sessions)
    finally:
        admin.close()


@contextmanager
def fail_next(uri: str, app_name: str, commands: list[str], times: int = 1, **behaviour: Any) -> Iterator[None]:
    """The next ``times`` of ``commands`` that the client named ``app_name`` sends fail on the server as
    ``behaviour`` says (``failCommand``: ``errorCode``, ``errorLabels``, ``closeConnection``,
    ``blockConnection`` with ``blockTimeMS``, ``writeConcernError``); off again when the block ends. Skips,
    with the reason, where the server does not enable test commands."""
    admin: MongoClient[dict[str, Any]] = MongoClient(uri, serverSelectionTimeoutMS=10_000)
    try:
        try:
            admin.admin.command("configureFailPoint", "failCommand", mode={"times": times}, data={
                "failCommands": commands, "appName": app_name, **behaviour})
        except OperationFailure as exc:
            pytest.skip(f"the MongoDB at MONGODB_URI refuses configureFailPoint (start it with "
                        f"--setParameter enableTestCommands=1): {exc}")
        try:
            yield
        finally:
            admin.admin.command("configureFailPoint", "failCommand", mode="off")
    finally:
        admin.close()
