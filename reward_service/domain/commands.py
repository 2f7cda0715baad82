"""Validated requests of the reward service. Constructing one checks every field; nothing moves on a bad one."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from reward_service.domain.model import (
    DEFAULT_TEMPLATE,
    Actor,
    CompetitionTerms,
    Contribution,
    ContributionKind,
    check_client_key,
    check_key_part,
    check_ref,
    check_template,
)
from reward_service.domain.split import Standing
from reward_service.domain.templates import TEMPLATES, share_units, validate_shares
from winzone_kernel.errors import InvalidArgument
from winzone_kernel.money import DEFAULT_CURRENCY, check_minor, currency_of

MAX_STANDINGS = 100_000


def fingerprint(kind: str, *fields: object) -> str:
    """A short digest of a request's significant fields (detects another request under the same key)."""
    raw = json.dumps([kind, *fields], separators=(",", ":"), default=str)
    return hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()


@dataclass(frozen=True, slots=True)
class OpenCompetitionCommand:
    """Create or change a competition. ``organizer_id`` None means "the actor" (new) or "unchanged".

    ``generated`` marks an id the service chose itself for this request (``build(competition_id="")``): such
    a command only ever creates. Any other command from an actor only changes a competition that exists
    (``rules.open_competition``), so no end user can claim an id somebody else will use. ``keyed`` marks a
    generated id derived from the caller's idempotency key: finding it taken is then a replay, not a clash.
    """

    competition_id: str
    organizer_id: str | None
    entry_fee: int
    currency: str
    template: str
    generated: bool = False
    keyed: bool = False

    @classmethod
    def build(cls, *, competition_id: object, organizer_id: object, entry_fee: object, currency: object,
              template: object, generated_id: str = "", keyed: bool = False) -> OpenCompetitionCommand:
        """``competition_id`` "" (or None) opens a new competition under ``generated_id`` (derived from an
        idempotency key when ``keyed``)."""
        generated = competition_id in ("", None)
        return cls(
            competition_id=check_key_part(generated_id if generated else competition_id, "competition_id"),
            organizer_id=check_ref(organizer_id, "organizer_id") if organizer_id else None,
            entry_fee=check_minor(entry_fee),
            currency=currency_of(currency or DEFAULT_CURRENCY).code,
            template=check_template(template or DEFAULT_TEMPLATE),
            generated=generated,
            keyed=generated and keyed,
        )

    def terms(self, organizer_id: str) -> CompetitionTerms:
        return CompetitionTerms(organizer_id, self.entry_fee, self.currency, self.template)


@dataclass(frozen=True, slots=True)
class ContributionRequest:
    """Pay into a competition's pool: a player's entry fee, or a sponsorship under an idempotency key.

    For an entry, ``amount``/``currency`` are what the caller expects to pay (0 / "" when unstated) and
    must match the competition's fee; for a sponsorship they are the amount to move.
    """

    competition_id: str
    user_id: str
    kind: ContributionKind
    amount: int
    currency: str
    key: str
    actor: Actor | None

    @classmethod
    def entry(cls, *, competition_id: object, user_id: object, expected_amount: object = 0,
              expected_currency: object = "") -> ContributionRequest:
        return cls(
            competition_id=check_ref(competition_id, "competition_id"),
            user_id=check_ref(user_id, "user_id"),
            kind=ContributionKind.ENTRY,
            amount=check_minor(expected_amount) if expected_amount else 0,
            currency=currency_of(expected_currency).code if expected_currency else "",
            key="",
            actor=None,
        )

    @classmethod
    def sponsorship(cls, *, competition_id: object, user_id: object, amount: object, currency: object,
                    key: object, actor: Actor | None) -> ContributionRequest:
        return cls(
            competition_id=check_ref(competition_id, "competition_id"),
            user_id=check_ref(user_id, "user_id"),
            kind=ContributionKind.SPONSORSHIP,
            amount=check_minor(amount),
            currency=currency_of(currency).code if currency else "",
            key=check_client_key(key),
            actor=actor,
        )

    @property
    def contribution_id(self) -> str:
        if self.kind is ContributionKind.ENTRY:
            return Contribution.entry_id(self.competition_id, self.user_id)
        return Contribution.sponsorship_id(self.competition_id, self.key)

    def fingerprint(self) -> str:
        """Entries are one per player whatever the request says; a sponsorship key binds sponsor and amount
        (the currency is always the competition's, so it adds nothing)."""
        if self.kind is ContributionKind.ENTRY:
            return fingerprint("entry", self.competition_id, self.user_id)
        return fingerprint("sponsorship", self.competition_id, self.user_id, self.amount)


MATCH_NAME_PATTERN = re.compile(r"^[A-Za-z0-9.-]+$")
"""The name part of a match id an end user distributes: ``<name>@<competitionId>``, the name without '@'."""


