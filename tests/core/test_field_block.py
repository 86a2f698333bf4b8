"""``_field.html`` (now the ``field_block`` tag) writes exactly what its template used to write."""

from __future__ import annotations

import pytest
from django import forms
from django.template import engines
from django.utils.safestring import mark_safe
from django.utils.translation import override

from tests.core.test_form_renderer import EveryWidget, _console_forms

# _field.html as it was, rendered by the template engine.
ORIGINAL = '{% load i18n %}{# One labelled control with its help text and errors (console forms everywhere). Parameter: field. #}\n<div class="field{% if field.errors %} has-error{% endif %}{% if field.widget_type == \'checkbox\' %} checkbox{% endif %}">\n  {% if field.widget_type == "checkbox" %}\n    {{ field }} <label for="{{ field.id_for_label }}">{{ field.label }}</label>\n  {% else %}\n    <label for="{{ field.id_for_label }}">{{ field.label }}{% if not field.field.required %} <span class="muted optional">({% translate "optional" %})</span>{% endif %}</label>\n    {{ field }}\n  {% endif %}\n  {% if field.help_text %}<p class="help muted" id="{{ field.auto_id }}_helptext">{{ field.help_text }}</p>{% endif %}\n  {% for error in field.errors %}<p class="error" role="alert" id="{{ field.auto_id }}_error{{ forloop.counter }}">{{ error }}</p>{% endfor %}\n</div>\n'


class WithHelpAndErrors(forms.Form):
    name = forms.CharField(label="Name <&>", help_text="Say \"who\" & <why>", max_length=3)
    safe_help = forms.CharField(required=False, help_text=mark_safe("<b>bold</b>"))
    agree = forms.BooleanField(label="I agree", help_text="Tick it")
    optional_box = forms.BooleanField(required=False)

    def clean(self):
        self.add_error("name", "Second <error> & more")
        return super().clean()


def _both(form: forms.BaseForm) -> tuple[list[str], list[str]]:
    engine = engines["django"]
    original = engine.from_string(ORIGINAL)
    include = engine.from_string('{% include "_field.html" with field=field %}')
    names = list(form.fields)
    return (
        [original.render({"field": form[name]}) for name in names],
        [include.render({"field": form[name]}) for name in names],
    )


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize(
    "form",
    [
        lambda: EveryWidget(),
        lambda: EveryWidget(data={"number": "x", "many": ["9"], "choice": "nope", "text": "<script>" * 3}),
        lambda: WithHelpAndErrors(),
        lambda: WithHelpAndErrors(data={"name": "too long <b>", "agree": ""}),
        lambda: WithHelpAndErrors(data={"name": "ok", "agree": "on", "optional_box": "on"}, auto_id="custom_%s"),
    ],
    ids=["unbound", "invalid", "help", "errors", "auto_id"],
)
def test_the_field_block_writes_the_templates_bytes(form, language):
    with override(language):
        built = form()
        built.is_valid() if built.is_bound else None
        expected, rendered = _both(built)
    assert rendered == expected
    assert any("error" in html for html in expected) or not built.is_bound


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_console_form_writes_the_same_fields(language):
    compared = 0
    with override(language):
        for cls in _console_forms():
            for form in (cls(), cls(data={})):
                form.is_valid()
                expected, rendered = _both(form)
                assert rendered == expected, cls
                compared += 1
    assert compared >= 20
