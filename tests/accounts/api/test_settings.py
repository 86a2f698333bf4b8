"""Account Settings API: /api/v1/account/... (profile, email/phone change, password, sessions, security log)."""

from __future__ import annotations

import json
import time

import pytest
from django.test import Client

from billing_center.accounts.models import Account
from billing_center.accounts.selectors.settings import session_public_id
from billing_center.audit.models import AuditEvent
from billing_center.audit.services import audit_record
from billing_center.core.masking import mask_phone
from tests.accounts.settings_support import (
    live_session_keys,
    logged_in_client,
    session_key_of,
    use_outbox_email,
)
from tests.factories import DEFAULT_PASSWORD, AccountFactory
from tests.outbox import latest_code, outbox_messages

pytestmark = pytest.mark.django_db(transaction=True)

BASE = "/api/v1/account"
NEW_EMAIL = "api.new@example.org"
NEW_PHONE = "+8613912345678"


@pytest.fixture(autouse=True)
def _outbox(settings):
    use_outbox_email(settings)


def post(client: Client, path: str, body: dict | None = None):
    return client.post(BASE + path, data=json.dumps(body or {}), content_type="application/json")


def holder_client(account: Account) -> Client:
    return logged_in_client(account, enforce_csrf=True)


def make_reauth_stale(client: Client) -> None:
    session = client.session
    session["_bc_reauth_at"] = time.time() - 3600
    session.save()


def api_login(identifier: str, password: str = DEFAULT_PASSWORD) -> int:
    client = Client(enforce_csrf_checks=True)
    client.get("/api/v1/auth/csrf")
    client.defaults["HTTP_X_CSRFTOKEN"] = client.cookies["csrftoken"].value
    body = json.dumps({"identifier": identifier, "password": password})
    return client.post("/api/v1/auth/login", data=body, content_type="application/json").status_code


# --- OpenAPI --------------------------------------------------------------------------------------

ISSUE_PATHS = {
    "/api/v1/account/profile": {"get", "patch"},
    "/api/v1/account/email-change": {"get", "post", "delete"},
    "/api/v1/account/email-change/verify-current": {"post"},
    "/api/v1/account/email-change/new": {"post"},
    "/api/v1/account/email-change/confirm": {"post"},
    "/api/v1/account/email-change/resend": {"post"},
    "/api/v1/account/phone-change": {"get", "post", "delete"},
    "/api/v1/account/phone-change/verify-current": {"post"},
    "/api/v1/account/phone-change/new": {"post"},
    "/api/v1/account/phone-change/confirm": {"post"},
    "/api/v1/account/phone-change/resend": {"post"},
    "/api/v1/account/password": {"post"},
    "/api/v1/account/sessions": {"get", "delete"},
    "/api/v1/account/sessions/{session_id}": {"delete"},
    "/api/v1/account/security-events": {"get"},
}
WITH_BODY = {
    ("/api/v1/account/profile", "patch"),
    ("/api/v1/account/email-change", "post"),
    ("/api/v1/account/email-change/verify-current", "post"),
    ("/api/v1/account/email-change/new", "post"),
    ("/api/v1/account/email-change/confirm", "post"),
    ("/api/v1/account/phone-change", "post"),
    ("/api/v1/account/phone-change/verify-current", "post"),
    ("/api/v1/account/phone-change/new", "post"),
    ("/api/v1/account/phone-change/confirm", "post"),
    ("/api/v1/account/password", "post"),
}


def test_every_issue_path_is_in_the_openapi_document_with_schemas(client):
    # given the OpenAPI document
    document = client.get("/api/v1/openapi.json").json()
    # then every path and method of the issue is there, with a request schema where a body is sent
    for path, methods in ISSUE_PATHS.items():
        assert methods <= set(document["paths"][path]), path
        for method in methods:
            operation = document["paths"][path][method]
            success = next(code for code in operation["responses"] if code.startswith("2"))
            if success != "204":
                assert operation["responses"][success]["content"]["application/json"]["schema"], (
                    path,
                    method,
                )
            if (path, method) in WITH_BODY:
                assert operation["requestBody"]["content"]["application/json"]["schema"], (path, method)
    status_schema = document["components"]["schemas"]["ChangeStatusOut"]["properties"]
    assert {"state", "next_step", "expires_at", "resend_available_at", "attempts_left"} <= set(status_schema)


