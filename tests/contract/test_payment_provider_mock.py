"""The payment provider contract on the mock provider (over an in-memory state that can be taken down)."""

from __future__ import annotations

from payment_gateway.adapters import signatures
from payment_gateway.adapters.mock_events import MOCK_SIGNATURE_HEADER
from payment_gateway.adapters.mock_provider import InMemoryMockCheckoutStateForTests, MockProvider
from payment_gateway.domain.mock_checkout import MockCheckout, MockSessionState
from payment_gateway.domain.ports import MockCheckoutState, PaymentProvider
from payment_gateway.domain.provider import PayoutResult
from tests.contract.payment_provider_contract import PaymentProviderContract
from winzone_kernel.errors import Unavailable

SECRET = "whsec_mock_contract_secret_0123"


class _Reachable(MockCheckoutState):
    """The mock's state as its store holds it: ``Unavailable`` once the store is down."""

    def __init__(self) -> None:
        self._state = InMemoryMockCheckoutStateForTests()
        self.down = False

    def _up(self) -> MockCheckoutState:
        if self.down:
            raise Unavailable("payments store unavailable")
        return self._state

    def get(self, provider_ref: str) -> MockCheckout | None:
        return self._up().get(provider_ref)

    def set(self, checkout: MockCheckout, *, expected: MockSessionState | None) -> bool:
        return self._up().set(checkout, expected=expected)

    def get_payout(self, payout_id: str) -> PayoutResult | None:
        return self._up().get_payout(payout_id)

    def add_payout(self, payout_id: str, result: PayoutResult) -> PayoutResult:
        return self._up().add_payout(payout_id, result)

    def reverse_payout(self, payout_id: str, amount_reversed: int) -> PayoutResult | None:
        return self._up().reverse_payout(payout_id, amount_reversed)


class TestMockProvider(PaymentProviderContract):
    def create_provider(self) -> PaymentProvider:
        self.state = _Reachable()
        self.mock = MockProvider(self.state, gateway_base_url="http://gateway.test", webhook_secret=SECRET)
        return self.mock

    def sign(self, body: bytes, *, timestamp: int | None = None) -> dict[str, str]:
        return {MOCK_SIGNATURE_HEADER: signatures.sign_header(body, SECRET, timestamp=timestamp)}

    def pay_at_provider(self, provider_ref: str) -> None:
        self.mock.pay(provider_ref)

    def payout_destination(self) -> dict[str, str]:
        return {"upiId": "player@paytm", "name": "Asha Rao"}

    def refused_destination(self) -> dict[str, str]:
        return {"upiId": "fail@paytm", "name": "Asha Rao"}

    def take_down(self) -> None:
        self.state.down = True
