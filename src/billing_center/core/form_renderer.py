"""The form renderer: Django's own widget templates for the common widgets, rendered in Python.

A console page's selects cost about 40 template includes (``select.html`` includes ``attrs.html`` and
one ``select_option.html`` per choice, each including ``attrs.html`` again), which was the largest part
of a page's rendering time (``bench/README.md``). The functions below produce the same bytes as those
templates (``tests/core/test_form_renderer.py`` compares them on every console form and on varied
attributes); every other widget template still goes through the template engine.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.template.base import render_value_in_context
from django.utils.safestring import SafeData, mark_safe

_WIDGETS = "django/forms/widgets/"
# What a template's {{ … }} does with a value: local time, localization, conditional escaping.
_AUTOESCAPE = SimpleNamespace(use_tz=None, use_l10n=None, autoescape=True)


def _out(value: Any) -> str:
    if type(value) is str:  # plain text (not SafeString, not lazy): what conditional_escape does to it
        return html.escape(value)
    return str(render_value_in_context(value, _AUTOESCAPE))  # type: ignore[arg-type]


def _stringformat_s(value: Any) -> Any:
    """``{{ value|stringformat:'s' }}``'s filter (safe in, safe out)."""
    text = "%s" % (str(value) if isinstance(value, tuple) else value)
    return mark_safe(text) if isinstance(value, SafeData) else text  # noqa: S308


def _attrs(widget: dict[str, Any]) -> str:
    parts = []
    for name, value in widget["attrs"].items():
        if value is not False:
            parts.append(f" {_out(name)}" if value is True else f' {_out(name)}="{_out(_stringformat_s(value))}"')
    return "".join(parts)


def _input(widget: dict[str, Any]) -> str:
    value = widget["value"]
    shown = f' value="{_out(_stringformat_s(value))}"' if value != None else ""  # noqa: E711
    return f'<input type="{_out(widget["type"])}" name="{_out(widget["name"])}"{shown}{_attrs(widget)}>'


def _select_option(widget: dict[str, Any]) -> str:
    return f'<option value="{_out(_stringformat_s(widget["value"]))}"{_attrs(widget)}>{_out(widget["label"])}</option>'


def _textarea(widget: dict[str, Any]) -> str:
    value = widget["value"]
    return f'<textarea name="{_out(widget["name"])}"{_attrs(widget)}>\n{_out(value) if value else ""}</textarea>'


# Django's templates that are nothing but ``{% include "django/forms/widgets/input.html" %}``.
_INPUT_TEMPLATES = (
    "input", "text", "email", "password", "number", "tel", "url", "hidden", "search", "color", "date",
    "datetime", "time", "checkbox",
)
_PYTHON: dict[str, Callable[[dict[str, Any]], str]] = {
    **{f"{_WIDGETS}{name}.html": _input for name in _INPUT_TEMPLATES},
    f"{_WIDGETS}select_option.html": _select_option,
    f"{_WIDGETS}textarea.html": _textarea,
}


class PythonWidgetRenderer(DjangoTemplates):
    """Django's default form renderer, with the common widget templates rendered in Python."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        render = _PYTHON.get(template_name)
        if render is not None:
            return render(context["widget"])
        if template_name == f"{_WIDGETS}select.html":
            return self._select(context, request)
        return str(super().render(template_name, context, request))

    def _include(self, template_name: str, context: dict[str, Any], request: Any) -> str:
        """What ``{% include %}`` of a widget template writes: its output unstripped (the template
        file's final newline included), unlike a top-level render."""
        if template_name == f"{_WIDGETS}select_option.html":
            return _select_option(context["widget"]) + "\n"
        return str(self.get_template(template_name).render(context, request=request))

    def _select(self, context: dict[str, Any], request: Any) -> str:
        widget = context["widget"]
        parts = [f'<select name="{_out(widget["name"])}"{_attrs(widget)}>']
        for group_name, group_choices, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{_out(group_name)}">')
            for option in group_choices:
                parts.append("\n  ")
                if option["template_name"] == f"{_WIDGETS}select_option.html":
                    parts.append(_select_option(option) + "\n")
                else:
                    parts.append(self._include(option["template_name"], {**context, "widget": option}, request))
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return "".join(parts)
