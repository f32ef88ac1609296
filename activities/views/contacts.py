"""Contact logs: a member logs a contact on their phone and reads their history; staff and
leaders of the council read any log of the council."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from activities import services
from activities.forms import ContactLogForm
from activities.models import ContactLog
from members import permissions

HISTORY_PAGE_SIZE = 20


@permissions.member_required
def contactlog_create(request):
    """One short page: who (from my roster), how and what, photos. ``?constituent=<id>``
    ticks that person in advance (the button on a constituent's page)."""
    member = permissions.member_of(request.user)
    form = ContactLogForm(
        request.POST or None,
        request.FILES or None,
        member=member,
        user=request.user,
        initial={"constituents": _preselected(request)},
    )
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        try:
            log = services.contact_log_create(by=request.user, member=member, **fields)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Contact logged."))
            return redirect(log)
    return render(request, "activities/contactlog_form.html", {"form": form})


def _preselected(request) -> list[int]:
    # Only a number is taken; the form's queryset (my roster) decides whether it shows.
    raw = request.GET.get("constituent", "")
    return [int(raw)] if raw.isdigit() else []


@permissions.member_required
def contactlog_mine(request):
    logs = ContactLog.objects.visible_to(request.user).for_list().prefetch_related("photos")
    page = Paginator(logs, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "activities/contactlog_mine.html", {"page": page})


@login_required
def contactlog_detail(request, pk: int):
    log = get_object_or_404(
        ContactLog.objects.visible_to(request.user).for_list().prefetch_related("photos"),
        pk=pk,
    )
    return render(request, "activities/contactlog_detail.html", {"log": log})
