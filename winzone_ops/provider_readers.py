"""The provider's own books for the cross-service audit: the mock provider's state in the payment gateway's
store, or Stripe's API paged through with the real SDK (checkout sessions, charges, disputes, transfers and
balance transactions). A transfer's amount is what the provider was asked to send: the payout's ``net_amount``
(its amount less the tax withheld)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from winzone_kernel.config import CommonSettings
from winzone_ops.cross_facts import ProviderCharge, ProviderRecords, ProviderTransfer, SessionFact

OPEN_DISPUTE = frozenset({"warning_needs_response", "warning_under_review", "needs_response", "under_review"})
CLEARING_TYPES = frozenset({"charge", "payment", "refund", "payment_refund", "payment_failure_refund",
                            "adjustment", "transfer", "transfer_cancel", "transfer_refund", "transfer_failure"})
"""Balance transactions that move money between the platform and its users (not fees or bank payouts)."""


def read_mock_provider(common: CommonSettings, sessions: Iterable[SessionFact],
                       payout_ids: Iterable[str]) -> ProviderRecords:
    """The mock's checkouts of our mock sessions and its payout outcomes of the payouts (and holds) we know.

    A transfer carries what the mock reversed of it, and one reversed in full (``FAILED`` after it was paid)
    is still a transfer with its reversal. The mock's port looks payouts up by id only, so a mock transfer for
    an id no store remembers is not seen.
    """
    from payment_gateway.domain.mock_checkout import MockSessionState
    from payment_gateway.domain.provider import PayoutStatus
    from payment_gateway.server import build_store

    records = ProviderRecords("mock", clearing={}, complete_transfer_list=False)
    clearing: dict[str, int] = {}
    store = build_store(common)
    try:
        state = store.mock_state()
        for session in sessions:
            if session.provider != "mock" or not session.provider_ref:
                continue
            checkout = state.get(session.provider_ref)
            if checkout is None:
                continue
            paid = checkout.status is MockSessionState.PAID
            refunded = checkout.amount_refunded
            lost = checkout.dispute_amount if checkout.dispute_status == "lost" else 0
            records.charges.append(ProviderCharge(checkout.provider_ref, checkout.session_id, checkout.user_id,
                                                  checkout.amount_minor, checkout.currency, paid,
                                                  amount_refunded=refunded, dispute_status=checkout.dispute_status))
            if paid:
                clearing[checkout.currency] = (clearing.get(checkout.currency, 0) - checkout.amount_minor + refunded
                                               + lost)
        for payout_id in sorted(set(payout_ids)):
            result = state.get_payout(payout_id)
            if result is None or not (result.status is PayoutStatus.PAID or (
                    result.provider_ref and result.amount_reversed)):
                continue
            amount, currency = result.amount_minor or 0, result.currency or ""
            records.transfers.append(ProviderTransfer(result.provider_ref or payout_id, payout_id, amount, currency,
                                                      result.amount_reversed))
            clearing[currency] = clearing.get(currency, 0) + amount - result.amount_reversed
    finally:
        store.close()
    records.clearing = clearing
    return records


def _paged(listing: Any) -> Iterator[dict[str, Any]]:
    for item in listing.auto_paging_iter():
        yield item.to_dict()


def read_stripe(client: Any, page_size: int = 100) -> ProviderRecords:
    """Every checkout session, charge, dispute, transfer and balance transaction of the account, page by page
    (``auto_paging_iter`` follows ``starting_after``); ``client`` is a ``stripe.StripeClient``."""
    params = {"limit": page_size}
    records = ProviderRecords("stripe")
    for fields in _paged(client.v1.transfers.list(params)):
        metadata = fields.get("metadata") or {}
        records.transfers.append(ProviderTransfer(
            str(fields.get("id")), str(metadata.get("payout_id") or fields.get("transfer_group") or ""),
            int(fields.get("amount") or 0), str(fields.get("currency") or "").upper(),
            int(fields.get("amount_reversed") or 0)))
    charges = {c["payment_intent"]: c for c in _paged(client.v1.charges.list(params)) if c.get("payment_intent")}
    disputes: dict[str, str] = {}
    open_disputes: set[str] = set()
    for dispute in _paged(client.v1.disputes.list(params)):
        disputes[str(dispute.get("charge"))] = str(dispute.get("status") or "")
        if dispute.get("status") in OPEN_DISPUTE:
            open_disputes.add(str(dispute.get("id")))
    for session in _paged(client.v1.checkout.sessions.list(params)):
        metadata = session.get("metadata") or {}
        charge = charges.get(session.get("payment_intent") or "", {})
        records.charges.append(ProviderCharge(
            str(charge.get("id") or session.get("id")), str(session.get("client_reference_id") or ""),
            str(metadata.get("user_id") or ""), int(session.get("amount_total") or 0),
            str(session.get("currency") or "").upper(), session.get("payment_status") == "paid",
            amount_refunded=int(charge.get("amount_refunded") or 0),
            dispute_status=disputes.get(str(charge.get("id")), "")))
    records.clearing = stripe_clearing(_paged(client.v1.balance_transactions.list(params)), open_disputes)
    return records


def stripe_clearing(balance_transactions: Iterable[Mapping[str, Any]], open_disputes: set[str]) -> dict[str, int]:
    """What ``clearing:stripe`` must hold per currency: the opposite of every gross movement between the
    platform and its users, leaving out disputes still open (the wallet only holds the money until decided)."""
    clearing: dict[str, int] = {}
    for bt in balance_transactions:
        if bt.get("type") not in CLEARING_TYPES or bt.get("source") in open_disputes:
            continue
        currency = str(bt.get("currency") or "").upper()
        clearing[currency] = clearing.get(currency, 0) - int(bt.get("amount") or 0)
    return clearing


def stripe_client_from_env(env: Mapping[str, str]) -> Any:
    """A ``StripeClient`` from ``STRIPE_SECRET_KEY`` (and ``STRIPE_API_BASE``), as the payment gateway builds it."""
    from payment_gateway.adapters.stripe_provider import create_stripe_client

    return create_stripe_client(env.get("STRIPE_SECRET_KEY", ""), api_base=env.get("STRIPE_API_BASE") or None)