# --- Auth and CSRF --------------------------------------------------------------------------------


def test_anonymous_callers_get_401(client):
    # when nobody is logged in, then every settings endpoint answers 401 problem details
    response = client.get(BASE + "/profile")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_unsafe_methods_need_the_csrf_token():
    # given a logged-in browser that does not send the CSRF header
    account = AccountFactory()
    client = logged_in_client(account, enforce_csrf=True)
    del client.defaults["HTTP_X_CSRFTOKEN"]
    # when it posts a change
    response = client.patch(
        BASE + "/profile", data=json.dumps({"contact_name": "Eve"}), content_type="application/json"
    )
    # then it is refused and nothing changed
    assert response.status_code == 403
    assert Account.objects.get(pk=account.pk).contact_name == ""


# --- Profile --------------------------------------------------------------------------------------


def test_profile_read_masks_the_login_addresses():
    # given a holder with a phone
    account = AccountFactory(phone="+8613800138000", industry="retail")
    # when they read their profile
    body = holder_client(account).get(BASE + "/profile").json()
    # then email and phone are masked and the other fields are plain
    assert body["email_masked"] != account.email and body["email_masked"].endswith("@example.com")
    assert body["phone_masked"] == mask_phone("+8613800138000") and "13800138000" not in body["phone_masked"]
    assert body["industry"] == "retail" and body["has_password"] is True


@pytest.mark.parametrize(
    "fields",
    [
        {"phone": "+8613800138000", "time_zone": "Asia/Shanghai", "enterprise_name": "Acme 有限公司 <b>"},
        {"phone": None, "introduction": 'Line one\nline "two"', "contact_name": "Zoë"},
    ],
)
def test_the_profile_answer_is_the_schemas_validated_dump_byte_for_byte(fields):
    # given a holder (with or without a phone, non-ASCII and markup-like text)
    from ninja.renderers import JSONRenderer

    from billing_center.accounts.api.profile import ProfileOut
    from billing_center.accounts.api.schemas import holder_fields

    account = AccountFactory(**fields)
    # when the profile is read (written without ninja's output validation)
    response = holder_client(account).get(BASE + "/profile")
    # then it is exactly what validating the account against ProfileOut would have written
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    account.refresh_from_db()
    validated = ProfileOut.model_validate({**holder_fields(account), "time_zone": account.time_zone}).model_dump()
    assert response.content == json.dumps(validated, cls=JSONRenderer().encoder_class).encode()


def test_the_me_answer_is_the_schemas_validated_dump_byte_for_byte():
    # given a holder with a phone and non-ASCII text
    from ninja.renderers import JSONRenderer

    from billing_center.accounts.api.schemas import MeOut

    account = AccountFactory(phone="+8613800138000", enterprise_name="Acme 有限公司 <b>")
    # when /me is read (written without ninja's output validation)
    response = holder_client(account).get("/api/v1/account/me")
    # then it is exactly what validating the account against MeOut would have written
    assert response.status_code == 200
    account.refresh_from_db()
    validated = MeOut.of(account).model_dump()
    assert response.content == json.dumps(validated, cls=JSONRenderer().encoder_class).encode()


def test_profile_patch_changes_only_given_fields_and_reports_invalid_ones():
    # given a holder
    account = AccountFactory(enterprise_name="Acme Ltd")
    client = holder_client(account)
    # when they patch one field
    ok = client.patch(
        BASE + "/profile", data=json.dumps({"contact_name": "Li Lei"}), content_type="application/json"
    )
    # then only it changed
    assert ok.status_code == 200 and ok.json()["contact_name"] == "Li Lei"
    assert ok.json()["enterprise_name"] == "Acme Ltd"
    # when they send an invalid industry
    bad = client.patch(
        BASE + "/profile", data=json.dumps({"industry": "piracy"}), content_type="application/json"
    )
    # then it is a 422 problem naming the field
    assert bad.status_code == 422
    assert bad.json()["code"] == "invalid_choice" and bad.json()["errors"][0]["field"] == "industry"


