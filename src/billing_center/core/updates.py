"""One way to apply field changes to a model row and know exactly what changed (for the audit row)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import models


@dataclass(frozen=True)
class FieldDiff:
    """The fields that really changed: their values before and after."""

    old: dict[str, Any] = field(default_factory=dict)
    new: dict[str, Any] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.new)


def model_update(*, instance: models.Model, data: Mapping[str, Any], also: models.Model | None = None) -> FieldDiff:
    """Set the fields of ``data`` whose value differs (a ``None`` value means "leave as it is") and save
    just those (plus ``updated_at`` where the model has it). Nothing is written when nothing differs.
    ``also`` receives the same values without being saved: the caller's copy of a row locked for update."""
    new = {name: value for name, value in data.items() if value is not None and getattr(instance, name) != value}
    if not new:
        return FieldDiff()
    old = {name: getattr(instance, name) for name in new}
    for name, value in new.items():
        setattr(instance, name, value)
        if also is not None:
            setattr(also, name, value)
    stamped = any(model_field.name == "updated_at" for model_field in instance._meta.get_fields())
    instance.save(update_fields=[*new, *(["updated_at"] if stamped else [])])
    return FieldDiff(old=old, new=new)


def json_value(value: Any) -> Any:
    """``value`` as an audit row's JSON keeps it: a datetime as ISO 8601 text, anything else unchanged."""
    return value.isoformat() if isinstance(value, datetime) else value
