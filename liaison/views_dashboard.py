"""The dashboard (数据看板) for staff and leaders, with roll-up over a city's or province's
councils and drill-down into each."""

from __future__ import annotations

import logging
from datetime import date

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import Channel, LinkTag
from liaison import reports
from liaison.dashboard import duty, figures, present
from liaison.dashboard.links import Links
from liaison.dashboard.scope import Params, Scope, councils_visible
from liaison.forms import DashboardFilterForm, DutyPeriodForm, DutySchemeForm, ReportForm
from liaison.services import duty_scheme_save
from members import exports, permissions
from members.common import replica
from members.common.figures import figures_versions
from members.models import Committee, Council, Member, Platform, Sector
from members.pagination import page_of, query_without_page

log = logging.getLogger(__name__)


def _council_param(request) -> int | None:
    raw = request.GET.get("council", "")
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404
    return int(raw)


def _resolve_session(params: Params, reference: dict) -> Params:
    """No session chosen and exactly one current session in scope: name it, so that the
    figures and the register link both mean that session."""
    if params.session_id:
        return params
    current = [s["id"] for s in reference["session"] if s["extra"]]
    if len(current) != 1:
        return params
    return Params(params.date_from, params.date_to, current[0], params.sector_id,
                  params.committee_id)


def cached_dashboard_data(scope: Scope, params: Params, root_id, has_children: bool,
                          council_ids=()) -> dict:
    """``figures.dashboard_data``, cached for ``DASHBOARD_CACHE_SECONDS`` per reach, drill-down,
    filters and the figures' versions of ``council_ids`` (the councils it covers; 0 seconds:
    not cached). A write through the services bumps its council's version on commit
    (``members.common.figures``): the next request computes. Writes that go round the
    services (a bulk load, the nightly rebuilds) show within the cache's age. A cache that
    fails is logged and treated as a miss: an outage costs speed, never the page."""
    seconds = settings.DASHBOARD_CACHE_SECONDS
    if not seconds:
        return _computed(scope, params, root_id, has_children)
    try:
        versions = figures_versions(council_ids)
    except Exception:
        log.warning("Dashboard cache read failed; computing the figures", exc_info=True)
        return _computed(scope, params, root_id, has_children)
    # Figures read from the replica are kept apart from the primary's, and not longer than
    # the replica may lag: a write's new version can be read from a replica that has not
    # replayed the write yet, and its writer (pinned to the primary) must not be served that.
    source = replica.read_alias()
    if source == replica.REPLICA:
        seconds = max(1, min(seconds, int(settings.REPLICA_MAX_LAG_SECONDS)))
    key = f"dashboard:v6:{scope.cache_key}:{params.digest}:{root_id}:{versions}:{source}"
    data = _cache_get(key)
    if data is None:
        data = _computed(scope, params, root_id, has_children)
        _cache_set(key, data, seconds)
    return data


def _computed(scope: Scope, params: Params, root_id, has_children: bool) -> dict:
    """The figures, stamped with when they were computed (the page says "as of")."""
    data = figures.dashboard_data(scope, params, root_id=root_id, has_children=has_children)
    data["computed_at"] = timezone.now()
    return data


# The cache only saves time: when it fails (Redis down, a timeout, a bad pickle) the figures
# are computed as on a miss. Any exception, since each backend raises its own kinds.


def _cache_get(key: str):
    try:
        return cache.get(key)
    except Exception:
        log.warning("Dashboard cache read failed; computing the figures", exc_info=True)
        return None


def _cache_set(key: str, data: dict, seconds: int) -> None:
    try:
        cache.set(key, data, seconds)
    except Exception:
        log.warning("Dashboard cache write failed; the figures are served uncached", exc_info=True)


def _covered(councils: list[dict], root_id: int | None) -> list[int]:
    """The councils whose figures the dashboard of ``root_id`` adds up: it and the councils
    under it (two levels at most) of the reach; no root (the installation): all of them."""
    if root_id is None:
        return [c["id"] for c in councils]
    covered = {root_id}
    for _level in range(2):
        covered |= {c["id"] for c in councils if c["extra"] in covered}
    return sorted(covered)


