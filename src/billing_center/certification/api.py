"""Holder API for enterprise certification: /api/v1/account/certification (SPEC §12)."""

from __future__ import annotations

from datetime import datetime

from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile

from billing_center.audit.services import RequestMeta
from billing_center.certification.responses import licence_file_response
from billing_center.certification.selectors import CertificationView, certification_for, certification_view
from billing_center.certification.services import certification_submit
from billing_center.core.api import HolderSession, holder, problems_for
from billing_center.core.errors import NotFound

router = Router(tags=["certification"], auth=HolderSession())


class CertificationOut(Schema):
    state: str
    licence_name: str
    taxpayer_id: str
    reason: str
    submitted_at: datetime | None
    decided_at: datetime | None

    @staticmethod
    def of(view: CertificationView) -> CertificationOut:
        # The view's fields by name (ninja schemas read attributes); the view's extra ones are not shown.
        return CertificationOut.model_validate(view)


@router.get("/certification", response=CertificationOut, summary="Read the enterprise certification")
def certification_read(request: HttpRequest) -> CertificationOut:
    return CertificationOut.of(certification_view(account=holder(request)))


@router.post(
    "/certification",
    response={200: CertificationOut, **problems_for([409, 422])},
    summary="Submit the enterprise certification for review (multipart)",
    description="A new submission, or a resubmission after a rejection or while under review. The licence "
    "file is a PNG or JPEG image or a PDF, checked by content; images are re-encoded. A verified "
    "certification cannot be changed (409 `certification_verified`).",
)
def certification_post(
    request: HttpRequest,
    licence_name: Form[str],
    taxpayer_id: Form[str],
    licence_file: File[UploadedFile],
) -> CertificationOut:
    account = holder(request)
    certification_submit(
        account=account,
        licence_name=licence_name,
        taxpayer_id=taxpayer_id,
        upload=licence_file,
        meta=RequestMeta.from_request(request),
    )
    return CertificationOut.of(certification_view(account=account))


@router.get(
    "/certification/licence",
    response={200: None, **problems_for([404])},
    summary="Download the holder's own licence file",
)
def certification_licence(request: HttpRequest) -> FileResponse:
    found = certification_for(account=holder(request))
    if found is None:
        raise NotFound(_("No certification was submitted."), code="not_found")
    return licence_file_response(found)
