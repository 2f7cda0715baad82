"""Real aio gRPC servers on real ports, run on a background event loop so tests can stay synchronous."""

from __future__ import annotations

import asyncio
import collections
import threading
from collections.abc import Awaitable, Callable
from typing import Any

import grpc

from winzone_kernel.grpc_server import TOKEN_HEADER, ServingServer

TEST_TOKEN = "test-internal-token-0123456789"


class LoopThread:
    """An asyncio loop on a daemon thread; ``run`` executes a coroutine there and waits for it."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()

    def run(self, coro: Awaitable[Any], timeout: float = 60.0) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)  # type: ignore[arg-type]

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)
        self.loop.close()


class RunningServer:
    """A started server plus the loop that runs it."""

    def __init__(self, start: Callable[[], Awaitable[ServingServer]]) -> None:
        self.thread = LoopThread()
        self.serving: ServingServer = self.thread.run(start())
        self.port = self.serving.port
        self.address = f"127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.thread.run(self.serving.stop(0.5))
        self.thread.close()


class _CallDetails(
    collections.namedtuple("_CallDetails", ("method", "timeout", "metadata", "credentials", "wait_for_ready",
                                            "compression")),
    grpc.ClientCallDetails,
):
    pass


class _TokenInterceptor(grpc.UnaryUnaryClientInterceptor):
    def __init__(self, token: str) -> None:
        self._token = token

    def intercept_unary_unary(self, continuation: Any, details: Any, request: Any) -> Any:
        metadata = [*(details.metadata or ()), (TOKEN_HEADER, self._token)]
        new = _CallDetails(details.method, details.timeout or 30.0, metadata, details.credentials,
                           details.wait_for_ready, details.compression)
        return continuation(new, request)


def authed_channel(address: str, token: str = TEST_TOKEN) -> grpc.Channel:
    """A synchronous channel whose calls carry the internal token and a deadline."""
    return grpc.intercept_channel(grpc.insecure_channel(address), _TokenInterceptor(token))