@permissions.council_reader_required
@replica.lag_tolerant_view
def dashboard(request):
    user = request.user
    council_id = _council_param(request)
    scope = Scope(user=user, council_id=council_id)
    root_id = council_id or user.council_id
    reference = figures.reference(scope, root_id)
    councils = {c["id"]: c for c in reference["council"]}
    if council_id is not None and council_id not in councils:
        raise Http404  # outside the user's subtree
    has_children = any(c["extra"] == root_id for c in reference["council"])
    if has_children and root_id is not None:
        # Sectors and committees are one council's: on a roll-up, the viewed council's own
        # (as its breakdown tables); a child council's are on its dashboard.
        for kind in ("sector", "committee"):
            reference[kind] = [row for row in reference[kind] if row["extra"] == root_id]
    form = DashboardFilterForm(request.GET or None, reference=reference, council_id=council_id)
    params = _resolve_session(form.params(), reference)
    data = cached_dashboard_data(scope, params, root_id, has_children,
                                 _covered(reference["council"], root_id))
    links = Links(params, council_id)
    charts = present.chart_data(data)
    context = {
        "form": form,
        "params": params,
        "council": councils.get(council_id) if council_id else councils.get(user.council_id),
        "drilled": council_id is not None,
        "groups": present.figure_groups(data, links, params.session_id),
        "session_name": next(
            (s["name"] for s in reference["session"] if s["id"] == params.session_id), None
        ),
        "activity_kinds": [_kind_row(kind, links) for kind in data["activity_kinds"]],
        "sectors": [_sector_row(row, links, params) for row in data["sectors"]],
        "committees": [_committee_row(row, links) for row in data["committees"]],
        "platforms": [_platform_row(row, links) for row in data["platforms"]],
        "councils": [_council_row(row, request, params) for row in data["councils"]],
        "tags": [_tag_row(row, links) for row in data["tags"]],
        "charts": charts,
        "chart_tables": present.chart_tables(charts, links),
        "report_url": reverse("liaison:report"),
        "intake_triage_hours": data["intake"]["triage_hours"],
        "computed_at": data["computed_at"],
    }
    if has_children:  # rows of several councils: say whose each is (names repeat)
        for row in context["sectors"] + context["committees"] + context["platforms"]:
            row["council_name"] = councils.get(row["council_id"], {}).get("name", "")
    return render(request, "liaison/dashboard.html", context)


# Breakdown rows: each number links with exactly the filters its figure applies. A sector's
# members, constituents and filed proposals are not narrowed by the committee filter (nor a
# committee's members, constituents and activities by the sector filter); their contacts are.
# A platform's or a child council's numbers are not narrowed by sector or committee at all.


def _sector_row(row, links: Links, params: Params) -> dict:
    pk = row["pk"]
    return {
        **row,
        "members_url": links.members_active(sector=pk, committee=None),
        "constituents_url": links.constituents(sector=pk, committee=None),
        "contacts_url": links.contacts(sector=pk),
        "proposals_url": links.proposals(params.session_id, filed=True, sector=pk, committee=None),
    }


def _committee_row(row, links: Links) -> dict:
    pk = row["pk"]
    return {
        **row,
        "members_url": links.members_active(committee=pk, sector=None),
        "constituents_url": links.constituents(committee=pk, sector=None),
        "contacts_url": links.contacts(committee=pk),
        "activities_url": links.activities(committee=pk, sector=None),
    }


def _platform_row(row, links: Links) -> dict:
    pk, whole = row["pk"], {"sector": None, "committee": None}
    return {
        **row,
        "kind_label": Platform.Kind(row["kind"]).label,
        "contacts_url": links.contacts(platform=pk, **whole),
        "activities_url": links.activities(platform=pk, **whole),
        "consultations_url": links.consultations(platform=pk),
    }


def _by_id_or_name(row, field: str) -> dict:
    """The list filter of a row that a name stands for: one council's item by its id (the
    list's filter bar shows it), a roll-up's name — several councils' items — by the name."""
    return {field: row["ids"][0]} if len(row["ids"]) == 1 else {f"{field}_name": row["name"]}