# --- Email change ---------------------------------------------------------------------------------


def test_email_change_through_the_api_then_the_new_email_logs_in():
    # given a logged-in holder with a fresh login
    account = AccountFactory()
    old_email = account.email
    client = holder_client(account)
    # when they walk the four steps
    started = post(client, "/email-change", {"end_other_sessions": True})
    assert started.status_code == 200, started.content
    assert started.json()["next_step"] == "verify_current" and started.json()["step"] == 1
    verified = post(client, "/email-change/verify-current", {"code": latest_code(old_email)})
    assert verified.json()["next_step"] == "enter_new"
    sent = post(client, "/email-change/new", {"email": NEW_EMAIL})
    assert sent.json()["next_step"] == "verify_new" and sent.json()["attempts_left"] == 5
    done = post(client, "/email-change/confirm", {"code": latest_code(NEW_EMAIL)})
    # then the change is committed; the new email logs in and the old one does not
    assert done.status_code == 200 and done.json()["state"] == "committed"
    assert api_login(NEW_EMAIL) == 200
    assert api_login(old_email) != 200
    # and the session that made the change is still logged in
    assert client.get(BASE + "/profile").status_code == 200


def test_start_with_a_stale_reauthentication_is_a_403_problem_and_reauth_resumes():
    # given a holder whose last authentication is older than 10 minutes
    account = AccountFactory()
    client = holder_client(account)
    make_reauth_stale(client)
    # when they start an email change
    refused = post(client, "/email-change")
    # then it is a 403 problem with a stable code and no code was sent
    assert refused.status_code == 403
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["code"] == "reauthentication_required"
    assert outbox_messages(account.email) == []
    # when they re-authenticate and try again
    assert (
        client.post(
            "/api/v1/auth/reauthenticate",
            data=json.dumps({"password": DEFAULT_PASSWORD}),
            content_type="application/json",
        ).status_code
        == 200
    )
    # then the flow starts
    assert post(client, "/email-change").json()["next_step"] == "verify_current"


def test_steps_out_of_order_are_409_problems():
    # given a started change
    account = AccountFactory()
    client = holder_client(account)
    post(client, "/email-change")
    # when the holder skips to the new address
    response = post(client, "/email-change/new", {"email": NEW_EMAIL})
    # then it is refused with a stable code
    assert response.status_code == 409
    assert response.json()["code"] == "wrong_step"
    assert client.get(BASE + "/email-change").json()["next_step"] == "verify_current"


def test_a_taken_address_gets_the_same_answer_as_a_free_one():
    # given two holders at the "new address" step, and an account owning one wanted address
    AccountFactory(email="owner@example.org")
    answers = {}
    for wanted in ("owner@example.org", "nobody@example.org"):
        account = AccountFactory()
        client = holder_client(account)
        post(client, "/email-change")
        post(client, "/email-change/verify-current", {"code": latest_code(account.email)})
        # when each enters their wanted address
        response = post(client, "/email-change/new", {"email": wanted})
        answers[wanted] = (response.status_code, response.json())
    # then the answers differ only in the masked target and times
    (taken_status, taken), (free_status, free) = answers["owner@example.org"], answers["nobody@example.org"]
    assert taken_status == free_status == 200
    varying = {"new_target_masked", "current_target_masked", "expires_at", "resend_available_at"}
    assert {k: v for k, v in taken.items() if k not in varying} == {
        k: v for k, v in free.items() if k not in varying
    }
    assert set(taken) == set(free)


