"""The command-line options of the fault explorer (registered by ``tests/conftest.py``)."""

from __future__ import annotations

import pytest

DEFAULT_SEED = 10
DEFAULT_PAIRS = 4


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup("faults", "fault exploration")
    group.addoption("--fault-seed", type=int, default=DEFAULT_SEED,
                    help="seed of the sampled fault pairs (a failure prints the one that reproduces it)")
    group.addoption("--fault-pairs", type=int, default=DEFAULT_PAIRS,
                    help="sampled pairs of faults per workflow, on top of every single fault (e.g. 2000)")
