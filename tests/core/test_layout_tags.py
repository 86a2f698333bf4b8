"""``{% reblock %}``: a page states its heading once; ``base.html`` writes it into ``<title>`` too."""

from __future__ import annotations

from django.template import Context, Engine

_ENGINE = Engine(
    loaders=[
        (
            "django.template.loaders.locmem.Loader",
            {
                "layout.html": '{% load layout %}<title>{% block title %}{% reblock "heading" %}|{% endblock %}</title>'
                "<h1>{% block heading %}Base{% endblock %}</h1>",
                "page.html": '{% extends "layout.html" %}{% block heading %}Page {{ who }}{% endblock %}',
                "deeper.html": '{% extends "page.html" %}{% block heading %}{{ block.super }} & more{% endblock %}',
                "plain.html": '{% load layout %}[{% reblock "heading" %}]',
            },
        )
    ],
    libraries={"layout": "billing_center.core.templatetags.layout"},
)


def _render(name: str, **context: object) -> str:
    return _ENGINE.get_template(name).render(Context(context))


def test_the_most_specific_definition_is_rendered_again_with_the_page_context():
    assert _render("page.html", who="<b>") == "<title>Page &lt;b&gt;|</title><h1>Page &lt;b&gt;</h1>"


def test_block_super_works_as_in_the_block():
    assert _render("deeper.html", who="x") == "<title>Page x & more|</title><h1>Page x & more</h1>"


def test_the_layout_own_definition_when_the_page_has_none():
    assert _render("layout.html") == "<title>Base|</title><h1>Base</h1>"


def test_nothing_without_such_a_block():
    assert _render("plain.html") == "[]"
