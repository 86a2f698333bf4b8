"""The Python widget renderer writes exactly what Django's widget templates write."""

from __future__ import annotations

import inspect
import re

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy, override

from billing_center.accounts.forms import auth as forms_auth
from billing_center.accounts.forms import settings as forms_settings
from billing_center.contracts import forms as contract_forms
from billing_center.core.form_renderer import PythonWidgetRenderer
from tests.factories import AccountFactory

TEMPLATES = DjangoTemplates()
PYTHON = PythonWidgetRenderer()
GROUPED = [
    ("Asia", [("cn", "China <CN>"), ("hk", gettext_lazy("English"))]),
    ("", [("x", "Other & more")]),
    ("eu", "Europe"),
]


class EveryWidget(forms.Form):
    text = forms.CharField(max_length=10, widget=forms.TextInput(attrs={"placeholder": 'Say "hi" & <go>', "data-x": 3}))
    email = forms.EmailField(required=False, widget=forms.EmailInput(attrs={"autocomplete": "email", "readonly": True}))
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True, attrs={"disabled": False}))
    number = forms.IntegerField(min_value=1, max_value=9)
    ratio = forms.FloatField(required=False)
    when = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    hidden = forms.CharField(required=False, widget=forms.HiddenInput)
    agree = forms.BooleanField(required=False)
    about = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3, "class": mark_safe("a&b")}))
    choice = forms.ChoiceField(choices=GROUPED, required=False)
    many = forms.MultipleChoiceField(choices=[(1, "one"), (2, "two"), ("3", mark_safe("<b>three</b>"))])
    url = forms.URLField(required=False, assume_scheme="https")
    tel = forms.CharField(required=False, widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}))
    radio = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect, required=False)


def _widgets(form: forms.BaseForm, renderer: DjangoTemplates) -> list[str]:
    form.renderer = renderer
    return [str(form[name]) for name in form.fields]


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"text": "<script>", "email": "a@b.c", "secret": 'p"w', "number": "5", "ratio": "1.5", "when": "2026-01-02",
         "hidden": "h&", "agree": "on", "about": "line\n<two>", "choice": "hk", "many": ["1", "3"],
         "url": "https://x.test/?a=1&b=2", "tel": "+86 138", "radio": "b"},
        {"number": "not a number", "many": ["9"], "choice": "nope"},
    ],
    ids=["unbound", "bound", "invalid"],
)
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_common_widget_renders_the_same_bytes(data, language):
    # given a form with every common widget, varied attributes and values (escaping, lazy and safe text)
    with override(language):
        # when it is rendered by Django's templates and by the Python renderer
        expected = _widgets(EveryWidget(data=data), TEMPLATES)
        rendered = _widgets(EveryWidget(data=data), PYTHON)
    # then the output is identical
    assert rendered == expected


def _console_forms() -> list[type[forms.Form]]:
    found = []
    for module in (forms_auth, forms_settings, contract_forms):
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.Form) and cls.__module__ == module.__name__:
                found.append(cls)
    return found


@pytest.mark.django_db
def test_every_console_form_renders_the_same_bytes():
    # given every plain form of the console that builds without arguments
    compared = 0
    for cls in _console_forms():
        # when rendered both ways / then the widgets are identical
        assert _widgets(cls(), PYTHON) == _widgets(cls(), TEMPLATES), cls
        compared += 1
    assert compared >= 10


@pytest.mark.django_db
def test_the_console_profile_page_is_byte_identical_with_either_renderer(client, settings):
    # given a logged-in holder with a profile that uses the selects
    account = AccountFactory(industry="finance", region="cn-east", introduction="We <bill> & ship")
    client.force_login(account, backend="billing_center.accounts.backends.IdentifierBackend")
    pages = []
    for renderer in ("django.forms.renderers.DjangoTemplates", "billing_center.core.form_renderer.PythonWidgetRenderer"):
        settings.FORM_RENDERER = renderer
        get_default_renderer.cache_clear()
        # when the profile page is rendered
        response = client.get("/settings/profile")
        assert response.status_code == 200
        pages.append(re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", response.content))
    get_default_renderer.cache_clear()
    # then both renderings are the same (apart from the per-request CSRF token)
    assert b"<select" in pages[0]
    assert pages[0].count(b"<option") > 10
    assert pages[0] == pages[1]
