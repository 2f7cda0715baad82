"""Ledger domain: accounts, transactions, holds, commands and the rules that move money. No I/O here."""
