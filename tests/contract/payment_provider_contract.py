"""The contract every ``PaymentProvider`` must pass: checkout, status, signed webhooks, payouts, outages.

Subclass ``PaymentProviderContract`` per provider and implement the hooks: ``create_provider`` (a new
provider for one test), ``sign`` (the provider's webhook signature header over a raw body, with its real
secret), ``pay_at_provider`` (the player pays a checkout on the provider's page), ``payout_destination`` /
``refused_destination`` (one the provider pays to, one it definitely declines) and ``take_down`` (the
provider can no longer be reached); override the ``provider_world`` fixture for what must run around the
provider (a stand-in server). Everything else goes through the port alone.
"""

from __future__ import annotations

import re
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterator

import pytest

from payment_gateway.domain.errors import InvalidSignature
from payment_gateway.domain.ports import PaymentProvider
from payment_gateway.domain.provider import PAYOUT_METHOD_TYPES, PayoutStatus, SessionStatus
from tests.support.stripe_standin import checkout_session, stripe_event
from winzone_kernel.errors import IdempotencyConflict, InvalidArgument, NotFound, Unavailable

SUCCESS_URL = "http://frontend.test/wallet/topup/success?session_id={CHECKOUT_SESSION_ID}"
CANCEL_URL = "http://frontend.test/wallet/topup/cancel?session_id={CHECKOUT_SESSION_ID}"


def new_ref(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex}"


