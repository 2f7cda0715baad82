"""Competitions, pool contributions, distributions and refunds, and the rules each record obeys on its own.

A **competition** owns one prize pool (the wallet account ``pool:<competitionId>``). Its life:

* ``open`` — players enter (each pays the entry fee once), sponsors fund the pool, matches may be
  distributed. The owner (or an admin) may change the fee, currency, template or owner only while nobody
  has entered.
* ``closed`` — a match distribution was started: entries are closed for good and a refund is refused.
  Further matches may still be distributed while the pool holds money; sponsors may still fund it.
* ``cancelled`` — the competition was refunded: every entry fee and sponsorship goes back to its payer,
  once, and nothing else moves.

``pool_balance`` is the money in the pool that is not yet promised: it grows when a contribution is paid
into the wallet and shrinks the moment a distribution or refund is *decided* (before the wallet moves the
money), so it never exceeds the wallet's pool balance and a decided payment can always be made.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import StrEnum

from reward_service.domain.split import validate_fee_percentages
from reward_service.domain.templates import TEMPLATES
from winzone_kernel.errors import FailedPrecondition, InvalidArgument, InvalidState, PermissionDenied
from winzone_kernel.money import DEFAULT_CURRENCY, check_minor, currency_of

REF_PATTERN = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
"""User ids and sponsorship keys: short enough that every derived wallet key stays under 200 characters."""

CLIENT_KEY_PATTERN = re.compile(r"^[A-Za-z0-9_.:@-]{1,64}$")
"""A client's ``Idempotency-Key`` (the REST rule): it ends the wallet key ``fund_{competitionId}_{key}``."""

KEY_PART_PATTERN = re.compile(r"^[A-Za-z0-9.@-]{1,64}$")
"""Competition and match ids: as ``REF_PATTERN`` but without '_'. They come first in wallet keys such as
``match_reward_{matchId}_{userId}`` and ``entry_{competitionId}_{userId}``, where user ids may contain '_'
(the gateway's are ``usr_...``); an id without '_' ends at the first '_', so two different (match, user) or
(competition, user) pairs can never make the same key."""

DEFAULT_TEMPLATE = "top3"
MAX_REASON = 500

NO_LEASE = ""
"""The ``lease_until`` of a contribution nobody holds: it sorts before every timestamp, so it has always ended."""


class CompetitionStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class Role(StrEnum):
    PLAYER = "player"
    ORGANIZER = "organizer"
    ADMIN = "admin"


class ContributionKind(StrEnum):
    ENTRY = "entry"
    SPONSORSHIP = "sponsorship"


class PaymentStatus(StrEnum):
    PENDING = "pending"
    PAID = "paid"
    REFUSED = "refused"
    """The wallet definitely refused the contribution's latest attempt: nothing moved, and nothing ever will
    under that attempt's key (the wallet remembers the refusal). Kept, so that the next attempt is numbered."""


class RefundStatus(StrEnum):
    COLLECTING = "collecting"
    """Cancelled; contributions still being charged are settled before the refund is decided."""
    PENDING = "pending"
    """Decided (lines and total fixed, pool balance reserved); the wallet posting may not have happened."""
    PAID = "paid"


def check_ref(value: object, what: str) -> str:
    """Validate a competition, match or user id."""
    if not isinstance(value, str) or not REF_PATTERN.fullmatch(value):
        raise InvalidArgument(
            f"{what} must be 1-64 characters of letters, digits, '_', '.', '@' or '-'", code="INVALID_ID"
        )
    return value


def check_client_key(value: object) -> str:
    """Validate a client's idempotency key (see ``CLIENT_KEY_PATTERN``)."""
    if not isinstance(value, str) or not CLIENT_KEY_PATTERN.fullmatch(value):
        raise InvalidArgument("idempotency_key must be 1-64 characters of letters, digits, '_', '.', ':', '@' "
                              "or '-'", code="INVALID_IDEMPOTENCY_KEY")
    return value


def check_key_part(value: object, what: str) -> str:
    """Validate a new competition or match id (see ``KEY_PART_PATTERN``)."""
    if not isinstance(value, str) or not KEY_PART_PATTERN.fullmatch(value):
        raise InvalidArgument(
            f"{what} must be 1-64 characters of letters, digits, '.', '@' or '-'", code="INVALID_ID"
        )
    return value