def bound_competition(match_id: str) -> str | None:
    """The competition a match id ``<name>@<competitionId>`` is bound to (the id after its first '@'), or None
    when it has no such form. Every match id binds to at most one competition, so a match id an end user
    distributes can only ever belong to a competition that user manages."""
    name, at, competition_id = match_id.partition("@")
    if not at or not competition_id or not MATCH_NAME_PATTERN.fullmatch(name):
        return None
    return competition_id


def check_bound_match(match_id: str, competition_id: str) -> None:
    """An end user distributes only under a match id bound to the competition it pays from,
    ``<name>@<competitionId>``: match ids are first come, and an id bound to another organizer's competition
    could otherwise be taken from one's own. The match service's own ids (no actor) are not bound."""
    if bound_competition(match_id) != competition_id:
        raise InvalidArgument(f"match_id must be <name>@{competition_id[:64]}: a name of letters, digits, '.' or "
                              "'-', '@' and the competition's id (64 characters at most)", code="INVALID_MATCH_ID")


SHARE_TEXT = re.compile(r"^[0-9]+(\.[0-9]+)?$|^\.[0-9]+$", re.ASCII)
"""A share written as text: plain ASCII decimal digits (Python's ``Decimal`` would also take '5_0', '1e2',
' 50 ' or non-ASCII digits, and store them as the request spelt them)."""


def _parse_shares(shares: Sequence[object]) -> tuple[Decimal, ...]:
    parsed = []
    for share in shares:
        if isinstance(share, str):
            if len(share) > 40 or not SHARE_TEXT.fullmatch(share):
                raise InvalidArgument("Each share must be a decimal number of percent", code="INVALID_SHARES")
            try:
                share = Decimal(share)
            except InvalidOperation as exc:
                raise InvalidArgument("Each share must be a decimal number of percent", code="INVALID_SHARES") from exc
        parsed.append(share)
    return validate_shares(parsed)  # type: ignore[arg-type]


def _check_standings(standings: Sequence[Standing]) -> tuple[Standing, ...]:
    if not standings:
        raise InvalidArgument("Standings must not be empty", code="EMPTY_STANDINGS")
    if len(standings) > MAX_STANDINGS:
        raise InvalidArgument(f"At most {MAX_STANDINGS} standings are allowed", code="INVALID_STANDINGS")
    seen: set[str] = set()
    for standing in standings:
        if not isinstance(standing.user_id, str) or not standing.user_id:
            raise InvalidArgument("Each standing needs a user id", code="INVALID_USER_ID")
        check_ref(standing.user_id, "user_id")
        rank = standing.rank
        if isinstance(rank, bool) or not isinstance(rank, int) or rank < 1:
            raise InvalidArgument("Ranks must be positive integers", code="INVALID_RANK")
        if standing.user_id in seen:
            raise InvalidArgument(f"User {standing.user_id!r} appears more than once", code="DUPLICATE_USER")
        seen.add(standing.user_id)
    return tuple(standings)


@dataclass(frozen=True, slots=True)
class DistributeCommand:
    """Pay (or preview) a match: a template or explicit shares, the standings, an optional prize pool."""

    match_id: str
    competition_id: str
    template: str | None
    shares: tuple[Decimal, ...] | None
    standings: tuple[Standing, ...]
    prize_pool: int | None
    actor: Actor | None

    @classmethod
    def build(cls, *, match_id: object, competition_id: object, template: object, shares: Sequence[object] | None,
              standings: Sequence[Standing], prize_pool: object, actor: Actor | None) -> DistributeCommand:
        match = check_key_part(match_id, "match_id")
        competition = check_ref(competition_id, "competition_id")
        if actor is not None:
            check_bound_match(match, competition)
        if template and shares:
            raise InvalidArgument("Give either a template or explicit shares, not both", code="TEMPLATE_AND_SHARES")
        return cls(
            match_id=match,
            competition_id=competition,
            template=check_template(template) if template else None,
            shares=_parse_shares(shares) if shares else None,
            standings=_check_standings(standings),
            prize_pool=None if prize_pool is None else check_minor(prize_pool),
            actor=actor,
        )

    def plan(self, default_template: str) -> tuple[str, tuple[Decimal, ...]]:
        """The template label ("" for explicit shares) and the share list this request pays by."""
        if self.shares is not None:
            return "", self.shares
        template = self.template or default_template
        return template, TEMPLATES[template]

    def fingerprint(self, default_template: str) -> str:
        """Identifies the request: competition, shares, prize pool and the standings in any order."""
        template, shares = self.plan(default_template)
        standings = sorted((s.user_id, s.rank) for s in self.standings)
        return fingerprint("distribution", self.competition_id, template, list(share_units(shares)),
                           self.prize_pool, standings)
