"""Shared kernel: configuration, money, errors, gRPC bootstrap, logging and the `winzone` command."""
