"""Demo data that apps add to the ``demo`` command, without the command importing them.

An app's ``demo.py`` calls ``demo_loader_register("contracts", ...)``; the command (in accounts) finds
every app's ``demo`` module by autodiscovery, offers ``--<name> N`` for each loader and runs the asked ones
for the demo account. So a lower app never imports a higher one to seed its data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# (account, count, stdout) -> how many were created
DemoLoad = Callable[..., int]


@dataclass(frozen=True)
class DemoLoader:
    name: str
    help: str
    load: DemoLoad
    # Runs on every ``demo`` (idempotent sample rows such as workspaces) instead of behind ``--<name> N``.
    always: bool = False
    # Rows loaded when the demo account is created and no ``--<name>`` was given, so no page starts empty.
    first_run: int = 0


_LOADERS: dict[str, DemoLoader] = {}


def demo_loader_register(
    name: str, *, help: str, load: DemoLoad, always: bool = False, first_run: int = 0
) -> None:
    """Offer ``--<name> N`` in ``billing-center demo`` (or run on every call when ``always``);
    ``load(account=, count=, stdout=)`` runs it."""
    _LOADERS[name] = DemoLoader(name=name, help=help, load=load, always=always, first_run=first_run)


def demo_loaders() -> list[DemoLoader]:
    return sorted(_LOADERS.values(), key=lambda loader: loader.name)


def demo_load(name: str, *, account: Any, count: int, stdout: Any) -> int:
    return _LOADERS[name].load(account=account, count=count, stdout=stdout)
