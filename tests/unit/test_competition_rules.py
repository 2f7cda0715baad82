"""Competition rules, validated reward commands, posting plans and fee settings: pure domain, no I/O."""

from __future__ import annotations

import ast
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import reward_service.domain
from reward_service.domain import rules
from reward_service.domain.commands import (
    ContributionRequest,
    DistributeCommand,
    OpenCompetitionCommand,
    bound_competition,
)
from reward_service.domain.model import (
    Actor,
    Competition,
    CompetitionStatus,
    CompetitionTerms,
    Contribution,
    ContributionKind,
    Distribution,
    FeeSchedule,
    Payout,
    Refund,
    RefundLine,
    check_key_part,
    check_reason,
    check_ref,
)
from reward_service.domain.postings import (
    DISTRIBUTION_BATCH,
    MAX_PAYOUTS,
    REFUND_BATCH,
    WALLET_MAX_BATCH,
    WALLET_MAX_LEGS,
    contribution_posting,
    distribution_postings,
    refund_batches,
)
from reward_service.domain.split import Standing
from reward_service.settings import RewardSettings
from wallet_service.domain import commands as wallet_commands
from winzone_kernel.config import ConfigError
from winzone_kernel.errors import FailedPrecondition, InvalidArgument, InvalidState, NotFound, PermissionDenied

NOW = "2026-01-01T00:00:00.000000Z"
LATER = "2026-01-01T00:00:01.000000Z"
ORGANIZER = Actor("org1", "organizer")


def competition(**changes: object) -> Competition:
    base = Competition.new("c1", CompetitionTerms("org1", 10_000, "INR", "top3"), NOW)
    return replace(base, **changes)  # type: ignore[arg-type]


def assert_refused(error: type[Exception], code: str, call: object, *args: object, **kwargs: object) -> None:
    with pytest.raises(error) as caught:
        call(*args, **kwargs)  # type: ignore[operator]
    assert caught.value.code == code  # type: ignore[attr-defined]


class TestOwnership:
    @pytest.mark.parametrize("actor", [None, ORGANIZER, Actor("anyone", "admin")])
    def test_owner_admin_and_internal_callers_manage(self, actor: Actor | None) -> None:
        competition().check_manager(actor)

    @pytest.mark.parametrize("actor", [Actor("org2", "organizer"), Actor("org1", "player"), Actor("org1", "")])
    def test_anyone_else_is_denied(self, actor: Actor) -> None:
        assert_refused(PermissionDenied, "FORBIDDEN", competition().check_manager, actor)


class TestLifecycle:
    def test_terms_change_before_the_first_entry(self) -> None:
        changed = competition().changed(CompetitionTerms("org1", 5_000, "USD", "top5"), LATER)
        assert (changed.entry_fee, changed.currency, changed.template) == (5_000, "USD", "top5")
        assert (changed.version, changed.updated_at, changed.created_at) == (2, LATER, NOW)

    def test_terms_are_frozen_by_the_first_entry(self) -> None:
        assert_refused(InvalidState, "COMPETITION_HAS_ENTRIES", competition(entries=1).changed,
                       CompetitionTerms("org1", 5_000, "INR", "top3"), LATER)

    @pytest.mark.parametrize("status", [CompetitionStatus.CLOSED, CompetitionStatus.CANCELLED])
    def test_terms_are_frozen_once_distributed_or_cancelled(self, status: CompetitionStatus) -> None:
        assert_refused(InvalidState, "COMPETITION_NOT_OPEN", competition(status=status.value).changed,
                       CompetitionTerms("org1", 5_000, "INR", "top3"), LATER)

    def test_the_currency_stays_while_the_pool_holds_sponsorship(self) -> None:
        assert_refused(InvalidState, "POOL_NOT_EMPTY", competition(pool_balance=1).changed,
                       CompetitionTerms("org1", 10_000, "USD", "top3"), LATER)

    def test_an_open_competition_accepts_entries_and_sponsorship(self) -> None:
        for kind in ContributionKind:
            competition().check_accepts(kind)

    def test_a_distribution_closes_entries_but_not_sponsorship(self) -> None:
        closed = competition(status="closed")
        assert_refused(InvalidState, "ENTRIES_CLOSED", closed.check_accepts, ContributionKind.ENTRY)
        closed.check_accepts(ContributionKind.SPONSORSHIP)
        closed.check_distributable()

    def test_a_cancelled_competition_accepts_nothing(self) -> None:
        cancelled = competition(status="cancelled")
        for kind in ContributionKind:
            assert_refused(InvalidState, "COMPETITION_CANCELLED", cancelled.check_accepts, kind)
        assert_refused(InvalidState, "COMPETITION_CANCELLED", cancelled.check_distributable)

    def test_reserving_promises_part_of_the_pool(self) -> None:
        reserved = competition(pool_balance=1_000).reserved(400, LATER, status="closed")
        assert (reserved.pool_balance, reserved.status, reserved.version) == (600, "closed", 2)

    @pytest.mark.parametrize("amount", [0, 1_001])
    def test_reserving_more_than_the_pool_holds_is_refused(self, amount: int) -> None:
        assert_refused(FailedPrecondition, "INSUFFICIENT_POOL", competition(pool_balance=1_000).reserved, amount, LATER)


