"""Account Settings > Enterprise certification: the holder's page and their own licence file."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from billing_center.audit.services import RequestMeta
from billing_center.certification.forms import CertificationForm
from billing_center.certification.responses import licence_file_response
from billing_center.certification.selectors import certification_for, certification_view
from billing_center.certification.services import certification_submit
from billing_center.core.errors import ApplicationError
from billing_center.core.forms import form_add_service_error


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def page(request: HttpRequest) -> HttpResponse:
    account = request.user
    view = certification_view(account=account)
    form = CertificationForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST" and view.editable:
        if form.is_valid():
            try:
                certification_submit(
                    account=account,
                    licence_name=form.cleaned_data["licence_name"],
                    taxpayer_id=form.cleaned_data["taxpayer_id"],
                    upload=form.cleaned_data["licence_file"],
                    meta=RequestMeta.from_request(request),
                )
            except ApplicationError as exc:
                form_add_service_error(form, exc)
                status = exc.status if exc.status == 409 else 422
            else:
                messages.success(request, _("Your certification was submitted for review."))
                return redirect("certification:page")
        else:
            status = 422
    elif request.method == "POST":
        status = 409
        messages.error(request, _("A verified certification cannot be changed."))
    if request.method == "GET" and view.state in {"pending", "rejected"}:
        form = CertificationForm(initial={"licence_name": view.licence_name, "taxpayer_id": view.taxpayer_id})
    return render(request, "certification/page.html", {"certification": view, "form": form}, status=status)


@never_cache
@login_required
@require_GET
def licence(request: HttpRequest) -> HttpResponseBase:
    found = certification_for(account=request.user)
    if found is None:
        raise Http404
    try:
        return licence_file_response(found)
    except ApplicationError as exc:
        raise Http404 from exc
