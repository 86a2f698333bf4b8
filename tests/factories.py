from __future__ import annotations

import factory

from billing_center.accounts.models import Account

DEFAULT_PASSWORD = "correct horse battery staple 42"


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"holder{n:04d}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    phone = None
    enterprise_name = factory.Sequence(lambda n: f"Acme Observability {n}")
    language = "en"

    @factory.post_generation
    def password(obj: Account, create: bool, extracted: str | None, **kwargs: object) -> None:
        if extracted == "":
            obj.set_unusable_password()
        else:
            obj.set_password(extracted or DEFAULT_PASSWORD)
        if create:
            obj.save(update_fields=["password"])


# --- contracts (engineer "contracts") ----------------------------------------------------------------
def _days_from_today(days: int):  # type: ignore[no-untyped-def]
    def value() -> object:
        import datetime

        from django.utils import timezone

        return timezone.localdate() + datetime.timedelta(days=days)

    return value


def _decimal(text: str) -> object:
    import decimal

    return decimal.Decimal(text)


class ContractFactory(factory.django.DjangoModelFactory):
    """An issued contract that is active today (signed 30 days ago, runs a year)."""

    class Meta:
        model = "contracts.Contract"

    account = factory.SubFactory(AccountFactory)
    number = factory.Sequence(lambda n: f"BC-{n:06d}")
    title = factory.Sequence(lambda n: f"Observability Platform Order {n}")
    type = "order"
    currency = "CNY"
    amount = factory.LazyFunction(lambda: _decimal("12800.00"))
    signed_on = factory.LazyFunction(_days_from_today(-30))
    starts_on = factory.LazyAttribute(lambda o: o.signed_on)
    ends_on = factory.LazyFunction(_days_from_today(334))
    staff_status = "issued"
    terminated_on = None
