"""The reward service's state transitions, each run as one unit of work of the store.

Money never moves inside these steps: a step decides (and persists) what the wallet must post, the service
posts it under a deterministic key, and a later step records the outcome. Every decision that competes
with another (an entry against a refund, a refund against a distribution, two distributions of one match)
is a conditional write on the competition or a unique key, so exactly one wins before any money moves.
Every step that depends on the competition's state also rewrites the competition (a new version), which
is what makes concurrent steps conflict on a store with snapshot isolation.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from reward_service.domain.commands import ContributionRequest, OpenCompetitionCommand, check_bound_match
from reward_service.domain.model import (
    NO_LEASE,
    Actor,
    Competition,
    CompetitionStatus,
    Contribution,
    ContributionKind,
    Distribution,
    PaymentStatus,
    Refund,
    RefundLine,
    RefundStatus,
    Role,
)
from reward_service.domain.ports import RewardUnitOfWork
from winzone_kernel.errors import (
    IdempotencyConflict,
    InvalidArgument,
    InvalidState,
    NotFound,
    PermissionDenied,
)


def competition_of(uow: RewardUnitOfWork, competition_id: str) -> Competition:
    competition = uow.competition_get(competition_id)
    if competition is None:
        raise NotFound("Competition not found", code="COMPETITION_NOT_FOUND")
    return competition


def open_competition(uow: RewardUnitOfWork, cmd: OpenCompetitionCommand, actor: Actor | None, now: str
                     ) -> tuple[Competition, bool]:
    """Create the competition, or change it (owner or admin, before the first entry); True when created.

    An organizer owns what it opens and may not name another owner; an admin may name anyone (itself by
    default); a trusted internal caller must name the owner. An identical request changes nothing.

    Ids are first come, so an end user (a request with an actor) never names a new one: it opens a
    competition under an id the service generated (``cmd.generated``) and changes only one that exists. A
    trusted internal caller (the match service) still opens competitions under its own ids.
    """
    if actor is not None and actor.role not in (Role.ORGANIZER, Role.ADMIN):
        raise PermissionDenied("Only organizers and admins manage competitions", code="FORBIDDEN")
    if actor is not None and not actor.is_admin and cmd.organizer_id not in (None, actor.user_id):
        raise PermissionDenied("Only an admin may name another organizer", code="FORBIDDEN")
    existing = uow.competition_get(cmd.competition_id)
    if existing is not None and cmd.keyed:
        owner = cmd.organizer_id or (actor.user_id if actor is not None else existing.organizer_id)
        if cmd.terms(owner) != existing.terms:
            raise IdempotencyConflict("This Idempotency-Key was used to open a competition on other terms",
                                      code="IDEMPOTENCY_CONFLICT")
        return existing, False
    if existing is not None and cmd.generated:
        raise InvalidState("A competition with the generated id already exists; try again",
                           code="COMPETITION_EXISTS")
    if existing is None and actor is not None and not cmd.generated:
        raise NotFound("Competition not found; a new one is opened without an id (POST /api/competitions)",
                       code="COMPETITION_NOT_FOUND")
    if existing is None:
        organizer = cmd.organizer_id or (actor.user_id if actor is not None else None)
        if organizer is None:
            raise InvalidArgument("organizer_id is required", code="INVALID_ID")
        competition = Competition.new(cmd.competition_id, cmd.terms(organizer), now)
        uow.competition_add(competition)
        return competition, True
    existing.check_manager(actor)
    terms = cmd.terms(cmd.organizer_id or existing.organizer_id)
    if terms == existing.terms:
        return existing, False
    changed = existing.changed(terms, now)
    if terms.currency != existing.currency and any(
            c.status != PaymentStatus.REFUSED for c in uow.contributions_of(existing.id)):
        raise InvalidState("The currency cannot change once money was paid into the pool",
                           code="POOL_NOT_EMPTY")
    uow.competition_update(changed)
    return changed, False


class ClaimOutcome(StrEnum):
    OWNED = "owned"
    """The caller holds the lease: it must post the contribution and settle the outcome."""
    PAID = "paid"
    """The contribution was already paid; posting it again only replays the wallet's answer."""
    BUSY = "busy"
    """Another driver holds the lease; wait and claim again."""
    GONE = "gone"
    """The contribution was refused by the wallet (or does not exist): nothing to settle."""


