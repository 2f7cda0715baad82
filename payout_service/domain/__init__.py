"""Pure payout domain: payout methods, amount limits, the payout request state machine, the checked inputs
of the use cases (``commands``) and the ports to the store, the wallet and the payment gateway."""
