"""Demo contracts at scale: ``billing-center demo --contracts N`` (batched inserts, a progress bar)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from billing_center.audit.services import audit_record
from billing_center.contracts import events
from billing_center.contracts.models import Contract, ContractType, Currency, StaffStatus
from billing_center.contracts.services import attachment_add
from billing_center.core.demo import demo_loader_register

BATCH_SIZE = 5000
SAMPLE_ATTACHMENTS = 3

PRODUCTS = [
    "Observability Platform",
    "Log Analytics",
    "APM",
    "Real User Monitoring",
    "Synthetic Testing",
    "Security Monitoring",
    "Infrastructure Monitoring",
    "Database Monitoring",
    "Continuous Profiling",
    "Data Retention Extension",
    "可观测平台",
    "日志分析",
    "应用性能监测",
    "用户访问监测",
]
KINDS = {
    ContractType.FRAMEWORK: "Framework Agreement",
    ContractType.ORDER: "Order",
    ContractType.SUPPLEMENT: "Supplementary Agreement",
    ContractType.RENEWAL: "Renewal",
}
TERMS_IN_DAYS = (180, 365, 365, 730, 1095)


def sample_pdf(text: str) -> bytes:
    """A small valid one-page PDF (Helvetica, ASCII text) for demo data and tests."""
    safe = "".join(ch for ch in text if 32 <= ord(ch) < 127).replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    stream = f"BT /F1 18 Tf 72 770 Td ({safe}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref_at = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref_at}\n%%EOF\n".encode()
    return bytes(out)


def _next_sequence(prefix: str) -> int:
    last = Contract.objects.filter(number__startswith=prefix).order_by("-number").values_list("number", flat=True).first()
    return int(last.removeprefix(prefix)) + 1 if last else 1


def _demo_contract(*, account: Any, number: str, rng: random.Random, today: date) -> Contract:
    contract_type = rng.choices(list(ContractType), weights=(10, 60, 15, 15))[0]
    signed_on = today - timedelta(days=rng.randint(0, 3650))
    starts_on = signed_on + timedelta(days=rng.randint(0, 30))
    ends_on = starts_on + timedelta(days=rng.choice(TERMS_IN_DAYS) - 1)
    roll = rng.random()
    staff_status = StaffStatus.DRAFT if roll < 0.02 else StaffStatus.TERMINATED if roll < 0.05 else StaffStatus.ISSUED
    terminated_on = None
    if staff_status == StaffStatus.TERMINATED:
        terminated_on = min(today, signed_on + timedelta(days=rng.randint(30, 600)))
    return Contract(
        account=account,
        number=number,
        title=f"{rng.choice(PRODUCTS)} {KINDS[contract_type]} {signed_on.year}",
        type=contract_type,
        currency=Currency.CNY if rng.random() < 0.8 else Currency.USD,
        amount=Decimal(rng.randint(100_000, 500_000_000)) / 100,
        signed_on=signed_on,
        starts_on=starts_on,
        ends_on=ends_on,
        staff_status=staff_status,
        terminated_on=terminated_on,
    )


def _batches(*, account: Any, first: int, count: int, prefix: str, today: date) -> Iterator[list[Contract]]:
    rng = random.Random(f"{account.pk}:{first}")  # noqa: S311 - demo data, not security
    batch: list[Contract] = []
    for sequence in range(first, first + count):
        batch.append(_demo_contract(account=account, number=f"{prefix}{sequence:07d}", rng=rng, today=today))
        if len(batch) == BATCH_SIZE:
            yield batch
            batch = []
    if batch:
        yield batch


def demo_contracts_load(*, account: Any, count: int, stdout: Any) -> int:
    """Add ``count`` demo contracts to ``account`` (numbers DEMO-<account>-NNNNNNN continue from the
    last run). About 2% drafts and 3% terminated; the rest active/expired/pending by their dates."""
    if count <= 0:
        return 0
    prefix = f"DEMO-{account.pk}-"
    first = _next_sequence(prefix)
    today = timezone.localdate()
    console = Console(file=getattr(stdout, "_out", stdout))
    created = 0
    columns = (TextColumn("contracts"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("contracts", total=count)
        for batch in _batches(account=account, first=first, count=count, prefix=prefix, today=today):
            with transaction.atomic():
                Contract.objects.bulk_create(batch, batch_size=BATCH_SIZE)
            created += len(batch)
            progress.update(task, advance=len(batch))
    _attach_samples(account=account, prefix=prefix, first=first)
    audit_record(
        event=events.DEMO_LOADED,
        account=account,
        actor_label="system",
        detail={"count": created, "first_number": f"{prefix}{first:07d}"},
    )
    console.print(f"{created} demo contracts created for {account.username}.")
    return created


def _attach_samples(*, account: Any, prefix: str, first: int) -> None:
    numbers = [f"{prefix}{sequence:07d}" for sequence in range(first, first + SAMPLE_ATTACHMENTS)]
    for contract in Contract.objects.filter(number__in=numbers).exclude(staff_status=StaffStatus.TERMINATED):
        content = ContentFile(sample_pdf(f"Contract {contract.number}"), name=f"{contract.number}.pdf")
        attachment_add(contract=contract, upload=content, name=f"{contract.number}.pdf")


# Contracts a new demo account starts with, so no console page is empty on the first run.
FIRST_RUN_CONTRACTS = 36

demo_loader_register(
    "contracts",
    help=f"Create N contracts for the demo account (batched; {FIRST_RUN_CONTRACTS} when it is created).",
    load=demo_contracts_load,
    first_run=FIRST_RUN_CONTRACTS,
)
