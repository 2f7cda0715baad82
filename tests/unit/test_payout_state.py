"""The payout state machine, the payout request aggregate and payout amount limits."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest

from payout_service.domain.limits import (
    DEFAULT_PAYOUT_LIMITS,
    DEFAULT_PAYOUT_MAX_MINOR,
    DEFAULT_PAYOUT_MIN_MINOR,
    PayoutLimits,
)
from payout_service.domain.methods import parse_payout_method
from payout_service.domain.model import (
    DEFAULT_FAILURE_REASON,
    NOTE_MAX_LENGTH,
    PROVIDER_ACTOR,
    TRANSITIONS,
    HistoryEntry,
    HoldAction,
    InvalidPayoutState,
    PayoutRequest,
    PayoutStatus,
    hold_action,
    transition,
)
from winzone_kernel.errors import InvalidArgument, InvalidState, PermissionDenied

S = PayoutStatus
T0 = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
ADMIN = "admin-1"
USER = "user-1"

EXPECTED: dict[tuple[PayoutStatus, PayoutStatus], HoldAction] = {
    (S.HELD, S.REQUESTED): HoldAction.NONE,
    (S.HELD, S.REJECTED): HoldAction.VOID,
    (S.REQUESTED, S.APPROVED): HoldAction.NONE,
    (S.REQUESTED, S.AWAITING_SECOND_APPROVAL): HoldAction.NONE,
    (S.REQUESTED, S.REJECTED): HoldAction.VOID,
    (S.AWAITING_SECOND_APPROVAL, S.APPROVED): HoldAction.NONE,
    (S.AWAITING_SECOND_APPROVAL, S.REJECTED): HoldAction.VOID,
    (S.APPROVED, S.PAID): HoldAction.CAPTURE,
    (S.APPROVED, S.FAILED): HoldAction.VOID,
    (S.PAID, S.FAILED): HoldAction.REFUND,
}
"""The specification, written out independently of the implementation's table."""


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


HELD_FOR = (("shared_destination", "Another user was paid to this destination"),)
FIRST_ADMIN = "admin-0"


def new_payout(amount_minor: int = 50_000, **risk: Any) -> PayoutRequest:
    return PayoutRequest.create(
        payout_id=f"po_{uuid4().hex}",
        user_id=USER,
        amount_minor=amount_minor,
        currency="INR",
        method=parse_payout_method({"type": "bank", "details": BANK_DETAILS}),
        at=T0,
        limits=DEFAULT_PAYOUT_LIMITS,
        **risk,
    )


BANK_DETAILS = {"accountNumber": "123456784321", "ifsc": "HDFC0001234", "accountHolderName": "John Doe"}


def payout_in(status: PayoutStatus) -> PayoutRequest:
    """A payout driven to ``status`` through real transitions."""
    if status is S.HELD:
        return new_payout(review_reasons=HELD_FOR)
    if status is S.AWAITING_SECOND_APPROVAL:
        payout = new_payout(dual_approval_threshold=50_000)
        payout.approve(FIRST_ADMIN, "first look", at=at(1))
        assert payout.status is status
        return payout
    payout = new_payout()
    if status is S.REJECTED:
        payout.reject(ADMIN, "duplicate request", at=at(1))
    if status in (S.APPROVED, S.PAID, S.FAILED):
        payout.approve(ADMIN, "looks fine", at=at(1))
    if status is S.PAID:
        payout.mark_paid("po_ref_1", "txn_capture_1", at=at(2))
    if status is S.FAILED:
        payout.mark_failed("bank rejected", at=at(2))
    assert payout.status is status
    return payout


Action = Callable[[PayoutRequest], Any]

