"""Secrets the test suite supplies itself (never used by a stack started the normal way)."""

from __future__ import annotations

TEST_PAYOUT_METHOD_KEY = "dGVzdC1wYXlvdXQtbWV0aG9kLWtleS0zMi1ieXRlcyE"
"""32 bytes in URL-safe base64: the key stores built in tests seal payout methods with."""
