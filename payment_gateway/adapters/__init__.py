"""Adapters of the payment gateway's ports: SQLite and MongoDB stores, the wallet and payout services over gRPC."""
