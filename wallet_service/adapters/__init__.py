"""Ledger store adapters: SQLite (embedded default) and MongoDB (replica set)."""
