"""Adapters of the payment gateway's ports: SQLite and MongoDB stores, the wallet and payout services over
gRPC, and the payment providers (mock with its checkout page, Stripe) with their webhook signatures."""
