"""Payout service: payout requests, holds, admin approval, provider execution and reconciliation."""