def _kind_row(row, links: Links) -> dict:
    """An activity kind's row (per name, as the tags)."""
    return {**row, "url": links.activities(**_by_id_or_name(row, "kind"))}


def _tag_row(row, links: Links) -> dict:
    """A "四联四助" tag's row (per name)."""
    which = _by_id_or_name(row, "tag")
    return {
        **row,
        "kind_label": LinkTag.Kind(row["kind"]).label if row["kind"] else "",
        "contacts_url": links.contacts(**which),
        "activities_url": links.activities(**which),
    }


def _council_row(row, request, params: Params) -> dict:
    query = request.GET.copy()
    for name in ("council", "sector", "committee", "session"):
        query.pop(name, None)  # a child council has its own sectors, committees and sessions
    query["council"] = row["pk"]
    links, whole = Links(params, row["pk"]), {"sector": None, "committee": None}
    return {
        **row,
        "url": f"{reverse('liaison:dashboard')}?{query.urlencode()}",
        "members_url": links.members_active(**whole),
        "constituents_url": links.constituents(**whole),
        "contacts_url": links.contacts(**whole),
        "proposals_url": links.proposals(params.session_id, **whole),
        "consultations_url": links.consultations(),
        "activities_url": links.activities(**whole),
    }


# --- member duty records (委员履职档案) -------------------------------------------------------


def _period_params(form) -> Params:
    date_from, date_to = form.period()
    return Params(date_from=date_from, date_to=date_to)


@login_required
@replica.lag_tolerant_view
def duty_record(request, pk: int):
    """One member's duty record for a period: members see only their own, staff and leaders
    every member of their council (``Member.objects.visible_to``)."""
    member = get_object_or_404(
        Member.objects.visible_to(request.user).select_related("sector", "committee", "council"),
        pk=pk,
    )
    form = DutyPeriodForm(request.GET or None)
    params = _period_params(form)
    scheme = duty.scheme_for(member.council)
    scored = duty.with_points(Member.objects.filter(pk=member.pk), params, scheme).get()
    record = duty.duty_record(member, params)
    context = {
        "member": member,
        "form": form,
        "params": params,
        "record": record,
        "channel_rows": [
            (label, record["contacts"].get(value, 0)) for value, label in Channel.choices
        ],
        "lines": duty.explain(scored, scheme),
        "points": scored.points,
    }
    return render(request, "liaison/duty_record.html", context)


@login_required
def my_duty_record(request):
    member = permissions.member_of(request.user)
    if member is None:
        raise Http404
    query = request.GET.urlencode()
    url = reverse("liaison:duty-record", args=[member.pk])
    return redirect(f"{url}?{query}" if query else url)


# --- duty points (履职积分) -----------------------------------------------------------------


def _points_council(request):
    """The council whose scheme and members the points page shows: the user's own, or for a
    city or province user the council chosen in ``?council=`` (default: the first district)."""
    councils = councils_visible(request.user).filter(level=Council.Level.DISTRICT)
    raw = request.GET.get("council", "")
    if raw:
        if not raw.isdigit():
            raise Http404
        return get_object_or_404(councils, pk=raw), councils
    own = request.user.council
    if own is not None and own.level == Council.Level.DISTRICT:
        return own, councils
    first = councils.order_by("name", "pk").first()
    if first is None:
        raise Http404
    return first, councils


@permissions.council_reader_required
@replica.lag_tolerant_view
def points(request):
    """The ranking by duty points in a period, within each sector and committee; with
    ``?format=xlsx`` the whole ranking (every page) as a workbook."""
    council, councils = _points_council(request)
    form = DutyPeriodForm(request.GET or None)
    params = _period_params(form)
    scheme = duty.scheme_for(council)
    members = Member.objects.visible_to(request.user).filter(
        council=council, status=Member.Status.ACTIVE
    ).select_related("sector", "committee")
    sector = request.GET.get("sector", "")
    committee = request.GET.get("committee", "")
    ranked = duty.with_points(members, params, scheme, rank=True).order_by("-points", "name", "pk")
    if sector.isdigit():
        ranked = ranked.filter(sector_id=sector)
    if committee.isdigit():
        ranked = ranked.filter(committee_id=committee)
    if request.GET.get("format") == "xlsx":
        return _points_export(ranked)
    page = page_of(ranked, request, per_page=100)
    context = {
        "council": council,
        "councils": councils if councils.count() > 1 else [],
        "form": form,
        "scheme": scheme,
        "rules": scheme.rules(),
        "page": page,
        "query": query_without_page(request),
        "sectors": Sector.objects.filter(council=council),
        "committees": Committee.objects.filter(council=council),
        "sector": sector,
        "committee": committee,
        "can_edit": permissions.is_staff(request.user),
    }
    return render(request, "liaison/points_ranking.html", context)


