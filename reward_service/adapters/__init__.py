"""Adapters of the reward service: its stores (SQLite, MongoDB) and its wallet client (gRPC)."""
