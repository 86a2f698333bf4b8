import pytest
from django.test import Client


@pytest.mark.django_db
def test_unknown_page_is_a_localized_404_page():
    # given a visitor whose browser prefers Chinese / when an unknown address is opened
    response = Client(HTTP_ACCEPT_LANGUAGE="zh-CN").get("/no-such-page")
    # then the site's own 404 page answers, in Chinese
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_server_error_page_renders_without_a_request_context():
    # given the 500 template / when rendered the way Django's handler does (no context processors)
    from django.template import loader
    from django.utils import translation

    with translation.override("en"):
        html = loader.get_template("500.html").render()
    # then it renders on its own
    assert "Something went wrong" in html
