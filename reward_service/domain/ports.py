"""The reward service's ports: its store (a unit of work per atomic step) and the wallet it pays through."""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from reward_service.domain.model import Competition, Contribution, Distribution, Refund
from reward_service.domain.postings import PostingPlan
from winzone_kernel.errors import WinzoneError

T = TypeVar("T")

Cursor = tuple[str, str]
"""Where a listing resumes: the sort timestamp and the id of the last record of the previous page."""


class RewardUnitOfWork(ABC):
    """Everything one atomic step may read or write; all of it commits together or not at all.

    Implementations enforce the invariants a second time: a competition id, an entry per (competition,
    user), a contribution id, a distribution per match and a refund per competition are unique
    (``AlreadyExists``); a competition is written only over the version that was read (``competition_update``).
    """

    @abstractmethod
    def competition_get(self, competition_id: str) -> Competition | None:
        """One competition."""

    @abstractmethod
    def competition_add(self, competition: Competition) -> None:
        """Insert a new competition (``AlreadyExists`` if the id is taken)."""

    @abstractmethod
    def competition_update(self, competition: Competition) -> None:
        """Replace the competition whose version is ``competition.version - 1`` (read in this unit of work)."""

    @abstractmethod
    def contribution_get(self, contribution_id: str) -> Contribution | None:
        """One contribution."""

    @abstractmethod
    def contribution_add(self, contribution: Contribution) -> None:
        """Insert a contribution (``AlreadyExists`` for a taken id or a second entry of the same user)."""

    @abstractmethod
    def contribution_update(self, contribution: Contribution) -> None:
        """Replace a contribution that is not paid (status, attempt, lease, timestamps; amount and currency
        only when a refused entry becomes its next attempt). A paid contribution never changes again, and a
        contribution is never removed: a refused one stays, numbered, so that its next attempt is too."""

    @abstractmethod
    def contributions_of(self, competition_id: str) -> list[Contribution]:
        """Every contribution to a competition's pool, by id."""

    @abstractmethod
    def competitions_page(self, status: str, organizer_id: str, skip: int, limit: int
                          ) -> tuple[list[Competition], int]:
        """Up to ``limit`` competitions after the first ``skip``, newest first (``created_at``, then id,
        descending), only of ``status`` and of ``organizer_id`` where these are not empty; and how many match."""

    @abstractmethod
    def entries_page(self, competition_id: str, skip: int, limit: int) -> tuple[list[Contribution], int]:
        """Up to ``limit`` entry-fee contributions of a competition after the first ``skip``, oldest first
        (``created_at``, then id), leaving out refused ones (nobody entered); and how many there are."""

    @abstractmethod
    def contributions_pending(self, lease_expired_by: str, limit: int, after: Cursor | None = None
                              ) -> list[Contribution]:
        """Up to ``limit`` pending contributions of any competition whose lease ended at ``lease_expired_by``
        (a timestamp like ``lease_until``) or earlier, or was released; oldest lease first, then by id, from
        just after ``after`` (``(lease_until, id)`` of the previous page's last)."""

    @abstractmethod
    def distribution_get(self, match_id: str) -> Distribution | None:
        """The distribution of one match."""

    @abstractmethod
    def distributions_pending(self, updated_before: str, limit: int, after: Cursor | None = None
                              ) -> list[Distribution]:
        """Up to ``limit`` decided but unpaid distributions last updated before ``updated_before`` (an RFC 3339
        timestamp like ``updated_at``), least recently updated first, then by match id, from just after
        ``after`` (``(updated_at, match_id)``)."""

    @abstractmethod
    def distribution_add(self, distribution: Distribution) -> None:
        """Insert a decided distribution (``AlreadyExists`` if the match has one)."""

    @abstractmethod
    def distribution_mark_paid(self, match_id: str, entry_id: str, now: str) -> None:
        """Record the wallet entry of a pending distribution; a paid one never changes again."""

    @abstractmethod
    def refund_get(self, competition_id: str) -> Refund | None:
        """The refund of a cancelled competition."""

    @abstractmethod
    def refund_add(self, refund: Refund) -> None:
        """Insert the refund of a competition (``AlreadyExists`` if it has one)."""

    @abstractmethod
    def refund_update(self, refund: Refund) -> None:
        """Replace a competition's refund (its lines once decided, its entry once paid)."""

    @abstractmethod
    def refunds_unfinished(self, updated_before: str, limit: int, after: Cursor | None = None) -> list[Refund]:
        """Up to ``limit`` refunds still collecting or pending, last updated before ``updated_before``, least
        recently updated first, then by competition id, from just after ``after`` (``(updated_at,
        competition_id)``)."""


