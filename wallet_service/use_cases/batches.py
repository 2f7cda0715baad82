"""Batches: many independent journal entries in one call and one durable commit, each answered as its own Post."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from wallet_service.domain import ledger
from wallet_service.domain.commands import EntryRequest, PostCommand, check_batch
from wallet_service.domain.model import PostingOutcome, Refusal
from wallet_service.domain.policy import DEFAULT_POLICY, LedgerPolicy
from wallet_service.domain.ports import LedgerStore, LedgerUnitOfWork
from winzone_kernel.clock import Clock, utc_now
from winzone_kernel.errors import InvalidArgument, WinzoneError

EntryAnswer = PostingOutcome | WinzoneError
"""What one entry of a batch gets: its posting (new or replayed), or the error Post would have raised."""


class Batches:
    """PostBatch: every entry is checked and run exactly as Post runs it (its key, its replay, its refusal
    remembered), in request order inside one transaction; a malformed or refused entry answers its own error and
    the others still commit."""

    def __init__(self, store: LedgerStore, clock: Clock = utc_now, policy: LedgerPolicy = DEFAULT_POLICY) -> None:
        self._store = store
        self._clock = clock
        self._policy = policy

    async def post_batch(self, entries: Sequence[EntryRequest]) -> list[EntryAnswer]:
        """Post every well-formed entry in one commit; answers in request order. A batch out of bounds is
        ``InvalidArgument`` for the whole call and posts nothing."""
        check_batch(entries)
        answers: list[EntryAnswer | None] = []
        commands: list[PostCommand] = []
        for entry in entries:
            try:
                commands.append(entry.command())
            except InvalidArgument as exc:
                answers.append(exc)
            else:
                answers.append(None)
        posted = iter(await self._store.atomic_each_async([self._op(cmd) for cmd in commands]) if commands else [])
        return [answer if answer is not None else next(posted) for answer in answers]

    def _op(self, cmd: PostCommand) -> Callable[[LedgerUnitOfWork], PostingOutcome | Refusal]:
        return lambda uow: ledger.post(uow, cmd, self._clock, policy=self._policy)
