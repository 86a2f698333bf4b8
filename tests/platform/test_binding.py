"""The console's "upgrade" binding: code by username + bound email, then bind with it (SPEC §2, §4, §12)."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest
from django.utils import timezone

from billing_center.audit.models import AuditEvent
from billing_center.verification.models import OneTimeCode
from billing_center.workspaces.models import Workspace, WorkspaceHistory
from tests.outbox import latest_code, outbox_messages
from tests.platform.conftest import ConsoleClient
from tests.workspaces.factories import WorkspaceFactory

pytestmark = pytest.mark.django_db

ALICE = {"username": "alice", "email": "alice@example.com"}


@pytest.fixture
def workspace(console):
    assert console.register("ws-1", name="Production", site="cn1").status_code == 201
    return Workspace.objects.get(pk="ws-1")


def _request_code(console, body=ALICE, workspace_id="ws-1"):
    return console.post(f"/{workspace_id}/binding-code", body)


def _bind(console, code, body=ALICE, workspace_id="ws-1"):
    return console.post(f"/{workspace_id}/binding", {**body, "code": code})


def _problem(response) -> dict:
    """The problem body without the per-request parts."""
    return {key: value for key, value in response.json().items() if key != "instance"}


def test_the_right_code_binds_the_workspace_to_the_account(console, holder, workspace):
    # when the console asks for a code by username + bound email
    response = _request_code(console)
    # then 202 {sent: true}, and the code went to the bound email (only there)
    assert response.status_code == 202
    assert response.json() == {"sent": True}
    assert [message["to"] for message in outbox_messages()] == ["alice@example.com"]
    code = latest_code("alice@example.com")
    assert code not in response.content.decode()
    # when the console binds with that code
    bound = _bind(console, code)
    # then the workspace view names the account
    assert bound.status_code == 200, bound.content
    assert bound.json()["account"] == {"username": "alice"}
    workspace.refresh_from_db()
    assert workspace.account == holder
    assert workspace.bound_at is not None
    # and the history and the audit log say who did it (the console)
    entry = WorkspaceHistory.objects.get(workspace=workspace, change="bound")
    assert (entry.actor, entry.old, entry.new) == ("console", {"account": None}, {"account": "alice"})
    event = AuditEvent.objects.get(event="workspace.bound")
    assert (event.account, event.actor_label) == (holder, "console")


def test_username_and_email_match_without_regard_to_case(console, holder, workspace):
    _request_code(console, {"username": "ALICE", "email": "Alice@Example.COM"})
    code = latest_code("alice@example.com")
    assert _bind(console, code, {"username": "Alice", "email": "ALICE@example.com"}).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"username": "nobody", "email": "alice@example.com"},  # unknown username
        {"username": "alice", "email": "bob@example.com"},  # another account's email
        {"username": "alice", "email": "someone@example.com"},  # an email nobody has
        {"username": "alice", "email": "not an email"},
        {"username": "", "email": ""},
    ],
)
def test_a_mismatch_answers_exactly_like_a_match_and_sends_nothing(console, holder, other_holder, workspace, body):
    # given the answer to a matching request (in its own workspace, so both start from scratch)
    console.register("ws-2")
    matched = _request_code(console, ALICE, workspace_id="ws-2")
    sent_for_match = len(outbox_messages())
    # when the console asks with a pair that does not match
    mismatched = _request_code(console, body)
    # then status and body are identical, and the outbox stays silent
    assert (mismatched.status_code, mismatched.content) == (matched.status_code, matched.content)
    assert sent_for_match == 1
    assert len(outbox_messages()) == sent_for_match
    assert not OneTimeCode.objects.filter(flow="ws-1").exists()


@pytest.mark.parametrize(
    "body",
    [
        {"username": "nobody", "email": "alice@example.com"},
        {"username": "alice", "email": "bob@example.com"},
        {"username": "bob", "email": "alice@example.com"},
    ],
)
def test_binding_with_a_mismatch_or_a_wrong_code_answers_alike(console, holder, other_holder, workspace, body):
    # given a live code for alice
    _request_code(console)
    code = latest_code("alice@example.com")
    before = len(outbox_messages())
    # when the console binds with a mismatching pair (and the right code), and with a wrong code
    mismatch = _bind(console, code, body)
    wrong_code = _bind(console, "000000" if code != "000000" else "111111")
    # then both answer 422 invalid_code with the same body, the outbox stays silent, nothing is bound
    assert mismatch.status_code == wrong_code.status_code == 422
    assert _problem(mismatch) == _problem(wrong_code)
    assert mismatch.json()["code"] == "invalid_code"
    assert len(outbox_messages()) == before
    assert Workspace.objects.get(pk="ws-1").account is None
    # and alice's code still works (a mismatch never consumed it)
    assert _bind(console, code).status_code == 200


def test_a_workspace_bound_to_another_account_answers_409(console, holder, other_holder, workspace):
    # given the workspace is bound to bob
    _request_code(console, {"username": "bob", "email": "bob@example.com"})
    assert _bind(console, latest_code("bob@example.com"), {"username": "bob", "email": "bob@example.com"}).status_code == 200
    # when alice's valid code tries to bind it
    _request_code(console)
    response = _bind(console, latest_code("alice@example.com"))
    # then a clean 409 workspace_bound, and it stays bob's
    assert response.status_code == 409
    assert response.json()["code"] == "workspace_bound"
    assert Workspace.objects.get(pk="ws-1").account == other_holder
    assert WorkspaceHistory.objects.filter(change="bound").count() == 1


def test_unknown_workspace_answers_404_for_code_and_binding(console, holder):
    assert _request_code(console, workspace_id="ws-none").status_code == 404
    assert _bind(console, "123456", workspace_id="ws-none").status_code == 404
    assert outbox_messages() == []


# --- the rules of SPEC §2 through this purpose ---------------------------------------------------------


def test_a_code_works_once(console, holder, workspace):
    _request_code(console)
    code = latest_code("alice@example.com")
    assert _bind(console, code).status_code == 200
    again = _bind(console, code)
    assert again.status_code == 422
    assert again.json()["code"] == "invalid_code"


def test_a_code_expires_after_ten_minutes(console, holder, workspace, settings):
    assert settings.CODE_TTL_SECONDS == 600
    _request_code(console)
    live = OneTimeCode.objects.get(purpose="workspace_bind")
    assert dt.timedelta(minutes=9, seconds=59) < live.expires_at - live.created_at <= dt.timedelta(minutes=10)
    # given the code is past its lifetime
    past = timezone.now() - dt.timedelta(minutes=11)
    OneTimeCode.objects.filter(pk=live.pk).update(created_at=past, expires_at=past + dt.timedelta(minutes=10))
    # then it no longer binds
    assert _bind(console, latest_code("alice@example.com")).json()["code"] == "invalid_code"
    assert Workspace.objects.get().account is None


def test_five_wrong_tries_kill_the_code(console, holder, workspace):
    _request_code(console)
    code = latest_code("alice@example.com")
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        assert _bind(console, wrong).status_code == 422
    # then even the right code is refused
    assert _bind(console, code).json()["code"] == "invalid_code"
    assert Workspace.objects.get().account is None


def test_input_with_spaces_and_dashes_is_accepted(console, holder, workspace):
    _request_code(console)
    code = latest_code("alice@example.com")
    assert _bind(console, f"{code[:3]} - {code[3:]}").status_code == 200


def test_a_code_is_bound_to_its_workspace(console, holder, workspace):
    console.register("ws-2")
    _request_code(console)
    code = latest_code("alice@example.com")
    # the code sent for ws-1 does not bind ws-2
    assert _bind(console, code, workspace_id="ws-2").json()["code"] == "invalid_code"
    assert _bind(console, code).status_code == 200


def test_a_new_code_voids_the_previous_one_and_the_resend_cooldown_holds(console, holder, workspace, settings):
    # given a first code (and a short cooldown, so the test need not wait a minute)
    settings.CODE_RESEND_COOLDOWN_SECONDS = 2
    _request_code(console)
    first = latest_code("alice@example.com")
    # when the console asks again within the cooldown: same answer, nothing sent
    again = _request_code(console)
    assert again.status_code == 202
    assert len(outbox_messages("alice@example.com")) == 1
    assert AuditEvent.objects.filter(event="code.send_refused", detail__reason="resend_too_soon").count() == 1
    # when the cooldown is over and a new code goes out
    time.sleep(2.05)
    _request_code(console)
    second = latest_code("alice@example.com")
    assert len(outbox_messages("alice@example.com")) == 2
    # then only the new one binds
    if first != second:
        assert _bind(console, first).json()["code"] == "invalid_code"
    assert _bind(console, second).status_code == 200


def test_the_per_target_send_cap_holds_silently(console, holder, workspace, settings):
    # given a cap of two codes per hour for one address and no cooldown to speak of
    settings.CODE_SENDS_PER_TARGET_PER_HOUR = 2
    settings.CODE_RESEND_COOLDOWN_SECONDS = 1
    answers = []
    for _ in range(3):
        answers.append(_request_code(console).content)
        time.sleep(1.05)
    # then the third request answers the same, but no third code goes out
    assert len(set(answers)) == 1
    assert len(outbox_messages("alice@example.com")) == 2


def test_the_per_ip_and_per_account_send_caps_hold_silently(console, holder, other_holder, workspace, settings):
    # given one code per IP per hour, and a short cooldown
    settings.CODE_SENDS_PER_IP_PER_HOUR = 1
    settings.CODE_RESEND_COOLDOWN_SECONDS = 1
    first = _request_code(console)
    # when a second account asks from the same console user address
    second = _request_code(console, {"username": "bob", "email": "bob@example.com"})
    # then the same answer, and no code for bob
    assert (first.status_code, first.content) == (second.status_code, second.content)
    assert outbox_messages("bob@example.com") == []
    # and per account: one code per hour for alice, whatever the address asking
    settings.CODE_SENDS_PER_IP_PER_HOUR = 100
    settings.CODE_SENDS_PER_ACCOUNT_PER_HOUR = 1
    time.sleep(1.05)
    elsewhere = ConsoleClient()
    elsewhere.headers["X-Console-Client-IP"] = "203.0.113.50"
    assert _request_code(elsewhere).status_code == 202
    assert len(outbox_messages("alice@example.com")) == 1


def test_the_per_ip_check_limit_applies_to_matches_and_mismatches_alike(console, holder, workspace, settings):
    # given a limit of 3 code checks per IP per 5 minutes
    settings.CODE_CHECKS_PER_IP_PER_5_MINUTES = 3
    _request_code(console)
    for body in ({"username": "nobody", "email": "x@example.com"}, ALICE, ALICE):
        assert _bind(console, "999999", body).status_code == 422
    # then the 4th check is refused as too many requests, match or not
    assert _bind(console, "999999", ALICE).status_code == 429
    assert _bind(console, "999999", {"username": "nobody", "email": "x@example.com"}).status_code == 429
    # and the console's end user is counted by the address it names
    other_user = ConsoleClient(ip="127.0.0.1")
    other_user.headers["X-Console-Client-IP"] = "203.0.113.9"
    assert _bind(other_user, latest_code("alice@example.com")).status_code == 200


def test_a_locked_purpose_still_answers_invalid_code(console, holder, workspace, settings):
    # given the binding purpose locks after 2 failed checks
    settings.CODE_PURPOSE_FAILURE_LIMIT = 2
    _request_code(console)
    code = latest_code("alice@example.com")
    wrong = "000000" if code != "000000" else "111111"
    _bind(console, wrong)
    _bind(console, wrong)
    # when the console binds (a match, the lock holds)
    response = _bind(console, code)
    # then it answers like a wrong code, not with a 429 that would tell a match
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_code"
    assert Workspace.objects.get().account is None
    # and the holder got the lock notice at the bound email
    assert "too many wrong verification codes" in outbox_messages("alice@example.com")[0]["subject"]
    assert AuditEvent.objects.filter(event="code.locked", account=holder).count() == 1


def test_the_code_is_stored_only_as_an_hmac_and_never_logged(console, holder, workspace):
    _request_code(console)
    code = latest_code("alice@example.com")
    _bind(console, code)
    stored = OneTimeCode.objects.get(purpose="workspace_bind")
    assert stored.code_hmac != code
    assert code not in stored.code_hmac
    for event in AuditEvent.objects.all():
        assert code not in json.dumps([event.old, event.new, event.detail])


def test_an_inactive_account_does_not_match(console, holder, workspace):
    holder.is_active = False
    holder.save()
    assert _request_code(console).status_code == 202
    assert outbox_messages() == []


def test_the_code_email_is_in_the_account_language_and_says_what_it_is_for(console, holder, workspace):
    holder.language = "zh-hans"
    holder.save()
    _request_code(console)
    message = outbox_messages("alice@example.com")[0]
    assert "将工作空间绑定到您的费用中心账号" in message["body"]
    assert "10" in message["body"]


def test_unbound_factory_workspaces_are_bindable_too(console, holder):
    WorkspaceFactory(id="ws-f")
    _request_code(console, workspace_id="ws-f")
    assert _bind(console, latest_code("alice@example.com"), workspace_id="ws-f").status_code == 200


# --- the console's "change binding": a move between accounts of one certified enterprise (SPEC §7) -------


def _certify(account, taxpayer_id):
    from billing_center.certification.services import certification_approve, certification_submit
    from tests.certification.conftest import png_bytes, upload
    from tests.factories import AccountFactory

    certification = certification_submit(
        account=account, licence_name="Acme Ltd", taxpayer_id=taxpayer_id, upload=upload(png_bytes(), "licence.png")
    )
    certification_approve(certification=certification, operator=AccountFactory(is_staff=True))


def _bound_to_bob(console):
    _request_code(console, {"username": "bob", "email": "bob@example.com"})
    assert _bind(console, latest_code("bob@example.com"), {"username": "bob", "email": "bob@example.com"}).status_code == 200


def test_a_workspace_moves_between_accounts_with_the_same_verified_certification(console, holder, other_holder, workspace):
    from tests.certification.conftest import VALID_USCC

    # given the workspace is bob's, and bob and alice hold the same verified certification
    _bound_to_bob(console)
    _certify(other_holder, VALID_USCC)
    _certify(holder, VALID_USCC)
    # when alice binds it with her valid code
    _request_code(console)
    response = _bind(console, latest_code("alice@example.com"))
    # then it moves to alice, with a history row and an audit row on both accounts
    assert response.status_code == 200
    assert Workspace.objects.get(pk="ws-1").account == holder
    moved = WorkspaceHistory.objects.get(change="moved")
    assert (moved.old, moved.new) == ({"account": "bob"}, {"account": "alice"})
    assert AuditEvent.objects.filter(event="workspace.moved", account=holder).count() == 1
    assert AuditEvent.objects.filter(event="workspace.moved", account=other_holder).count() == 1


@pytest.mark.parametrize("alice_certified", ["none", "other enterprise"])
def test_a_move_without_the_same_verified_certification_answers_409(console, holder, other_holder, workspace, alice_certified):
    from tests.certification.conftest import OTHER_VALID_USCC, VALID_USCC

    # given the workspace is bob's, bob is certified and alice is not (or as another enterprise)
    _bound_to_bob(console)
    _certify(other_holder, VALID_USCC)
    if alice_certified == "other enterprise":
        _certify(holder, OTHER_VALID_USCC)
    # when alice binds it with her valid code
    _request_code(console)
    response = _bind(console, latest_code("alice@example.com"))
    # then a clean 409 that says why, and it stays bob's
    assert response.status_code == 409
    assert response.json()["code"] == "workspace_bound"
    assert "certification" in response.json()["detail"]
    assert Workspace.objects.get(pk="ws-1").account == other_holder
    assert not WorkspaceHistory.objects.filter(change="moved").exists()
