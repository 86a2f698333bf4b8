from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from billing_center.accounts.passwords import normalize_password
from billing_center.core.models import TimestampedModel


class Language(models.TextChoices):
    EN = "en", _("English")
    ZH_HANS = "zh-hans", _("Simplified Chinese")


class AccountManager(BaseUserManager["Account"]):
    use_in_migrations = True

    def get_by_natural_key(self, username: str | None) -> Account:
        return self.get(username__lower_exact=username)

    def create_user(
        self, username: str, email: str, password: str | None = None, **extra: Any
    ) -> Account:
        account = self.model(username=username, email=email, **extra)
        if password:
            account.set_password(password)
        else:
            account.set_unusable_password()
        account.save(using=self._db)
        return account

    def create_superuser(self, username: str, email: str, password: str | None = None, **extra: Any) -> Account:
        extra.setdefault("enterprise_name", "Operators")
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(username, email, password, **extra)


class Account(AbstractBaseUser, PermissionsMixin, TimestampedModel):
    """A Billing Center account. Operators are staff accounts of the same model."""

    username = models.CharField(_("username"), max_length=32, unique=True)
    email = models.CharField(_("email"), max_length=254)
    # NULL, not "", when absent: the unique constraint must allow many accounts without a phone.
    phone = models.CharField(_("phone"), max_length=16, null=True, blank=True)  # noqa: DJ001
    enterprise_name = models.CharField(_("enterprise name"), max_length=100)
    industry = models.CharField(_("industry"), max_length=32, blank=True)
    region = models.CharField(_("region"), max_length=32, blank=True)
    # IANA name the console shows times in; empty: the zone of the region (core.formatting.zone_for).
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    introduction = models.TextField(_("enterprise introduction"), max_length=500, blank=True)
    contact_name = models.CharField(_("contact name"), max_length=50, blank=True)
    language = models.CharField(_("language"), max_length=8, choices=Language.choices, default=Language.EN)

    # Operator-only flags.
    is_active = models.BooleanField(_("active"), default=True, help_text=_("Untick to disable the account."))
    is_staff = models.BooleanField(_("operator"), default=False)
    any_settlement_method = models.BooleanField(_("any settlement method allowed"), default=False)

    # Consecutive failed password logins; at LOGIN_ACCOUNT_UNLOCK_AFTER password login needs a code unlock.
    failed_login_streak = models.PositiveIntegerField(default=0)
    password_login_locked = models.BooleanField(default=False)

    objects = AccountManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["email"]

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        constraints = [
            models.UniqueConstraint(Lower("username"), name="account_username_ci_unique"),
            models.UniqueConstraint(Lower("email"), name="account_email_ci_unique"),
            models.UniqueConstraint(fields=["phone"], name="account_phone_unique"),
            models.CheckConstraint(condition=~models.Q(email=""), name="account_email_required"),
            models.CheckConstraint(condition=~models.Q(enterprise_name=""), name="account_enterprise_required"),
        ]

    def __str__(self) -> str:
        return self.username

    def set_password(self, raw_password: str | None) -> None:
        super().set_password(None if raw_password is None else normalize_password(raw_password))

    def check_password(self, raw_password: str | None) -> bool:
        return super().check_password(None if raw_password is None else normalize_password(raw_password))

    @property
    def date_joined(self) -> Any:
        return self.created_at
