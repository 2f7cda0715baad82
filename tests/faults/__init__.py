"""Deterministic fault exploration: every crash point, lost answer, late call and duplicate of each money
workflow, one at a time exhaustively and in sampled pairs (``--fault-pairs``, ``--fault-seed``)."""
