"""The workspace view (SPEC §12) as API schemas, shared by the holder API and the platform API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema


class WorkspaceAccountOut(Schema):
    username: str


class SettlementOut(Schema):
    method: str
    cloud_account_id: int | None
    vendor: str | None


class LockOut(Schema):
    state: str
    reason: str
    deadline: datetime | None


class WorkspaceOut(Schema):
    id: str
    name: str
    site: str
    language: str
    account: WorkspaceAccountOut | None
    settlement: SettlementOut
    lock: LockOut
    updated_at: datetime


class HistoryOut(Schema):
    at: datetime
    actor: str
    change: str
    old: dict[str, Any]
    new: dict[str, Any]
    reason: str


class WorkspaceDetailOut(WorkspaceOut):
    history: list[HistoryOut]


class WorkspacePageOut(Schema):
    items: list[WorkspaceOut]
    next_cursor: str | None
