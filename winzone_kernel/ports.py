"""Listening sockets: a port that is already taken is ``AddressInUse`` (exit code ``EXIT_ADDRESS_IN_USE``), so
that a supervisor that picked the port can pick another and start the process again."""

from __future__ import annotations

import errno
import socket

EXIT_ADDRESS_IN_USE = 98
"""How `winzone serve` exits when its port is taken (``EADDRINUSE`` on Linux)."""


class AddressInUse(RuntimeError):
    """Another socket holds the address this process was told to listen on."""

    def __init__(self, address: str) -> None:
        super().__init__(f"address already in use: {address}")
        self.address = address


def is_address_in_use(exc: OSError) -> bool:
    return exc.errno in (errno.EADDRINUSE, errno.EACCES)


def bind_listening(host: str, port: int, *, backlog: int = 2048) -> socket.socket:
    """A listening TCP socket on ``host:port`` (0: any free port), for a server to serve on."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(backlog)
    except OSError as exc:
        sock.close()
        if is_address_in_use(exc):
            raise AddressInUse(f"{host}:{port}") from exc
        raise
    return sock
