"""Wallet service: the double-entry ledger, sole owner of balances."""
