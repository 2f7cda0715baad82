"""Correctly signed webhook bodies that no provider sends: refused as payloads (400) or their odd fields
dropped, never a 5xx after part of the event was applied (a 5xx makes the provider redeliver it forever).
"""

from __future__ import annotations

from typing import Any

import pytest

from payment_gateway.adapters import signatures
from payment_gateway.adapters.mock_events import MOCK_SIGNATURE_HEADER
from payment_gateway.adapters.mock_provider import InMemoryMockCheckoutStateForTests, MockProvider
from payment_gateway.domain.errors import InvalidSignature
from payment_gateway.domain.events import WebhookEvent
from payment_gateway.domain.mock_checkout import MockSessionState
from winzone_kernel.errors import InvalidArgument

SECRET = "mock_webhook_secret_for_tests"


def _payload(event_type: str, obj: dict[str, Any], event_id: Any = "evt_1") -> dict[str, Any]:
    return {"id": event_id, "type": event_type, "data": {"object": obj}}


@pytest.mark.parametrize(
    ("event_type", "obj"),
    [
        ("checkout.session.completed", {"id": "cs_1", "amount_total": 2**63, "currency": "inr"}),
        ("checkout.session.completed", {"id": "cs_1", "amount_total": -(2**63) - 1, "currency": "inr"}),
        ("transfer.created", {"id": "tr_1", "amount": 2**70, "metadata": {"payout_id": "pay_1"}}),
        ("charge.succeeded", {"id": "ch_1", "amount": 10**30}),
    ],
)
def test_amounts_no_int64_can_carry_are_not_a_provider_event(event_type: str, obj: dict[str, Any]) -> None:
    with pytest.raises(InvalidArgument) as raised:
        WebhookEvent.from_payload(_payload(event_type, obj))
    assert raised.value.code == "INVALID_WEBHOOK_PAYLOAD"


def test_the_largest_int64_amount_still_parses() -> None:
    event = WebhookEvent.from_payload(_payload("charge.succeeded", {"id": "ch_1", "amount": 2**63 - 1}))

    assert event.amount_minor == 2**63 - 1


@pytest.mark.parametrize(
    ("event_id", "event_type"),
    [("e" * 256, "customer.created"), ("evt_\ud800", "customer.created"), ("evt 1", "customer.created"),
     ("evt_\x00", "customer.created"), ("evt_1", "x" * 256), ("evt_1", "checkout.session.\ud800")],
)
def test_event_ids_and_types_are_short_printable_ascii(event_id: str, event_type: str) -> None:
    with pytest.raises(InvalidArgument) as raised:
        WebhookEvent.from_payload(_payload(event_type, {"id": "cus_1"}, event_id=event_id))
    assert raised.value.code == "INVALID_WEBHOOK_PAYLOAD"


def test_strings_that_cannot_be_stored_or_sent_on_are_dropped() -> None:
    event = WebhookEvent.from_payload(_payload("transfer.reversed", {
        "id": "tr_\ud800", "amount": 500, "currency": "inr", "reversed": True,
        "metadata": {"payout_id": "pay_\udfff"}, "transfer_group": "pay_1",
    }))

    assert (event.object_ref, event.payout_id) == (None, "pay_1")
    failed = WebhookEvent.from_payload(_payload("payout.failed", {"id": "po_1", "failure_message": "bad \ud800"}))
    assert failed.failure_reason == "Payout failed"


def test_a_deeply_nested_signed_body_is_an_invalid_payload() -> None:
    provider = MockProvider(InMemoryMockCheckoutStateForTests(), gateway_base_url="http://gw.test",
                            webhook_secret=SECRET)
    body = b"[" * 100_000 + b"]" * 100_000

    with pytest.raises(InvalidArgument) as raised:
        provider.parse_webhook(body, {MOCK_SIGNATURE_HEADER: signatures.sign_header(body, SECRET)})
    assert not isinstance(raised.value, InvalidSignature)
    assert raised.value.code == "INVALID_WEBHOOK_PAYLOAD"


def test_closing_a_mock_checkout_loses_to_a_payment_made_first() -> None:
    provider = MockProvider(InMemoryMockCheckoutStateForTests(), gateway_base_url="http://gw.test",
                            webhook_secret=SECRET)
    open_ref = provider.create_checkout("tps_1", "usr_1", 1000, "INR", "http://fe/ok", "http://fe/no").provider_ref
    paid_ref = provider.create_checkout("tps_2", "usr_1", 1000, "INR", "http://fe/ok", "http://fe/no").provider_ref
    provider.pay(paid_ref)

    assert provider.close(open_ref).status is MockSessionState.CANCELLED
    assert provider.close(open_ref).status is MockSessionState.CANCELLED
    assert provider.close(paid_ref).status is MockSessionState.PAID
    assert provider.retrieve_checkout(open_ref).status.value == "cancelled"