@dataclass(frozen=True, slots=True)
class Claim:
    """The result of claiming a contribution for posting."""

    outcome: ClaimOutcome
    contribution: Contribution | None
    competition: Competition


def claim_contribution(uow: RewardUnitOfWork, request: ContributionRequest, token: str, *, now: str,
                       lease_until: str) -> Claim:
    """Create a pending contribution leased to ``token``, or take over one whose lease ran out.

    A new entry needs an open competition (and counts as an entry at once, which freezes the competition's
    terms); a sponsorship needs one that was not cancelled. A pending contribution of a cancelled
    competition belongs to its refund and is not claimed here. A refused entry becomes its next attempt
    (a fresh wallet key, as a new entry); a refused sponsorship is driven again under its own key, and the
    wallet answers its remembered refusal.
    """
    competition = competition_of(uow, request.competition_id)
    if request.kind is ContributionKind.ENTRY:
        if request.amount and request.amount != competition.entry_fee:
            raise InvalidArgument("The amount differs from the competition's entry fee", code="ENTRY_FEE_MISMATCH")
    else:
        competition.check_manager(request.actor)
        if request.actor is not None and request.actor.user_id != request.user_id:
            raise PermissionDenied("A sponsor can only pay from their own wallet", code="FORBIDDEN")
    if request.currency and request.currency != competition.currency:
        raise InvalidArgument("The currency differs from the competition's currency", code="CURRENCY_MISMATCH")
    existing = uow.contribution_get(request.contribution_id)
    if existing is not None:
        if existing.request_fingerprint != request.fingerprint():
            raise IdempotencyConflict("This idempotency key was already used for another sponsorship")
        if existing.status == PaymentStatus.PAID:
            return Claim(ClaimOutcome.PAID, existing, competition)
        if existing.leased_by_other(now):
            return Claim(ClaimOutcome.BUSY, existing, competition)
        if competition.status == CompetitionStatus.CANCELLED or existing.status == PaymentStatus.REFUSED:
            competition.check_accepts(request.kind)
        if existing.status == PaymentStatus.REFUSED and request.kind is ContributionKind.ENTRY:
            retried = existing.retried(competition.entry_fee, competition.currency, token, lease_until, now)
            bumped = competition.bumped(now, entries=competition.entries + 1)
            uow.competition_update(bumped)
            uow.contribution_update(retried)
            return Claim(ClaimOutcome.OWNED, retried, bumped)
        return _take_over(uow, existing, competition, token, now=now, lease_until=lease_until)
    competition.check_accepts(request.kind)
    amount = competition.entry_fee if request.kind is ContributionKind.ENTRY else request.amount
    contribution = Contribution(
        id=request.contribution_id, competition_id=competition.id, user_id=request.user_id,
        kind=request.kind.value, amount=amount, currency=competition.currency,
        request_fingerprint=request.fingerprint(), status=PaymentStatus.PENDING.value, lease_token=token,
        lease_until=lease_until, created_at=now, updated_at=now,
    )
    entries = competition.entries + (1 if request.kind is ContributionKind.ENTRY else 0)
    bumped = competition.bumped(now, entries=entries)
    uow.competition_update(bumped)
    uow.contribution_add(contribution)
    return Claim(ClaimOutcome.OWNED, contribution, bumped)


