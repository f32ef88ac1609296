"""Staff pages of the members app (desktop): overview, members, platforms, constituents,
coverage. Leaders read them too; imports and exports live in ``staff_excel``."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from members import audit, exports, permissions
from members.common.replica import lag_tolerant_view
from members.filters import ConstituentFilter, MemberFilter, PlatformFilter
from members.models import Constituent, Council, Member, Platform, RosterTally
from members.pagination import page_of, query_without_page

__all__ = [
    "constituent_list",
    "coverage",
    "member_detail",
    "member_list",
    "platform_detail",
    "platform_list",
    "staff_home",
]


def month_start(now=None):
    """The first instant of the current month in local time (Asia/Shanghai)."""
    now = timezone.localtime(now)
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def roster_figures(user) -> dict:
    """"两个1" — serving members, how many have a zone and ≥1 active constituent, the share —
    and the active constituents, in the councils ``user`` reads: one sum over the roster
    tally (``RosterTally``, kept equal to the rows by every write), not counts over them."""
    sums = RosterTally.objects.visible_to(user).aggregate(
        active=Coalesce(Sum("members"), 0),
        missing=Coalesce(Sum("members_missing"), 0),
        constituents=Coalesce(Sum("constituents"), 0),
    )
    active, missing = sums["active"], sums["missing"]
    covered = active - missing
    percent = round(covered * 100 / active, 1) if active else None
    return {"active": active, "covered": covered, "missing": missing, "percent": percent,
            "constituents": sums["constituents"]}


def coverage_figures(user) -> dict:
    """"两个1": active members, how many have a zone and ≥1 active constituent, the share."""
    figures = roster_figures(user)
    del figures["constituents"]
    return figures


def member_rows(user):
    """Members as the staff list shows them, ordered like the (council, sector, name, id) index.
    Their roster figures are read for the page's rows only (``with_page_figures``)."""
    return (
        Member.objects.visible_to(user)
        .select_related("sector", "committee")
        .order_by("council_id", "sector_id", "name", "id")
    )


def with_page_figures(page):
    """Set ``constituent_count`` (the member's counter of active constituents) and
    ``last_contacted_at`` on the page's members: one grouped query over their 50 rosters,
    after LIMIT — never an aggregate over every member in reach."""
    members = list(page.object_list)
    last = Constituent.objects.last_contact_by_member(m.pk for m in members)
    for member in members:
        member.constituent_count = member.active_constituents
        member.last_contacted_at = last.get(member.pk)
    page.object_list = members
    return page


def filtered(filterset):
    """The filtered rows, or none at all when a filter value is not valid (another council's
    member, a crafted id): the form says which one, rather than listing everything."""
    return filterset.qs if filterset.is_valid() else filterset.queryset.none()


def constituent_rows(user):
    return (
        Constituent.objects.visible_to(user)
        .select_related("sector", "member")
        .order_by("council_id", "sector_id", "name", "id")
    )