def test_resend_too_soon_is_a_429_with_retry_after():
    # given a started change
    account = AccountFactory()
    client = holder_client(account)
    post(client, "/email-change")
    # when a new code is asked for at once
    response = post(client, "/email-change/resend")
    # then it is a 429 problem with Retry-After
    assert response.status_code == 429
    assert response.json()["code"] == "resend_too_soon"
    assert 0 < int(response["Retry-After"]) <= 60


def test_wrong_code_is_422_and_cancel_is_204():
    # given a started change
    account = AccountFactory()
    client = holder_client(account)
    post(client, "/email-change")
    good = latest_code(account.email)
    # when a wrong code is sent
    wrong = post(client, "/email-change/verify-current", {"code": "000000" if good != "000000" else "111111"})
    # then it is refused and a try is used up
    assert wrong.status_code == 422 and wrong.json()["code"] == "invalid_code"
    assert client.get(BASE + "/email-change").json()["attempts_left"] == 4
    # when the holder cancels
    cancelled = client.delete(BASE + "/email-change")
    # then nothing is pending any more
    assert cancelled.status_code == 204
    status = client.get(BASE + "/email-change").json()
    assert (status["state"], status["next_step"]) == ("cancelled", "start")


def test_phone_change_through_the_api_with_add_phone_path():
    # given a holder without a phone
    account = AccountFactory()
    client = holder_client(account)
    # when they add a phone: code to the login email first, then to the phone
    started = post(client, "/phone-change", {})
    assert started.json()["path"] == "add_phone"
    post(client, "/phone-change/verify-current", {"code": latest_code(account.email)})
    post(client, "/phone-change/new", {"phone": NEW_PHONE})
    done = post(client, "/phone-change/confirm", {"code": latest_code(NEW_PHONE)})
    # then the phone is bound and logs in
    assert done.json()["state"] == "committed"
    assert Account.objects.get(pk=account.pk).phone == NEW_PHONE
    assert api_login(NEW_PHONE) == 200


# --- Password -------------------------------------------------------------------------------------


def test_password_change_rotates_this_session_and_ends_the_others():
    # given a holder logged in on two devices
    account = AccountFactory()
    client, other = holder_client(account), holder_client(account)
    before = session_key_of(client)
    # when a wrong current password is sent
    wrong = post(
        client, "/password", {"current_password": "not it at all", "new_password": "a brand new passphrase"}
    )
    # then it is refused on that field
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "current_password"
    # when the right one is sent
    response = post(
        client, "/password", {"current_password": DEFAULT_PASSWORD, "new_password": "a brand new passphrase"}
    )
    # then this session continues under a new id, and the other one is gone
    assert response.status_code == 200 and response.json() == {"result": "changed"}
    assert session_key_of(client) != before
    assert client.get(BASE + "/profile").status_code == 200
    assert other.get(BASE + "/profile").status_code == 401
    assert live_session_keys(account) == {session_key_of(client)}


def test_passwordless_account_sets_a_password_after_reauthentication():
    # given a password-less holder whose login is not fresh
    account = AccountFactory(password="")
    client = holder_client(account)
    make_reauth_stale(client)
    # when they set a password
    refused = post(client, "/password", {"new_password": "a brand new passphrase"})
    # then re-authentication (by code) is required first
    assert refused.status_code == 403 and refused.json()["code"] == "reauthentication_required"
    assert client.post("/api/v1/auth/reauthenticate/codes").status_code == 202
    reauth = client.post(
        "/api/v1/auth/reauthenticate",
        data=json.dumps({"code": latest_code(account.email)}),
        content_type="application/json",
    )
    assert reauth.status_code == 200
    done = post(client, "/password", {"new_password": "a brand new passphrase"})
    assert done.json() == {"result": "set"}
    assert api_login(account.username, "a brand new passphrase") == 200


# --- Sessions -------------------------------------------------------------------------------------


