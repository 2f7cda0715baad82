"""The payment provider contract on the Stripe adapter: the real ``stripe`` SDK against the local stand-in
for api.stripe.com, answering as a Stripe account would (``StripeAccount``), with real webhook signatures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from payment_gateway.adapters import signatures
from payment_gateway.adapters.stripe_provider import STRIPE_SIGNATURE_HEADER, StripeProvider, create_stripe_client
from payment_gateway.domain.ports import PaymentProvider
from tests.contract.payment_provider_contract import PaymentProviderContract
from tests.support.stripe_standin import ACCOUNT, API_KEY, WEBHOOK_SECRET, StripeAccount, StripeStandIn, running_standin

REFUSING_ACCOUNT = "acct_1RefusesTransfers"


class TestStripeProvider(PaymentProviderContract):
    standin: StripeStandIn

    @pytest.fixture
    def provider_world(self, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
        for standin in running_standin(monkeypatch):
            self.standin = standin
            yield

    def create_provider(self) -> PaymentProvider:
        self.account = StripeAccount()
        self.account.refusing.add(REFUSING_ACCOUNT)
        self.standin.respond_with(self.account)
        client = create_stripe_client(API_KEY, max_network_retries=0, timeout_seconds=5.0, api_base=self.standin.url)
        return StripeProvider(client, webhook_secret=WEBHOOK_SECRET)

    def sign(self, body: bytes, *, timestamp: int | None = None) -> dict[str, str]:
        return {STRIPE_SIGNATURE_HEADER: signatures.sign_header(body, WEBHOOK_SECRET, timestamp=timestamp)}

    def pay_at_provider(self, provider_ref: str) -> None:
        self.account.pay(provider_ref)

    def payout_destination(self) -> dict[str, str]:
        return {"accountId": ACCOUNT}

    def refused_destination(self) -> dict[str, str]:
        return {"accountId": REFUSING_ACCOUNT}

    def take_down(self) -> None:
        self.account.down = True
