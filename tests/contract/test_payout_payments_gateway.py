"""The payments port contract on the real payment gateway with its mock provider, over a real wallet."""

from __future__ import annotations

from pathlib import Path

from payout_service.domain.model import PayoutRequest
from tests.conftest import WalletHarness
from tests.contract.payout_payments_port_contract import PaymentsPortContract, new_payout
from tests.support.payments import PaymentsHarness

DECLINED_UPI = {"type": "upi", "details": {"upiId": "always-fail@paytm", "name": "John Doe"}}
"""The mock provider declines a payout whose UPI id or holder name contains ``fail``."""


class TestPaymentGateway(PaymentsPortContract):
    def start_gateway(self, tmp_path: Path) -> str:
        self.wallet = WalletHarness(tmp_path / "wallet.sqlite3")
        self.payments = PaymentsHarness(tmp_path, self.wallet)
        return self.payments.server.address

    def stop_gateway(self) -> None:
        self.payments.close()
        self.wallet.close()

    def decline(self, payout: PayoutRequest) -> PayoutRequest:
        return new_payout(DECLINED_UPI, payout.amount_minor)
