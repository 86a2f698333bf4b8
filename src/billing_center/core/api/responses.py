"""A JSON answer without django-ninja's output validation, for hot read endpoints.

Ninja validates a view's result against the response schema (wrapping every attribute read of every
row in its getter), dumps it and renders the dump with its JSON renderer. A view whose result is
already the schema's dump (the same keys in the schema's order, plain values) can return
``json_answer(data)``: the same renderer writes the same bytes, and the declared ``response=`` schema
still documents it (a test per endpoint checks the answer equals the schema's validated dump).
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse
from ninja.renderers import JSONRenderer

_RENDERER = JSONRenderer()
_CONTENT_TYPE = f"{_RENDERER.media_type}; charset={_RENDERER.charset}"


def json_answer(data: Any, *, status: int = 200) -> HttpResponse:
    """``data`` rendered as ninja's ``JSONRenderer`` renders a validated answer."""
    content = json.dumps(data, cls=_RENDERER.encoder_class, **_RENDERER.json_dumps_params)
    return HttpResponse(content, status=status, content_type=_CONTENT_TYPE)