def test_sessions_list_marks_the_current_one_and_never_shows_session_keys():
    # given a holder on two devices
    account = AccountFactory()
    client = holder_client(account)
    other = logged_in_client(account, user_agent="Mozilla/5.0 (Windows NT 10.0) Chrome/120.0 Safari/537.36")
    # when they list sessions
    body = client.get(BASE + "/sessions").json()
    # then both appear, the current one marked, and no cookie value leaks
    assert len(body["items"]) == 2
    assert [item["is_current"] for item in body["items"]].count(True) == 1
    assert session_key_of(client) not in json.dumps(body) and session_key_of(other) not in json.dumps(body)
    assert {item["device"] for item in body["items"]} >= {"Chrome on Windows"}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_sessions_answer_is_the_schemas_validated_dump_byte_for_byte(language):
    # given a holder on three devices (a known browser, an unknown agent, none; one session without an IP)
    from django.utils import translation
    from ninja.renderers import JSONRenderer

    from billing_center.accounts.api.sessions import SessionListOut
    from billing_center.accounts.selectors.settings import sessions_for_account

    account = AccountFactory(language=language)
    client = holder_client(account)
    logged_in_client(account, user_agent="Mozilla/5.0 (Windows NT 10.0) Chrome/120.0 Safari/537.36")
    logged_in_client(account, user_agent='curl/8.0 (中文) "quoted"')
    Account.objects.get(pk=account.pk).sessions.filter(user_agent__startswith="curl").update(ip=None)
    # when the list is read (written without ninja's output validation) ...
    response = client.get(BASE + "/sessions")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    # ... it is exactly what validating the same rows against SessionListOut would write
    with translation.override(language):
        rows = sessions_for_account(account=account, current_session_key=session_key_of(client))
    validated = SessionListOut.model_validate({"items": rows}).model_dump()
    assert response.content == json.dumps(validated, cls=JSONRenderer().encoder_class).encode()
    items = response.json()["items"]
    assert len(items) == 3 and [item["is_current"] for item in items].count(True) == 1
    assert ("Windows 上的 Chrome" in {item["device"] for item in items}) == (language == "zh-hans")


def test_ending_one_session_and_all_others():
    # given a holder on three devices
    account = AccountFactory()
    client, second, third = holder_client(account), logged_in_client(account), logged_in_client(account)
    # when they end the second device's session
    response = client.delete(f"{BASE}/sessions/{session_public_id(session_key_of(second))}")
    # then it is logged out
    assert response.status_code == 204
    assert second.get(BASE + "/profile").status_code == 401
    # when they try to end their own session this way
    own = client.delete(f"{BASE}/sessions/{session_public_id(session_key_of(client))}")
    assert own.status_code == 409
    # when they end all others
    ended = client.delete(BASE + "/sessions")
    # then the third is logged out and this one remains
    assert ended.json() == {"ended": 1}
    assert third.get(BASE + "/profile").status_code == 401
    assert client.get(BASE + "/profile").status_code == 200


def test_another_accounts_session_is_404_and_stays_alive():
    # given two holders
    alice, bob = AccountFactory(), AccountFactory()
    alice_client, bob_client = holder_client(alice), holder_client(bob)
    bob_session_id = session_public_id(session_key_of(bob_client))
    # when Alice tries to end Bob's session, or an id that does not exist
    response = alice_client.delete(f"{BASE}/sessions/{bob_session_id}")
    unknown = alice_client.delete(f"{BASE}/sessions/{'0' * 32}")
    # then both are the same 404 and Bob is still logged in
    assert response.status_code == unknown.status_code == 404
    assert response.json()["code"] == unknown.json()["code"]
    assert bob_client.get(BASE + "/profile").status_code == 200
    assert bob_session_id not in json.dumps(alice_client.get(BASE + "/sessions").json())


# --- Security log ---------------------------------------------------------------------------------


