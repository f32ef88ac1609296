"""The period report: an Excel workbook and the statistics paragraph of the kind the seed's
article prints ("截至目前，共建立界别委员联系点1个……"), written from the data.

Used by ``manage.py report`` and by the report page; both read through the same selectors
as the dashboard, so the report and the dashboard agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Prefetch, Q
from django.db.models.functions import Coalesce
from django.utils import formats
from django.utils.translation import gettext as _

from activities.models import Channel, Consultation, Problem
from liaison.dashboard import breakdowns, duty, figures
from liaison.dashboard.scope import Params, Scope
from members.models import Council, Member, Platform
from members.xlsx import Sheet, stream_sheets
from opinions.models import Instruction, Report
from proposals.models import Proposal, Session
from proposals.models import State as ProposalState


@dataclass
class ReportFigures:
    council: str
    date_from: date
    date_to: date
    liaison_points: int
    studios: int
    workstations: int
    constituents: int
    members_active: int
    members_missing: int
    session: str  # the first session counted ("十届四次全会以来")
    sessions: str  # every session counted ("十届四次、十届五次")
    collected: int
    filed: int
    closed: int
    consultations: int
    problems_solved: int
    workstation_activities: int
    series: str
    # 社情民意信息 submitted in the period, and of those the adopted and instructed.
    reports: int = 0
    reports_adopted: int = 0
    reports_instructed: int = 0

    @property
    def coverage(self) -> float | None:
        if not self.members_active:
            return None
        return round((self.members_active - self.members_missing) * 100 / self.members_active, 1)


def report_sessions(scope: Scope, date_from: date, date_to: date) -> list[Session]:
    """The sessions whose proposals the report counts, each council's own: those opened
    within the period, or — none having opened in it — the one in force when it began (the
    latest opened before). The paragraph names each council's first one: "十届四次全会以来"
    counts 十届四次 and every later session opened by ``date_to``, that is what "since"
    says. A city's or province's report thus counts every council's proposals, not one
    district's. One query (a council has a handful of sessions)."""
    by_council: dict[int, list[Session]] = {}
    for session in (
        scope.rows(Session).filter(opened_on__lte=date_to).order_by("council_id", "opened_on", "pk")
    ):
        by_council.setdefault(session.council_id, []).append(session)
    chosen: list[Session] = []
    for sessions in by_council.values():
        within = [s for s in sessions if s.opened_on >= date_from]
        chosen.extend(within or sessions[-1:])
    return chosen


def _sessions_named(sessions: list[Session]) -> str:
    """Each council's first counted session: "十届四次", or "十届四次、十届三次" where the
    councils' differ."""
    first: dict[int, Session] = {}
    for s in sessions:
        if s.council_id not in first or (s.opened_on, s.pk) < (first[s.council_id].opened_on,
                                                                first[s.council_id].pk):
            first[s.council_id] = s
    return "、".join(dict.fromkeys(
        s.name for s in sorted(first.values(), key=lambda s: (-s.term, -s.number))
    ))


def _sessions_listed(sessions: list[Session]) -> str:
    """Every counted session, oldest first: "十届四次、十届五次"."""
    return "、".join(dict.fromkeys(s.name for s in sorted(sessions, key=lambda s: (s.term, s.number))))


