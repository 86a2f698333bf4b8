from __future__ import annotations

import io
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from billing_center.accounts.models import Account
from billing_center.accounts.services.operators import OPERATORS_GROUP
from tests.accounts.two_factor_support import pass_second_factor
from tests.factories import ContractFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a long operator passphrase 7"


def test_an_operator_made_by_the_command_can_do_the_operators_work(tmp_path):
    # given a password file, as the README shows
    secret = tmp_path / "password"
    secret.write_text(PASSWORD + "\n", encoding="utf-8")
    # when createoperator runs without --superuser
    call_command(
        "createoperator",
        "--username",
        "ops1",
        "--email",
        "ops1@example.com",
        "--password-file",
        str(secret),
        stdout=StringIO(),
    )
    # then the operator is staff in the Operators group and can open the back office's work pages
    operator = Account.objects.get(username="ops1")
    assert operator.is_staff and not operator.is_superuser
    assert operator.groups.filter(name=OPERATORS_GROUP).exists()
    assert operator.has_perm("contracts.change_contract") and operator.has_perm("accounts.change_account")
    assert not operator.has_perm("accounts.delete_account")
    client = Client()
    client.force_login(operator)
    pass_second_factor(client, operator)  # the command enrolled the device; this session passed it
    contract = ContractFactory()
    for path in (
        "/backoffice/",
        "/backoffice/contracts/contract/",
        f"/backoffice/contracts/contract/{contract.pk}/change/",
        "/backoffice/accounts/account/",
        "/backoffice/audit/auditevent/",
        "/backoffice/certification/certification/",
        "/backoffice/workspaces/workspace/",
        "/backoffice/cloud/cloudaccount/",
        "/backoffice/cloud/inboxevent/",
    ):
        assert client.get(path).status_code == 200, path


def test_without_a_terminal_it_says_how_to_pass_the_password(monkeypatch):
    # given no terminal on standard input
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    # when createoperator would prompt, then it explains the two ways instead of a traceback
    with pytest.raises(CommandError, match="--password-file"):
        call_command("createoperator", "--username", "ops2", "--email", "ops2@example.com")
    assert not Account.objects.filter(username="ops2").exists()
    # and the password can come on standard input
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    call_command(
        "createoperator",
        "--username",
        "ops2",
        "--email",
        "ops2@example.com",
        "--password-file",
        "-",
        stdout=StringIO(),
    )
    assert Account.objects.get(username="ops2").check_password(PASSWORD)


def test_an_unreadable_password_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="Cannot read the password file"):
        call_command(
            "createoperator",
            "--username",
            "ops3",
            "--email",
            "o3@example.com",
            "--password-file",
            str(tmp_path / "missing"),
        )
