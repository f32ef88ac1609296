"""A constituent's personal data on request (``liaison.personal_data``): the page staff open
from the constituent's page, the export of the person's record and contacts as a workbook,
and the erasure with its reason. Both acts go into the security audit."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from liaison import personal_data
from members import audit
from members.common.forms import service_errors
from members.exports import stamped
from members.models import Constituent
from members.xlsx import XLSX_CONTENT_TYPE


class ErasureForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=personal_data.REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Who asked for the erasure, when and how. It is kept in the security audit: do not "
            "repeat the person's name or number here."
        ),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("I understand that the person's details cannot be restored."),
    )


def _constituent(request, pk: int) -> Constituent:
    try:
        return personal_data.visible_constituent(request.user, pk)
    except Constituent.DoesNotExist as error:
        raise Http404 from error


def _page(request, constituent, form):
    return render(request, "liaison/constituent_data.html", {
        "constituent": constituent,
        "erased": personal_data.is_erased(constituent),
        "contacts": constituent.contact_logs.count(),
        "form": form,
    })


@require_GET
@login_required
def constituent_data(request, pk: int):
    constituent = _constituent(request, pk)
    return _page(request, constituent, ErasureForm())


@require_POST
@login_required
def constituent_data_export(request, pk: int):
    constituent = _constituent(request, pk)
    sheets = personal_data.dossier(constituent)
    content = personal_data.workbook_bytes(sheets)
    audit.record(
        audit.Action.PERSONAL_DATA, request=request, obj=constituent,
        detail={"act": "export", "contact_logs": len(sheets[personal_data.SHEET_CONTACTS]) - 1},
    )
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    name = stamped(f"constituent-{constituent.pk}-{slugify(constituent.name) or 'data'}")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_POST
@login_required
def constituent_erase(request, pk: int):
    constituent = _constituent(request, pk)
    form = ErasureForm(request.POST)
    if form.is_valid():
        with service_errors(form) as call, transaction.atomic():  # the act and its entry
            erased = personal_data.constituent_erase(
                by=request.user, constituent=constituent, reason=form.cleaned_data["reason"]
            )
            # The entry names the row by its id and its new name: the audit keeps no copy of
            # what was erased.
            audit.record(
                audit.Action.PERSONAL_DATA, request=request, obj=erased,
                detail={"act": "erase", "reason": form.cleaned_data["reason"].strip()},
            )
        if call.ok:
            messages.success(request, _("The constituent's personal data has been erased."))
            return redirect(constituent)
    return _page(request, constituent, form)
