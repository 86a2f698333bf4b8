"""No input answers 5xx (issue 7, SPEC §11): the review's 500s replayed, then property tests that send
every API POST path form, urlencoded and plain-text bodies and random ``next`` / ``cursor`` /
``X-Forwarded-For`` values to API and console paths."""

from __future__ import annotations

import ipaddress

import pytest
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from billing_center.api import api
from tests.factories import DEFAULT_PASSWORD, AccountFactory

pytestmark = pytest.mark.django_db


def _post_paths() -> list[str]:
    schema = api.get_openapi_schema()
    paths = []
    for path, operations in schema["paths"].items():
        if "post" in operations:
            paths.append(path.replace("{", "").replace("}", ""))  # "{id}" → "id": a 404/422, never a 500
    return sorted(paths)


POST_PATHS = _post_paths()


@pytest.fixture
def browser() -> Client:
    """A logged-in holder's browser with a valid CSRF token, so requests reach the endpoint bodies."""
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(AccountFactory(username="fuzzed", email="fuzzed@example.com"))
    client.get("/api/v1/auth/csrf")
    client.defaults["HTTP_X_CSRFTOKEN"] = client.cookies["csrftoken"].value
    return client


# --- the findings as they were found -----------------------------------------------------------------


@pytest.mark.parametrize("path", POST_PATHS)
def test_a_multipart_body_with_a_valid_csrf_token_is_a_problem_not_a_500(browser, path):
    # when any API POST is sent as multipart/form-data with a valid CSRF token
    response = browser.post(path, {"identifier": "someone@example.com", "code": "123456"})
    # then it is no 5xx: a client error with problem details (415 where the endpoint takes a JSON body),
    # or a success for the endpoints that take no body at all
    assert response.status_code < 500, (path, response.status_code)
    if response.status_code >= 400:
        assert response["Content-Type"].startswith("application/problem+json")


def test_a_multipart_body_to_a_json_endpoint_answers_415(browser):
    response = browser.post("/api/v1/auth/login/codes", {"identifier": "someone@example.com"})
    assert (response.status_code, response.json()["code"]) == (415, "unsupported_media_type")


@pytest.mark.parametrize(
    "next_value", ["x", "accounts:profile", "//evil.example", "https://evil.example/", "\\\\x"]
)
def test_next_without_a_leading_slash_after_a_successful_login_goes_to_the_profile(next_value):
    # given a holder
    AccountFactory(username="walter", email="walter@example.com")
    client = Client(raise_request_exception=False)
    # when they log in with a `next` that is not a local path
    response = client.post(
        f"/login?next={next_value}", {"identifier": "walter", "password": DEFAULT_PASSWORD}
    )
    # then they land on their profile, and the same `next` on the other auth pages is no 500 either
    assert response.status_code == 302, response.status_code
    assert response["Location"] == "/settings/profile"
    for page in ("/signup", "/login/code", "/login"):
        assert client.get(f"{page}?next={next_value}").status_code < 500


def test_a_local_next_is_followed():
    AccountFactory(username="walter", email="walter@example.com")
    response = Client().post(
        "/login?next=/contracts/", {"identifier": "walter", "password": DEFAULT_PASSWORD}
    )
    assert response["Location"] == "/contracts/"


# --- property tests ----------------------------------------------------------------------------------

FUZZ = hypothesis_settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
text = st.text(max_size=300)
bodies = st.one_of(
    st.dictionaries(
        st.sampled_from(["identifier", "code", "password", "next", "channel", "target"]), text, max_size=4
    ),
    st.binary(max_size=200),
)
forwarded = st.one_of(
    text,
    st.lists(
        st.one_of(
            st.ip_addresses().map(str),
            st.tuples(st.ip_addresses(v=6).map(str), text).map(lambda pair: f"{pair[0]}%{pair[1]}"),
            text,
        ),
        max_size=4,
    ).map(", ".join),
)


@FUZZ
@given(
    path=st.sampled_from(POST_PATHS),
    kind=st.sampled_from(["multipart/form-data", "application/x-www-form-urlencoded", "text/plain"]),
    body=bodies,
    xff=forwarded,
)
def test_no_api_post_body_or_forwarded_header_gives_a_5xx(browser, settings, path, kind, body, xff):
    settings.TRUSTED_PROXIES = [ipaddress.ip_network("127.0.0.1/32")]
    if kind == "multipart/form-data":
        data = body if isinstance(body, dict) else {"file": body.decode("latin-1")}
        response = browser.post(path, data, HTTP_X_FORWARDED_FOR=xff)
    else:
        raw = body if isinstance(body, bytes) else "&".join(f"{k}={v}" for k, v in body.items()).encode()
        response = browser.generic("POST", path, raw, content_type=kind, HTTP_X_FORWARDED_FOR=xff)
    assert response.status_code < 500, (path, kind, body, xff, response.status_code)


LIST_PATHS = ["/api/v1/contracts", "/api/v1/account/security-events", "/contracts/", "/settings/security-log"]


@FUZZ
@given(
    path=st.sampled_from(
        [*LIST_PATHS, "/login", "/signup", "/login/code", "/password-reset", "/settings/profile"]
    ),
    cursor=text,
    next_value=text,
    xff=forwarded,
)
def test_no_cursor_next_or_forwarded_value_gives_a_5xx_on_a_page(
    browser, settings, path, cursor, next_value, xff
):
    settings.TRUSTED_PROXIES = [ipaddress.ip_network("127.0.0.1/32")]
    response = browser.get(path, {"cursor": cursor, "next": next_value}, HTTP_X_FORWARDED_FOR=xff)
    assert response.status_code < 500, (path, cursor, next_value, xff, response.status_code)


@FUZZ
@given(next_value=text, page=st.sampled_from(["/login", "/login/code", "/signup"]))
def test_no_next_value_after_a_successful_login_gives_a_5xx(settings, next_value, page):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    account = AccountFactory()
    client = Client(raise_request_exception=False)
    if page == "/login":
        response = client.post(
            "/login", {"identifier": account.username, "password": DEFAULT_PASSWORD, "next": next_value}
        )
        assert response.status_code == 302
    else:
        client.force_login(account)
        response = client.get(page, {"next": next_value})
    assert response.status_code < 500, (page, next_value, response.status_code)
    location = response.get("Location", "/")
    assert location.startswith("/") and not location.startswith("//")
