"""What the group-commit writers report about their batches: size, time to a durable commit, and how long the
oldest command of a batch waited for it to start; Prometheus histograms by writer name, plus plain totals."""

from __future__ import annotations

from prometheus_client import Histogram

BATCH_COMMANDS = Histogram("winzone_store_batch_commands", "Commands per group-commit batch", ["writer"],
                           buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256, 512))
BATCH_SECONDS = Histogram("winzone_store_batch_seconds", "One group-commit batch, from running its first command "
                          "to its durable commit and its callers answered", ["writer"],
                          buckets=(0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0))
BATCH_WAIT_SECONDS = Histogram("winzone_store_batch_wait_seconds", "How long the oldest command of a batch waited "
                               "in the queue before its batch started", ["writer"],
                               buckets=(0.0001, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0))


class BatchStats:
    """Totals of one writer (``batches``, ``commands``, ``largest``) and its share of the histograms."""

    __slots__ = ("_seconds", "_size", "_wait", "batches", "commands", "largest")

    def __init__(self, writer: str) -> None:
        self.batches = 0
        self.commands = 0
        self.largest = 0
        self._size = BATCH_COMMANDS.labels(writer)
        self._seconds = BATCH_SECONDS.labels(writer)
        self._wait = BATCH_WAIT_SECONDS.labels(writer)

    def record(self, size: int, seconds: float, oldest_wait: float | None) -> None:
        """One batch of ``size`` commands that took ``seconds``; ``oldest_wait`` when the writer knows it."""
        self.batches += 1
        self.commands += size
        self.largest = max(self.largest, size)
        self._size.observe(size)
        self._seconds.observe(seconds)
        if oldest_wait is not None:
            self._wait.observe(oldest_wait)