ACTIONS: dict[str, tuple[PayoutStatus, Action]] = {
    "release": (S.REQUESTED, lambda p: p.release(ADMIN, "checked", at=at(10))),
    "approve": (S.APPROVED, lambda p: p.approve(ADMIN, "ok", at=at(10))),
    "reject": (S.REJECTED, lambda p: p.reject(ADMIN, "not allowed", at=at(10))),
    "mark_paid": (S.PAID, lambda p: p.mark_paid("po_ref_9", "txn_9", at=at(10))),
    "mark_failed": (
        S.FAILED,
        lambda p: p.mark_failed(
            "provider error",
            at=at(10),
            refund_transaction_id="txn_refund_9" if p.status is S.PAID else None,
        ),
    ),
}

MATRIX = [(status, name) for status in PayoutStatus for name in ACTIONS]


def snapshot(payout: PayoutRequest) -> dict[str, Any]:
    return {**vars(payout), "history": list(payout.history), "approvals": list(payout.approvals)}


class TestTransitionTable:
    def test_table_is_exactly_the_specification(self) -> None:
        assert dict(TRANSITIONS) == EXPECTED

    @pytest.mark.parametrize("target", list(PayoutStatus))
    @pytest.mark.parametrize("current", list(PayoutStatus))
    def test_every_status_pair(self, current: PayoutStatus, target: PayoutStatus) -> None:
        if (current, target) in EXPECTED:
            result = transition(current, target, actor="someone", note="why", at=T0)
            assert result.source is current
            assert result.target is target
            assert result.hold_action is EXPECTED[current, target]
            assert result.entry == HistoryEntry(target, T0, "someone", "why")
            assert hold_action(current, target) is EXPECTED[current, target]
        else:
            with pytest.raises(InvalidPayoutState) as caught:
                transition(current, target, actor="someone", note=None, at=T0)
            assert caught.value.current is current
            assert caught.value.target is target
            assert caught.value.code == "INVALID_PAYOUT_STATE"
            assert current.value in caught.value.message
            with pytest.raises(InvalidPayoutState):
                hold_action(current, target)

    def test_transition_accepts_status_strings(self) -> None:
        assert transition("requested", "approved", actor="a", note=None, at=T0).target is S.APPROVED  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        ("status", "terminal", "holds"),
        [
            (S.HELD, False, True),
            (S.REQUESTED, False, True),
            (S.AWAITING_SECOND_APPROVAL, False, True),
            (S.APPROVED, False, True),
            (S.PAID, False, False),
            (S.FAILED, True, False),
            (S.REJECTED, True, False),
        ],
    )
    def test_terminal_and_hold_notions(self, status: PayoutStatus, terminal: bool, holds: bool) -> None:
        assert status.is_terminal is terminal
        assert status.holds_funds is holds
        payout = payout_in(status)
        assert payout.is_terminal is terminal
        assert payout.holds_funds is holds

    def test_refusal_is_a_failed_precondition_with_a_readable_message(self) -> None:
        error = InvalidPayoutState(S.REJECTED, S.APPROVED)
        assert isinstance(error, InvalidState)
        assert error.message == "Cannot approve a payout that is rejected"


class TestAggregateMatrix:
    @pytest.mark.parametrize(("status", "action"), MATRIX)
    def test_every_status_and_action(self, status: PayoutStatus, action: str) -> None:
        payout = payout_in(status)
        target, act = ACTIONS[action]
        allowed = (status, target) in EXPECTED
        assert payout.can(target) is allowed
        before = snapshot(payout)
        if allowed:
            assert payout.hold_action_for(target) is EXPECTED[status, target]
            result = act(payout)
            assert result.source is status
            assert result.target is target
            assert result.hold_action is EXPECTED[status, target]
            assert payout.status is target
            assert payout.history == [*before["history"], result.entry]
            assert result.entry.status is target
            assert result.entry.at == at(10)
            assert payout.updated_at == at(10)
            assert payout.created_at == T0
            assert payout.version == before["version"] + 1
        elif status is S.HELD and action == "approve":
            with pytest.raises(InvalidState) as held:
                act(payout)
            assert held.value.code == "PAYOUT_HELD"
            assert snapshot(payout) == before
        else:
            with pytest.raises(InvalidPayoutState) as caught:
                act(payout)
            assert caught.value.code == "INVALID_PAYOUT_STATE"
            assert caught.value.current is status
            assert status.value in caught.value.message
            with pytest.raises(InvalidPayoutState):
                payout.hold_action_for(target)
            assert snapshot(payout) == before

    def test_matrix_covers_every_status_and_action(self) -> None:
        assert len(MATRIX) == len(PayoutStatus) * len(ACTIONS)
        allowed = {(s, ACTIONS[a][0]) for s, a in MATRIX if (s, ACTIONS[a][0]) in EXPECTED}
        assert allowed == set(EXPECTED) - {(S.REQUESTED, S.AWAITING_SECOND_APPROVAL)}