def claim_pending(uow: RewardUnitOfWork, competition_id: str, contribution_id: str, token: str, *, now: str,
                  lease_until: str) -> Claim:
    """Claim a pending contribution for whoever must settle it without its payer's request: the refund of its
    cancelled competition, or the reconciler (see ``claim_contribution``)."""
    competition = competition_of(uow, competition_id)
    existing = uow.contribution_get(contribution_id)
    if existing is None or existing.status == PaymentStatus.REFUSED:
        return Claim(ClaimOutcome.GONE, existing, competition)
    if existing.status == PaymentStatus.PAID:
        return Claim(ClaimOutcome.PAID, existing, competition)
    if existing.leased_by_other(now):
        return Claim(ClaimOutcome.BUSY, existing, competition)
    return _take_over(uow, existing, competition, token, now=now, lease_until=lease_until)


def _take_over(uow: RewardUnitOfWork, existing: Contribution, competition: Competition, token: str, *, now: str,
               lease_until: str) -> Claim:
    """Lease a contribution nobody holds to ``token`` (a new competition version, see the module); a refused
    sponsorship is pending again until the wallet answers."""
    claimed = replace(existing.leased(token, lease_until, now), status=PaymentStatus.PENDING.value)
    uow.contribution_update(claimed)
    bumped = competition.bumped(now)
    uow.competition_update(bumped)
    return Claim(ClaimOutcome.OWNED, claimed, bumped)


def settle_paid(uow: RewardUnitOfWork, contribution: Contribution, now: str) -> tuple[Contribution, Competition]:
    """Record that the wallet moved a contribution into the pool (the wallet is the truth: whoever holds the
    lease now, and even if it was marked refused meanwhile, a posted contribution is paid) and add it to the
    pool balance, once."""
    current = uow.contribution_get(contribution.id)
    competition = competition_of(uow, contribution.competition_id)
    if current is not None and current.status == PaymentStatus.PAID:
        return current, competition
    paid = replace(current or contribution, status=PaymentStatus.PAID.value, lease_token="", lease_until=NO_LEASE,
                   updated_at=now)
    entries = competition.entries
    if current is None or current.status == PaymentStatus.REFUSED:
        entries += 1 if paid.kind == ContributionKind.ENTRY else 0
    if current is None:
        uow.contribution_add(paid)
    else:
        uow.contribution_update(paid)
    bumped = competition.bumped(now, pool_balance=competition.pool_balance + paid.amount, entries=entries)
    uow.competition_update(bumped)
    return paid, bumped


def settle_failed(uow: RewardUnitOfWork, contribution_id: str, token: str, now: str) -> None:
    """The wallet definitely refused the charge: the lease holder marks the contribution refused (kept, so the
    next entry attempt gets a fresh key) and it no longer counts as an entry."""
    current = uow.contribution_get(contribution_id)
    if current is None or current.status != PaymentStatus.PENDING or current.lease_token != token:
        return
    uow.contribution_update(replace(current, status=PaymentStatus.REFUSED.value, lease_token="",
                                    lease_until=NO_LEASE, updated_at=now))
    competition = competition_of(uow, current.competition_id)
    entries = competition.entries - (1 if current.kind == ContributionKind.ENTRY else 0)
    uow.competition_update(competition.bumped(now, entries=entries))


def release_lease(uow: RewardUnitOfWork, contribution_id: str, token: str, now: str) -> None:
    """The outcome of the charge is unknown (the wallet was unreachable): let the next attempt drive it."""
    current = uow.contribution_get(contribution_id)
    if current is not None and current.status == PaymentStatus.PENDING and current.lease_token == token:
        uow.contribution_update(current.leased("", NO_LEASE, now))


class PoolChanged(Exception):
    """The pool balance moved between computing a whole-pool split and deciding it; compute it again."""


def existing_distribution(uow: RewardUnitOfWork, match_id: str, actor: Actor | None) -> Distribution | None:
    """The match's distribution, if any, provided the caller manages its competition."""
    existing = uow.distribution_get(match_id)
    if existing is not None:
        competition_of(uow, existing.competition_id).check_manager(actor)
    return existing


