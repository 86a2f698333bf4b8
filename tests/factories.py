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