def check_template(value: object) -> str:
    if not isinstance(value, str) or value not in TEMPLATES:
        raise InvalidArgument(f"Unknown template; expected one of: {', '.join(TEMPLATES)}", code="UNKNOWN_TEMPLATE")
    return value


def check_reason(value: object) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_REASON or not value.isprintable():
        raise InvalidArgument(f"A reason of at most {MAX_REASON} printable characters is required",
                              code="INVALID_REASON")
    return value.strip()


@dataclass(frozen=True, slots=True)
class FeeSchedule:
    """Platform and organizer fees, in percent of the prize pool being distributed."""

    platform: Decimal
    organizer: Decimal

    def __post_init__(self) -> None:
        validate_fee_percentages(self.platform, self.organizer)


@dataclass(frozen=True, slots=True)
class Actor:
    """The end user a gateway acts for; ``None`` in place of an actor means a trusted internal service."""

    user_id: str
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


@dataclass(frozen=True, slots=True)
class CompetitionTerms:
    """What an owner chooses for a competition: validated on construction."""

    organizer_id: str
    entry_fee: int
    currency: str
    template: str

    @classmethod
    def build(cls, *, organizer_id: object, entry_fee: object, currency: object, template: object
              ) -> CompetitionTerms:
        return cls(
            organizer_id=check_ref(organizer_id, "organizer_id"),
            entry_fee=check_minor(entry_fee),
            currency=currency_of(currency or DEFAULT_CURRENCY).code,
            template=check_template(template or DEFAULT_TEMPLATE),
        )


