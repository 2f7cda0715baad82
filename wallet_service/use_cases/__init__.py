"""The wallet's use cases by workflow: ``postings`` (money moved), ``batches`` (many postings in one commit),
``holds`` (reserve, capture, void), ``controls`` (responsible gaming) and ``queries`` (wallets, transactions,
audit), composed by ``WalletUseCases`` for the servicer."""

from __future__ import annotations

from wallet_service.domain.ports import LedgerStore
from wallet_service.use_cases.batches import Batches
from wallet_service.use_cases.controls import Controls
from wallet_service.use_cases.holds import Holds
from wallet_service.use_cases.postings import Postings
from wallet_service.use_cases.queries import Queries
from winzone_kernel.clock import Clock, utc_now


class WalletUseCases:
    """Every use case of the wallet over one store and one clock."""

    def __init__(self, store: LedgerStore, clock: Clock = utc_now) -> None:
        self.postings = Postings(store, clock)
        self.batches = Batches(store, clock)
        self.holds = Holds(store, clock)
        self.queries = Queries(store)
        self.controls = Controls(store, clock)


__all__ = ["Batches", "Controls", "Holds", "Postings", "Queries", "WalletUseCases"]
