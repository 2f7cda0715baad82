"""The reward service's use cases, one module per workflow; ``facade.RewardService`` composes them.

Each money-moving workflow takes the same three steps so that a crash anywhere is resumed, never
duplicated: (1) a unit of work decides what must be posted and persists it (a pending contribution, a
pending distribution, a pending refund); (2) the wallet posts it under a key derived from that record, so
posting it again replays; (3) a unit of work records the outcome. Retrying a request after a crash re-runs
step 2 for the stored record, and so does ``reconciliation.reconcile``, for records nobody comes back for.
"""