class PaymentProviderContract(ABC):
    """Abstract contract test case for ``PaymentProvider`` adapters."""

    provider: PaymentProvider

    @abstractmethod
    def create_provider(self) -> PaymentProvider:
        """A new provider for one test."""

    @abstractmethod
    def sign(self, body: bytes, *, timestamp: int | None = None) -> dict[str, str]:
        """The headers that sign ``body`` as this provider's webhooks are signed (now, unless ``timestamp``)."""

    @abstractmethod
    def pay_at_provider(self, provider_ref: str) -> None:
        """The player pays this checkout on the provider's page."""

    @abstractmethod
    def payout_destination(self) -> dict[str, str]:
        """Payout method details the provider pays out to."""

    @abstractmethod
    def refused_destination(self) -> dict[str, str]:
        """Payout method details the provider definitely declines."""

    @abstractmethod
    def take_down(self) -> None:
        """From now on the provider cannot be reached."""

    @pytest.fixture
    def provider_world(self) -> Iterator[None]:
        """What the provider needs around it for one test (a stand-in server ...); override by name."""
        yield

    @pytest.fixture(autouse=True)
    def _fresh_provider(self, provider_world: None) -> None:
        self.provider = self.create_provider()

    def _checkout(self, amount: int = 100_000, currency: str = "INR") -> tuple[str, str]:
        session_id = new_ref("tps")
        checkout = self.provider.create_checkout(session_id, new_ref("usr"), amount, currency, SUCCESS_URL,
                                                 CANCEL_URL, {"purpose": "wallet_topup"})
        assert checkout.provider_ref and checkout.checkout_url
        return session_id, checkout.provider_ref

    def test_it_names_itself_and_pays_out_only_to_known_method_types(self) -> None:
        assert self.provider.name
        assert self.provider.payout_method_types
        assert self.provider.payout_method_types <= PAYOUT_METHOD_TYPES

    def test_a_created_checkout_reports_our_session_amount_and_currency(self) -> None:
        session_id, ref = self._checkout(250_000, "INR")
        status = self.provider.retrieve_checkout(ref)
        assert (status.provider_ref, status.client_reference_id) == (ref, session_id)
        assert (status.amount_minor, status.currency) == (250_000, "INR")
        assert status.status in (SessionStatus.UNPAID, SessionStatus.PAID)

    def test_a_paid_checkout_reads_as_paid_with_the_provider_amount(self) -> None:
        session_id, ref = self._checkout(100_000, "USD")
        self.pay_at_provider(ref)
        status = self.provider.retrieve_checkout(ref)
        assert (status.status, status.amount_minor, status.currency, status.client_reference_id) == (
            SessionStatus.PAID, 100_000, "USD", session_id)

    def test_a_lookup_reads_without_paying_and_sees_a_payment_once_made(self) -> None:
        session_id, ref = self._checkout(120_000, "INR")
        for _ in range(2):
            status = self.provider.lookup_checkout(ref)
            assert (status.status, status.amount_minor, status.client_reference_id) == (
                SessionStatus.UNPAID, 120_000, session_id)
        self.pay_at_provider(ref)
        assert self.provider.lookup_checkout(ref).status is SessionStatus.PAID

    def test_an_unknown_checkout_is_not_found(self) -> None:
        with pytest.raises(NotFound) as raised:
            self.provider.retrieve_checkout(new_ref("cs_unknown"))
        assert raised.value.code == "CHECKOUT_NOT_FOUND"

    @pytest.mark.parametrize(("session_id", "amount", "currency"), [
        ("tps_1", 0, "INR"), ("tps_1", -5, "INR"), ("tps_1", 1000, "XYZ"), ("", 1000, "INR"), ("tps 1;", 1000, "INR"),
    ])
    def test_a_checkout_with_bad_input_is_an_invalid_argument(self, session_id: str, amount: int, currency: str
                                                              ) -> None:
        with pytest.raises(InvalidArgument):
            self.provider.create_checkout(session_id, "usr_1", amount, currency, SUCCESS_URL, CANCEL_URL)

    def test_an_open_checkout_may_be_closed(self) -> None:
        _, ref = self._checkout()
        assert self.provider.close_checkout(ref) is True

    def _completed_event(self, event_id: str = "evt_contract_1") -> bytes:
        session = checkout_session("cs_contract_1", "tps_contract_1", status="complete", payment_status="paid")
        return stripe_event("checkout.session.completed", session, event_id=event_id)

    def test_a_correctly_signed_event_parses_into_a_normalised_event(self) -> None:
        body = self._completed_event()
        event = self.provider.parse_webhook(body, self.sign(body))
        assert (event.event_id, event.type, event.object_ref, event.client_reference_id) == (
            "evt_contract_1", "checkout.session.completed", "cs_contract_1", "tps_contract_1")
        assert (event.status, event.amount_minor, event.currency) == (SessionStatus.PAID, 100_000, "INR")

    @pytest.mark.parametrize("case", ["tampered", "stale", "missing", "forged"])
    def test_only_the_untouched_fresh_body_signed_with_our_secret_parses(self, case: str) -> None:
        body = self._completed_event()
        headers = self.sign(body, timestamp=int(time.time()) - 301 if case == "stale" else None)
        if case == "tampered":
            body = body.replace(b"100000", b"900000")
        if case == "missing":
            headers = {}
        if case == "forged":
            headers = {name: re.sub(r"v1=[0-9a-f]+", "v1=" + "0" * 64, value) for name, value in headers.items()}
        with pytest.raises(InvalidSignature) as raised:
            self.provider.parse_webhook(body, headers)
        assert (raised.value.code, raised.value.message) == ("INVALID_SIGNATURE", "Invalid signature")

    def test_a_signed_body_that_is_no_event_is_an_invalid_payload(self) -> None:
        body = b"not an event"
        with pytest.raises(InvalidArgument) as raised:
            self.provider.parse_webhook(body, self.sign(body))
        assert not isinstance(raised.value, InvalidSignature)
        assert raised.value.code == "INVALID_WEBHOOK_PAYLOAD"

    def test_a_payout_is_sent_once_per_payout_id_and_found_again(self) -> None:
        payout_id = new_ref("pay")
        sent = self.provider.send_payout(payout_id, 50_000, "INR", self.payout_destination())
        assert (sent.status, sent.amount_minor, sent.currency, sent.failure_reason) == (
            PayoutStatus.PAID, 50_000, "INR", None)
        assert sent.provider_ref
        assert self.provider.send_payout(payout_id, 50_000, "INR", self.payout_destination()) == sent
        assert self.provider.get_payout(payout_id) == sent

    def test_a_payout_never_sent_is_not_found(self) -> None:
        assert self.provider.get_payout(new_ref("pay")) is None

    def test_a_payout_id_reused_for_another_amount_is_an_idempotency_conflict(self) -> None:
        payout_id = new_ref("pay")
        self.provider.send_payout(payout_id, 50_000, "INR", self.payout_destination())
        with pytest.raises(IdempotencyConflict):
            self.provider.send_payout(payout_id, 60_000, "INR", self.payout_destination())

    def test_a_definite_refusal_fails_the_payout_with_a_reason_and_moves_nothing(self) -> None:
        payout_id = new_ref("pay")
        result = self.provider.send_payout(payout_id, 50_000, "INR", self.refused_destination())
        assert (result.status, result.provider_ref) == (PayoutStatus.FAILED, None)
        assert result.failure_reason
        found = self.provider.get_payout(payout_id)
        assert found is None or found.status is PayoutStatus.FAILED

    @pytest.mark.parametrize("destination", [{}, {"accountId": ""}, {"upiId": ""}])
    def test_a_payout_without_a_usable_destination_is_an_invalid_argument(self, destination: dict[str, str]
                                                                          ) -> None:
        with pytest.raises(InvalidArgument):
            self.provider.send_payout(new_ref("pay"), 50_000, "INR", destination)

    def test_an_unreachable_provider_is_unavailable_and_never_reports_a_payout_outcome(self) -> None:
        _, ref = self._checkout()
        self.take_down()
        with pytest.raises(Unavailable):
            self._checkout()
        with pytest.raises(Unavailable):
            self.provider.retrieve_checkout(ref)
        with pytest.raises(Unavailable):
            self.provider.get_payout(new_ref("pay"))
        try:
            outcome = self.provider.send_payout(new_ref("pay"), 50_000, "INR", self.payout_destination())
        except Unavailable:
            return
        assert outcome.status is PayoutStatus.PENDING
