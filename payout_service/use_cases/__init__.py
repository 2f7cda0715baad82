"""Payout use cases, one module per workflow, composed by ``facade.PayoutService``."""