class TestLifecycles:
    def test_create(self) -> None:
        payout = new_payout(amount_minor=50_000)
        assert payout.status is S.REQUESTED
        assert payout.amount_minor == 50_000
        assert payout.currency == "INR"
        assert payout.created_at == payout.updated_at == T0
        assert payout.history == [HistoryEntry(S.REQUESTED, T0, USER, None)]
        assert payout.version == 0
        assert payout.holds_funds
        assert (payout.admin_note, payout.processed_by, payout.transaction_id) == (None, None, None)
        assert (payout.provider_reference, payout.failure_reason, payout.refund_transaction_id) == (None, None, None)

    def test_approve_then_paid(self) -> None:
        payout = new_payout()
        approved = payout.approve(ADMIN, "  verified KYC  ", at=at(1))
        assert approved.hold_action is HoldAction.NONE
        assert (payout.admin_note, payout.processed_by) == ("verified KYC", ADMIN)
        paid = payout.mark_paid("po_123", "txn_capture", at=at(2))
        assert paid.hold_action is HoldAction.CAPTURE
        assert (payout.provider_reference, payout.transaction_id) == ("po_123", "txn_capture")
        assert payout.history == [
            HistoryEntry(S.REQUESTED, T0, USER, None),
            HistoryEntry(S.APPROVED, at(1), ADMIN, "verified KYC"),
            HistoryEntry(S.PAID, at(2), PROVIDER_ACTOR, None),
        ]
        assert payout.version == 2
        assert not payout.holds_funds

    def test_approve_then_failed(self) -> None:
        payout = payout_in(S.APPROVED)
        failed = payout.mark_failed("account closed", at=at(3), actor="reconciler", provider_reference="po_9")
        assert failed.hold_action is HoldAction.VOID
        assert payout.failure_reason == "account closed"
        assert payout.provider_reference == "po_9"
        assert payout.transaction_id is None
        assert payout.history[-1] == HistoryEntry(S.FAILED, at(3), "reconciler", "account closed")
        assert payout.is_terminal

    def test_reject(self) -> None:
        payout = new_payout()
        rejected = payout.reject(ADMIN, "  suspicious activity ", at=at(1))
        assert rejected.hold_action is HoldAction.VOID
        assert payout.status is S.REJECTED
        assert (payout.admin_note, payout.processed_by) == ("suspicious activity", ADMIN)
        assert payout.history[-1] == HistoryEntry(S.REJECTED, at(1), ADMIN, "suspicious activity")
        assert payout.is_terminal

    def test_paid_then_reversed_by_the_provider(self) -> None:
        payout = payout_in(S.PAID)
        reversed_ = payout.mark_failed("payout reversed", at=at(5), refund_transaction_id="txn_refund")
        assert reversed_.hold_action is HoldAction.REFUND
        assert payout.status is S.FAILED
        assert payout.transaction_id == "txn_capture_1"
        assert payout.refund_transaction_id == "txn_refund"
        assert payout.failure_reason == "payout reversed"
        assert [entry.status for entry in payout.history] == [S.REQUESTED, S.APPROVED, S.PAID, S.FAILED]
        assert payout.version == 3

    def test_a_reversed_payout_cannot_be_reversed_again(self) -> None:
        payout = payout_in(S.PAID)
        payout.mark_failed("reversed", at=at(5), refund_transaction_id="txn_refund")
        with pytest.raises(InvalidPayoutState):
            payout.mark_failed("reversed", at=at(6), refund_transaction_id="txn_refund")

    def test_concurrent_copies_are_told_apart_by_version(self) -> None:
        stored = new_payout()
        first, second = replace(stored, history=list(stored.history)), replace(stored, history=list(stored.history))
        first.approve(ADMIN, None, at=at(1))
        second.reject("admin-2", "no", at=at(1))
        assert first.version == second.version == stored.version + 1

    def test_equality_is_by_id(self) -> None:
        payout = new_payout()
        copy = replace(payout, history=list(payout.history))
        copy.approve(ADMIN, at=at(1))
        assert copy == payout
        assert hash(copy) == hash(payout)
        assert new_payout() != payout

    def test_repr_never_reveals_the_account_number(self) -> None:
        payout = payout_in(S.PAID)
        assert "123456784321" not in repr(payout)
        assert "XXXXXXXX4321" in repr(payout)


