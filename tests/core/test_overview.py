"""The Overview's registry: each app above accounts registers its own figure."""

from __future__ import annotations

from billing_center.core.overview import OverviewStat, overview_stat_register, overview_stats


def test_the_installed_apps_register_their_figures_in_page_order():
    # given the installed apps (registered in their AppConfig.ready())
    # then the Overview shows their figures in this order, each linking to the app's own page
    assert [(stat.key, stat.url_name, stat.text) for stat in overview_stats()] == [
        ("workspaces", "workspaces:list", False),
        ("cloud-accounts", "cloud:accounts", False),
        ("active-contracts", "contracts:list", False),
        ("certification-state", "certification:page", True),
    ]


def test_a_stat_is_placed_by_its_order_and_replaced_under_its_key(monkeypatch):
    # given an empty registry
    from billing_center.core import overview

    monkeypatch.setattr(overview, "_STATS", {})
    # when two stats are registered out of order, and the first again under the same key
    overview_stat_register(OverviewStat("b", "B", "b:page", lambda account: 2, order=20))
    overview_stat_register(OverviewStat("a", "A", "a:page", lambda account: 1, order=10))
    overview_stat_register(OverviewStat("b", "B again", "b:page", lambda account: 3, order=5))
    # then they come out by order, the key holding its last registration
    assert [(stat.key, stat.label) for stat in overview_stats()] == [("b", "B again"), ("a", "A")]
