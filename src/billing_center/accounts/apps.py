from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "billing_center.accounts"
    label = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Connects the user_logged_in receiver that stamps every new session (login time, last seen).
        from billing_center.accounts import (
            sessions,  # noqa: F401
            signals,  # noqa: F401  (language kept at login)
        )