class TestArguments:
    @pytest.mark.parametrize("note", [None, "", "   "])
    def test_approve_note_is_optional(self, note: object) -> None:
        payout = new_payout()
        payout.approve(ADMIN, note, at=at(1))
        assert payout.admin_note is None
        assert payout.history[-1].note is None

    def test_notes_may_span_lines(self) -> None:
        payout = new_payout()
        payout.approve(ADMIN, "line one\r\nline two\tend", at=at(1))
        assert payout.admin_note == "line one\r\nline two\tend"

    @pytest.mark.parametrize("note", [{"$ne": None}, ["ok"], 1, True, "x" * (NOTE_MAX_LENGTH + 1), "bad\x00note"])
    def test_bad_approve_notes(self, note: object) -> None:
        payout = new_payout()
        before = snapshot(payout)
        with pytest.raises(InvalidArgument) as caught:
            payout.approve(ADMIN, note, at=at(1))
        assert caught.value.code == "INVALID_NOTE"
        assert snapshot(payout) == before

    @pytest.mark.parametrize(
        "reason", [None, "", "   ", {"$ne": None}, ["why"], 0, False, "x" * (NOTE_MAX_LENGTH + 1), "a\x07b"]
    )
    def test_reject_needs_a_reason(self, reason: object) -> None:
        payout = new_payout()
        before = snapshot(payout)
        with pytest.raises(InvalidArgument) as caught:
            payout.reject(ADMIN, reason, at=at(1))
        assert caught.value.code == "INVALID_REASON"
        assert snapshot(payout) == before

    def test_reject_reason_of_maximum_length(self) -> None:
        payout = new_payout()
        payout.reject(ADMIN, "r" * NOTE_MAX_LENGTH, at=at(1))
        assert payout.admin_note == "r" * NOTE_MAX_LENGTH

    def test_bad_arguments_are_reported_before_the_state(self) -> None:
        payout = payout_in(S.REJECTED)
        with pytest.raises(InvalidArgument):
            payout.reject(ADMIN, "", at=at(5))

    def test_an_admin_cannot_approve_their_own_payout(self) -> None:
        payout = new_payout()
        before = snapshot(payout)
        with pytest.raises(PermissionDenied) as caught:
            payout.approve(USER, "mine", at=at(1))
        assert caught.value.code == "SELF_APPROVAL_FORBIDDEN"
        assert snapshot(payout) == before
        payout.reject(USER, "changed my mind", at=at(2))
        assert payout.status is S.REJECTED

    @pytest.mark.parametrize("actor", ["", "   ", None, 7, {"$ne": None}])
    def test_actor_is_required(self, actor: Any) -> None:
        payout = new_payout()
        with pytest.raises(InvalidArgument) as caught:
            payout.approve(actor, "ok", at=at(1))
        assert caught.value.code == "INVALID_ACTOR"
        with pytest.raises(InvalidArgument):
            payout.reject(actor, "no", at=at(1))
        assert payout.status is S.REQUESTED

    def test_actor_is_stripped(self) -> None:
        payout = new_payout()
        payout.approve(f"  {ADMIN} ", at=at(1))
        assert payout.processed_by == ADMIN
        assert payout.history[-1].by == ADMIN

    def test_time_must_be_timezone_aware(self) -> None:
        payout = new_payout()
        with pytest.raises(ValueError, match="timezone-aware"):
            payout.approve(ADMIN, at=datetime(2025, 1, 1))
        with pytest.raises(TypeError):
            payout.approve(ADMIN, at="2025-01-01T00:00:00Z")  # type: ignore[arg-type]
        payout.approve(ADMIN, at=datetime(2025, 1, 1, 5, 30, tzinfo=timezone(timedelta(hours=5, minutes=30))))
        assert payout.status is S.APPROVED

    @pytest.mark.parametrize("reference", [None, "", "  ", 5, {"$ne": None}, "r" * 256])
    def test_mark_paid_needs_a_provider_reference(self, reference: object) -> None:
        payout = payout_in(S.APPROVED)
        before = snapshot(payout)
        with pytest.raises(InvalidArgument) as caught:
            payout.mark_paid(reference, "txn_1", at=at(2))
        assert caught.value.code == "INVALID_PROVIDER_REFERENCE"
        assert snapshot(payout) == before

    @pytest.mark.parametrize("transaction_id", [None, "", " ", 5])
    def test_mark_paid_needs_the_capture_transaction(self, transaction_id: Any) -> None:
        payout = payout_in(S.APPROVED)
        with pytest.raises(ValueError, match="transaction_id"):
            payout.mark_paid("po_1", transaction_id, at=at(2))
        assert payout.status is S.APPROVED

    def test_reversal_needs_the_refund_transaction(self) -> None:
        payout = payout_in(S.PAID)
        before = snapshot(payout)
        with pytest.raises(ValueError, match="refund_transaction_id"):
            payout.mark_failed("reversed", at=at(5))
        assert snapshot(payout) == before

    def test_a_refund_transaction_is_refused_where_nothing_was_captured(self) -> None:
        payout = payout_in(S.APPROVED)
        before = snapshot(payout)
        with pytest.raises(ValueError, match="refund_transaction_id"):
            payout.mark_failed("failed", at=at(5), refund_transaction_id="txn_refund")
        assert snapshot(payout) == before

    @pytest.mark.parametrize(
        ("reason", "recorded"),
        [
            (None, DEFAULT_FAILURE_REASON),
            ("", DEFAULT_FAILURE_REASON),
            ("  \n ", DEFAULT_FAILURE_REASON),
            ("insufficient\x00funds\nat bank", "insufficient funds at bank"),
            (" account closed ", "account closed"),
        ],
    )
    def test_a_provider_failure_is_always_recordable(self, reason: str | None, recorded: str) -> None:
        payout = payout_in(S.APPROVED)
        payout.mark_failed(reason, at=at(3))
        assert payout.status is S.FAILED
        assert payout.failure_reason == recorded
        assert payout.history[-1].note == recorded

    def test_an_overlong_provider_failure_reason_is_truncated(self) -> None:
        payout = payout_in(S.APPROVED)
        payout.mark_failed("e" * 5_000, at=at(3))
        assert payout.failure_reason is not None
        assert len(payout.failure_reason) == NOTE_MAX_LENGTH
        assert payout.failure_reason.endswith("…")