def decide_distribution(uow: RewardUnitOfWork, draft: Distribution, whole_pool: bool, actor: Actor | None,
                        now: str) -> Distribution:
    """Persist a match's distribution and promise its prize pool, or return the match's existing one.

    Refused for a cancelled competition, a pool that does not hold the amount, a caller who does not
    manage the competition, or an end user's match id not bound to it (``commands.check_bound_match``).
    Closes the competition's entries.
    """
    existing = existing_distribution(uow, draft.match_id, actor)
    if existing is not None:
        return existing
    competition = competition_of(uow, draft.competition_id)
    competition.check_manager(actor)
    if actor is not None:
        check_bound_match(draft.match_id, draft.competition_id)
    competition.check_distributable()
    if whole_pool and competition.pool_balance != draft.prize_pool:
        raise PoolChanged()
    reserved = competition.reserved(draft.prize_pool, now, status=CompetitionStatus.CLOSED.value)
    uow.competition_update(reserved)
    uow.distribution_add(draft)
    return draft


def mark_distribution_paid(uow: RewardUnitOfWork, match_id: str, entry_id: str, now: str) -> Distribution:
    uow.distribution_mark_paid(match_id, entry_id, now)
    distribution = uow.distribution_get(match_id)
    if distribution is None:
        raise NotFound("Distribution not found", code="DISTRIBUTION_NOT_FOUND")
    return distribution


def begin_refund(uow: RewardUnitOfWork, competition_id: str, reason: str, actor: Actor | None, now: str
                 ) -> tuple[Refund, Competition]:
    """Cancel an open competition (no distribution was ever started) or return its existing refund."""
    competition = competition_of(uow, competition_id)
    competition.check_manager(actor)
    existing = uow.refund_get(competition_id)
    if existing is not None:
        return existing, competition
    if competition.status != CompetitionStatus.OPEN:
        raise InvalidState("A distribution was already made from this pool; it can no longer be refunded",
                           code="REFUND_REFUSED")
    cancelled = competition.bumped(now, status=CompetitionStatus.CANCELLED.value)
    refund = Refund(competition_id, reason, RefundStatus.COLLECTING.value, 0, (), "", now, now)
    uow.competition_update(cancelled)
    uow.refund_add(refund)
    return refund, cancelled


def pending_contributions(uow: RewardUnitOfWork, competition_id: str) -> list[str]:
    return [c.id for c in uow.contributions_of(competition_id) if c.status == PaymentStatus.PENDING]


def decide_refund(uow: RewardUnitOfWork, competition_id: str, now: str) -> Refund | None:
    """Fix the refund's lines (every paid contribution; a refused one moved nothing) and promise their total
    from the pool.

    Returns None while a contribution is still pending: its charge must be settled first.
    """
    refund = uow.refund_get(competition_id)
    if refund is None:
        raise NotFound("Refund not found")
    if refund.status != RefundStatus.COLLECTING:
        return refund
    contributions = uow.contributions_of(competition_id)
    if any(c.status == PaymentStatus.PENDING for c in contributions):
        return None
    paid = sorted((c for c in contributions if c.status == PaymentStatus.PAID), key=lambda c: c.id)
    lines = tuple(RefundLine(c.user_id, c.amount, c.kind, c.id) for c in paid)
    total = sum(line.amount for line in lines)
    competition = competition_of(uow, competition_id)
    competition = competition.reserved(total, now) if total else competition.bumped(now)
    status = RefundStatus.PENDING if total else RefundStatus.PAID
    decided = replace(refund, status=status.value, total=total, lines=lines, updated_at=now)
    uow.competition_update(competition)
    uow.refund_update(decided)
    return decided


def mark_refund_paid(uow: RewardUnitOfWork, competition_id: str, entry_id: str, now: str) -> Refund:
    refund = uow.refund_get(competition_id)
    if refund is None:
        raise NotFound("Refund not found")
    if refund.status == RefundStatus.PENDING:
        refund = replace(refund, status=RefundStatus.PAID.value, entry_id=entry_id, updated_at=now)
        uow.refund_update(refund)
    return refund
