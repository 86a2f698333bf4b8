"""Back-office operators: ``operator_create`` (``billing-center createoperator``), the operator-only
account flags (SPEC §1), and the "Operators" group: what a non-superuser operator needs for the
operator's work in the back office (SPEC: accounts' flags, contracts and their PDFs, certification review, workspaces, the
marketplace side, the audit and delivery logs to read)."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from billing_center.accounts import events
from billing_center.accounts.identifiers import normalize_email, normalize_username
from billing_center.accounts.models import Account, AccountSession
from billing_center.accounts.passwords import password_check_policy
from billing_center.audit.services import SYSTEM, RequestMeta, audit_record
from billing_center.core.errors import ValidationFailed
from billing_center.core.masking import mask_email
from billing_center.core.updates import model_update

OPERATORS_GROUP = "Operators"
# (app label, model, actions): the back office's own admin classes narrow further (read-only logs).
OPERATOR_PERMISSIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("accounts", "account", ("view", "change")),
    ("contracts", "contract", ("view", "add", "change")),
    ("contracts", "contractattachment", ("view", "add", "change", "delete")),
    ("audit", "auditevent", ("view",)),
    ("verification", "delivery", ("view",)),
    # Certification review (approve / reject need change), workspaces (bind needs change), the
    # marketplace side read-only (re-running a failed inbox row is an action open to any operator).
    ("certification", "certification", ("view", "change")),
    ("workspaces", "workspace", ("view", "change")),
    ("workspaces", "workspacehistory", ("view",)),
    ("cloud", "cloudaccount", ("view",)),
    ("cloud", "inboxevent", ("view",)),
)


@transaction.atomic
def operators_group_ensure() -> Group:
    """Create (or bring up to date) the Operators group with exactly ``OPERATOR_PERMISSIONS``."""
    group, _created = Group.objects.get_or_create(name=OPERATORS_GROUP)
    wanted = Q(pk__in=[])
    for app_label, model, actions in OPERATOR_PERMISSIONS:
        codenames = [f"{action}_{model}" for action in actions]
        wanted |= Q(content_type__app_label=app_label, content_type__model=model, codename__in=codenames)
    group.permissions.set(Permission.objects.filter(wanted))
    return group


def operator_group_join(*, account: Account) -> None:
    account.groups.add(operators_group_ensure())



@transaction.atomic
def operator_create(*, username: str, email: str, password: str, superuser: bool = False) -> Account:
    """A back-office operator (staff account), e.g. from ``billing-center createoperator``."""
    clean_username = normalize_username(username)
    clean_email = normalize_email(email)
    if Account.objects.filter(username__lower_exact=clean_username).exists():
        raise ValidationFailed(_("This username is taken."), field="username", code="username_taken")
    if Account.objects.filter(email__lower_exact=clean_email).exists():
        raise ValidationFailed(_("This email is already used."), field="email", code="email_taken")
    context = Account(username=clean_username, email=clean_email, enterprise_name="")
    normalized = password_check_policy(password, context=context)
    account = Account.objects.create_user(
        clean_username,
        clean_email,
        normalized,
        enterprise_name="Operators",
        is_staff=True,
        is_superuser=superuser,
    )
    audit_record(
        event=events.OPERATOR_CREATED,
        actor_label="cli",
        account=account,
        new={"username": account.username, "email": mask_email(account.email), "superuser": superuser},
    )
    return account


@transaction.atomic
def account_flags_update(
    *,
    operator: Account,
    account: Account,
    is_active: bool | None = None,
    any_settlement_method: bool | None = None,
    meta: RequestMeta = SYSTEM,
) -> Account:
    """Operator-only flags (SPEC §1): disabled, "any settlement method allowed". Audited; disabling
    ends the account's sessions."""
    locked = Account.objects.select_for_update().get(pk=account.pk)
    wanted = {"is_active": is_active, "any_settlement_method": any_settlement_method}
    diff = model_update(instance=locked, data=wanted, also=account)
    if not diff:
        return locked
    audit_record(
        event=events.FLAGS_CHANGED, meta=meta, actor=operator, account=locked, old=diff.old, new=diff.new
    )
    if diff.new.get("is_active") is False:
        account_id = locked.pk
        transaction.on_commit(lambda: AccountSession.objects.filter(account_id=account_id).delete())
    return locked
