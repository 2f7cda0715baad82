"""Contract tests: one abstract suite per storage port, run against every reachable backend."""
