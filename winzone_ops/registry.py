"""The services `winzone` knows how to run, in start order, and what each needs."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, cast

from winzone_kernel.config import CommonSettings


class MigratableStore(Protocol):
    """What `winzone migrate` needs of a service's store."""

    def migrate(self) -> None: ...

    def close(self) -> None: ...


StoreFactory = Callable[[CommonSettings], MigratableStore]


@dataclass(frozen=True, slots=True)
class ServiceSpec:
    """A runnable service: its name, the module whose ``main()`` serves it, and whether it speaks gRPC."""

    name: str
    module: str
    grpc: bool = True
    stores: tuple[str, ...] = ()
    """``module:function`` factories ``(CommonSettings) -> store`` whose ``migrate()`` `winzone migrate` runs."""

    def entrypoint(self) -> Callable[[], None]:
        return cast(Callable[[], None], importlib.import_module(self.module).main)

    def store_factories(self) -> list[StoreFactory]:
        factories: list[StoreFactory] = []
        for ref in self.stores:
            module, _, function = ref.partition(":")
            factories.append(getattr(importlib.import_module(module), function))
        return factories


SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec("wallet", "wallet_service.server", stores=("wallet_service.server:build_store",)),
    ServiceSpec("payments", "payment_gateway.server", stores=("payment_gateway.server:build_store",)),
    ServiceSpec("payouts", "payout_service.server", stores=("payout_service.server:build_store",)),
    ServiceSpec("rewards", "reward_service.server", stores=("reward_service.server:build_store",)),
    ServiceSpec("auditor", "winzone_ops.auditor_server"),
    ServiceSpec("gateway", "api_gateway.server", grpc=False, stores=("api_gateway.server:build_user_store",)),
)

BY_NAME = {spec.name: spec for spec in SERVICES}
