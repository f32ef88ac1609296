"""Turn ``dashboard_data`` (plain, cacheable numbers) into what the page shows: labelled
figures with the link to the list behind each, breakdown tables and chart data."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from activities.models import Channel
from liaison.dashboard.links import Links
from members.models import Platform
from opinions.models import Report
from proposals.filters import POSITIVE, RATED
from proposals.models import Rating, Reply
from proposals.models import State as ProposalState


@dataclass
class Figure:
    """One number and the list behind it. A rate links to the list of its part (``url``) and
    names the list of its whole (``base_url``); ``complement``: the part listed is the
    remainder (coverage lists the members not covered)."""

    key: str
    label: str
    value: object
    url: str | None = None
    suffix: str = ""
    base_url: str | None = None
    complement: bool = False


def percent(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 1) if whole else None


def figure_groups(data: dict, links: Links, session_id: int | None) -> list[tuple[str, list[Figure]]]:
    m, v, p = data["members"], data["visits"], data["proposals"]
    c, a = data["consultations"], data["activities"]
    covered = m["active"] - m["missing"]
    people = [
        Figure(f"platforms-{kind}", str(label), data["platform_kinds"][kind], links.platforms(kind))
        for kind, label in Platform.Kind.choices
    ] + [
        Figure("members-active", _("Serving members"), m["active"], links.members_active()),
        Figure("members-missing", _("Members missing a zone or constituents"), m["missing"],
               links.members_missing()),
        Figure("coverage", _("\"Two ones\" coverage"), percent(covered, m["active"]),
               links.members_missing(), "%", base_url=links.members_active(), complement=True),
        Figure("constituents", _("Constituents linked"), data["constituents"], links.constituents()),
    ]
    contacts = [Figure("contacts-total", _("Contacts in the period"), data["contacts"]["total"],
                       links.contacts())] + [
        Figure(f"contacts-{channel}", str(label), data["contacts"]["by_channel"][channel],
               links.contacts(channel))
        for channel, label in Channel.choices
    ]
    visits = [
        Figure("visits-rate", _("Must-visits done on time"), percent(v["on_time"], v["due"]),
               links.compliance(), "%"),
        Figure("visits-due", _("Must-visits that came due"), v["due"], links.reminders("due")),
        Figure("visits-on-time", _("Done on time"), v["on_time"], links.reminders(on_time=True)),
        Figure("visits-overdue", _("Overdue"), v["overdue"], links.reminders("overdue")),
    ]
    proposals = [
        Figure("proposals-collected", _("Proposals collected"), p["collected"],
               links.proposals(session_id)),
        Figure("proposals-filed", _("Filed"), p["filed"], links.proposals(session_id, filed=True)),
        Figure("proposals-closed", _("Closed after handling"), p["closed"],
               links.proposals(session_id, state=ProposalState.CLOSED)),
    ] + [
        Figure(f"reply-{cat}", str(label), p[f"reply_{cat}"],
               links.proposals(session_id, reply_category=cat))
        for cat, label in Reply.Category.choices
    ]
    rated = sum(p[f"rating_{value}"] for value, _label in Rating.Value.choices)
    proposals += [
        Figure(f"rating-{value}", str(label), p[f"rating_{value}"],
               links.proposals(session_id, rating=value))
        for value, label in Rating.Value.choices
    ] + [
        Figure("satisfaction", _("Satisfied or basically satisfied"),
               percent(p["rating_satisfied"] + p["rating_basically"], rated),
               links.proposals(session_id, rating=POSITIVE), "%",
               base_url=links.proposals(session_id, rating=RATED)),
    ]
    consultations = [
        Figure("consultations", _("Consultations held"), c["held"], links.consultations()),
        Figure("problems-raised", _("Problems raised"), c["raised"], links.problems()),
        Figure("problems-solved", _("Problems solved"), c["solved"], links.problems("resolved")),
    ]
    activities = [
        Figure("activities-total", _("Activities held"), a["total"], links.activities()),
        Figure("activities-cross", _("Cross-sector activities"), a["cross_sector"],
               links.activities(cross_sector=True)),
        Figure("activities-workstation", _("Activities at member workstations"), a["workstation"],
               links.activities(workstation=True)),
    ] + [
        Figure(f"activities-{channel}", str(label), a[f"channel_{channel}"],
               links.activities(channel))
        for channel, label in Channel.choices
    ]
    q = data["intake"]
    intake = [
        Figure("intake-arrived", _("Messages by QR code"), q["arrived"], links.intake()),
        Figure("intake-awaiting", _("Awaiting triage"), q["awaiting"], links.intake("new")),
        Figure("intake-assigned", _("Passed to members"), q["assigned"], links.intake("assigned")),
        Figure("intake-merged", _("Merged as duplicates"), q["merged"], links.intake("merged")),
        Figure("intake-closed", _("Closed with a reason"), q["closed"], links.intake("closed")),
        Figure("intake-solved", _("Difficulties visited"), q["solved"],
               links.intake(outcome="solved")),
        Figure("intake-proposal", _("Became proposals"), q["proposal"],
               links.intake(outcome="proposal")),
    ]
    r = data["opinions"]
    opinions = [
        Figure("opinions-submitted", _("Reports submitted"), r["submitted"], links.opinions()),
        Figure("opinions-pending", _("Awaiting a decision"), r["pending"],
               links.opinions(Report.State.PENDING)),
        Figure("opinions-forwarded", _("Forwarded upward"), r["forwarded"],
               links.opinions(forwarded=True)),
        Figure("opinions-adopted", _("Adopted"), r["adopted"], links.opinions(Report.State.ADOPTED)),
        Figure("opinions-instructed", _("With a leader's instruction"), r["instructed"],
               links.opinions(instructed=True)),
        Figure("opinions-not-used", _("Not used"), r["not_used"],
               links.opinions(Report.State.NOT_USED)),
    ]
    return [
        (_("Platforms and people"), people),
        (_("Contacts with constituents"), contacts),
        (_("Must-visits"), visits),
        (_("Proposals of the session"), proposals),
        (_("Consultations"), consultations),
        (_("Activities"), activities),
        (_("Public-opinion reports"), opinions),
        # Last: the page writes the QR messages' time to triage under the last group.
        (_("QR codes at the platforms"), intake),
    ]


def month_range(months: set[str]) -> list[str]:
    """Every month ("YYYY-MM") from the earliest to the latest of ``months``."""
    if not months:
        return []
    first, last = min(months), max(months)
    year, month = int(first[:4]), int(first[5:])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def chart_data(data: dict) -> dict:
    """Series for Chart.js (read by static/js/dashboard.js through json_script). ``keys`` name
    the rows (months, channels) and each dataset's ``key`` its column, for the table links."""
    channel_labels = dict(Channel.choices)
    # One axis for both trends: every month from the first to the last of either, empty
    # months included (a gap in the data is a zero, not a shorter axis).
    months = month_range({row["month"] for row in data["contact_months"]}
                         | {row["month"] for row in data["activity_months"]})
    by = {(row["month"], row["channel"]): row["n"] for row in data["contact_months"]}
    contacts = {
        "labels": months,
        "keys": months,
        "datasets": [
            {"label": str(label), "key": channel,
             "data": [by.get((month, channel), 0) for month in months]}
            for channel, label in channel_labels.items()
        ],
    }
    per_month: dict[str, int] = {}
    for row in data["activity_months"]:
        per_month[row["month"]] = per_month.get(row["month"], 0) + row["n"]
    activities = {
        "labels": months,
        "keys": months,
        "datasets": [{"label": _("Activities held"), "key": None,
                      "data": [per_month.get(month, 0) for month in months]}],
    }
    channels = {
        "labels": [str(label) for label in channel_labels.values()],
        "keys": list(channel_labels),
        "datasets": [{"label": _("Contacts"), "key": None,
                      "data": [data["contacts"]["by_channel"][ch] for ch in channel_labels]}],
    }
    return {"contacts": contacts, "activities": activities, "channels": channels}


