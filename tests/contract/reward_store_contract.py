"""The contract every ``RewardStore`` must pass: its records and unique keys, atomic steps, and the reward
rules (``reward_service.domain.rules``) run through the store exactly as the service runs them.

Subclass ``RewardStoreContract`` per backend and implement ``create_store`` (and ``dispose_store`` when
closing is not enough).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import TypeVar

import pytest

from reward_service.domain import rules
from reward_service.domain.commands import ContributionRequest, OpenCompetitionCommand
from reward_service.domain.model import (
    NO_LEASE,
    Actor,
    Competition,
    CompetitionTerms,
    Contribution,
    Distribution,
    Payout,
    Refund,
    RefundLine,
)
from reward_service.domain.ports import RewardStore, RewardUnitOfWork
from reward_service.domain.rules import ClaimOutcome
from tests.support.contract import StoreContract
from tests.support.ids import new_id
from winzone_kernel.clock import format_utc, parse_utc
from winzone_kernel.errors import (
    AlreadyExists,
    FailedPrecondition,
    IdempotencyConflict,
    InvalidState,
    NotFound,
    PermissionDenied,
)

T = TypeVar("T")

NOW = "2026-01-01T00:00:00.000000Z"
LATER = "2026-01-01T00:05:00.000000Z"
LEASE = 30.0
"""Seconds a claim in these tests leases a contribution for."""


def at(seconds: float) -> str:
    """The stored timestamp ``seconds`` after ``NOW``."""
    return format_utc(parse_utc(NOW) + timedelta(seconds=seconds))


def a_competition(organizer: str = "org1", **changes: object) -> Competition:
    competition = Competition.new(new_id("c"), CompetitionTerms(organizer, 1_000, "INR", "top3"), NOW)
    return replace(competition, **changes)  # type: ignore[arg-type]


def a_contribution(competition_id: str, user_id: str, *, kind: str = "entry", contribution_id: str | None = None,
                   status: str = "pending", amount: int = 1_000, attempt: int = 0) -> Contribution:
    cid = contribution_id or (f"entry_{competition_id}_{user_id}" if kind == "entry" else new_id("fund"))
    return Contribution(cid, competition_id, user_id, kind, amount, "INR", "fp", status, "tok", at(100), NOW,
                        NOW, attempt)


def a_distribution(competition_id: str, match_id: str | None = None, *, places: int = 3) -> Distribution:
    payouts = tuple(Payout(f"u{i:05d}", i + 1, 10 + i) for i in range(places))
    winners = sum(p.amount for p in payouts)
    return Distribution(
        match_id=match_id or new_id("m"), competition_id=competition_id, fingerprint="fp-1", template="",
        shares=tuple(["33.333334", "33.333333", "33.333333"]), currency="INR", prize_pool=winners + 15,
        platform_fee=10, organizer_fee=5, organizer_id="org1", platform_fee_percentage="10",
        organizer_fee_percentage="5", payouts=payouts, status="pending", entry_id="", created_at=NOW,
        updated_at=NOW,
    )


class RewardStoreContract(StoreContract[RewardStore]):
    """Abstract contract test case for ``RewardStore`` implementations (pyeventsourcing style)."""

    def atomic(self, op: Callable[[RewardUnitOfWork], T]) -> T:
        return self.store.atomic(op)

    def read(self, op: Callable[[RewardUnitOfWork], T]) -> T:
        return self.store.read(op)

    def add_competition(self, **changes: object) -> Competition:
        competition = a_competition(**changes)
        self.atomic(lambda uow: uow.competition_add(competition))
        return competition

    def competition(self, competition_id: str) -> Competition:
        found = self.read(lambda uow: uow.competition_get(competition_id))
        assert found is not None
        return found

    # --- records and keys -------------------------------------------------------------------------------

    def test_migrate_twice_is_harmless(self) -> None:
        competition = self.add_competition()
        self.store.migrate()
        assert self.competition(competition.id) == competition

    def test_a_competition_round_trips(self) -> None:
        competition = self.add_competition(pool_balance=77, entries=3, status="closed")
        assert self.competition(competition.id) == competition
        assert self.read(lambda uow: uow.competition_get("missing")) is None

    def test_competition_ids_are_unique(self) -> None:
        competition = self.add_competition()
        with pytest.raises(AlreadyExists):
            self.atomic(lambda uow: uow.competition_add(replace(competition, organizer_id="other")))
        assert self.competition(competition.id).organizer_id == "org1"

    def test_a_competition_update_replaces_the_version_it_read(self) -> None:
        competition = self.add_competition()
        changed = competition.bumped(LATER, pool_balance=500, status="closed")
        self.atomic(lambda uow: uow.competition_update(changed))
        assert self.competition(competition.id) == changed
        assert changed.version == 2

    def test_a_contribution_round_trips_and_its_lease_and_status_change(self) -> None:
        competition = self.add_competition()
        contribution = a_contribution(competition.id, "u1")
        self.atomic(lambda uow: uow.contribution_add(contribution))
        assert self.read(lambda uow: uow.contribution_get(contribution.id)) == contribution
        released = contribution.leased("", NO_LEASE, LATER)
        self.atomic(lambda uow: uow.contribution_update(released))
        assert self.read(lambda uow: uow.contribution_get(contribution.id)) == released
        paid = replace(released, status="paid")
        self.atomic(lambda uow: uow.contribution_update(paid))
        assert self.read(lambda uow: uow.contribution_get(contribution.id)) == paid

    def test_one_entry_per_player_and_competition(self) -> None:
        competition = self.add_competition()
        self.atomic(lambda uow: uow.contribution_add(a_contribution(competition.id, "u1")))
        with pytest.raises(AlreadyExists):
            self.atomic(lambda uow: uow.contribution_add(
                a_contribution(competition.id, "u1", contribution_id="entry_other_id")))
        with pytest.raises(AlreadyExists):
            self.atomic(lambda uow: uow.contribution_add(a_contribution(competition.id, "u1", kind="entry")))
        self.atomic(lambda uow: uow.contribution_add(a_contribution(competition.id, "u1", kind="sponsorship")))
        self.atomic(lambda uow: uow.contribution_add(a_contribution(competition.id, "u1", kind="sponsorship")))
        other = self.add_competition()
        self.atomic(lambda uow: uow.contribution_add(a_contribution(other.id, "u1")))
        assert len(self.read(lambda uow: uow.contributions_of(competition.id))) == 3

    def test_a_paid_contribution_never_goes_back_to_pending(self) -> None:
        competition = self.add_competition()
        paid = a_contribution(competition.id, "u1", status="paid")
        self.atomic(lambda uow: uow.contribution_add(paid))
        with contextlib.suppress(Exception):
            self.atomic(lambda uow: uow.contribution_update(replace(paid, status="pending", lease_token="t9",
                                                                    lease_until=at(999))))
        assert self.read(lambda uow: uow.contribution_get(paid.id)) == paid

    def test_contributions_are_listed_by_id_per_competition(self) -> None:
        competition, other = self.add_competition(), self.add_competition()
        for user in ("u3", "u1", "u2"):
            self.atomic(lambda uow, user=user: uow.contribution_add(a_contribution(competition.id, user)))
        self.atomic(lambda uow: uow.contribution_add(a_contribution(other.id, "u9")))
        listed = self.read(lambda uow: uow.contributions_of(competition.id))
        assert [c.user_id for c in listed] == ["u1", "u2", "u3"]
        assert self.read(lambda uow: uow.contributions_of("none")) == []

    def test_competitions_are_paged_newest_first_with_their_filters_and_total(self) -> None:
        made = [self.add_competition(organizer=("org1", "org2")[i % 2], status=("open", "closed", "cancelled")[i % 3],
                                     created_at=at(i * 60), updated_at=at(i * 60)) for i in range(7)]
        tie = [self.add_competition(organizer="org3", created_at=at(999), updated_at=at(999)) for _ in range(3)]
        newest = sorted(tie, key=lambda c: c.id, reverse=True) + made[::-1]

        def page(status: str = "", organizer: str = "", skip: int = 0, limit: int = 100
                 ) -> tuple[list[str], int]:
            found, total = self.read(lambda uow: uow.competitions_page(status, organizer, skip, limit))
            return [c.id for c in found], total

        assert page() == ([c.id for c in newest], 10)
        assert page(skip=2, limit=3) == ([c.id for c in newest[2:5]], 10)
        assert page(skip=10) == ([], 10)
        assert page(status="closed") == ([made[4].id, made[1].id], 2)
        assert page(organizer="org2") == ([made[5].id, made[3].id, made[1].id], 3)
        assert page(status="open", organizer="org1") == ([made[6].id, made[0].id], 2)
        assert page(status="open", organizer="nobody") == ([], 0)
        assert self.read(lambda uow: uow.competitions_page("", "", 0, 1))[0] == [newest[0]]

    def test_entries_are_paged_oldest_first_without_sponsorships_or_refused_charges(self) -> None:
        competition, other = self.add_competition(), self.add_competition()
        users = [f"u{i}" for i in range(5)]
        for i, user in enumerate(users):
            entry = replace(a_contribution(competition.id, user, status=("pending", "paid")[i % 2]),
                            created_at=at(50 - i))
            self.atomic(lambda uow, entry=entry: uow.contribution_add(entry))
        refused = a_contribution(competition.id, "u9", status="refused")
        self.atomic(lambda uow: uow.contribution_add(refused))
        self.atomic(lambda uow: uow.contribution_add(a_contribution(competition.id, "u1", kind="sponsorship")))
        self.atomic(lambda uow: uow.contribution_add(a_contribution(other.id, "u7")))

        found, total = self.read(lambda uow: uow.entries_page(competition.id, 0, 100))
        assert ([c.user_id for c in found], total) == (users[::-1], 5)
        assert [c.status for c in found] == ["pending", "paid", "pending", "paid", "pending"]
        assert all(c.kind == "entry" and c.amount == 1_000 for c in found)
        second, total = self.read(lambda uow: uow.entries_page(competition.id, 2, 2))
        assert ([c.user_id for c in second], total) == (["u2", "u1"], 5)
        assert self.read(lambda uow: uow.entries_page("none", 0, 20)) == ([], 0)

    def test_a_refused_contribution_is_kept_and_becomes_its_next_attempt_at_a_new_fee(self) -> None:
        competition = self.add_competition()
        pending = a_contribution(competition.id, "u1", attempt=2)
        self.atomic(lambda uow: uow.contribution_add(pending))
        assert self.read(lambda uow: uow.contribution_get(pending.id)) == pending
        refused = replace(pending, status="refused", lease_token="", lease_until=NO_LEASE, updated_at=LATER)
        self.atomic(lambda uow: uow.contribution_update(refused))
        assert self.read(lambda uow: uow.contribution_get(pending.id)) == refused
        assert self.read(lambda uow: uow.contributions_pending(at(999), 10)) == []
        retried = refused.retried(1_500, "INR", "t2", at(130), at(100))
        self.atomic(lambda uow: uow.contribution_update(retried))
        stored = self.read(lambda uow: uow.contribution_get(pending.id))
        assert stored == retried
        assert (stored.attempt, stored.amount, stored.posting_key) == (3, 1_500, f"{pending.id}:3")
        paid = replace(retried, status="paid")
        self.atomic(lambda uow: uow.contribution_update(paid))
        with contextlib.suppress(Exception):
            self.atomic(lambda uow: uow.contribution_update(replace(paid, status="refused", attempt=4)))
        assert self.read(lambda uow: uow.contribution_get(pending.id)) == paid
        assert [c.id for c in self.read(lambda uow: uow.contributions_of(competition.id))] == [pending.id]

    def test_a_distribution_with_a_thousand_payouts_round_trips(self) -> None:
        competition = self.add_competition()
        distribution = a_distribution(competition.id, places=1_000)
        self.atomic(lambda uow: uow.distribution_add(distribution))
        assert self.read(lambda uow: uow.distribution_get(distribution.match_id)) == distribution
        assert self.read(lambda uow: uow.distribution_get("missing")) is None

    def test_one_distribution_per_match(self) -> None:
        competition = self.add_competition()
        distribution = a_distribution(competition.id)
        self.atomic(lambda uow: uow.distribution_add(distribution))
        with pytest.raises(AlreadyExists):
            self.atomic(lambda uow: uow.distribution_add(replace(distribution, fingerprint="fp-2")))
        assert self.read(lambda uow: uow.distribution_get(distribution.match_id)) == distribution

    def test_a_distribution_is_marked_paid_once(self) -> None:
        competition = self.add_competition()
        distribution = a_distribution(competition.id)
        self.atomic(lambda uow: uow.distribution_add(distribution))
        self.atomic(lambda uow: uow.distribution_mark_paid(distribution.match_id, "ent_1", LATER))
        self.atomic(lambda uow: uow.distribution_mark_paid(distribution.match_id, "ent_2", "2027"))
        stored = self.read(lambda uow: uow.distribution_get(distribution.match_id))
        assert stored == replace(distribution, status="paid", entry_id="ent_1", updated_at=LATER)

    def test_a_refund_round_trips_and_is_decided_then_paid(self) -> None:
        competition = self.add_competition()
        refund = Refund(competition.id, "rain", "collecting", 0, (), "", NOW, NOW)
        self.atomic(lambda uow: uow.refund_add(refund))
        assert self.read(lambda uow: uow.refund_get(competition.id)) == refund
        decided = replace(refund, status="pending", total=1_500, updated_at=LATER,
                          lines=(RefundLine("u1", 1_000, "entry", "entry_x_u1"),
                                 RefundLine("o1", 500, "sponsorship", "fund_x_k")))
        self.atomic(lambda uow: uow.refund_update(decided))
        assert self.read(lambda uow: uow.refund_get(competition.id)) == decided
        paid = replace(decided, status="paid", entry_id="ent_9")
        self.atomic(lambda uow: uow.refund_update(paid))
        assert self.read(lambda uow: uow.refund_get(competition.id)) == paid
        assert self.read(lambda uow: uow.refund_get("missing")) is None

    def test_one_refund_per_competition(self) -> None:
        competition = self.add_competition()
        refund = Refund(competition.id, "rain", "collecting", 0, (), "", NOW, NOW)
        self.atomic(lambda uow: uow.refund_add(refund))
        with pytest.raises(AlreadyExists):
            self.atomic(lambda uow: uow.refund_add(replace(refund, reason="again")))

    def test_pending_contributions_are_listed_once_their_lease_ran_out(self) -> None:
        competition, other = self.add_competition(), self.add_competition()
        expired = replace(a_contribution(competition.id, "u1"), lease_until=at(50))
        released = replace(a_contribution(other.id, "u2"), lease_token="", lease_until=NO_LEASE)
        leased = replace(a_contribution(competition.id, "u3"), lease_until=at(150))
        paid = replace(a_contribution(competition.id, "u4", status="paid"), lease_until=NO_LEASE)
        self.atomic(lambda uow: [uow.contribution_add(c) for c in (expired, released, leased, paid)])

        assert self.read(lambda uow: uow.contributions_pending(at(100), 10)) == [released, expired]
        assert self.read(lambda uow: uow.contributions_pending(at(100), 1)) == [released]
        assert self.read(lambda uow: uow.contributions_pending(at(200), 10)) == [released, expired, leased]
        assert self.read(lambda uow: uow.contributions_pending(at(200), 1, (released.lease_until, released.id))
                         ) == [expired]
        assert self.read(lambda uow: uow.contributions_pending(at(200), 10, (expired.lease_until, expired.id))
                         ) == [leased]

    def test_pending_contributions_page_by_lease_then_id(self) -> None:
        competition = self.add_competition()
        same = [replace(a_contribution(competition.id, u), lease_token="", lease_until=NO_LEASE)
                for u in ("u2", "u1", "u3")]
        self.atomic(lambda uow: [uow.contribution_add(c) for c in same])
        pages, after = [], None
        while True:
            page = self.read(lambda uow, after=after: uow.contributions_pending(NOW, 2, after))
            pages.append([c.user_id for c in page])
            if len(page) < 2:
                break
            after = (page[-1].lease_until, page[-1].id)
        assert pages == [["u1", "u2"], ["u3"]]

    def test_pending_distributions_are_listed_oldest_first(self) -> None:
        competition = self.add_competition()
        old = replace(a_distribution(competition.id), updated_at="2026-01-01T00:00:01.000000Z")
        new = replace(a_distribution(competition.id), updated_at="2026-01-01T00:00:09.000000Z")
        paid = replace(a_distribution(competition.id), updated_at=NOW)
        self.atomic(lambda uow: [uow.distribution_add(d) for d in (new, old, paid)])
        self.atomic(lambda uow: uow.distribution_mark_paid(paid.match_id, "ent_1", NOW))

        assert self.read(lambda uow: uow.distributions_pending(LATER, 10)) == [old, new]
        assert self.read(lambda uow: uow.distributions_pending(LATER, 1)) == [old]
        assert self.read(lambda uow: uow.distributions_pending("2026-01-01T00:00:05.000000Z", 10)) == [old]
        assert self.read(lambda uow: uow.distributions_pending(NOW, 10)) == []
        assert self.read(lambda uow: uow.distributions_pending(LATER, 10, (old.updated_at, old.match_id))) == [new]
        assert self.read(lambda uow: uow.distributions_pending(LATER, 10, (new.updated_at, new.match_id))) == []
        twin = replace(a_distribution(competition.id), updated_at=old.updated_at)
        self.atomic(lambda uow: uow.distribution_add(twin))
        first, second = sorted((old, twin), key=lambda d: d.match_id)
        assert self.read(lambda uow: uow.distributions_pending(LATER, 10, (first.updated_at, first.match_id))
                         ) == [second, new]

    def test_unfinished_refunds_are_listed_oldest_first(self) -> None:
        refunds = []
        for status, second in (("pending", 3), ("collecting", 1), ("paid", 0)):
            competition = self.add_competition()
            refund = Refund(competition.id, "rain", status, 0, (), "", NOW, f"2026-01-01T00:00:0{second}.000000Z")
            self.atomic(lambda uow, refund=refund: uow.refund_add(refund))
            refunds.append(refund)
        pending, collecting, _ = refunds

        assert self.read(lambda uow: uow.refunds_unfinished(LATER, 10)) == [collecting, pending]
        assert self.read(lambda uow: uow.refunds_unfinished("2026-01-01T00:00:02.000000Z", 10)) == [collecting]
        assert self.read(lambda uow: uow.refunds_unfinished(LATER, 1)) == [collecting]
        assert self.read(lambda uow: uow.refunds_unfinished(
            LATER, 10, (collecting.updated_at, collecting.competition_id))) == [pending]

    def test_a_failed_step_persists_nothing(self) -> None:
        competition = self.add_competition()

        def half_done(uow: RewardUnitOfWork) -> None:
            uow.competition_update(competition.bumped(LATER, pool_balance=1_000))
            uow.contribution_add(a_contribution(competition.id, "u1"))
            uow.distribution_add(a_distribution(competition.id, "m-half"))
            uow.refund_add(Refund(competition.id, "x", "collecting", 0, (), "", NOW, NOW))
            raise RuntimeError("crash in the middle")

        with pytest.raises(RuntimeError, match="crash"):
            self.atomic(half_done)
        assert self.competition(competition.id) == competition
        assert self.read(lambda uow: uow.contributions_of(competition.id)) == []
        assert self.read(lambda uow: uow.distribution_get("m-half")) is None
        assert self.read(lambda uow: uow.refund_get(competition.id)) is None

    # --- the rules, run through the store ----------------------------------------------------------------

    def open(self, organizer: str = "org1", *, fee: int = 1_000, actor: Actor | None = None,
             competition_id: str | None = None) -> Competition:
        generated = competition_id is None and actor is not None
        cmd = OpenCompetitionCommand.build(competition_id="" if generated else competition_id or new_id("c"),
                                           organizer_id=organizer, entry_fee=fee, currency="INR", template="top3",
                                           generated_id=new_id("c"))
        competition, _ = self.atomic(lambda uow: rules.open_competition(uow, cmd, actor, NOW))
        return competition

    def claim(self, request: ContributionRequest, token: str, after: float = 0.0) -> rules.Claim:
        """Claim at ``after`` seconds past ``NOW`` for ``LEASE`` seconds."""
        return self.atomic(lambda uow: rules.claim_contribution(
            uow, request, token, now=at(after), lease_until=at(after + LEASE)))

    def pay_entry(self, competition_id: str, user: str) -> Contribution:
        claim = self.claim(ContributionRequest.entry(competition_id=competition_id, user_id=user), new_id("t"))
        assert claim.contribution is not None
        paid, _ = self.atomic(lambda uow: rules.settle_paid(uow, claim.contribution, NOW))  # type: ignore[arg-type]
        return paid

    def test_an_organizer_opens_changes_and_freezes_a_competition(self) -> None:
        owner = Actor("org1", "organizer")
        competition = self.open("org1", actor=owner)
        cmd = OpenCompetitionCommand.build(competition_id=competition.id, organizer_id="", entry_fee=2_000,
                                           currency="INR", template="top5")
        changed, created = self.atomic(lambda uow: rules.open_competition(uow, cmd, owner, LATER))
        assert (created, changed.entry_fee, changed.template, changed.organizer_id) == (False, 2_000, "top5", "org1")
        with pytest.raises(PermissionDenied):
            self.atomic(lambda uow: rules.open_competition(uow, cmd, Actor("org2", "organizer"), LATER))
        self.pay_entry(competition.id, "u1")
        frozen = replace(cmd, entry_fee=3_000)
        with pytest.raises(InvalidState):
            self.atomic(lambda uow: rules.open_competition(uow, frozen, owner, LATER))
        assert self.competition(competition.id).entry_fee == 2_000

    def test_the_currency_is_frozen_by_a_sponsorship_still_being_charged(self) -> None:
        owner = Actor("org1", "organizer")
        competition = self.open("org1", actor=owner)
        self.claim(ContributionRequest.sponsorship(competition_id=competition.id, user_id="org1", amount=500,
                                                   currency="", key="k1", actor=owner), "t1")
        in_dollars = OpenCompetitionCommand.build(competition_id=competition.id, organizer_id="", entry_fee=1_000,
                                                  currency="USD", template="top3")
        with pytest.raises(InvalidState) as refused:
            self.atomic(lambda uow: rules.open_competition(uow, in_dollars, owner, LATER))
        assert refused.value.code == "POOL_NOT_EMPTY"
        assert self.competition(competition.id).currency == "INR"

    def test_a_sponsor_actor_pays_only_from_their_own_wallet(self) -> None:
        owner = Actor("org1", "organizer")
        competition = self.open("org1", actor=owner)
        for actor in (owner, Actor("adm1", "admin")):
            someone_else = ContributionRequest.sponsorship(competition_id=competition.id, user_id="player9",
                                                           amount=500, currency="", key="k1", actor=actor)
            with pytest.raises(PermissionDenied):
                self.claim(someone_else, "t1")
        assert self.read(lambda uow: uow.contributions_of(competition.id)) == []
        own = ContributionRequest.sponsorship(competition_id=competition.id, user_id="org1", amount=500,
                                              currency="", key="k1", actor=owner)
        assert self.claim(own, "t2").outcome is ClaimOutcome.OWNED

    def test_an_entry_is_leased_to_one_driver_at_a_time(self) -> None:
        competition = self.open()
        request = ContributionRequest.entry(competition_id=competition.id, user_id="u1")
        first = self.claim(request, "t1", after=1_000.0)
        assert first.outcome is ClaimOutcome.OWNED and first.competition.entries == 1
        assert self.claim(request, "t2", after=1_010.0).outcome is ClaimOutcome.BUSY
        takeover = self.claim(request, "t3", after=1_000.0 + LEASE + 1)
        assert takeover.outcome is ClaimOutcome.OWNED
        assert takeover.contribution is not None and takeover.contribution.lease_token == "t3"
        self.atomic(lambda uow: rules.settle_failed(uow, takeover.contribution.id, "t1", NOW))  # type: ignore[union-attr]
        assert self.competition(competition.id).entries == 1
        self.atomic(lambda uow: rules.settle_paid(uow, takeover.contribution, NOW))  # type: ignore[arg-type]
        self.atomic(lambda uow: rules.settle_paid(uow, takeover.contribution, NOW))  # type: ignore[arg-type]
        after = self.competition(competition.id)
        assert (after.pool_balance, after.entries) == (1_000, 1)
        assert self.claim(request, "t4", after=1_011.0).outcome is ClaimOutcome.PAID

    def test_a_refused_charge_is_kept_and_the_next_entry_is_its_next_attempt(self) -> None:
        competition = self.open()
        request = ContributionRequest.entry(competition_id=competition.id, user_id="u1")
        claim = self.claim(request, "t1")
        assert claim.outcome is ClaimOutcome.OWNED and claim.contribution is not None
        assert claim.contribution.posting_key == request.contribution_id
        self.atomic(lambda uow: rules.settle_failed(uow, request.contribution_id, "t1", NOW))
        refused = self.read(lambda uow: uow.contribution_get(request.contribution_id))
        assert refused is not None and (refused.status, refused.attempt) == ("refused", 0)
        assert self.competition(competition.id).entries == 0
        assert self.read(lambda uow: rules.pending_contributions(uow, competition.id)) == []
        gone = self.atomic(lambda uow: rules.claim_pending(uow, competition.id, request.contribution_id, "t9",
                                                           now=NOW, lease_until=at(30)))
        assert gone.outcome is ClaimOutcome.GONE

        again = self.claim(request, "t2")

        assert again.outcome is ClaimOutcome.OWNED and again.contribution is not None
        assert (again.contribution.status, again.contribution.attempt) == ("pending", 1)
        assert again.contribution.posting_key == f"{request.contribution_id}:1"
        assert self.competition(competition.id).entries == 1
        assert self.claim(request, "t3").outcome is ClaimOutcome.BUSY

    def test_a_refused_sponsorship_is_driven_again_under_its_own_key(self) -> None:
        owner = Actor("org1", "organizer")
        competition = self.open("org1")
        request = ContributionRequest.sponsorship(competition_id=competition.id, user_id="org1", amount=500,
                                                  currency="", key="k1", actor=owner)
        self.claim(request, "t1")
        self.atomic(lambda uow: rules.settle_failed(uow, request.contribution_id, "t1", NOW))

        again = self.claim(request, "t2")

        assert again.outcome is ClaimOutcome.OWNED and again.contribution is not None
        assert (again.contribution.status, again.contribution.posting_key) == ("pending", request.contribution_id)
        assert self.competition(competition.id).entries == 0

    def test_a_refused_entry_neither_freezes_the_terms_nor_is_refunded(self) -> None:
        owner = Actor("org1", "organizer")
        competition = self.open("org1")
        request = ContributionRequest.entry(competition_id=competition.id, user_id="u1")
        self.claim(request, "t1")
        self.atomic(lambda uow: rules.settle_failed(uow, request.contribution_id, "t1", NOW))
        in_dollars = OpenCompetitionCommand.build(competition_id=competition.id, organizer_id="", entry_fee=2_000,
                                                  currency="USD", template="top3")
        self.atomic(lambda uow: rules.open_competition(uow, in_dollars, owner, LATER))
        self.pay_entry(competition.id, "u2")

        self.atomic(lambda uow: rules.begin_refund(uow, competition.id, "rain", None, LATER))
        decided = self.atomic(lambda uow: rules.decide_refund(uow, competition.id, LATER))

        assert decided is not None and [line.user_id for line in decided.lines] == ["u2"]
        assert decided.total == 2_000

    def test_only_the_lease_holder_releases_the_lease(self) -> None:
        competition = self.open()
        request = ContributionRequest.entry(competition_id=competition.id, user_id="u1")
        self.claim(request, "t1", after=1_000.0)
        self.atomic(lambda uow: rules.release_lease(uow, request.contribution_id, "stale", NOW))
        assert self.claim(request, "t2", after=1_000.5).outcome is ClaimOutcome.BUSY

    def test_a_post_that_lands_for_a_contribution_marked_refused_is_recorded_and_counted(self) -> None:
        competition = self.open()
        request = ContributionRequest.entry(competition_id=competition.id, user_id="u1")
        claim = self.claim(request, "t1")
        assert claim.contribution is not None
        self.atomic(lambda uow: rules.settle_failed(uow, request.contribution_id, "t1", NOW))
        assert self.competition(competition.id).entries == 0

        paid, after = self.atomic(lambda uow: rules.settle_paid(uow, claim.contribution, LATER))  # type: ignore[arg-type]

        assert (paid.status, after.pool_balance, after.entries) == ("paid", 1_000, 1)
        assert self.read(lambda uow: uow.contribution_get(request.contribution_id)) == paid

    def test_a_released_lease_is_claimed_at_once(self) -> None:
        competition = self.open()
        request = ContributionRequest.entry(competition_id=competition.id, user_id="u1")
        self.claim(request, "t1", after=1_000.0)
        self.atomic(lambda uow: rules.release_lease(uow, request.contribution_id, "t1", NOW))
        assert self.claim(request, "t2", after=1_000.5).outcome is ClaimOutcome.OWNED

    def test_a_sponsorship_key_is_bound_to_its_request(self) -> None:
        competition = self.open()
        request = ContributionRequest.sponsorship(competition_id=competition.id, user_id="org1", amount=500,
                                                  currency="", key="k1", actor=None)
        self.claim(request, "t1")
        with pytest.raises(IdempotencyConflict):
            self.claim(replace(request, amount=501), "t2")
        assert self.competition(competition.id).entries == 0

    def test_a_distribution_promises_the_pool_and_closes_entries(self) -> None:
        competition = self.open()
        for user in ("u1", "u2", "u3"):
            self.pay_entry(competition.id, user)
        draft = replace(a_distribution(competition.id), prize_pool=3_000, platform_fee=300, organizer_fee=150,
                        payouts=(Payout("u1", 1, 2_550),))
        decided = self.atomic(lambda uow: rules.decide_distribution(uow, draft, True, None, NOW))
        assert decided == draft
        after = self.competition(competition.id)
        assert (after.pool_balance, after.status) == (0, "closed")
        assert self.atomic(lambda uow: rules.decide_distribution(
            uow, replace(draft, fingerprint="other"), True, None, NOW)) == draft
        with pytest.raises(InvalidState):
            self.claim(ContributionRequest.entry(competition_id=competition.id, user_id="u4"), "t")
        with pytest.raises(InvalidState):
            self.atomic(lambda uow: rules.begin_refund(uow, competition.id, "late", None, NOW))
        paid = self.atomic(lambda uow: rules.mark_distribution_paid(uow, draft.match_id, "ent_1", LATER))
        assert (paid.status, paid.entry_id) == ("paid", "ent_1")

    def test_a_distribution_needs_the_pool_and_the_owner(self) -> None:
        competition = self.open()
        self.pay_entry(competition.id, "u1")
        draft = replace(a_distribution(competition.id), prize_pool=1_000, platform_fee=100, organizer_fee=50,
                        payouts=(Payout("u1", 1, 850),))
        with pytest.raises(PermissionDenied):
            self.atomic(lambda uow: rules.decide_distribution(uow, draft, False, Actor("org2", "organizer"), NOW))
        with pytest.raises(rules.PoolChanged):
            self.atomic(lambda uow: rules.decide_distribution(
                uow, replace(draft, prize_pool=900, platform_fee=0), True, None, NOW))
        with pytest.raises(FailedPrecondition):
            self.atomic(lambda uow: rules.decide_distribution(
                uow, replace(draft, prize_pool=1_100, platform_fee=200), False, None, NOW))
        with pytest.raises(NotFound):
            self.atomic(lambda uow: rules.decide_distribution(
                uow, replace(draft, competition_id="nope"), False, None, NOW))
        assert self.read(lambda uow: uow.distribution_get(draft.match_id)) is None
        assert self.competition(competition.id).pool_balance == 1_000

    def test_a_refund_cancels_then_waits_for_pending_charges(self) -> None:
        competition = self.open()
        self.pay_entry(competition.id, "u1")
        pending = ContributionRequest.entry(competition_id=competition.id, user_id="u2")
        self.claim(pending, "t1", after=1_000.0)
        refund, cancelled = self.atomic(lambda uow: rules.begin_refund(uow, competition.id, "rain", None, NOW))
        assert (refund.status, cancelled.status) == ("collecting", "cancelled")
        assert self.atomic(lambda uow: rules.decide_refund(uow, competition.id, NOW)) is None
        with pytest.raises(InvalidState):
            self.claim(pending, "t2", after=1_000.0 + LEASE + 1)
        assert self.read(lambda uow: rules.pending_contributions(uow, competition.id)) == [pending.contribution_id]
        busy = self.atomic(lambda uow: rules.claim_pending(
            uow, competition.id, pending.contribution_id, "t3", now=at(1_001), lease_until=at(1_031)))
        assert busy.outcome is ClaimOutcome.BUSY
        owned = self.atomic(lambda uow: rules.claim_pending(
            uow, competition.id, pending.contribution_id, "t3", now=at(1_040), lease_until=at(1_070)))
        assert owned.outcome is ClaimOutcome.OWNED
        self.atomic(lambda uow: rules.settle_paid(uow, owned.contribution, NOW))  # type: ignore[arg-type]
        decided = self.atomic(lambda uow: rules.decide_refund(uow, competition.id, LATER))
        assert decided is not None
        assert (decided.status, decided.total, [line.user_id for line in decided.lines]) == (
            "pending", 2_000, ["u1", "u2"])
        assert self.competition(competition.id).pool_balance == 0
        again, _ = self.atomic(lambda uow: rules.begin_refund(uow, competition.id, "other reason", None, LATER))
        assert again == decided
        paid = self.atomic(lambda uow: rules.mark_refund_paid(uow, competition.id, "ent_r", LATER))
        assert (paid.status, paid.entry_id) == ("paid", "ent_r")
        with pytest.raises(InvalidState):
            self.atomic(lambda uow: rules.decide_distribution(
                uow, a_distribution(competition.id), False, None, NOW))
