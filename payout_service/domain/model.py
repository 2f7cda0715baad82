"""The payout request aggregate and its state machine.

::

    held ──release──► requested ──approve──► approved ──mark_paid──► paid
     │                   │  │                   │                     │
     └──reject──►        │  └──reject──► rejected └──mark_failed──► failed ◄──mark_failed (reversed)
                         └──approve (dual)──► awaiting_second_approval ──approve (another admin)──► approved
                                                        └──reject──► rejected

A risk rule creates a payout ``held`` (its ``review_reasons`` say why); at or above the dual-approval
threshold (``needs_dual_approval``) the first approval only records itself and a second, different admin's
approval moves it to ``approved``.

Every allowed transition implies exactly one action on the user's funds (``HoldAction``), listed in
``TRANSITIONS``: the service asks ``hold_action_for`` before moving money, performs the (idempotent) wallet
call, then applies the transition and persists the aggregate. Any transition not in the table raises
``InvalidPayoutState`` (code ``INVALID_PAYOUT_STATE``, mapped to ``FAILED_PRECONDITION`` / HTTP 409).

The aggregate does no I/O. Each transition appends a ``HistoryEntry`` and bumps ``version``, which the store
uses for compare-and-set so that of two concurrent admins exactly one wins.

Tax withheld at source (TDS) is the wallet's decision, made when it places the hold: the payout keeps the
hold's figures (``Withholding``: ``tds``, ``net_winnings``, ``financial_year``) and asks the provider to send
``net_amount`` = ``amount_minor - tds``; the capture still takes ``amount_minor`` from the wallet. A provider
reverses at most ``net_amount``: a full reversal refunds that and returns the ``tds`` too, so
``refunded_amount`` becomes ``amount_minor``; a partial one refunds only what the provider took back.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from payout_service.domain.limits import PayoutLimits
from payout_service.domain.methods import PayoutMethod
from payout_service.domain.texts import DEFAULT_FAILURE_REASON as DEFAULT_FAILURE_REASON
from payout_service.domain.texts import NOTE_MAX_LENGTH as NOTE_MAX_LENGTH
from payout_service.domain.texts import PROVIDER_REFERENCE_MAX_LENGTH as PROVIDER_REFERENCE_MAX_LENGTH
from payout_service.domain.texts import actor as _actor
from payout_service.domain.texts import identifier as _identifier
from payout_service.domain.texts import optional_text as _optional_text
from payout_service.domain.texts import provider_failure_reason as _provider_failure_reason
from payout_service.domain.texts import provider_reference as _provider_reference
from payout_service.domain.texts import utc_instant as _utc_instant
from winzone_kernel.errors import InvalidArgument, InvalidState, PermissionDenied
from winzone_kernel.money import check_minor, currency_of

PROVIDER_ACTOR: Final = "provider"
"""The ``by`` of history entries written from a provider's answer (webhook, send call or reconciliation)."""

RISK_ACTOR: Final = "risk"
"""The ``by`` of the history entries of a payout held for review at creation."""

FINANCIAL_YEAR_PATTERN: Final = re.compile(r"\d{4}-\d{2}")


class PayoutStatus(StrEnum):
    """Where a payout request is in its life."""

    HELD = "held"
    REQUESTED = "requested"
    AWAITING_SECOND_APPROVAL = "awaiting_second_approval"
    APPROVED = "approved"
    PAID = "paid"
    FAILED = "failed"
    REJECTED = "rejected"

    @property
    def is_terminal(self) -> bool:
        """No transition leaves this status (``failed``, ``rejected``); ``paid`` can still be reversed."""
        return not any(source is self for source, _ in TRANSITIONS)

    @property
    def holds_funds(self) -> bool:
        """The user's wallet hold for this payout is still open (``held``, ``requested``,
        ``awaiting_second_approval``, ``approved``)."""
        return self in (PayoutStatus.HELD, PayoutStatus.REQUESTED, PayoutStatus.AWAITING_SECOND_APPROVAL,
                        PayoutStatus.APPROVED)