def _chart_cell_url(links: Links, name: str, row_key: str, column_key: str | None) -> str | None:
    """The list behind one number of a chart's table."""
    if name == "contacts":  # a month × a channel
        return links.contacts(channel=column_key, month=row_key)
    if name == "activities":  # a month
        return links.activities(month=row_key)
    return links.contacts(channel=row_key)  # "channels": a channel


def chart_tables(charts: dict, links: Links) -> dict:
    """The same series as rows, for the accessible tables under each chart; every number
    links to its list."""
    tables = {}
    for name, chart in charts.items():
        rows = []
        for i, (label, row_key) in enumerate(zip(chart["labels"], chart["keys"], strict=True)):
            cells = [
                {"n": ds["data"][i], "url": _chart_cell_url(links, name, row_key, ds["key"])}
                for ds in chart["datasets"]
            ]
            rows.append({"label": label, "cells": cells, "html": _cells_html(cells)})
        tables[name] = {"columns": [ds["label"] for ds in chart["datasets"]], "rows": rows}
    return tables


def _cells_html(cells: list[dict]):
    """A table row's number cells, written here rather than by the template: a province's
    chart tables hold hundreds of linked numbers, and template nodes per cell were a third
    of the page's rendering time."""
    return format_html_join(
        "", "{}", (
            (format_html('<td class="text-end"><a href="{}">{}</a></td>', cell["url"], cell["n"])
             if cell["url"] else format_html('<td class="text-end">{}</td>', cell["n"]),)
            for cell in cells
        ),
    )