@dataclass(frozen=True, slots=True)
class Competition:
    """A competition and the state of its prize pool (see the module docstring)."""

    id: str
    organizer_id: str
    entry_fee: int
    currency: str
    template: str
    status: str
    pool_balance: int
    entries: int
    version: int
    created_at: str
    updated_at: str

    @classmethod
    def new(cls, competition_id: str, terms: CompetitionTerms, now: str) -> Competition:
        return cls(competition_id, terms.organizer_id, terms.entry_fee, terms.currency, terms.template,
                   CompetitionStatus.OPEN.value, 0, 0, 1, now, now)

    @property
    def terms(self) -> CompetitionTerms:
        return CompetitionTerms(self.organizer_id, self.entry_fee, self.currency, self.template)

    def check_manager(self, actor: Actor | None) -> None:
        """Only the owner organizer or an admin (or a trusted internal caller) may manage a competition."""
        if actor is None or actor.is_admin:
            return
        if actor.role == Role.ORGANIZER and actor.user_id == self.organizer_id:
            return
        raise PermissionDenied("Only the competition's organizer or an admin may do this", code="FORBIDDEN")

    def changed(self, terms: CompetitionTerms, now: str) -> Competition:
        """The competition with new terms; allowed only while it is open and nobody has entered."""
        if self.status != CompetitionStatus.OPEN:
            raise InvalidState(f"The competition is {self.status} and can no longer be changed",
                               code="COMPETITION_NOT_OPEN")
        if self.entries:
            raise InvalidState("The competition can only be changed before the first entry",
                               code="COMPETITION_HAS_ENTRIES")
        if terms.currency != self.currency and self.pool_balance:
            raise InvalidState("The currency cannot change once the pool holds money", code="POOL_NOT_EMPTY")
        return self.bumped(now, organizer_id=terms.organizer_id, entry_fee=terms.entry_fee,
                           currency=terms.currency, template=terms.template)

    def check_accepts(self, kind: ContributionKind) -> None:
        """Entries need an open competition; sponsorship any competition that was not cancelled."""
        if self.status == CompetitionStatus.CANCELLED:
            raise InvalidState("The competition was cancelled", code="COMPETITION_CANCELLED")
        if kind is ContributionKind.ENTRY and self.status != CompetitionStatus.OPEN:
            raise InvalidState("Entries are closed: a match of this competition was already distributed",
                               code="ENTRIES_CLOSED")

    def check_distributable(self) -> None:
        if self.status == CompetitionStatus.CANCELLED:
            raise InvalidState("The competition was cancelled and refunded", code="COMPETITION_CANCELLED")

    def reserved(self, amount: int, now: str, **changes: object) -> Competition:
        """The competition after promising ``amount`` of its pool; refused if the pool does not hold it."""
        if not 0 < amount <= self.pool_balance:
            raise FailedPrecondition(
                f"The prize pool holds {self.pool_balance} minor units; {amount} cannot be paid from it",
                code="INSUFFICIENT_POOL",
            )
        return self.bumped(now, pool_balance=self.pool_balance - amount, **changes)

    def bumped(self, now: str, **changes: object) -> Competition:
        """A copy with ``changes`` applied, a new version and ``updated_at``."""
        return replace(self, version=self.version + 1, updated_at=now, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Contribution:
    """Money a user pays into a pool: an entry fee or a sponsorship.

    Its ``id`` is the payer's leg key in the wallet, and with ``attempt`` it makes the posting's idempotency
    key (``posting_key``), so however often one attempt is driven the wallet moves the money once, and only
    one attempt can ever move it. While ``pending`` it is *leased*: only the holder of ``lease_token`` (until
    ``lease_until``, a timestamp like ``updated_at``; ``NO_LEASE`` once released) may post it and settle the
    outcome, so a failed charge is never forgotten while another attempt of the same charge succeeds. A
    ``refused`` entry is charged again only as its next attempt (``retried``); a sponsorship's key is its
    client's, so it has only attempt 0 and a refused one is refused again.
    """

    id: str
    competition_id: str
    user_id: str
    kind: str
    amount: int
    currency: str
    request_fingerprint: str
    status: str
    lease_token: str
    lease_until: str
    created_at: str
    updated_at: str
    attempt: int = 0

    @staticmethod
    def entry_id(competition_id: str, user_id: str) -> str:
        return f"entry_{competition_id}_{user_id}"

    @property
    def posting_key(self) -> str:
        """The wallet key of this attempt: the id itself for attempt 0 (what every record written before
        attempts existed was posted under), ``{id}:{attempt}`` after that. User ids hold no ':', so the key
        parses back to one (competition, user, attempt)."""
        return self.id if self.attempt == 0 else f"{self.id}:{self.attempt}"

    def retried(self, amount: int, currency: str, token: str, until: str, now: str) -> Contribution:
        """The next attempt of a refused entry, pending and leased to ``token``, at today's fee."""
        if self.status != PaymentStatus.REFUSED or self.kind != ContributionKind.ENTRY:
            raise ValueError(f"contribution {self.id} is not a refused entry")
        return replace(self, amount=amount, currency=currency, status=PaymentStatus.PENDING.value,
                       attempt=self.attempt + 1, lease_token=token, lease_until=until, updated_at=now)

    @staticmethod
    def sponsorship_id(competition_id: str, key: str) -> str:
        return f"fund_{competition_id}_{key}"

    def leased_by_other(self, now: str) -> bool:
        """Whether a driver still holds this pending contribution at ``now`` (timestamps compare as text)."""
        return self.status == PaymentStatus.PENDING and self.lease_until > now

    def leased(self, token: str, until: str, now: str) -> Contribution:
        return replace(self, lease_token=token, lease_until=until, updated_at=now)


@dataclass(frozen=True, slots=True)
class Payout:
    """One winner's reward in a distribution."""

    user_id: str
    rank: int
    amount: int


@dataclass(frozen=True, slots=True)
class Distribution:
    """A match's rewards: decided (``pending``) before the wallet posting, ``paid`` once it is posted.

    ``fingerprint`` identifies the request that decided it; only that request may drive or replay it.
    """

    match_id: str
    competition_id: str
    fingerprint: str
    template: str
    shares: tuple[str, ...]
    currency: str
    prize_pool: int
    platform_fee: int
    organizer_fee: int
    organizer_id: str
    platform_fee_percentage: str
    organizer_fee_percentage: str
    payouts: tuple[Payout, ...]
    status: str
    entry_id: str
    created_at: str
    updated_at: str

    def __post_init__(self) -> None:
        paid_out = self.platform_fee + self.organizer_fee + sum(p.amount for p in self.payouts)
        if paid_out != self.prize_pool or min((p.amount for p in self.payouts), default=1) <= 0:
            raise ValueError(f"distribution of match {self.match_id} does not add up to its prize pool")


@dataclass(frozen=True, slots=True)
class RefundLine:
    """What one payer gets back from a cancelled competition."""

    user_id: str
    amount: int
    kind: str
    contribution_id: str


@dataclass(frozen=True, slots=True)
class Refund:
    """The cancellation of a competition and the return of every contribution (see ``RefundStatus``)."""

    competition_id: str
    reason: str
    status: str
    total: int
    lines: tuple[RefundLine, ...] = field(default=())
    entry_id: str = ""
    created_at: str = ""
    updated_at: str = ""