class HoldAction(StrEnum):
    """What must happen to the user's funds for a transition, before it is recorded.

    ``none``: nothing (approval keeps the hold open). ``capture``: the held money leaves the wallet (the
    user's ``payout`` transaction completes). ``void``: the hold is released and the money stays.
    ``refund``: the hold was already captured, so a new ``refund`` credit returns the money.
    """

    NONE = "none"
    CAPTURE = "capture"
    VOID = "void"
    REFUND = "refund"


TRANSITIONS: Final[Mapping[tuple[PayoutStatus, PayoutStatus], HoldAction]] = MappingProxyType(
    {
        (PayoutStatus.HELD, PayoutStatus.REQUESTED): HoldAction.NONE,
        (PayoutStatus.HELD, PayoutStatus.REJECTED): HoldAction.VOID,
        (PayoutStatus.REQUESTED, PayoutStatus.APPROVED): HoldAction.NONE,
        (PayoutStatus.REQUESTED, PayoutStatus.AWAITING_SECOND_APPROVAL): HoldAction.NONE,
        (PayoutStatus.REQUESTED, PayoutStatus.REJECTED): HoldAction.VOID,
        (PayoutStatus.AWAITING_SECOND_APPROVAL, PayoutStatus.APPROVED): HoldAction.NONE,
        (PayoutStatus.AWAITING_SECOND_APPROVAL, PayoutStatus.REJECTED): HoldAction.VOID,
        (PayoutStatus.APPROVED, PayoutStatus.PAID): HoldAction.CAPTURE,
        (PayoutStatus.APPROVED, PayoutStatus.FAILED): HoldAction.VOID,
        (PayoutStatus.PAID, PayoutStatus.FAILED): HoldAction.REFUND,
    }
)
"""Every allowed ``(current, target)`` pair and the action on funds it implies; nothing else is allowed."""

_VERBS: Final[Mapping[PayoutStatus, str]] = {
    PayoutStatus.HELD: "hold",
    PayoutStatus.REQUESTED: "release",
    PayoutStatus.AWAITING_SECOND_APPROVAL: "approve",
    PayoutStatus.APPROVED: "approve",
    PayoutStatus.REJECTED: "reject",
    PayoutStatus.PAID: "mark as paid",
    PayoutStatus.FAILED: "mark as failed",
}


class InvalidPayoutState(InvalidState):
    """The payout's current status does not allow the requested transition."""

    default_code = "INVALID_PAYOUT_STATE"

    def __init__(self, current: PayoutStatus, target: PayoutStatus) -> None:
        super().__init__(f"Cannot {_VERBS[target]} a payout that is {current.value}")
        self.current = current
        self.target = target


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One transition as shown to people: the status entered, when, by whom and why."""

    status: PayoutStatus
    at: datetime
    by: str
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Approval:
    """One admin's approval of a payout (maker-checker: two for a large one)."""

    by: str
    at: datetime
    note: str | None = None


@dataclass(frozen=True, slots=True)
class ReviewReason:
    """A risk rule that held a payout for review: the rule's name, a message for people, and when."""

    rule: str
    message: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Withholding:
    """The tax the wallet withholds from a payout, as its hold says: ``tds`` (minor units, taken at capture to
    ``tds_payable``), the ``net_winnings`` it taxes and the ``financial_year`` ("2026-27") it counts in; all
    zero or empty when no tax applies."""

    tds: int = 0
    net_winnings: int = 0
    financial_year: str = ""

    def __post_init__(self) -> None:
        check_minor(self.tds, allow_zero=True)
        check_minor(self.net_winnings, allow_zero=True)
        if not isinstance(self.financial_year, str) or not (
                self.financial_year == "" or FINANCIAL_YEAR_PATTERN.fullmatch(self.financial_year)):
            raise ValueError("financial_year must be empty or like 2026-27")


