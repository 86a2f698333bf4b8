"""Operators (createoperator) and the operator-only account flags, including the back-office form."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from billing_center.accounts.models import Account, AccountSession
from billing_center.accounts.services import account_flags_update, operator_create
from billing_center.audit.models import AuditEvent
from billing_center.audit.services import RequestMeta
from billing_center.core.errors import ValidationFailed
from tests.accounts.two_factor_support import enrol, pass_second_factor, totp_now
from tests.factories import DEFAULT_PASSWORD, AccountFactory

pytestmark = pytest.mark.django_db(transaction=True)

META = RequestMeta(ip="198.51.100.40", user_agent="pytest")
OPERATOR_PASSWORD = "night shift keeps the lights on"


@pytest.mark.argon2
def test_operator_create_makes_a_staff_account():
    # when an operator is created / then it is a staff account with an Argon2id password, audited
    operator = operator_create(username="Ops.Lead", email="Ops@Vendor.example", password=OPERATOR_PASSWORD)
    operator.refresh_from_db()
    assert operator.is_staff and not operator.is_superuser
    assert operator.email == "ops@vendor.example"
    assert operator.password.startswith("argon2$argon2id$")
    assert AuditEvent.objects.filter(event="operator.created", account=operator).exists()


def test_operator_create_applies_identifier_and_password_rules():
    # given an existing account
    AccountFactory(username="taken", email="taken@example.com")
    # when operators with a taken username, a taken email or a weak password are created / then refused
    for kwargs, code in [
        ({"username": "TAKEN", "email": "a@example.com", "password": OPERATOR_PASSWORD}, "username_taken"),
        ({"username": "fresh", "email": "Taken@example.com", "password": OPERATOR_PASSWORD}, "email_taken"),
        ({"username": "fresh", "email": "f@example.com", "password": "short"}, "password_rejected"),
        (
            {"username": "fresh", "email": "f@example.com", "password": "fresh is the operator"},
            "password_rejected",
        ),
    ]:
        with pytest.raises(ValidationFailed) as refused:
            operator_create(**kwargs)
        assert refused.value.code == code


def test_createoperator_command_reads_the_password_file(tmp_path):
    # given a password file / when the CLI command runs with --superuser
    secret = tmp_path / "password.txt"
    secret.write_text(OPERATOR_PASSWORD + "\n")
    call_command(
        "createoperator",
        username="root",
        email="root@vendor.example",
        password_file=str(secret),
        superuser=True,
    )
    # then a superuser operator exists and logs in with that password
    operator = Account.objects.get(username="root")
    assert operator.is_superuser and operator.check_password(OPERATOR_PASSWORD)
    # and a second run with the same name fails cleanly
    with pytest.raises(CommandError):
        call_command("createoperator", username="root", email="r2@vendor.example", password_file=str(secret))


def test_flags_update_is_audited_with_old_and_new_values():
    # given an operator and a holder
    operator = AccountFactory(username="operator", is_staff=True)
    holder = AccountFactory(username="holder")
    # when the operator allows any settlement method
    account_flags_update(operator=operator, account=holder, any_settlement_method=True, meta=META)
    # then the flag is stored and the audit row names the operator and both values
    holder.refresh_from_db()
    assert holder.any_settlement_method
    event = AuditEvent.objects.get(event="account.flags_changed")
    assert (event.actor_id, event.account_id) == (operator.pk, holder.pk)
    assert (event.old, event.new) == ({"any_settlement_method": False}, {"any_settlement_method": True})


def test_flags_update_without_a_change_writes_nothing():
    operator = AccountFactory(username="operator", is_staff=True)
    holder = AccountFactory(username="holder")
    account_flags_update(operator=operator, account=holder, is_active=True, meta=META)
    assert not AuditEvent.objects.filter(event="account.flags_changed").exists()


def test_disabling_an_account_ends_its_sessions(client):
    # given a holder with a live session
    operator = AccountFactory(username="operator", is_staff=True)
    holder = AccountFactory(username="holder")
    client.force_login(holder)
    assert AccountSession.objects.filter(account=holder).exists()
    # when an operator disables the account
    account_flags_update(operator=operator, account=holder, is_active=False, meta=META)
    # then its sessions are gone and the API no longer answers for it
    assert not AccountSession.objects.filter(account=holder).exists()
    assert client.get("/api/v1/account/me").status_code == 401


def test_back_office_form_changes_flags_through_the_service(client):
    # given a superuser operator logged in to the back office and a holder
    operator = AccountFactory(username="operator", is_staff=True, is_superuser=True)
    holder = AccountFactory(username="holder", enterprise_name="Holder Inc")
    client.force_login(operator)
    pass_second_factor(client, operator)
    # when the operator disables the holder and also posts a different username
    response = client.post(
        f"/backoffice/accounts/account/{holder.pk}/change/",
        {"is_active": "", "any_settlement_method": "on", "username": "renamed"},
    )
    # then the flags changed (audited) and the username did not
    assert response.status_code == 302, response.content[:500]
    holder.refresh_from_db()
    assert (holder.is_active, holder.any_settlement_method, holder.username) == (False, True, "holder")
    event = AuditEvent.objects.get(event="account.flags_changed")
    assert event.actor_id == operator.pk
    assert event.new == {"is_active": False, "any_settlement_method": True}


def test_back_office_cannot_add_or_delete_accounts(client):
    operator = AccountFactory(username="operator", is_staff=True, is_superuser=True)
    holder = AccountFactory(username="holder")
    client.force_login(operator)
    pass_second_factor(client, operator)
    assert client.get("/backoffice/accounts/account/add/").status_code == 403
    assert (
        client.post(f"/backoffice/accounts/account/{holder.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert Account.objects.filter(pk=holder.pk).exists()


def test_back_office_login_goes_through_the_login_service_and_the_second_factor(client):
    # given an operator with two-factor on
    operator = AccountFactory(username="operator", is_staff=True, is_superuser=True)
    enrol(operator)
    # when the back-office login page is opened, then it sends to the console login (which asks for
    # the second factor) instead of taking a password itself
    response = client.post("/backoffice/login/", {"username": "operator", "password": DEFAULT_PASSWORD})
    assert response.status_code == 302 and response["Location"].startswith("/login?next=")
    assert client.get("/backoffice/").status_code == 302
    # when the operator logs in with the password and then the code
    client.post("/login", {"identifier": "operator", "password": DEFAULT_PASSWORD, "next": "/backoffice/"})
    done = client.post("/login/two-factor", {"code": totp_now(operator)})
    # then the back office opens, and the login went through the audited login service
    assert done["Location"] == "/backoffice/"
    assert client.get("/backoffice/").status_code == 200
    assert AuditEvent.objects.filter(event="login.succeeded").count() == 1
