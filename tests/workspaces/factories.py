from __future__ import annotations

import factory
from django.utils import timezone

from tests.factories import AccountFactory


class WorkspaceFactory(factory.django.DjangoModelFactory):
    """An unbound, active workspace on cn1, settled on the account."""

    class Meta:
        model = "workspaces.Workspace"

    id = factory.Sequence(lambda n: f"ws-{n:05d}")
    name = factory.Sequence(lambda n: f"Workspace {n}")
    site = "cn1"
    language = "en"
    account = None


class BoundWorkspaceFactory(WorkspaceFactory):
    account = factory.SubFactory(AccountFactory)
    bound_at = factory.LazyFunction(timezone.now)
