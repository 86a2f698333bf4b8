"""Linking a recorded marketplace subscription to the holder's Billing Center account (SPEC §5, §12).

- Alibaba Cloud: Account ID (aliUid) + Product Instance ID; Huawei Cloud: Huawei Account ID +
  Instance ID (:func:`cloud_account_link`); AWS: the single-use registration id of the landing page
  (:func:`cloud_account_link_aws`).
- Only a recorded, ``active`` subscription that no account has linked can be linked (AWS: also a
  ``pending`` one, since registration does not activate and the registration id is the buyer's proof). Every other
  case (unknown pair, wrong account id, inactive, linked to anyone, an unknown or used registration)
  raises the one ``cloud_account_not_found`` (422), so nobody can probe another customer's instance.
- Needs a recent re-authentication (``ReauthenticationRequired``, 403).
- Failed attempts are counted per (account, network) in a fixed window like code checks: from the
  ``LINK_FAILURES_LIMIT``-th failure on, attempts answer 429 until the window ends.
- The cloud account row is locked (``select_for_update``) while it is judged and linked, so of two
  accounts racing for one subscription exactly one links it.
- Audited (``cloud_account.linked``, visible to the holder) and notified by email after the commit.
"""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from billing_center.accounts.models import Account
from billing_center.audit.services import RequestMeta, audit_record
from billing_center.cloud import events
from billing_center.cloud.models import CloudAccount, CloudAccountState, Vendor
from billing_center.cloud.vendors.aws.services import aws_registration_consume
from billing_center.core.errors import RateLimited, ReauthenticationRequired, ValidationFailed
from billing_center.core.ratelimit import limit_count, limit_hit, limit_retry_after, network_of
from billing_center.verification.services import notice_send

# Failed link attempts per (account, network) in one window, as for code checks.
LINK_FAILURES_LIMIT = 10
LINK_FAILURES_WINDOW_SECONDS = 3600
# Ids longer than any vendor's are simply not found.
ID_MAX = 256
ID_VENDORS = (Vendor.ALIYUN, Vendor.HUAWEI)


class _NotLinkable(Exception):
    """Internal: the pair names no linkable subscription (rolls back a consumed registration)."""


def not_found() -> ValidationFailed:
    return ValidationFailed(
        _(
            "No active subscription that can be linked matches these ids. Check the account id and the "
            "instance id in the marketplace console; a subscription already linked cannot be linked again."
        ),
        code="cloud_account_not_found",
    )


def _failures_key(account: Account, meta: RequestMeta) -> str:
    digest = hashlib.sha256(f"{account.pk}\x00{network_of(meta.ip)}".encode()).hexdigest()[:40]
    return f"cloud:link:fail:{digest}"


def _require(reauthenticated: bool, account: Account, meta: RequestMeta) -> str:
    if not reauthenticated:
        raise ReauthenticationRequired(_("Confirm it is you (password or a code) before linking a cloud account."))
    key = _failures_key(account, meta)
    if limit_count(key) >= LINK_FAILURES_LIMIT:
        raise RateLimited(
            _("Too many attempts to link a cloud account. Try again later."),
            code="too_many_attempts",
            retry_after=max(1, limit_retry_after(key)),
        )
    return key


ID_LINKABLE = frozenset({CloudAccountState.ACTIVE})
# AWS: the registration id proves the buyer resolved the subscription themselves, and ``subscribe-success``
# may arrive after the buyer lands (registration does not activate): a pending one links too.
AWS_LINKABLE = frozenset({CloudAccountState.ACTIVE, CloudAccountState.PENDING})


def _link_locked(
    cloud_account: CloudAccount | None, *, account: Account, meta: RequestMeta, linkable: frozenset[str]
) -> CloudAccount:
    """Link the (already locked) row; raises ``_NotLinkable`` for anything but a linkable, unlinked one."""
    if cloud_account is None or cloud_account.state not in linkable or cloud_account.account_id:
        raise _NotLinkable
    cloud_account.account = account
    cloud_account.linked_at = timezone.now()
    cloud_account.save(update_fields=["account", "linked_at", "updated_at"])
    audit_record(
        event=events.CLOUD_ACCOUNT_LINKED,
        meta=meta,
        account=account,
        actor=account,
        target=cloud_account,
        new={
            "vendor": cloud_account.vendor,
            "vendor_account_id": cloud_account.vendor_account_id,
            "instance_id": cloud_account.instance_id,
        },
    )
    with override(account.language):
        subject = _("A cloud account was linked to your Billing Center account")
        body = _(
            "The %(vendor)s subscription %(instance)s (account %(vendor_account)s) was linked to Billing Center "
            "account %(username)s. If this was not you, change your password and contact us."
        ) % {
            "vendor": Vendor(cloud_account.vendor).label,
            "instance": cloud_account.instance_id,
            "vendor_account": cloud_account.vendor_account_id or "—",
            "username": account.username,
        }
    # Queued in this transaction; it goes out after the commit (and not at all on a rollback).
    notice_send(channel="email", target=account.email, subject=subject, body=body, account=account, meta=meta)
    return cloud_account


def _refused(*, key: str, account: Account, meta: RequestMeta, vendor: str) -> ValidationFailed:
    # Outside the rolled-back transaction: the failure counts.
    limit_hit(key, limit=LINK_FAILURES_LIMIT, window_seconds=LINK_FAILURES_WINDOW_SECONDS)
    audit_record(
        event=events.CLOUD_ACCOUNT_LINK_REFUSED,
        meta=meta,
        account=account,
        actor=account,
        target_type="cloud.cloudaccount",
        detail={"vendor": vendor[:16]},
    )
    return not_found()


def cloud_account_link(
    *,
    account: Account,
    vendor: str,
    vendor_account_id: str,
    instance_id: str,
    reauthenticated: bool,
    meta: RequestMeta,
) -> CloudAccount:
    """Link the Alibaba Cloud / Huawei Cloud subscription named by (account id, instance id) to ``account``."""
    key = _require(reauthenticated, account, meta)
    vendor_account_id = (vendor_account_id or "").strip()
    instance_id = (instance_id or "").strip()
    try:
        if vendor not in ID_VENDORS or not vendor_account_id or not instance_id:
            raise _NotLinkable
        if len(vendor_account_id) > ID_MAX or len(instance_id) > ID_MAX:
            raise _NotLinkable
        with transaction.atomic():
            found = (
                CloudAccount.objects.select_for_update()
                .filter(vendor=vendor, instance_id=instance_id, vendor_account_id=vendor_account_id)
                .first()
            )
            return _link_locked(found, account=account, meta=meta, linkable=ID_LINKABLE)
    except _NotLinkable:
        raise _refused(key=key, account=account, meta=meta, vendor=vendor) from None


def cloud_account_link_aws(
    *, account: Account, registration: str, reauthenticated: bool, meta: RequestMeta
) -> CloudAccount:
    """Link the AWS subscription of a landing page's registration id (used once; valid 24 h)."""
    key = _require(reauthenticated, account, meta)
    registration = (registration or "").strip()
    try:
        if not registration or len(registration) > ID_MAX:
            raise _NotLinkable
        with transaction.atomic():
            consumed = aws_registration_consume(key=registration, meta=meta)
            found = (
                CloudAccount.objects.select_for_update().filter(pk=consumed.pk).first()
                if consumed is not None
                else None
            )
            return _link_locked(found, account=account, meta=meta, linkable=AWS_LINKABLE)
    except _NotLinkable:
        raise _refused(key=key, account=account, meta=meta, vendor=Vendor.AWS) from None
