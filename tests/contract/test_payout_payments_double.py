"""The payments port contract on the provider double that payout tests script (``payout_provider_double``)."""

from __future__ import annotations

from pathlib import Path

from payout_service.domain.model import PayoutRequest
from tests.contract.payout_payments_port_contract import PaymentsPortContract
from tests.support.payout_provider_double import FAILED, ProviderDoubleServer


class TestProviderDouble(PaymentsPortContract):
    def start_gateway(self, tmp_path: Path) -> str:
        self.double = ProviderDoubleServer()
        return self.double.address

    def stop_gateway(self) -> None:
        self.double.stop()

    def decline(self, payout: PayoutRequest) -> PayoutRequest:
        self.double.double.behave(payout.id, FAILED)
        return payout
