"""Member pages of the members app (phone first, 375 px): home, my constituents, and the
constituent pages (which staff of the council open too).

Contact logs live in ``activities``, which this app may not import: the home page reads
them in SQL (``members.home``), finding their tables through the member's reverse relation.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from members import audit, home, permissions, services
from members.common.forms import service_errors
from members.forms import ConstituentForm, RosterSearchForm
from members.models import Constituent

ROSTER_PAGE_SIZE = 30
RECENT_LOGS = 5


@permissions.member_required
def member_home(request):
    member = permissions.member_of(request.user)
    month_start = timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    figures = home.counts(member, since=month_start)
    return render(
        request,
        "members/member_home.html",
        {
            "member": member,
            "constituent_count": figures.constituents,
            "never_contacted_count": figures.never_contacted,
            "month_contact_count": figures.this_month,
            "recent_logs": home.recent_contacts(member, RECENT_LOGS, month_start=month_start),
        },
    )


@permissions.member_required
def constituent_mine(request):
    """My roster: search by name, unit or community; never-contacted people first."""
    search = RosterSearchForm(request.GET)
    text = search.cleaned_data["q"] if search.is_valid() else ""
    roster = (
        Constituent.objects.visible_to(request.user)
        .active()
        .search(text)
        .never_contacted_first()
        # Rows, not model instances: the page shows five values of each (``roster_rows``).
        .values_list("pk", "name", "unit", "community", "last_contacted_at", named=True)
    )
    paginator = Paginator(roster, ROSTER_PAGE_SIZE)
    if not text:
        # Everyone active of the member's roster: the member's own counter, kept in the
        # transaction of every change to the roster (``members.rollups``), not a COUNT.
        paginator.count = permissions.member_of(request.user).active_constituents
    page = paginator.get_page(request.GET.get("page"))
    query = urlencode({"q": text}) if text else ""
    return render(
        request,
        "members/constituent_mine.html",
        {"search": search, "page": page, "query": query, "text": text},
    )


@permissions.member_required
def constituent_create(request):
    member = permissions.member_of(request.user)
    form = ConstituentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with service_errors(form) as call:
            constituent = services.constituent_create(
                by=request.user, member=member, **form.service_fields()
            )
        if call.ok:
            messages.success(request, _("%(name)s was added to your roster.") % {"name": constituent})
            return redirect(constituent)
    return render(request, "members/constituent_form.html", {"form": form, "constituent": None})


@login_required
def constituent_detail(request, pk: int):
    constituent = get_object_or_404(
        Constituent.objects.visible_to(request.user).select_related("member", "sector"), pk=pk
    )
    logs = constituent.contact_logs.select_related("member").order_by("-contacted_at", "-id")
    constituent.shown_phone = constituent.phone_for(request.user)
    audit.phones_shown(request, [constituent])
    return render(
        request,
        "members/constituent_detail.html",
        {
            "constituent": constituent,
            "phone": constituent.shown_phone,
            "can_change": permissions.can_change_constituent(request.user, constituent),
            "is_own": constituent.member.user_id == request.user.pk,
            "logs": logs[:10],
        },
    )


@login_required
def constituent_edit(request, pk: int):
    constituent = get_object_or_404(
        Constituent.objects.visible_to(request.user).select_related("member"), pk=pk
    )
    permissions.require(permissions.can_change_constituent(request.user, constituent))
    form = ConstituentForm(request.POST or None, instance=constituent)
    if request.method == "POST" and form.is_valid():
        with service_errors(form) as call:
            services.constituent_update(
                by=request.user, constituent=constituent, **form.service_fields()
            )
        if call.ok:
            messages.success(request, _("Saved."))
            return redirect(constituent)
    return render(
        request, "members/constituent_form.html", {"form": form, "constituent": constituent}
    )