class RewardStore(ABC):
    """Runs units of work atomically and answers reads outside of them."""

    @abstractmethod
    def atomic(self, op: Callable[[RewardUnitOfWork], T]) -> T:
        """Run ``op`` in one transaction, committed durably before this returns; nothing persists if it raises."""

    async def atomic_async(self, op: Callable[[RewardUnitOfWork], T]) -> T:
        """``atomic`` for an event loop; adapters with a writer thread override this to skip a thread hop."""
        return await asyncio.to_thread(self.atomic, op)

    @abstractmethod
    def read(self, op: Callable[[RewardUnitOfWork], T]) -> T:
        """Run read-only ``op`` on one consistent snapshot, outside any write transaction."""

    async def read_async(self, op: Callable[[RewardUnitOfWork], T]) -> T:
        """``read`` for an event loop: off the loop's thread, so a slow or unreachable store never stalls it;
        adapters whose reads are local and quick may override this to skip the thread hop."""
        return await asyncio.to_thread(self.read, op)

    @abstractmethod
    def migrate(self) -> None:
        """Create tables/collections and indexes; safe to run any number of times."""

    @abstractmethod
    def close(self) -> None:
        """Release connections and stop background threads."""


@dataclass(frozen=True, slots=True)
class WalletTransaction:
    """One leg of a posting as the wallet shows it to its account's owner (``winzone.wallet.v1.Transaction``):
    ``amount`` is signed from the account's side, ``balance_after`` is None until the leg is posted, and
    ``user_id`` is empty for a system or pool account."""

    id: str
    user_id: str
    account: str
    type: str
    amount: int
    currency: str
    source: str
    status: str
    description: str
    metadata: Mapping[str, str] = field(hash=False)
    idempotency_key: str
    balance_after: int | None
    entry_id: str
    hold_id: str
    created_at: str
    updated_at: str
    posted_at: str
    funds: Mapping[str, int] = field(default_factory=dict, hash=False)
    """A user wallet leg's split over the wallet's funds (deposit, winnings, bonus), zero parts left out."""
    fund: str = ""
    """The one fund the leg moved, or empty when several (or not a user wallet's leg)."""


@dataclass(frozen=True, slots=True)
class PostingReceipt:
    """What the wallet answered to a posting: its journal entry, whether it only replayed an earlier answer,
    and one transaction per leg in plan order (a reply shows the payer its own)."""

    entry_id: str
    replayed: bool
    transactions: tuple[WalletTransaction, ...]


class WalletPort(ABC):
    """The wallet service as the reward service uses it: one balanced posting at a time.

    A posting is idempotent under ``plan.key``: the same plan again returns the first answer with
    ``replayed`` set (whatever the balances are now), another plan under a used key, or a leg key another
    posting used, raises ``IdempotencyConflict``. A user or pool account that would go negative raises
    ``InsufficientFunds``, a malformed plan ``InvalidArgument``; a refused posting moved nothing and its leg
    keys stay free. A refusal (``FailedPrecondition``, ``NotFound``) is the first answer under its key: the
    same plan is refused again, so a fresh attempt needs a fresh key. ``Unavailable`` means the outcome is
    unknown: the posting may or may not have happened, or still happen.
    """

    @abstractmethod
    async def post(self, plan: PostingPlan) -> PostingReceipt:
        """Post ``plan``; the wallet's refusal is raised as our domain error (see the class docstring)."""

    @abstractmethod
    async def post_batch(self, plans: Sequence[PostingPlan]) -> list[PostingReceipt | WinzoneError]:
        """Post every plan in one wallet call and one commit (at most ``WALLET_MAX_BATCH``), each exactly as
        ``post`` would: its receipt, or in its place the error ``post`` would raise (a plan refused refuses only
        itself). ``Unavailable`` is raised for the whole call: then any of them may or may not have happened."""
