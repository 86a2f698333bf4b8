"""Reads for the Overview page: the account at a glance.

The figures come from apps above ``accounts`` in the layer order (workspaces, cloud, contracts,
certification). Each registers its own stat and selector in ``core.overview`` from its
``AppConfig.ready()``; this module only walks that registry, so ``accounts`` reads nothing upward and
a figure's rule stays in the app that owns it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.functional import Promise

from billing_center.accounts.models import Account
from billing_center.audit.models import AuditEvent
from billing_center.audit.selectors import security_events_for_account
from billing_center.core.overview import overview_stats

RECENT_EVENTS = 5


@dataclass(frozen=True)
class OverviewFigure:
    key: str
    label: str | Promise
    url_name: str
    value: int | str
    text: bool


@dataclass(frozen=True)
class Overview:
    figures: list[OverviewFigure]
    recent_events: list[AuditEvent] = field(default_factory=list)

    def value_of(self, key: str) -> int | str | None:
        return next((figure.value for figure in self.figures if figure.key == key), None)


def overview_figures(*, account: Account) -> list[OverviewFigure]:
    """One figure per registered stat, in the registry's order (one query each)."""
    return [
        OverviewFigure(stat.key, stat.label, stat.url_name, stat.value(account), stat.text)
        for stat in overview_stats()
    ]


def overview_for_account(*, account: Account) -> Overview:
    events = security_events_for_account(account=account, cursor=None, limit=RECENT_EVENTS)
    return Overview(figures=overview_figures(account=account), recent_events=list(events.items))