class TestValidation:
    @pytest.mark.parametrize("value", ["", "a" * 65, "a b", "a/b", "a:b", None, 7, {"$ne": None}])
    def test_bad_ids(self, value: object) -> None:
        assert_refused(InvalidArgument, "INVALID_ID", check_ref, value, "id")

    def test_good_ids(self) -> None:
        assert check_ref("usr_01.ab@x-Y", "id") == "usr_01.ab@x-Y"
        assert check_ref("a" * 64, "id") == "a" * 64

    @pytest.mark.parametrize("value", ["a_b", "_", "", "a" * 65, "a b", {"$ne": None}])
    def test_competition_and_match_ids_have_no_underscore(self, value: object) -> None:
        assert_refused(InvalidArgument, "INVALID_ID", check_key_part, value, "id")
        assert check_key_part("cup-2026.final@eu", "id") == "cup-2026.final@eu"

    def test_new_competitions_and_matches_refuse_an_underscore_id(self) -> None:
        assert_refused(InvalidArgument, "INVALID_ID", OpenCompetitionCommand.build, competition_id="c_1",
                       organizer_id="", entry_fee=100, currency="", template="")
        assert_refused(InvalidArgument, "INVALID_ID", DistributeCommand.build, match_id="m_1", competition_id="c1",
                       template=None, shares=None, standings=[Standing("usr_a", 1)], prize_pool=None, actor=None)

    @pytest.mark.parametrize("value", ["", "   ", "x" * 501, "bad\nline", None, 3])
    def test_bad_reasons(self, value: object) -> None:
        assert_refused(InvalidArgument, "INVALID_REASON", check_reason, value)

    @pytest.mark.parametrize(("fields", "code"), [
        ({"entry_fee": 0}, "INVALID_AMOUNT"),
        ({"entry_fee": -5}, "INVALID_AMOUNT"),
        ({"entry_fee": True}, "INVALID_AMOUNT"),
        ({"currency": "EUR"}, "INVALID_CURRENCY"),
        ({"currency": "inr"}, "INVALID_CURRENCY"),
        ({"template": "top4"}, "UNKNOWN_TEMPLATE"),
        ({"organizer_id": "no way"}, "INVALID_ID"),
    ])
    def test_bad_competition_terms(self, fields: dict[str, object], code: str) -> None:
        request = {"organizer_id": "org1", "entry_fee": 100, "currency": "INR", "template": "top3", **fields}
        assert_refused(InvalidArgument, code, CompetitionTerms.build, **request)

    def test_open_command_defaults(self) -> None:
        cmd = OpenCompetitionCommand.build(competition_id="c1", organizer_id="", entry_fee=100, currency="",
                                           template="")
        assert (cmd.organizer_id, cmd.currency, cmd.template) == (None, "INR", "top3")

    @pytest.mark.parametrize(("fields", "code"), [
        ({"standings": []}, "EMPTY_STANDINGS"),
        ({"standings": [Standing("a", 1), Standing("a", 2)]}, "DUPLICATE_USER"),
        ({"standings": [Standing("a", 0)]}, "INVALID_RANK"),
        ({"standings": [Standing("a", True)]}, "INVALID_RANK"),
        ({"standings": [Standing("", 1)]}, "INVALID_USER_ID"),
        ({"standings": [Standing("a:b", 1)]}, "INVALID_ID"),
        ({"template": "top4"}, "UNKNOWN_TEMPLATE"),
        ({"template": "top3", "shares": ["100"]}, "TEMPLATE_AND_SHARES"),
        ({"shares": ["60", "30"]}, "INVALID_SHARES"),
        ({"shares": ["abc"]}, "INVALID_SHARES"),
        ({"shares": ["Infinity"]}, "INVALID_SHARES"),
        ({"shares": ["5_0", "50"]}, "INVALID_SHARES"),
        ({"shares": ["1e2"]}, "INVALID_SHARES"),
        ({"shares": [" 100"]}, "INVALID_SHARES"),
        ({"shares": ["\u0661\u0660\u0660"]}, "INVALID_SHARES"),
        ({"prize_pool": 0}, "INVALID_AMOUNT"),
        ({"match_id": ""}, "INVALID_ID"),
    ])
    def test_bad_distribution_requests(self, fields: dict[str, object], code: str) -> None:
        request: dict[str, object] = {"match_id": "m1", "competition_id": "c1", "template": None, "shares": None,
                                      "standings": [Standing("a", 1)], "prize_pool": None, "actor": None, **fields}
        assert_refused(InvalidArgument, code, DistributeCommand.build, **request)

    def test_a_sponsorship_needs_a_key(self) -> None:
        for key in ("", "k" * 65, "a b", "k#1"):
            assert_refused(InvalidArgument, "INVALID_IDEMPOTENCY_KEY", ContributionRequest.sponsorship,
                           competition_id="c1", user_id="u1", amount=100, currency="", key=key, actor=None)
        assert ContributionRequest.sponsorship(competition_id="c1", user_id="u1", amount=100, currency="",
                                               key="retry:1@a_b.c-d", actor=None).key == "retry:1@a_b.c-d"


