"""The question the shell asks after a console language switch: should emails and SMS follow?"""

from __future__ import annotations

from django.http import HttpRequest

from billing_center.accounts.models import Language
from billing_center.accounts.services.profile import NOTIFICATION_PROMPT_SESSION_KEY


def notification_language_prompt(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    chosen = request.session.get(NOTIFICATION_PROMPT_SESSION_KEY)
    if chosen not in Language.values or chosen == user.language:
        return {}
    return {
        "NOTIFICATION_PROMPT": {
            "language": chosen,
            "language_name": Language(chosen).label,
            "current_name": Language(user.language).label if user.language in Language.values else user.language,
        }
    }
