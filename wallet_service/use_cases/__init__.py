"""The wallet's use cases by workflow: ``postings`` (money moved), ``batches`` (many postings in one commit),
``holds`` (reserve, capture, void), ``controls`` (responsible gaming), ``bonuses`` (promotions) and ``queries``
(wallets, transactions, audit), composed by ``WalletUseCases`` for the servicer."""

from __future__ import annotations

from wallet_service.domain.policy import DEFAULT_POLICY, LedgerPolicy
from wallet_service.domain.ports import LedgerStore
from wallet_service.use_cases.batches import Batches
from wallet_service.use_cases.bonus import Bonuses
from wallet_service.use_cases.controls import Controls
from wallet_service.use_cases.holds import Holds
from wallet_service.use_cases.postings import Postings
from wallet_service.use_cases.queries import Queries
from wallet_service.use_cases.statements import Statements
from wallet_service.use_cases.tax import Taxes
from winzone_kernel.clock import Clock, utc_now


class WalletUseCases:
    """Every use case of the wallet over one store and one clock."""

    def __init__(self, store: LedgerStore, clock: Clock = utc_now, policy: LedgerPolicy = DEFAULT_POLICY) -> None:
        self.policy = policy
        self.postings = Postings(store, clock, policy)
        self.batches = Batches(store, clock, policy)
        self.holds = Holds(store, clock, policy)
        self.queries = Queries(store, policy)
        self.controls = Controls(store, clock)
        self.bonuses = Bonuses(store, clock, policy)
        self.taxes = Taxes(store, clock, policy)
        self.statements = Statements(store)


__all__ = ["Batches", "Bonuses", "Controls", "Holds", "Postings", "Queries", "Statements", "Taxes",
           "WalletUseCases"]