def _points_export(ranked):
    """The ranking's table as the page shows it, one row per member."""
    rows = (
        [m.name, m.sector.name, m.sector_rank, m.committee.name if m.committee else None,
         m.committee_rank, m.points]
        for m in ranked.iterator(chunk_size=exports.CHUNK)
    )
    return exports.xlsx_response(
        filename=exports.stamped("duty-points"), sheet_title=_("Duty points"),
        headers=[_("Member"), _("Sector"), _("Rank in sector"), _("Special committee"),
                 _("Rank in committee"), _("Duty points")],
        rows=rows,
    )


@permissions.staff_required
def points_scheme(request):
    """Staff edit the council's scoring scheme (points per item and caps)."""
    council, _councils = _points_council(request)
    scheme = duty.scheme_for(council)
    form = DutySchemeForm(request.POST or None, instance=scheme)
    if request.method == "POST" and form.is_valid():
        duty_scheme_save(scheme=scheme, data=form.cleaned_data, by=request.user)
        messages.success(request, _("The duty points scheme has been saved."))
        return redirect(f"{reverse('liaison:points')}?council={council.pk}")
    return render(request, "liaison/points_scheme.html", {"form": form, "council": council})


# --- reports --------------------------------------------------------------------------------


@permissions.council_reader_required
@replica.lag_tolerant_view
def report(request):
    """The period report: the summary paragraph on the page, the workbook as a download."""
    council, councils = _report_council(request)
    query = request.GET.copy()
    if not query:  # opened from the menu: this year so far, the figures at once
        today = timezone.localdate()
        query.update({"from": date(today.year, 1, 1).isoformat(), "to": today.isoformat()})
    form = ReportForm(query, councils=list(councils), council=council)
    context = {"form": form, "council": council}
    if request.GET.get("format") == "xlsx" and not form.is_valid():
        return _report_needs_a_period(request)
    if form.is_bound and form.is_valid():
        date_from, date_to = form.period()
        scope = Scope(user=request.user, council_id=council.pk)
        if request.GET.get("format") == "xlsx":
            content = reports.workbook(scope, council.name, date_from, date_to)
            response = HttpResponse(
                content,
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            name = f"report-{date_from:%Y%m%d}-{date_to:%Y%m%d}.xlsx"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            exports.record_download(filename=name, rows=None, request=request, council=council.name)
            return response
        figures_ = reports.collect(scope, council.name, date_from, date_to)
        context.update(
            {
                "figures": figures_,
                "paragraph": reports.paragraph(figures_),
                "download": f"{request.path}?{query.urlencode()}&format=xlsx",
            }
        )
    return render(request, "liaison/report.html", context)


def _report_needs_a_period(request):
    """The workbook is of a period: asked for without a valid one, say so and go back to the
    form (with what was chosen, so that its errors show)."""
    messages.error(request, _("Choose the period's start and end dates before downloading the report workbook."))
    query = request.GET.copy()
    query.pop("format")
    url = reverse("liaison:report")
    return redirect(f"{url}?{query.urlencode()}" if query else url)


def _report_council(request):
    councils = councils_visible(request.user)
    raw = request.GET.get("council", "")
    if raw:
        if not raw.isdigit():
            raise Http404
        return get_object_or_404(councils, pk=raw), councils
    if request.user.council is None:
        council = councils.order_by("name", "pk").first()
        if council is None:
            raise Http404
        return council, councils
    return request.user.council, councils
