"""The licence file response shared by the holder's page, the API and the back office."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.http import FileResponse
from django.utils.translation import gettext as _

from billing_center.certification.models import Certification
from billing_center.core.errors import NotFound


def licence_file_response(certification: Certification) -> FileResponse:
    """Stream the stored licence with its checked type. Images are shown inline (the back office
    previews them); a PDF downloads. The response may not run as a page of this site (sandbox)."""
    try:
        handle = default_storage.open(certification.licence_file.name or "", "rb")
    except (FileNotFoundError, OSError) as exc:
        raise NotFound(_("The licence file is not available."), code="licence_file_unavailable") from exc
    content_type = certification.licence_content_type
    extension = {"image/png": "png", "image/jpeg": "jpg"}.get(content_type, "pdf")
    disposition = "inline" if content_type.startswith("image/") else "attachment"
    response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = f'{disposition}; filename="licence.{extension}"'
    response["Content-Length"] = str(certification.licence_size)
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'"
    return response
