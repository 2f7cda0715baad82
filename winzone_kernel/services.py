"""The services `winzone` knows how to run, in start order, and what each needs."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ServiceSpec:
    """A runnable service: its name, the module whose ``main()`` serves it, and whether it speaks gRPC."""

    name: str
    module: str
    grpc: bool = True

    def entrypoint(self) -> Callable[[], None]:
        return importlib.import_module(self.module).main


SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec("wallet", "wallet_service.server"),
    ServiceSpec("gateway", "api_gateway.server", grpc=False),
)

BY_NAME = {spec.name: spec for spec in SERVICES}
