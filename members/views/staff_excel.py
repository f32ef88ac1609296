"""Excel import and export of members and constituents (staff pages).

Leaders may export (read) but not import (write): imports are ``staff_required``.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from members import exports, imports, permissions
from members.common.replica import lag_tolerant_view
from members.filters import ConstituentFilter, MemberFilter
from members.models import Sector
from members.views.staff_pages import constituent_rows, member_rows

__all__ = [
    "constituent_export",
    "constituent_import",
    "constituent_import_template",
    "member_export",
    "member_import",
    "member_import_template",
]

MAX_UPLOAD = 5 * 1024 * 1024


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Please upload an .xlsx file made from the template."))
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("The file is too big (at most 5 MB)."))
        return upload


def _template_response(columns, *, sheet_title: str, filename: str, user) -> HttpResponse:
    sectors = list(Sector.objects.filter(council=user.council).values_list("name", flat=True))
    wb = imports.template_workbook(columns, sheet_title=sheet_title, sectors=sectors)
    response = HttpResponse(
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    wb.save(response)
    return response


def _import_page(request, *, kind: str, service, columns, title, list_url: str):
    report = None
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        report = service(council=request.user.council, upload=form.cleaned_data["file"], by=request.user)
        if report.ok:
            messages.success(
                request,
                _("Imported %(created)s rows.") % {"created": report.created},
            )
            for line in report.note_lines():  # e.g. names matched by their simplified form
                messages.info(request, line)
            return redirect(list_url)
    context = {
        "form": form, "report": report, "kind": kind, "title": title,
        "columns": columns, "template_url": f"members:{kind}-import-template",
    }
    return render(request, "members/import_form.html", context, status=200)


def _require_council(user):
    # Rows are created in the importing user's council; an operator without one cannot import.
    permissions.require(user.council_id is not None)


@permissions.staff_required
def member_import(request):
    _require_council(request.user)
    return _import_page(
        request, kind="member", service=imports.members_import, columns=imports.MEMBER_COLUMNS,
        title=_("Import members"), list_url="members:member-list",
    )


@permissions.staff_required
def constituent_import(request):
    _require_council(request.user)
    return _import_page(
        request, kind="constituent", service=imports.constituents_import,
        columns=imports.CONSTITUENT_COLUMNS, title=_("Import constituents"),
        list_url="members:constituent-list",
    )


@permissions.staff_required
def member_import_template(request):
    return _template_response(
        imports.MEMBER_COLUMNS, sheet_title=str(_("Members")),
        filename="member-import-template.xlsx", user=request.user,
    )


@permissions.staff_required
def constituent_import_template(request):
    return _template_response(
        imports.CONSTITUENT_COLUMNS, sheet_title=str(_("Constituents")),
        filename="constituent-import-template.xlsx", user=request.user,
    )


@permissions.council_reader_required
@lag_tolerant_view
def member_export(request):
    rows = member_rows(request.user).with_roster_figures()
    filterset = MemberFilter(request.GET, queryset=rows, request=request)
    return exports.xlsx_response(
        filename=exports.stamped("members"), sheet_title=str(_("Members")),
        headers=exports.MEMBER_HEADERS, rows=exports.member_rows(filterset.qs),
    )


@permissions.council_reader_required
@lag_tolerant_view
def constituent_export(request):
    """The filtered list as Excel, or as CSV (``?format=csv``: streamed, for large exports)."""
    filterset = ConstituentFilter(
        request.GET, queryset=constituent_rows(request.user), request=request
    )
    rows = exports.constituent_rows(filterset.qs, request.user)
    if request.GET.get("format") == "csv":
        return exports.csv_response(
            filename=exports.stamped("constituents", "csv"), headers=exports.CONSTITUENT_HEADERS,
            rows=rows,
        )
    return exports.xlsx_response(
        filename=exports.stamped("constituents"), sheet_title=str(_("Constituents")),
        headers=exports.CONSTITUENT_HEADERS, rows=rows,
    )