def test_security_events_are_newest_first_paginated_and_only_ones_own(django_assert_max_num_queries):
    # given events of two accounts
    alice, bob = AccountFactory(), AccountFactory()
    for number in range(5):
        audit_record(event="login.succeeded", account=alice, detail={"n": number})
    bob_event = audit_record(event="login.succeeded", account=bob)
    client = holder_client(alice)
    # when Alice reads her log two at a time
    seen: list[int] = []
    cursor = ""
    while True:
        with django_assert_max_num_queries(8):
            page = client.get(
                BASE + "/security-events", {"limit": 2, **({"cursor": cursor} if cursor else {})}
            ).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    # then she sees all her events once, newest first, and none of Bob's
    own_ids = list(
        AuditEvent.objects.filter(account=alice).order_by("-created_at", "-id").values_list("id", flat=True)
    )
    assert seen == own_ids
    assert bob_event.pk not in seen
    # and Bob's event by id is a 404 for her, her own is readable
    assert client.get(f"{BASE}/security-events/{bob_event.pk}").status_code == 404
    assert client.get(f"{BASE}/security-events/{own_ids[0]}").json()["label"] == "Logged in"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_security_log_answer_is_the_schemas_validated_dump_byte_for_byte(language):
    # given events of every shape: no IP, a non-ASCII user agent, nested old/new values, a detail, in
    # the holder's language
    from django.utils import translation
    from ninja.renderers import JSONRenderer

    from billing_center.accounts.api.security_log import SecurityEventPageOut
    from billing_center.accounts.selectors.settings import event_label

    account = AccountFactory(language=language)
    audit_record(event="login.succeeded", account=account, detail={"method": "password", "n": 1})
    audit_record(
        event="profile.updated", account=account, old={"enterprise_name": "Zoë <b>"}, new={"enterprise_name": "Acme 有限公司"}
    )
    audit_record(event="account.language_changed", account=account, old={"language": "en"}, new={"language": "zh-hans"})
    AuditEvent.objects.filter(account=account).update(ip=None, user_agent="Mozilla/5.0 (中文) \"quoted\"")
    audit_record(event="session.ended", account=account, detail={"sessions": [1, 2], "flag": True, "none": None})
    client = holder_client(account)
    second_page = {"limit": 2, "cursor": client.get(BASE + "/security-events", {"limit": 2}).json()["next_cursor"]}
    for params in ({}, {"limit": 2}, second_page):
        # when the log is read (written without ninja's output validation: the first page as tuples, a
        # page after a cursor from instances) ...
        response = client.get(BASE + "/security-events", params)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json; charset=utf-8"
        # ... it is exactly what validating the same rows against SecurityEventPageOut would write
        body = response.json()
        rows = AuditEvent.objects.in_bulk([item["id"] for item in body["items"]])
        with translation.override(language):
            labels = {row.event: event_label(row.event) for row in rows.values()}
        validated = SecurityEventPageOut.model_validate(
            {
                "items": [
                    {
                        "id": row.pk,
                        "event": row.event,
                        "label": labels[row.event],
                        "created_at": row.created_at,
                        "ip": row.ip,
                        "user_agent": row.user_agent,
                        "old": row.old,
                        "new": row.new,
                        "detail": row.detail,
                    }
                    for row in (rows[item["id"]] for item in body["items"])
                ],
                "next_cursor": body["next_cursor"],
            }
        ).model_dump()
        assert response.content == json.dumps(validated, cls=JSONRenderer().encoder_class).encode()
        assert body["items"][0]["label"]
    # (the labels are the holder's language's)
    assert ("登录" in [item["label"] for item in response.json()["items"]]) == (language == "zh-hans")


def test_a_tampered_cursor_is_a_422(client):
    # given a holder
    account = AccountFactory()
    # when the cursor is forged
    response = holder_client(account).get(BASE + "/security-events", {"cursor": "forged"})
    # then it is a validation problem, not a 5xx
    assert response.status_code == 422 and response.json()["code"] == "invalid_cursor"


@pytest.mark.django_db
def test_ending_a_session_with_a_non_ascii_id_is_a_plain_404(client):
    # given a logged-in holder
    from tests.factories import AccountFactory

    client.force_login(AccountFactory())
    # when the session id in the path is not ASCII (found by schemathesis)
    response = client.delete("/api/v1/account/sessions/%C3%A9t%C3%A9")
    # then it is an ordinary 404 problem, not a server error
    assert response.status_code == 404