@dataclass(frozen=True, slots=True)
class Transition:
    """The outcome of an allowed transition: the statuses, the action on funds and the history entry."""

    source: PayoutStatus
    target: PayoutStatus
    hold_action: HoldAction
    entry: HistoryEntry


def hold_action(current: PayoutStatus, target: PayoutStatus) -> HoldAction:
    """The action on funds that ``current → target`` implies; raises ``InvalidPayoutState`` if refused."""
    action = TRANSITIONS.get((PayoutStatus(current), PayoutStatus(target)))
    if action is None:
        raise InvalidPayoutState(PayoutStatus(current), PayoutStatus(target))
    return action


def transition(
    current: PayoutStatus, target: PayoutStatus, *, actor: str, note: str | None, at: datetime
) -> Transition:
    """Check ``current → target`` against ``TRANSITIONS`` and describe it, without changing anything."""
    action = hold_action(current, target)
    entry = HistoryEntry(PayoutStatus(target), _utc_instant(at), _actor(actor), note)
    return Transition(PayoutStatus(current), PayoutStatus(target), action, entry)


@dataclass(eq=False)
class PayoutRequest:
    """A user's request to withdraw ``amount_minor`` to ``method``; the consistency boundary for payouts.

    Create new requests with ``create``; the constructor is for rehydrating stored ones. Equality is by id.
    """

    id: str
    user_id: str
    amount_minor: int
    currency: str
    method: PayoutMethod
    status: PayoutStatus
    created_at: datetime
    updated_at: datetime
    history: list[HistoryEntry] = field(default_factory=list)
    admin_note: str | None = None
    processed_by: str | None = None
    transaction_id: str | None = None
    provider_reference: str | None = None
    failure_reason: str | None = None
    refund_transaction_id: str | None = None
    version: int = 0
    refunded_amount: int = 0
    approvals: list[Approval] = field(default_factory=list)
    review_reasons: list[ReviewReason] = field(default_factory=list)
    needs_dual_approval: bool = False
    tds: int = 0
    net_winnings: int = 0
    financial_year: str = ""

    @classmethod
    def create(
        cls,
        *,
        payout_id: str,
        user_id: str,
        amount_minor: object,
        currency: str,
        method: PayoutMethod,
        at: datetime,
        limits: PayoutLimits,
        dual_approval_threshold: int = 0,
        review_reasons: Sequence[tuple[str, str]] = (),
    ) -> PayoutRequest:
        """A new ``requested`` payout, its amount checked against ``limits``; history records the user.

        With ``review_reasons`` (``(rule, message)`` pairs) it is ``held`` instead, with a history entry per
        rule; with ``dual_approval_threshold`` > 0 and the amount at or above it, it needs two approvals.
        """
        if not isinstance(method, PayoutMethod):
            raise TypeError("method must be a validated PayoutMethod (see parse_payout_method)")
        _identifier(payout_id, "payout_id")
        amount = limits.check(amount_minor, currency)
        at = _utc_instant(at)
        requester = _actor(user_id)
        history = [HistoryEntry(PayoutStatus.REQUESTED, at, requester, None)]
        reasons = [ReviewReason(rule, message, at) for rule, message in review_reasons]
        history += [HistoryEntry(PayoutStatus.HELD, at, RISK_ACTOR, r.message) for r in reasons]
        return cls(
            id=payout_id,
            user_id=requester,
            amount_minor=amount,
            currency=currency_of(currency).code,
            method=method,
            status=PayoutStatus.HELD if reasons else PayoutStatus.REQUESTED,
            created_at=at,
            updated_at=at,
            history=history,
            review_reasons=reasons,
            needs_dual_approval=dual_approval_threshold > 0 and amount >= dual_approval_threshold,
        )

    def __post_init__(self) -> None:
        self.status = PayoutStatus(self.status)
        check_minor(self.amount_minor)
        self._check_withholding(self.withholding)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PayoutRequest) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    @property
    def is_terminal(self) -> bool:
        """No further transition is possible."""
        return self.status.is_terminal

    @property
    def net_amount(self) -> int:
        """What the provider is asked to send: the amount less the tax withheld."""
        return self.amount_minor - self.tds

    @property
    def withholding(self) -> Withholding:
        """The tax figures of the payout's hold."""
        return Withholding(self.tds, self.net_winnings, self.financial_year)

    def withhold(self, withholding: Withholding) -> None:
        """Keep the tax figures the wallet answered for this payout's hold (before the payout is shown)."""
        self._check_withholding(withholding)
        self.tds, self.net_winnings = withholding.tds, withholding.net_winnings
        self.financial_year = withholding.financial_year

    def _check_withholding(self, withholding: Withholding) -> None:
        if withholding.tds > self.amount_minor:
            raise ValueError("tds cannot exceed the payout's amount")

    @property
    def holds_funds(self) -> bool:
        """The wallet hold for this payout is still open."""
        return self.status.holds_funds

    def can(self, target: PayoutStatus) -> bool:
        """Whether the transition to ``target`` is allowed from the current status."""
        return (self.status, PayoutStatus(target)) in TRANSITIONS

    def hold_action_for(self, target: PayoutStatus) -> HoldAction:
        """The action on funds the transition to ``target`` needs; raises ``InvalidPayoutState`` if refused."""
        return hold_action(self.status, target)

    def approve(self, admin: str, note: object = None, *, at: datetime) -> Transition:
        """``requested → approved`` by ``admin`` (never the requesting user), with an optional note; when it
        ``needs_dual_approval``, ``requested → awaiting_second_approval`` and then, by a different admin,
        ``awaiting_second_approval → approved``. A ``held`` payout is refused with ``PAYOUT_HELD``."""
        text = _optional_text(note, "note", code="INVALID_NOTE")
        if self.status is PayoutStatus.HELD:
            raise InvalidState("A payout held for review must be released before it is approved",
                               code="PAYOUT_HELD")
        first_of_two = self.status is PayoutStatus.REQUESTED and self.needs_dual_approval
        target = PayoutStatus.AWAITING_SECOND_APPROVAL if first_of_two else PayoutStatus.APPROVED
        planned = transition(self.status, target, actor=admin, note=text, at=at)
        if planned.entry.by == self.user_id:
            raise PermissionDenied("An admin cannot approve their own payout", code="SELF_APPROVAL_FORBIDDEN")
        if any(a.by == planned.entry.by for a in self.approvals):
            raise PermissionDenied("A second approval must come from a different admin",
                                   code="SECOND_APPROVAL_SAME_ADMIN")
        self.approvals.append(Approval(planned.entry.by, planned.entry.at, text))
        self.admin_note = text
        self.processed_by = planned.entry.by
        return self._record(planned)

    def release(self, admin: str, note: object, *, at: datetime) -> Transition:
        """``held → requested`` by ``admin`` (never the requesting user); ``note`` is required."""
        text = _optional_text(note, "note", code="INVALID_NOTE")
        if text is None:
            raise InvalidArgument("A note is required to release a payout", code="INVALID_NOTE")
        planned = transition(self.status, PayoutStatus.REQUESTED, actor=admin, note=text, at=at)
        if planned.entry.by == self.user_id:
            raise PermissionDenied("An admin cannot release their own payout", code="SELF_APPROVAL_FORBIDDEN")
        self.admin_note = text
        self.processed_by = planned.entry.by
        return self._record(planned)

    def reject(self, admin: str, reason: object, *, at: datetime) -> Transition:
        """``held``, ``requested`` or ``awaiting_second_approval`` ``→ rejected`` by ``admin``; ``reason`` is
        required and becomes the admin note."""
        text = _optional_text(reason, "reason", code="INVALID_REASON")
        if text is None:
            raise InvalidArgument("A reason is required to reject a payout", code="INVALID_REASON")
        planned = transition(self.status, PayoutStatus.REJECTED, actor=admin, note=text, at=at)
        self.admin_note = text
        self.processed_by = planned.entry.by
        return self._record(planned)

    def mark_paid(
        self, provider_reference: object, transaction_id: str, *, at: datetime, actor: str = PROVIDER_ACTOR
    ) -> Transition:
        """``approved → paid`` once the provider has paid and the hold was captured as ``transaction_id``."""
        reference = _provider_reference(provider_reference)
        if reference is None:
            raise InvalidArgument("A provider reference is required", code="INVALID_PROVIDER_REFERENCE")
        captured = _identifier(transaction_id, "transaction_id")
        planned = transition(self.status, PayoutStatus.PAID, actor=actor, note=None, at=at)
        self.provider_reference = reference
        self.transaction_id = captured
        return self._record(planned)

    def mark_failed(
        self,
        reason: str | None,
        *,
        at: datetime,
        actor: str = PROVIDER_ACTOR,
        provider_reference: object = None,
        refund_transaction_id: str | None = None,
    ) -> Transition:
        """``approved → failed`` (hold voided) or ``paid → failed`` (reversal, refunded as
        ``refund_transaction_id``, which is then required).

        A provider's failure must always be recordable, or the funds would stay stranded: an empty reason
        becomes a default and an over-long or unprintable one is cleaned up rather than refused.
        """
        text = _provider_failure_reason(reason)
        reference = _provider_reference(provider_reference)
        planned = transition(self.status, PayoutStatus.FAILED, actor=actor, note=text, at=at)
        refund: str | None = None
        if planned.hold_action is HoldAction.REFUND:
            refund = _identifier(refund_transaction_id, "refund_transaction_id")
        elif refund_transaction_id is not None:
            raise ValueError("refund_transaction_id is only for reversing a paid payout")
        self.failure_reason = text
        if reference is not None:
            self.provider_reference = reference
        if refund is not None:
            self.refund_transaction_id = refund
            self.refunded_amount = self.amount_minor
        return self._record(planned)

    def record_reversal(
        self,
        amount_reversed: int,
        refund_transaction_id: str,
        reason: str | None,
        *,
        at: datetime,
        provider_reference: object = None,
    ) -> Transition:
        """The provider took back ``amount_reversed`` (cumulative, at most ``net_amount``, what it sent) of a
        paid payout and the wallet refunded what was new as ``refund_transaction_id``: fully reversed,
        ``paid → failed`` (the tds came back too); partially, it stays ``paid`` with ``refunded_amount`` raised
        to ``amount_reversed`` and the reversal in its history."""
        if self.status is not PayoutStatus.PAID:
            raise InvalidPayoutState(self.status, PayoutStatus.FAILED)
        if not self.refunded_amount < amount_reversed <= self.net_amount:
            raise ValueError("amount_reversed must exceed what was refunded and stay within what was sent")
        if amount_reversed == self.net_amount:
            return self.mark_failed(reason, at=at, provider_reference=provider_reference,
                                    refund_transaction_id=refund_transaction_id)
        refund = _identifier(refund_transaction_id, "refund_transaction_id")
        reference = _provider_reference(provider_reference)
        note = f"Partially reversed by the provider: {amount_reversed} of {self.net_amount} returned"
        entry = HistoryEntry(PayoutStatus.PAID, _utc_instant(at), PROVIDER_ACTOR, note)
        self.refunded_amount = amount_reversed
        self.refund_transaction_id = refund
        if reference is not None:
            self.provider_reference = reference
        return self._record(Transition(PayoutStatus.PAID, PayoutStatus.PAID, HoldAction.REFUND, entry))

    def _record(self, planned: Transition) -> Transition:
        self.status = planned.target
        self.updated_at = planned.entry.at
        self.history.append(planned.entry)
        self.version += 1
        return planned
