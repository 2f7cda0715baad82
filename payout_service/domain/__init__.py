"""Pure payout domain: payout methods, amount limits and the payout request state machine."""
