from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from billing_center.contracts.demo import sample_pdf
from billing_center.contracts.services import attachment_add
from tests.accounts.two_factor_support import pass_second_factor
from tests.factories import AccountFactory, ContractFactory


@pytest.fixture
def holder(db):
    return AccountFactory()


@pytest.fixture
def holder_client(holder) -> Client:
    client = Client()
    client.force_login(holder)
    return client


@pytest.fixture
def other_holder(db):
    return AccountFactory()


@pytest.fixture
def operator(db):
    return AccountFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def operator_client(operator) -> Client:
    client = Client()
    client.force_login(operator)
    return pass_second_factor(client, operator)  # the back office needs two-factor


def pdf_upload(name: str = "contract.pdf", text: str = "Contract") -> ContentFile:
    return ContentFile(sample_pdf(text), name=name)


def add_attachment(contract, name: str = "contract.pdf", text: str = "Contract"):
    return attachment_add(contract=contract, upload=pdf_upload(name, text), name=name)


@pytest.fixture
def contract(holder):
    return ContractFactory(account=holder)