def distribute(**fields: object) -> DistributeCommand:
    request: dict[str, object] = {"match_id": "m1", "competition_id": "c1", "template": None, "shares": None,
                                  "standings": [Standing("a", 1), Standing("b", 2)], "prize_pool": None,
                                  "actor": None, **fields}
    return DistributeCommand.build(**request)  # type: ignore[arg-type]


class TestFingerprints:
    def test_the_order_of_standings_does_not_matter(self) -> None:
        reordered = distribute(standings=[Standing("b", 2), Standing("a", 1)])
        assert distribute().fingerprint("top3") == reordered.fingerprint("top3")

    def test_the_default_template_is_the_named_one(self) -> None:
        assert distribute().fingerprint("top3") == distribute(template="top3").fingerprint("top5")
        assert distribute().fingerprint("top3") != distribute().fingerprint("top5")

    def test_equal_shares_written_differently_are_one_request(self) -> None:
        assert distribute(shares=["50", "50.0"]).fingerprint("top3") == \
            distribute(shares=[Decimal("50.000"), 50]).fingerprint("top3")

    @pytest.mark.parametrize("fields", [
        {"standings": [Standing("a", 2), Standing("b", 1)]},
        {"standings": [Standing("a", 1), Standing("b", 2), Standing("c", 3)]},
        {"shares": ["50", "50"]},
        {"prize_pool": 100},
        {"competition_id": "c2"},
        {"template": "top5"},
    ])
    def test_any_significant_change_is_another_request(self, fields: dict[str, object]) -> None:
        assert distribute().fingerprint("top3") != distribute(**fields).fingerprint("top3")

    def test_the_match_id_is_the_key_not_part_of_the_request(self) -> None:
        assert distribute().fingerprint("top3") == distribute(match_id="m2").fingerprint("top3")

    def test_a_sponsorship_key_binds_sponsor_and_amount_but_not_the_spelling_of_the_currency(self) -> None:
        def sponsorship(**fields: object) -> ContributionRequest:
            request: dict[str, object] = {"competition_id": "c1", "user_id": "u1", "amount": 100, "currency": "",
                                          "key": "k1", "actor": None, **fields}
            return ContributionRequest.sponsorship(**request)  # type: ignore[arg-type]

        assert sponsorship().fingerprint() == sponsorship(currency="INR").fingerprint()
        assert sponsorship().fingerprint() != sponsorship(amount=101).fingerprint()
        assert sponsorship().fingerprint() != sponsorship(user_id="u2").fingerprint()
        assert sponsorship().contribution_id == "fund_c1_k1"

    def test_entries_are_one_per_player_whatever_they_expected(self) -> None:
        plain = ContributionRequest.entry(competition_id="c1", user_id="u1")
        explicit = ContributionRequest.entry(competition_id="c1", user_id="u1", expected_amount=100,
                                             expected_currency="INR")
        assert plain.fingerprint() == explicit.fingerprint()
        assert plain.contribution_id == "entry_c1_u1"


