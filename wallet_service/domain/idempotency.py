"""The first answer under an idempotency key is the answer: an outcome, or a definite business refusal.

A command that the ledger refuses once it is well formed (``FailedPrecondition``: insufficient funds, a hold
not open, a restricted account, a voided hold id; ``NotFound``) undoes what it wrote and records the refusal
under its key in the same unit of work, so the same request under the same key is refused the same way again,
whatever changed since. Malformed requests never reach a unit of work, so they are never remembered.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from wallet_service.domain.model import PostingOutcome, Refusal, TransactionRecord
from wallet_service.domain.ports import LedgerUnitOfWork
from winzone_kernel.clock import Clock, timestamp_now
from winzone_kernel.errors import FailedPrecondition, IdempotencyConflict, NotFound


class Recordable(Protocol):
    def to_dict(self) -> dict[str, Any]: ...


OutcomeT = TypeVar("OutcomeT", bound=Recordable)
REMEMBERED = (FailedPrecondition, NotFound)


def remembered(
    uow: LedgerUnitOfWork, key: str, fingerprint: str, clock: Clock, *,
    replay: Callable[[dict[str, Any]], OutcomeT], body: Callable[[str], OutcomeT],
) -> OutcomeT | Refusal:
    """Replay the answer recorded under ``key`` (``IdempotencyConflict`` for another request), or run ``body``
    at the clock's now and record its outcome or its refusal."""
    found = uow.idempotency_get(key)
    if found is not None:
        stored_fingerprint, stored = found
        if stored_fingerprint != fingerprint:
            raise IdempotencyConflict()
        refusal = Refusal.from_dict(stored)
        return refusal if refusal is not None else replay(stored)
    now = timestamp_now(clock)
    try:
        outcome = body(now)
    except REMEMBERED as exc:
        uow.discard()
        refused = Refusal(exc)
        uow.idempotency_put(key, fingerprint, refused.to_dict(), now)
        return refused
    uow.idempotency_put(key, fingerprint, outcome.to_dict(), now)
    return outcome


def replayed_posting(uow: LedgerUnitOfWork, stored: dict[str, Any]) -> PostingOutcome:
    """A recorded posting read back: its legs by id (posted legs are immutable), its wallets as recorded."""
    if "transactions" in stored:
        records = [TransactionRecord(**t) for t in stored["transactions"]]
        return PostingOutcome.from_dict(stored, records, replayed=True)
    transactions = []
    for tx_id in stored["transaction_ids"]:
        record = uow.transaction_get(tx_id)
        if record is None:
            raise NotFound(f"transaction {tx_id} of a recorded entry is missing")
        transactions.append(record)
    return PostingOutcome.from_dict(stored, transactions, replayed=True)