@permissions.council_reader_required
@lag_tolerant_view
def staff_home(request):
    user = request.user
    platforms = dict(
        Platform.objects.visible_to(user)
        .filter(active=True)
        .values_list("kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    start = month_start()
    # The contact tally lives in a later app: this month's rows per channel (five a council)
    # summed through the council's reverse relation, not the raw logs.
    contacts = Council.objects.in_reach_of(user).filter(
        contact_tallies__dimension="channel", contact_tallies__period="m",
        contact_tallies__start=start.date(),
    ).aggregate(n=Coalesce(Sum("contact_tallies__logs"), 0))["n"]
    roster = roster_figures(user)
    context = {
        "platform_kinds": [
            (kind, label, platforms.get(kind, 0)) for kind, label in Platform.Kind.choices
        ],
        "coverage": {k: v for k, v in roster.items() if k != "constituents"},
        "constituents": roster["constituents"],
        "contacts_this_month": contacts,
        "this_month": start.strftime("%Y-%m"),
    }
    return render(request, "members/staff_home.html", context)


@permissions.council_reader_required
@lag_tolerant_view
def member_list(request):
    filterset = MemberFilter(request.GET, queryset=member_rows(request.user), request=request)
    page = with_page_figures(page_of(filtered(filterset), request, ids_first=True))
    return render(
        request,
        "members/member_list.html",
        {"filter": filterset, "page": page, "query": query_without_page(request)},
    )


@permissions.council_reader_required
def member_detail(request, pk: int):
    member = get_object_or_404(
        Member.objects.visible_to(request.user).select_related("sector", "committee", "council"),
        pk=pk,
    )
    roster = list(member.constituents.select_related("sector").order_by("-active", "name", "id"))
    for constituent in roster:
        constituent.shown_phone = constituent.phone_for(request.user)
    audit.phones_shown(request, roster)
    logs = member.contact_logs.select_related("platform").prefetch_related(
        Prefetch("constituents", queryset=Constituent.objects.only("pk", "name"))
    )[:20]
    context = {
        "member": member,
        "roster": roster,
        "logs": logs,
        "platforms": member.platforms.order_by("kind", "name"),
        "has_problem": member.status == Member.Status.ACTIVE
        and (not member.zone or not any(c.active for c in roster)),
    }
    return render(request, "members/member_detail.html", context)


@permissions.council_reader_required
@lag_tolerant_view
def platform_list(request):
    platforms = (
        Platform.objects.visible_to(request.user)
        .order_by("kind", "name", "id")
        .select_related("host_committee", "convenor")
        .prefetch_related(
            "sectors", Prefetch("members", queryset=Member.objects.only("pk", "name"))
        )
    )
    filterset = PlatformFilter(request.GET, queryset=platforms, request=request)
    page = page_of(filterset.qs, request)
    # The page's rows are grouped by kind; each heading counts the kind's platforms on all pages.
    kind_totals = dict(filterset.qs.order_by().values_list("kind").annotate(n=Count("pk")))
    for platform in page:
        platform.kind_total = kind_totals.get(platform.kind, 0)
    return render(
        request,
        "members/platform_list.html",
        {"filter": filterset, "page": page, "query": query_without_page(request)},
    )


@permissions.council_reader_required
def platform_detail(request, pk: int):
    platform = get_object_or_404(
        Platform.objects.visible_to(request.user).select_related("host_committee", "convenor"),
        pk=pk,
    )
    members = (
        platform.members.select_related("sector", "committee")
        .with_constituent_count()
        .order_by("name", "id")
    )
    context = {"platform": platform, "members": members, "sectors": platform.sectors.all()}
    return render(request, "members/platform_detail.html", context)


@permissions.council_reader_required
@lag_tolerant_view
def constituent_list(request):
    filterset = ConstituentFilter(
        request.GET, queryset=constituent_rows(request.user), request=request
    )
    page = page_of(filtered(filterset), request, capped=True)
    for constituent in page:
        constituent.shown_phone = constituent.phone_for(request.user)
    audit.phones_shown(request, page)
    return render(
        request,
        "members/constituent_list.html",
        {"filter": filterset, "page": page, "query": query_without_page(request)},
    )


@permissions.council_reader_required
@lag_tolerant_view
def coverage(request):
    """"两个1" coverage and who misses what; with ``?format=xlsx`` every such member (not one
    page) as a workbook."""
    problems = (
        Member.objects.visible_to(request.user)
        .coverage_problems()
        .select_related("sector", "committee")
        .order_by("sector__order", "sector__name", "name", "id")
    )
    if request.GET.get("format") == "xlsx":
        return _coverage_export(problems)
    page = page_of(problems, request)
    return render(
        request,
        "members/coverage.html",
        {"coverage": coverage_figures(request.user), "page": page, "query": ""},
    )


def _coverage_export(problems):
    """The page's "who is missing what" table."""
    rows = (
        [m.name, m.sector.name, m.committee.name if m.committee else None, _missing(m)]
        for m in problems.iterator(chunk_size=exports.CHUNK)
    )
    return exports.xlsx_response(
        filename=exports.stamped("coverage"), sheet_title=_('"Two ones" coverage'),
        headers=[_("Name"), _("Sector"), _("Special committee"), _("Missing")],
        rows=rows,
    )


def _missing(member) -> str:
    gaps = [_("No responsibility zone")] if not member.zone else []
    if not member.constituent_count:
        gaps.append(_("No constituents"))
    return "、".join(gaps)