class TestCreateAndLimits:
    @pytest.mark.parametrize("amount", [DEFAULT_PAYOUT_MIN_MINOR, 50_000, DEFAULT_PAYOUT_MAX_MINOR])
    def test_amounts_within_limits(self, amount: int) -> None:
        assert new_payout(amount).amount_minor == amount

    @pytest.mark.parametrize(
        ("amount", "message"),
        [
            (DEFAULT_PAYOUT_MIN_MINOR - 1, "Minimum payout is 100 INR"),
            (1, "Minimum payout is 100 INR"),
            (DEFAULT_PAYOUT_MAX_MINOR + 1, "Maximum payout is 50000 INR"),
            (10**13, "Maximum payout is 50000 INR"),
        ],
    )
    def test_amounts_outside_limits(self, amount: int, message: str) -> None:
        with pytest.raises(InvalidArgument) as caught:
            new_payout(amount)
        assert caught.value.code == "INVALID_AMOUNT"
        assert caught.value.message == message

    @pytest.mark.parametrize(
        "amount", [0, -10_000, True, 10_000.0, Decimal("10000"), "10000", None, 10**14, {"$ne": 0}]
    )
    def test_amounts_that_are_not_positive_minor_units(self, amount: Any) -> None:
        with pytest.raises(InvalidArgument) as caught:
            DEFAULT_PAYOUT_LIMITS.check(amount, "INR")
        assert caught.value.code == "INVALID_AMOUNT"

    @pytest.mark.parametrize("currency", ["inr", "EUR", "", None])
    def test_unsupported_currency(self, currency: Any) -> None:
        with pytest.raises(InvalidArgument) as caught:
            DEFAULT_PAYOUT_LIMITS.check(50_000, currency)
        assert caught.value.code == "INVALID_CURRENCY"

    def test_custom_limits_in_another_currency(self) -> None:
        limits = PayoutLimits(min_minor=1_050, max_minor=2_000)
        assert limits.check(2_000, "USD") == 2_000
        with pytest.raises(InvalidArgument, match=r"Minimum payout is 10\.5 USD"):
            limits.check(1_049, "USD")

    @pytest.mark.parametrize(
        ("minimum", "maximum", "error"),
        [
            (0, 100, ValueError),
            (-1, 100, ValueError),
            (200, 100, ValueError),
            (1, 10**14, ValueError),
            (True, 100, TypeError),
            (1.0, 100, TypeError),
        ],
    )
    def test_limits_must_be_sane(self, minimum: Any, maximum: Any, error: type[Exception]) -> None:
        with pytest.raises(error):
            PayoutLimits(min_minor=minimum, max_minor=maximum)

    def test_create_needs_a_validated_method(self) -> None:
        with pytest.raises(TypeError):
            PayoutRequest.create(
                payout_id="po_1",
                user_id=USER,
                amount_minor=50_000,
                currency="INR",
                method={"type": "bank", "details": BANK_DETAILS},  # type: ignore[arg-type]
                at=T0,
                limits=DEFAULT_PAYOUT_LIMITS,
            )

    @pytest.mark.parametrize(("payout_id", "user_id"), [("", USER), ("po_1", ""), ("po_1", None)])
    def test_create_needs_ids(self, payout_id: Any, user_id: Any) -> None:
        with pytest.raises((ValueError, InvalidArgument)):
            PayoutRequest.create(
                payout_id=payout_id,
                user_id=user_id,
                amount_minor=50_000,
                currency="INR",
                method=parse_payout_method({"type": "bank", "details": BANK_DETAILS}),
                at=T0,
                limits=DEFAULT_PAYOUT_LIMITS,
            )

    def test_rehydration_restores_the_status_enum(self) -> None:
        payout = new_payout()
        stored = replace(payout, status="approved")  # type: ignore[arg-type]
        assert stored.status is S.APPROVED
        stored.mark_paid("po_1", "txn_1", at=at(1))
        assert stored.status is S.PAID


