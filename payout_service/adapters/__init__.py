"""Adapters of the payout service: its stores and its gRPC clients of the wallet and the payment gateway."""