def collect(scope: Scope, council_name: str, date_from: date, date_to: date) -> ReportFigures:
    sessions = report_sessions(scope, date_from, date_to)
    params = Params(date_from=date_from, date_to=date_to,
                    session_ids=tuple(s.pk for s in sessions) or (-1,))
    kinds = dict(
        scope.rows(Platform).filter(active=True).order_by().values_list("kind").annotate(n=Count("pk"))
    )
    roster = figures.roster_figures(scope, params)
    proposals = figures.proposal_figures(scope, params)
    consultations = figures.consultation_figures(scope, params)
    series = (
        figures.activity_rows(scope, params)
        .filter(platform__kind=Platform.Kind.WORKSTATION)
        .order_by()
        .values("series__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "series__name")
    )
    series = list(series)
    top = next((row for row in series if row["series__name"]), None)
    opinions = figures.opinion_figures(scope, params)
    return ReportFigures(
        council=council_name,
        date_from=date_from,
        date_to=date_to,
        liaison_points=kinds.get(Platform.Kind.LIAISON_POINT, 0),
        studios=kinds.get(Platform.Kind.STUDIO, 0),
        workstations=kinds.get(Platform.Kind.WORKSTATION, 0),
        constituents=roster["constituents"],
        members_active=roster["active"],
        members_missing=roster["missing"],
        session=_sessions_named(sessions),
        sessions=_sessions_listed(sessions),
        collected=proposals["collected"],
        filed=proposals["filed"],
        closed=proposals["closed"],
        consultations=consultations["held"],
        problems_solved=consultations["solved"],
        workstation_activities=top["n"] if top else sum(row["n"] for row in series),
        series=top["series__name"] if top else "",
        reports=opinions["submitted"],
        reports_adopted=opinions["adopted"],
        reports_instructed=opinions["instructed"],
    )


def about(n: int) -> str:
    """A count the way the article states it: 34 → "30余" ("more than 30"), 26 → "26"."""
    if n >= 20 and n % 10:
        return _("more than %(n)s") % {"n": n // 10 * 10}
    return str(n)


def _since(day: date) -> str:
    if day.month == 1 and day.day == 1:
        return _("%(year)s") % {"year": day.year}
    return formats.date_format(day, "DATE_FORMAT")


def paragraph(f: ReportFigures) -> str:
    """The statistics paragraph, in the active language (Chinese for the portal)."""
    values = {
        "since": _since(f.date_from),
        "council": f.council,
        "points": f.liaison_points,
        "studios": f.studios,
        "constituents": f.constituents,
        "coverage": f"{f.coverage:g}" if f.coverage is not None else "—",
        "session": f.session or _("the current session"),
        "collected": f.collected,
        "filed": f.filed,
        "closed": f.closed,
        "consultations": f.consultations,
        "problems": about(f.problems_solved),
        "workstations": f.workstations,
        "activities": f.workstation_activities,
        "series": f.series,
        "reports": f.reports,
        "reports_adopted": f.reports_adopted,
        "reports_instructed": f.reports_instructed,
    }
    parts = [
        _(
            "Since %(since)s, %(council)s has set up %(points)s sector liaison point(s) and "
            "%(studios)s member studios, linking %(constituents)s constituents; %(coverage)s%% "
            "of the members are covered by the \"two ones\"."
        ) % values,
        _(
            "Since the plenary session %(session)s, %(collected)s proposals have been collected, "
            "%(filed)s filed and %(closed)s closed; %(consultations)s consultations have been "
            "held, solving %(problems)s problems."
        ) % values,
    ]
    if f.series:
        parts.append(
            _("%(workstations)s member workstations held %(activities)s activities of the "
              "series %(series)s.") % values
        )
    else:
        parts.append(
            _("%(workstations)s member workstations held %(activities)s activities.") % values
        )
    if f.reports:
        parts.append(
            _("Members submitted %(reports)s public-opinion reports, of which %(reports_adopted)s "
              "were adopted and %(reports_instructed)s received a leader's instruction.") % values
        )
    # Chinese sentences run on; English ones take a space.
    return ("" if parts[0].endswith("。") else " ").join(parts)


# --- the workbook ---------------------------------------------------------------------------
#
# Written by ``members.xlsx.stream_sheets``: each sheet's XML is made row by row straight from
# the query's values (inline strings, never formulas), a few times faster than openpyxl's
# cells, whose writing was most of a province report's time.


def _local(dt):
    from django.utils import timezone

    return timezone.localtime(dt).replace(tzinfo=None) if dt else None


def workbook(scope: Scope, council_name: str, date_from: date, date_to: date) -> bytes:
    """The report as .xlsx bytes: summary, members with duty points, platforms, contacts by
    channel, proposals, activities, consultations and problems."""
    f = collect(scope, council_name, date_from, date_to)
    params = Params(date_from=date_from, date_to=date_to)
    summary = [
        [_("Council"), f.council],
        [_("From"), f.date_from],
        [_("To"), f.date_to],
        [_("Sector liaison points"), f.liaison_points],
        [_("Member studios"), f.studios],
        [_("Member workstations"), f.workstations],
        [_("Constituents linked"), f.constituents],
        [_("Serving members"), f.members_active],
        [_("\"Two ones\" coverage (%)"), f.coverage],
        [_("Session"), f.session],
        [_("Sessions counted"), f.sessions],
        [_("Proposals collected"), f.collected],
        [_("Proposals filed"), f.filed],
        [_("Proposals closed"), f.closed],
        [_("Consultations held"), f.consultations],
        [_("Problems solved"), f.problems_solved],
        [_("Activities at member workstations"), f.workstation_activities],
        [_("Public-opinion reports submitted"), f.reports],
        [_("Public-opinion reports adopted"), f.reports_adopted],
        [_("Public-opinion reports with a leader's instruction"), f.reports_instructed],
        [],
        [_("Summary paragraph"), paragraph(f)],
    ]
    sheets = [
        Sheet(_("Summary"), [_("Figure"), _("Value")], summary, widths={"A": 28, "B": 60}),
        _members_sheet(scope, params),
        _platforms_sheet(scope, params),
        _contacts_sheet(scope, params),
        _proposals_sheet(scope, date_from, date_to),
        _activities_sheet(scope, params),
        _consultations_sheet(scope, params),
        _opinions_sheet(scope, params),
    ]
    return b"".join(stream_sheets(sheets))


def _members_sheet(scope, params) -> Sheet:
    """Every serving member in scope with their duty counts and points, council by council,
    highest points first. One query for all of them (the counts; each council's scheme turns
    them into points here), rather than one per council computing every count three times
    (for the count, the points and the total)."""
    keys = [key for key, _label in duty.DutyScheme.ITEMS]
    items = [str(label) for _key, label in duty.DutyScheme.ITEMS]
    headers = (
        [_("Council"), _("Member"), _("Sector"), _("Special committee")]
        + [_("%(item)s (count)") % {"item": i} for i in items]
        + [_("%(item)s (points)") % {"item": i} for i in items]
        + [_("Duty points")]
    )

    def rows():
        members = duty.with_duty_counts(scope.rows(Member).filter(status=Member.Status.ACTIVE), params)
        members = members.order_by().values_list(
            "pk", "council_id", "council__name", "name", "sector__name", "committee__name",
            *(f"n_{key}" for key in keys),
        )
        schemes: dict[int, list] = {}
        lines = []
        for pk, council_id, council, name, sector, committee, *counts in members:
            if council_id not in schemes:
                schemes[council_id] = duty.scheme_for(Council(pk=council_id)).rules()
            points = [
                n * per if cap is None else min(n * per, cap)
                for n, (_key, _label, per, cap) in zip(counts, schemes[council_id], strict=True)
            ]
            lines.append(((council, -sum(points), name, pk),
                          [council, name, sector, committee or "", *counts, *points, sum(points)]))
        for _order, line in sorted(lines, key=lambda item: item[0]):
            yield line

    return Sheet(_("Members and duty points"), headers, rows())


def _platforms_sheet(scope, params) -> Sheet:
    def rows():
        for row in breakdowns.platform_rows(scope, params):
            yield [row["name"], str(Platform.Kind(row["kind"]).label),
                   _("Yes") if row["active"] else _("No"), row["n_contacts"],
                   row["n_activities"], row["n_consultations"]]

    return Sheet(_("Platforms"), [_("Platform"), _("Kind"), _("Active"), _("Contacts"),
                                  _("Activities held"), _("Consultations")], rows())


def _contacts_sheet(scope, params) -> Sheet:
    labels = dict(Channel.choices)

    def rows():
        months: dict[str, dict] = {}
        for row in figures.contact_months(scope, params):
            months.setdefault(row["month"], {})[row["channel"]] = row["n"]
        totals = dict.fromkeys(labels, 0)
        for month, counts in sorted(months.items()):
            yield [month] + [counts.get(ch, 0) for ch in labels] + [sum(counts.values())]
            for ch in labels:
                totals[ch] += counts.get(ch, 0)
        yield [_("Total")] + list(totals.values()) + [sum(totals.values())]

    return Sheet(_("Contacts by channel"),
                 [_("Month")] + [str(v) for v in labels.values()] + [_("Total")], rows())


def _proposals_sheet(scope, date_from, date_to) -> Sheet:
    def rows():
        sessions = report_sessions(scope, date_from, date_to)
        states = {value: str(label) for value, label in ProposalState.choices}  # translated once
        proposals = (
            scope.rows(Proposal).exclude(state=ProposalState.DRAFT)
            .filter(session__in=sessions)
            .annotate(
                # One kind of proposer per proposal (a constraint): the one that is there.
                _proposer=Coalesce("proposer__name", "proposer_committee__name",
                                   "proposer_sector__name"),
            )
            .order_by("number", "pk")
            .values_list("session__name", "number", "title", "_proposer", "state", "latest_reply",
                         "filed_at", "closed_at")
        )
        for session, number, title, proposer, state, reply, filed_at, closed_at in proposals.iterator(
            chunk_size=2000
        ):
            yield [session, f"第{number:03d}号" if number else "", title, proposer or "",
                   states.get(state, state), reply or "", _local(filed_at), _local(closed_at)]

    return Sheet(_("Proposals"), [_("Session"), _("Number"), _("Title"), _("Proposer"),
                                  _("State"), _("Reply category"), _("Filed"), _("Closed")],
                 rows())


def _activities_sheet(scope, params) -> Sheet:
    def rows():
        activities = (
            figures.activity_rows(scope, params)
            .select_related("kind", "platform", "series")
            .prefetch_related("sectors")
            .annotate(attended=Count("attendances", filter=Q(attendances__attended=True)))
            .order_by("starts_at", "pk")
        )
        channels = {value: str(label) for value, label in Channel.choices}  # translated once
        for a in activities:
            yield [_local(a.starts_at), a.title, a.kind.name, channels.get(a.channel, a.channel),
                   a.platform.name if a.platform else "", a.series.name if a.series else "",
                   "、".join(s.name for s in a.sectors.all()), a.attended, a.constituents_reached]

    return Sheet(_("Activities"), [_("Starts at"), _("Title"), _("Kind"), _("Channel"),
                                   _("Platform"), _("Series"), _("Sectors"),
                                   _("Members attended"), _("Constituents reached")], rows())


def _consultations_sheet(scope, params) -> Sheet:
    def rows():
        consultations = (
            scope.rows(Consultation).filter(params.span("held_on", is_datetime=False))
            .select_related("platform")
            .prefetch_related(Prefetch("problems", queryset=Problem.objects.order_by("pk")))
            .order_by("held_on", "pk")
        )
        for c in consultations:
            for problem in list(c.problems.all()) or [None]:
                yield [
                    c.held_on, c.topic, c.platform.name if c.platform else "",
                    problem.description if problem else "",
                    str(problem.get_state_display()) if problem else "",
                    problem.resolved_on if problem else None,
                ]

    return Sheet(_("Consultations and problems"),
                 [_("Held on"), _("Topic"), _("Platform"), _("Problem"), _("State"),
                  _("Resolved on")], rows())


def _opinions_sheet(scope, params) -> Sheet:
    """Every public-opinion report submitted in the period, where it went, and its
    instructions (one line per report: the leaders' instructions joined)."""

    def rows():
        reports = (
            scope.rows(Report).filter(params.span("submitted_at", is_datetime=True))
            .select_related("member", "council", "current_council")
            .prefetch_related(Prefetch(
                "routings__instructions", queryset=Instruction.objects.order_by("given_on", "pk")))
            .order_by("submitted_at", "pk")
        )
        states = {value: str(label) for value, label in Report.State.choices}  # translated once
        for r in reports:
            instructions = [i for routing in r.routings.all() for i in routing.instructions.all()]
            yield [
                _local(r.submitted_at), r.title, r.member.name, r.council.name,
                states.get(r.state, r.state), r.current_council.name, r.times_forwarded,
                _local(r.adopted_at),
                "；".join(f"{i.leader}（{i.given_on:%Y-%m-%d}）：{i.text}" for i in instructions),
            ]

    return Sheet(_("Public-opinion reports"),
                 [_("Submitted"), _("Title"), _("Author"), _("Originating council"), _("State"),
                  _("Now at"), _("Times forwarded"), _("Adopted"), _("Leaders' instructions")],
                 rows())