class TestRiskControls:
    def test_dual_approval_needs_two_different_admins(self) -> None:
        payout = new_payout(50_000, dual_approval_threshold=50_000)
        assert payout.needs_dual_approval
        first = payout.approve("admin-a", "first", at=at(1))
        assert first.target is S.AWAITING_SECOND_APPROVAL
        assert first.hold_action is HoldAction.NONE
        assert payout.holds_funds and not payout.is_terminal
        with pytest.raises(PermissionDenied) as same:
            payout.approve("admin-a", "again", at=at(2))
        assert same.value.code == "SECOND_APPROVAL_SAME_ADMIN"
        assert payout.status is S.AWAITING_SECOND_APPROVAL
        second = payout.approve("admin-b", None, at=at(3))
        assert second.target is S.APPROVED
        assert [(a.by, a.at, a.note) for a in payout.approvals] == [("admin-a", at(1), "first"),
                                                                    ("admin-b", at(3), None)]
        assert payout.processed_by == "admin-b"

    @pytest.mark.parametrize(("amount", "threshold", "dual"),
                             [(49_999, 50_000, False), (50_000, 50_000, True), (50_001, 50_000, True),
                              (100_000, 0, False)])
    def test_threshold_is_inclusive_and_zero_is_off(self, amount: int, threshold: int, dual: bool) -> None:
        payout = new_payout(amount, dual_approval_threshold=threshold)
        assert payout.needs_dual_approval is dual
        payout.approve(ADMIN, None, at=at(1))
        assert payout.status is (S.AWAITING_SECOND_APPROVAL if dual else S.APPROVED)

    def test_own_payout_is_never_approved_nor_released(self) -> None:
        payout = new_payout(dual_approval_threshold=1)
        with pytest.raises(PermissionDenied) as own:
            payout.approve(USER, None, at=at(1))
        assert own.value.code == "SELF_APPROVAL_FORBIDDEN"
        payout.approve(ADMIN, None, at=at(1))
        with pytest.raises(PermissionDenied) as own_second:
            payout.approve(USER, None, at=at(2))
        assert own_second.value.code == "SELF_APPROVAL_FORBIDDEN"
        held = new_payout(review_reasons=HELD_FOR)
        with pytest.raises(PermissionDenied) as own_release:
            held.release(USER, "mine", at=at(1))
        assert own_release.value.code == "SELF_APPROVAL_FORBIDDEN"
        assert held.status is S.HELD

    def test_held_at_creation_with_a_history_entry_per_rule(self) -> None:
        reasons = (("shared_destination", "Shared destination"), ("recent_card_topup", "Topped up just now"))
        payout = new_payout(review_reasons=reasons)
        assert payout.status is S.HELD
        assert payout.holds_funds and not payout.is_terminal
        assert [(r.rule, r.message, r.at) for r in payout.review_reasons] == [(*r, T0) for r in reasons]
        assert [(h.status, h.note) for h in payout.history] == [
            (S.REQUESTED, None), (S.HELD, "Shared destination"), (S.HELD, "Topped up just now")]

    def test_release_needs_a_note_and_keeps_the_reasons(self) -> None:
        payout = new_payout(review_reasons=HELD_FOR)
        for bad in (None, "", "   ", 5, "x" * (NOTE_MAX_LENGTH + 1), "bad\x00note"):
            with pytest.raises(InvalidArgument) as caught:
                payout.release(ADMIN, bad, at=at(1))
            assert caught.value.code == "INVALID_NOTE"
        assert payout.status is S.HELD
        released = payout.release(ADMIN, "  checked with the user  ", at=at(1))
        assert released.hold_action is HoldAction.NONE
        assert payout.status is S.REQUESTED
        assert payout.history[-1] == HistoryEntry(S.REQUESTED, at(1), ADMIN, "checked with the user")
        assert len(payout.review_reasons) == 1
        payout.approve(ADMIN, None, at=at(2))
        assert payout.status is S.APPROVED

    @pytest.mark.parametrize("status", [S.HELD, S.AWAITING_SECOND_APPROVAL])
    def test_reject_voids_from_the_new_statuses(self, status: PayoutStatus) -> None:
        payout = payout_in(status)
        result = payout.reject(ADMIN, "fraud suspected", at=at(5))
        assert result.hold_action is HoldAction.VOID
        assert payout.status is S.REJECTED and payout.is_terminal
