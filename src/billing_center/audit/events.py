"""The audit vocabulary: every event name is declared once, with its label and who may see it.

Each app declares its events in its own ``events.py`` (``X = event_type("thing.action", _("Label"))``)
and passes the constant to ``audit_record``. The audit app imports every app's ``events`` module when
Django starts, so labels of old rows resolve even before the writing code has been imported.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise


@dataclass(frozen=True)
class EventType:
    name: str
    label: str | Promise
    # Shown in the holder's own security log (SPEC §3); otherwise back office only.
    holder_visible: bool = False

    def __str__(self) -> str:
        return self.name


_REGISTRY: dict[str, EventType] = {}


def event_type(name: str, label: str | Promise, *, holder_visible: bool = False) -> EventType:
    """Declare one event name. A name declared twice is a programming error."""
    if name in _REGISTRY:
        raise ImproperlyConfigured(f"Audit event {name!r} is declared twice")
    if len(name) > 64:
        raise ImproperlyConfigured(f"Audit event {name!r} is longer than the column (64)")
    declared = EventType(name=name, label=label, holder_visible=holder_visible)
    _REGISTRY[name] = declared
    return declared


def lookup(name: str) -> EventType | None:
    return _REGISTRY.get(name)


def resolve(event: EventType | str) -> EventType:
    """The declared event for a constant or a name; an undeclared name is refused."""
    if isinstance(event, EventType):
        return event
    declared = _REGISTRY.get(event)
    if declared is None:
        raise ValueError(f"Audit event {event!r} is not declared in any app's events.py")
    return declared


def label_for(name: str) -> str:
    declared = _REGISTRY.get(name)
    return str(declared.label) if declared is not None else name.replace("_", " ").replace(".", ": ")


def holder_visible_names() -> frozenset[str]:
    return frozenset(name for name, declared in _REGISTRY.items() if declared.holder_visible)


_holder_visible_sorted: tuple[tuple[str, ...], tuple[int, int]] | None = None


def holder_visible_names_sorted() -> tuple[str, ...]:
    """``holder_visible_names()`` sorted, computed again only when the registry changed (declarations
    only add: its size tells), not on every page of the security log."""
    global _holder_visible_sorted
    version = (id(_REGISTRY), len(_REGISTRY))
    if _holder_visible_sorted is None or _holder_visible_sorted[1] != version:
        _holder_visible_sorted = (tuple(sorted(holder_visible_names())), version)
    return _holder_visible_sorted[0]


def declared() -> dict[str, EventType]:
    return dict(_REGISTRY)
