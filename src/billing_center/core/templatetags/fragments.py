"""``{% memo key … %}…{% endmemo %}``: a fragment rendered once per process and key, then reused.

For the parts of the console shell that every page renders the same way for the same path and
language (the product navigation, the settings side navigation): the fragment is rendered by the
template engine as before — so its bytes are the template's — and kept in this process. The key is
the given values plus what every fragment may depend on without saying so: the active language, the
URL configuration and the script prefix. A fragment must depend on nothing else (no user data, no
CSRF token, no query string). Nothing is kept while DEBUG is on (templates may change on disk).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.base import FilterExpression, NodeList, Parser, Token
from django.urls import get_script_prefix, get_urlconf
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()

MAX_FRAGMENTS = 2048
_FRAGMENTS: dict[tuple[Any, ...], SafeString] = {}


@receiver(setting_changed)
def _fragments_forget(**kwargs: Any) -> None:
    _FRAGMENTS.clear()


def _hashable(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return tuple(_hashable(item) for item in value)
    return value


class MemoNode(template.Node):
    def __init__(self, nodelist: NodeList, keys: list[FilterExpression]) -> None:
        self.nodelist = nodelist
        self.keys = keys

    def render(self, context: template.Context) -> str:
        if settings.DEBUG:
            return str(self.nodelist.render(context))
        origin = getattr(self, "origin", None)
        token = getattr(self, "token", None)
        key = (
            getattr(origin, "name", None),
            # Outside DEBUG the lexer records no position: the line and the tag's text name the node.
            getattr(token, "lineno", None),
            getattr(token, "contents", None),
            get_language(),
            get_urlconf(),
            get_script_prefix(),
            *(_hashable(expression.resolve(context)) for expression in self.keys),
        )
        fragment = _FRAGMENTS.get(key)
        if fragment is None:
            fragment = mark_safe(self.nodelist.render(context))  # noqa: S308 - the engine's own output
            if len(_FRAGMENTS) >= MAX_FRAGMENTS:
                _FRAGMENTS.clear()
            _FRAGMENTS[key] = fragment
        return fragment


@register.tag
def memo(parser: Parser, token: Token) -> MemoNode:
    """``{% memo request.path %}<nav>…</nav>{% endmemo %}``."""
    bits = token.split_contents()[1:]
    nodelist = parser.parse(("endmemo",))
    parser.delete_first_token()
    return MemoNode(nodelist, [parser.compile_filter(bit) for bit in bits])