def distribution(**changes: object) -> Distribution:
    base = Distribution(
        match_id="m1", competition_id="c1", fingerprint="f", template="top3", shares=(), currency="INR",
        prize_pool=40_000, platform_fee=4_000, organizer_fee=2_000, organizer_id="org1",
        platform_fee_percentage="10", organizer_fee_percentage="5",
        payouts=(Payout("a", 1, 17_000), Payout("b", 2, 10_200), Payout("c", 3, 6_800)), status="pending",
        entry_id="", created_at=NOW, updated_at=NOW,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


class MemoryUow:
    """Just the competitions and distributions of a reward unit of work, in memory."""

    def __init__(self, *competitions: Competition) -> None:
        self.competitions = {c.id: c for c in competitions}
        self.distributions: dict[str, Distribution] = {}

    def competition_get(self, competition_id: str) -> Competition | None:
        return self.competitions.get(competition_id)

    def competition_add(self, competition: Competition) -> None:
        assert competition.id not in self.competitions
        self.competitions[competition.id] = competition

    def competition_update(self, competition: Competition) -> None:
        self.competitions[competition.id] = competition

    def contributions_of(self, competition_id: str) -> list[Contribution]:
        return []

    def distribution_get(self, match_id: str) -> Distribution | None:
        return self.distributions.get(match_id)

    def distribution_add(self, draft: Distribution) -> None:
        self.distributions[draft.match_id] = draft


def open_cmd(competition_id: str, generated_id: str = "", **fields: object) -> OpenCompetitionCommand:
    request: dict[str, object] = {"organizer_id": "", "entry_fee": 100, "currency": "", "template": "", **fields}
    return OpenCompetitionCommand.build(competition_id=competition_id, generated_id=generated_id, **request)


class TestIdsNobodyCanSquat:
    """Issue 10, scenario 8: competition and match ids are first come, so no end user may name a new one that
    somebody else will use; the match service (no actor) keeps its own ids."""

    @pytest.mark.parametrize("actor", [ORGANIZER, Actor("adm", "admin")])
    def test_an_end_user_cannot_open_a_competition_under_an_id_it_chose(self, actor: Actor) -> None:
        uow = MemoryUow()
        assert_refused(NotFound, "COMPETITION_NOT_FOUND", rules.open_competition, uow, open_cmd("cup-b"), actor, NOW)
        assert uow.competitions == {}

    def test_an_end_user_opens_a_competition_under_a_generated_id(self) -> None:
        uow = MemoryUow()
        opened, created = rules.open_competition(uow, open_cmd("", "cmp-1"), ORGANIZER, NOW)
        assert (opened.id, opened.organizer_id, created) == ("cmp-1", "org1", True)
        assert_refused(InvalidState, "COMPETITION_EXISTS", rules.open_competition, uow, open_cmd("", "cmp-1"),
                       Actor("org2", "organizer"), LATER)
        assert uow.competitions["cmp-1"].organizer_id == "org1"

    def test_the_owner_changes_a_competition_that_exists(self) -> None:
        uow = MemoryUow(competition())
        changed, created = rules.open_competition(uow, open_cmd("c1", entry_fee=500), ORGANIZER, LATER)
        assert (changed.entry_fee, created) == (500, False)
        assert_refused(PermissionDenied, "FORBIDDEN", rules.open_competition, uow, open_cmd("c1"),
                       Actor("org2", "organizer"), LATER)

    def test_the_match_service_opens_competitions_under_its_own_ids(self) -> None:
        uow = MemoryUow()
        opened, created = rules.open_competition(uow, open_cmd("league-7", organizer_id="org2"), None, NOW)
        assert (opened.id, opened.organizer_id, created) == ("league-7", "org2", True)

    @pytest.mark.parametrize(("match_id", "bound"), [
        ("final@c1", "c1"), ("a.b-2@cmp-0661", "cmp-0661"), ("m@q@c1", "q@c1"), ("final", None), ("@c1", None),
        ("final@", None), ("fi nal@c1", None),
    ])
    def test_a_match_id_binds_to_the_competition_after_its_first_at(self, match_id: str, bound: str | None) -> None:
        assert bound_competition(match_id) == bound

    @given(st.from_regex(r"[A-Za-z0-9.-]{1,8}", fullmatch=True), st.from_regex(r"[A-Za-z0-9.@-]{1,20}", fullmatch=True))
    def test_a_name_bound_to_a_competition_binds_to_that_one_only(self, name: str, competition_id: str) -> None:
        assert bound_competition(f"{name}@{competition_id}") == competition_id

    def test_an_end_user_distributes_only_under_a_match_id_bound_to_its_competition(self) -> None:
        for match_id in ("final@c2", "final", "m1"):
            uow = MemoryUow(competition(pool_balance=40_000))
            assert_refused(InvalidArgument, "INVALID_MATCH_ID", rules.decide_distribution, uow,
                           distribution(match_id=match_id), True, ORGANIZER, NOW)
            assert uow.distributions == {} and uow.competitions["c1"].pool_balance == 40_000
        uow = MemoryUow(competition(pool_balance=40_000))
        decided = rules.decide_distribution(uow, distribution(match_id="final@c1"), True, ORGANIZER, NOW)
        assert decided.match_id == "final@c1" and uow.competitions["c1"].pool_balance == 0

    def test_an_end_users_distribution_command_needs_a_bound_match_id(self) -> None:
        request = {"competition_id": "c1", "template": None, "shares": None, "standings": [Standing("a", 1)],
                   "prize_pool": None}
        for match_id in ("final@c2", "final", "@c1", "fi@nal@c2"):
            assert_refused(InvalidArgument, "INVALID_MATCH_ID", DistributeCommand.build, match_id=match_id,
                           actor=ORGANIZER, **request)
        assert DistributeCommand.build(match_id="final@c1", actor=ORGANIZER, **request).match_id == "final@c1"
        assert DistributeCommand.build(match_id="final", actor=None, **request).match_id == "final"

    def test_the_match_service_distributes_under_its_own_match_ids(self) -> None:
        uow = MemoryUow(competition(pool_balance=40_000))
        decided = rules.decide_distribution(uow, distribution(match_id="m-1001"), True, None, NOW)
        assert uow.distributions == {"m-1001": decided}


class TestPostings:
    def test_a_distribution_is_one_balanced_posting_keyed_by_the_match(self) -> None:
        plan = distribution_postings(distribution())[0]
        assert plan.key == "distribution_m1"
        assert [(leg.account, leg.amount, leg.type, leg.key) for leg in plan.legs] == [
            ("pool:c1", -40_000, "reward", ""),
            ("user:a", 17_000, "reward", "match_reward_m1_a"),
            ("user:b", 10_200, "reward", "match_reward_m1_b"),
            ("user:c", 6_800, "reward", "match_reward_m1_c"),
            ("platform_fees", 4_000, "platformFee", "match_platform_fee_m1"),
            ("user:org1", 2_000, "organizerFee", "match_organizer_fee_m1"),
        ]
        assert plan == distribution_postings(distribution())[0]

    def test_zero_fees_have_no_leg(self) -> None:
        plan = distribution_postings(distribution(prize_pool=34_000, platform_fee=0, organizer_fee=0))[0]
        assert [leg.type for leg in plan.legs] == ["reward"] * 4

    def test_a_distribution_must_add_up(self) -> None:
        with pytest.raises(ValueError, match="does not add up"):
            distribution(prize_pool=40_001)

    def test_an_entry_moves_the_fee_from_the_player_to_the_pool(self) -> None:
        request = ContributionRequest.entry(competition_id="c1", user_id="u1")
        contribution = Contribution(request.contribution_id, "c1", "u1", "entry", 500, "INR", "f", "pending", "",
                                    0.0, NOW, NOW)
        plan = contribution_posting(contribution)
        assert plan.key == "entry_c1_u1"
        assert [(leg.account, leg.amount, leg.type, leg.key) for leg in plan.legs] == [
            ("user:u1", -500, "entryFee", "entry_c1_u1"), ("pool:c1", 500, "entryFee", "")]

    def test_a_refund_returns_each_line_from_the_pool_in_an_entry_of_its_own(self) -> None:
        refund = Refund("c1", "rain", "pending", 700, (RefundLine("u1", 500, "entry", "entry_c1_u1"),
                                                      RefundLine("o1", 200, "sponsorship", "fund_c1_k")))
        ((first, second),) = refund_batches(refund, "INR")
        assert (first.key, second.key) == ("refund_entry_c1_u1", "refund_fund_c1_k")
        assert [(leg.account, leg.amount, leg.key) for leg in first.legs] == [
            ("pool:c1", -500, ""), ("user:u1", 500, "refund_entry_c1_u1")]
        assert [(leg.account, leg.amount, leg.key) for leg in second.legs] == [
            ("pool:c1", -200, ""), ("user:o1", 200, "refund_fund_c1_k")]
        assert second.legs[1].metadata == {"competitionId": "c1", "kind": "sponsorship"}

    def test_a_large_refund_is_split_into_batches_the_wallet_accepts(self) -> None:
        lines = tuple(RefundLine(f"u{i}", 100 + i % 7, "entry", f"entry_c1_u{i}") for i in range(25_001))
        refund = Refund("c1", "rain", "pending", sum(line.amount for line in lines), lines)

        batches = refund_batches(refund, "INR")

        assert [len(batch) for batch in batches] == [REFUND_BATCH] * (25_000 // REFUND_BATCH) + [1]
        assert REFUND_BATCH <= WALLET_MAX_BATCH == wallet_commands.MAX_BATCH_ENTRIES
        plans = [plan for batch in batches for plan in batch]
        assert [plan.key for plan in plans] == [f"refund_{line.contribution_id}" for line in lines]
        assert sum(-plan.legs[0].amount for plan in plans) == refund.total
        assert [plan.legs[1].key for plan in plans] == [f"refund_{line.contribution_id}" for line in lines]
        assert refund_batches(refund, "INR") == batches

    def test_a_refund_of_nothing_posts_nothing(self) -> None:
        assert refund_batches(Refund("c1", "rain", "paid", 0), "INR") == ()

    @given(st.tuples(st.from_regex(r"[a-z_]{1,4}", fullmatch=True), st.from_regex(r"[a-z_]{1,4}", fullmatch=True)),
           st.tuples(st.from_regex(r"[a-z_]{1,4}", fullmatch=True), st.from_regex(r"[a-z_]{1,4}", fullmatch=True)))
    def test_two_different_winners_never_share_a_wallet_key(self, first: tuple[str, str],
                                                            second: tuple[str, str]) -> None:
        keys = []
        for match, user in (first, second):
            try:
                cmd = DistributeCommand.build(match_id=match, competition_id="c1", template=None, shares=None,
                                              standings=[Standing(user, 1)], prize_pool=None, actor=None)
            except InvalidArgument:
                keys.append(None)
                continue
            keys.append(distribution_postings(distribution(match_id=cmd.match_id, payouts=(
                Payout(user, 1, 34_000),)))[0].legs[1].key)
        if first != second and None not in keys:
            assert keys[0] != keys[1]
        entries = []
        for competition, user in (first, second):
            try:
                OpenCompetitionCommand.build(competition_id=competition, organizer_id="o", entry_fee=1, currency="",
                                             template="")
                entries.append(ContributionRequest.entry(competition_id=competition, user_id=user).contribution_id)
            except InvalidArgument:
                entries.append(None)
        if first != second and None not in entries:
            assert entries[0] != entries[1]

    def test_every_derived_key_fits_the_wallet(self) -> None:
        longest = "x" * 64
        plan = distribution_postings(distribution(match_id=longest, competition_id=longest, organizer_id=longest,
                                                 payouts=(Payout(longest, 1, 34_000),)))[0]
        entry = ContributionRequest.sponsorship(competition_id=longest, user_id=longest, amount=1, currency="",
                                                key=longest, actor=None)
        assert max(len(leg.key) for leg in plan.legs) <= 200
        assert len("refund_" + entry.contribution_id) <= 200

    def test_the_largest_distribution_is_split_into_postings_the_wallet_and_a_transaction_hold(self) -> None:
        assert WALLET_MAX_LEGS == wallet_commands.MAX_LEGS
        payouts = tuple(Payout(f"u{i}", 1, 1) for i in range(MAX_PAYOUTS))
        plans = distribution_postings(distribution(prize_pool=MAX_PAYOUTS + 2, platform_fee=1, organizer_fee=1,
                                                   payouts=payouts))
        assert len(plans) == -(-MAX_PAYOUTS // DISTRIBUTION_BATCH)
        later = [f"distribution_m1:{n}" for n in range(2, len(plans) + 1)]
        assert [p.key for p in plans] == ["distribution_m1", *later]
        assert all(len(p.legs) <= DISTRIBUTION_BATCH + 3 for p in plans)
        winners = [leg.key for p in plans for leg in p.legs if leg.type == "reward" and leg.key]
        assert len(winners) == len(set(winners)) == MAX_PAYOUTS
        assert -sum(leg.amount for p in plans for leg in p.legs if leg.account == "pool:c1") == MAX_PAYOUTS + 2
        assert [leg.type for leg in plans[0].legs[-2:]] == ["platformFee", "organizerFee"]
        assert all(leg.type == "reward" for p in plans[1:] for leg in p.legs)


class TestFeeSettings:
    def test_defaults(self) -> None:
        settings = RewardSettings.from_env({"INTERNAL_TOKEN": "x" * 32})
        assert settings.fees == FeeSchedule(Decimal(10), Decimal(5))

    def test_reconciler_timing(self) -> None:
        defaults = RewardSettings.from_env({"INTERNAL_TOKEN": "x" * 32})
        assert (defaults.reconcile_interval_seconds, defaults.reconcile_grace_seconds) == (60, 60)
        env = {"INTERNAL_TOKEN": "x" * 32, "REWARD_RECONCILE_INTERVAL_SECONDS": "5",
               "REWARD_RECONCILE_GRACE_SECONDS": "0"}
        assert (RewardSettings.from_env(env).reconcile_interval_seconds,
                RewardSettings.from_env(env).reconcile_grace_seconds) == (5, 0)
        with pytest.raises(ConfigError):
            RewardSettings.from_env({**env, "REWARD_RECONCILE_INTERVAL_SECONDS": "0"})

    def test_fractional_percentages(self) -> None:
        env = {"INTERNAL_TOKEN": "x" * 32, "PLATFORM_FEE_PERCENTAGE": "7.25", "ORGANIZER_FEE_PERCENTAGE": "0"}
        assert RewardSettings.from_env(env).fees == FeeSchedule(Decimal("7.25"), Decimal(0))

    @pytest.mark.parametrize(("platform", "organizer"), [
        ("60", "40"), ("101", "0"), ("-1", "5"), ("abc", "5"), ("NaN", "5"), ("Infinity", "0"), ("99.5", "0.5"),
    ])
    def test_bad_percentages_stop_the_start(self, platform: str, organizer: str) -> None:
        env = {"INTERNAL_TOKEN": "x" * 32, "PLATFORM_FEE_PERCENTAGE": platform,
               "ORGANIZER_FEE_PERCENTAGE": organizer}
        with pytest.raises(ConfigError):
            RewardSettings.from_env(env)


def test_the_domain_imports_no_transport_or_database() -> None:
    forbidden = {"grpc", "pymongo", "sqlite3", "fastapi", "starlette", "winzone"}
    for path in Path(reward_service.domain.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            assert not {name.split(".")[0] for name in names} & forbidden, (path.name, names)
