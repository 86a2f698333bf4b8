"""What the Overview page shows of an account, from a registry each app fills in its ``ready()``.

The Overview lives in ``accounts``, below the apps whose figures it shows (workspaces, cloud,
contracts, certification). So that nothing reads upward, each of those apps registers its own stat
with its own selector: the rule behind a figure (which contracts are "active", which cloud accounts
count) stays in the app that owns it, and the Overview only walks the registry. An app that is not
installed registers nothing, and its stat is simply absent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class OverviewStat:
    # Names the stat in the page (``data-testid``: ``count-<key>`` for a count, ``<key>`` for a text).
    key: str
    label: str | Promise
    # The page the stat links to; the stat is not a link where the name does not reverse.
    url_name: str
    # The holder's figure: a count, or (``text=True``) a short state such as "Verified".
    value: Callable[[Any], int | str]
    # Position on the page, smallest first.
    order: int
    text: bool = False


_STATS: dict[str, OverviewStat] = {}


def overview_stat_register(stat: OverviewStat) -> None:
    """Add (or, under the same key, replace) a stat; called from an app's ``AppConfig.ready()``."""
    _STATS[stat.key] = stat


def overview_stats() -> list[OverviewStat]:
    return sorted(_STATS.values(), key=lambda stat: (stat.order, stat.key))
