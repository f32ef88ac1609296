"""Contacts per month, channel, sector and committee; activities per channel, month and
kind; the "四联四助" tags' contacts and activities."""

from __future__ import annotations

from activities.contacts.models import NONE
from activities.models import (
    Activity,
    ContactTally,
    LinkTag,
)
from liaison.dashboard.scope import Params, Scope
from liaison.dashboard.sql.clauses import (
    CHANNELS,
    Clause,
    connection_for,
    counts,
    fetch,
    fetch_rows,
    held,
    in_period,
    month_key,
    month_of,
    narrowing,
    reach,
    span,
    statement,
    union_all,
)
from members.models import Platform

CONTACT_TALLY_SQL = """
SELECT '{part}', {{c0}}, {channel}, {item}, SUM(t.logs) FROM {{contacts}} t WHERE {{c1}} GROUP BY {group}
"""
CONTACT_DAYS_SQL = """
SELECT '{part}', {{c0}}, {channel}, {item}, SUM(d.logs) FROM {{contact_day}} d WHERE {{c1}} GROUP BY {group}
"""


def _contact_part(connection, part: str, scope: Scope, params: Params, *, day_filter=None,
                  dimension: str | None = None, grouped: str = "") -> Clause:
    """One part of ``contact_figures``' UNION: (part, month, channel, item id, logs), from the
    tally rows of ``dimension`` in the period or, given ``day_filter``, from the daily
    counts it narrows. ``grouped``: the column the part is grouped by (the trend: by month
    and channel)."""
    trend = part == "trend"
    if day_filter is None:
        sql, alias = CONTACT_TALLY_SQL, "t"
        where = (Clause("t.dimension = %s", (dimension,)) & in_period(connection, params, "t.")
                 & reach(connection, scope, "t.council_id"))
        month = month_of(connection, "t.start", is_datetime=False) if trend else Clause("NULL")
    else:
        sql, alias = CONTACT_DAYS_SQL, "d"
        where = (span(connection, params, "d.day", is_datetime=False)
                 & reach(connection, scope, "d.council_id") & day_filter)
        month = month_of(connection, "d.day", is_datetime=False) if trend else Clause("NULL")
    text = sql.format(part=part, channel=f"{alias}.channel" if trend else "''",
                      item=f"{alias}.{grouped}" if not trend else str(NONE),
                      group="2, 3" if trend else "4")  # the constants' type stays open
    return statement(connection, text, [month, where])


def contact_figures(scope: Scope, params: Params, breakdown: Scope) -> dict:
    """Contacts in the period, in one statement (a UNION ALL of three GROUP BYs): per month
    and channel, narrowed by sector and committee; per sector, narrowed by committee only;
    per committee, narrowed by sector only (``breakdown``'s councils). Unnarrowed, a part
    reads the contact tally; narrowed, the daily counts of that sector or committee."""
    connection = connection_for(ContactTally)
    D = ContactTally.Dimension
    sector, committee = params.sector_id, params.committee_id
    if sector or committee:
        trend = _contact_part(connection, "trend", scope, params,
                              day_filter=narrowing(params, "d.sector_id", "d.committee_id"))
    else:
        trend = _contact_part(connection, "trend", scope, params, dimension=D.CHANNEL)
    if committee:
        sectors = _contact_part(connection, "sector", breakdown, params, grouped="sector_id",
                                day_filter=Clause("d.committee_id = %s", (committee,)))
    else:
        sectors = _contact_part(connection, "sector", breakdown, params, grouped="item_id",
                                dimension=D.SECTOR)
    if sector:
        committees = _contact_part(connection, "committee", breakdown, params,
                                   grouped="committee_id",
                                   day_filter=Clause("d.sector_id = %s", (sector,)))
    else:
        committees = _contact_part(connection, "committee", breakdown, params,
                                   grouped="item_id", dimension=D.COMMITTEE)
    months: dict[tuple[str, str], int] = {}
    by_channel = dict.fromkeys(CHANNELS, 0)
    per_sector: dict[int, int] = {}
    per_committee: dict[int | None, int] = {}
    for part, month, channel, item, n in fetch(connection,
                                                union_all([trend, sectors, committees])):
        if part == "trend":
            key = (month_key(month), channel)
            months[key] = months.get(key, 0) + n
            by_channel[channel] = by_channel.get(channel, 0) + n
        elif part == "sector":
            per_sector[item] = per_sector.get(item, 0) + n
        else:
            item = None if item == NONE else item
            per_committee[item] = per_committee.get(item, 0) + n
    return {
        "months": [{"month": m, "channel": c, "n": n} for (m, c), n in sorted(months.items())],
        "by_channel": by_channel,
        "per_sector": per_sector,
        "per_committee": per_committee,
    }


ACTIVITIES_SQL = """
SELECT COUNT(*), COALESCE(SUM(CASE WHEN cs.activity_id IS NULL THEN 0 ELSE 1 END), 0),
       COALESCE(SUM(CASE WHEN p.kind = {c0} THEN 1 ELSE 0 END), 0),
       COUNT(DISTINCT CASE WHEN p.kind = {c1} THEN a.platform_id END),
       {c2}
  FROM {activity} a LEFT JOIN {platform} p ON p.id = a.platform_id
  LEFT JOIN (SELECT x.activity_id FROM {activity_sectors} x
              GROUP BY x.activity_id HAVING COUNT(*) >= 2) cs ON cs.activity_id = a.id
 WHERE {c3}
"""
# (The cross-sector activities are joined as one GROUP BY of the activities' sectors: counted
# per activity, in a subquery, a province's 2,760 activities took 9 ms instead of 2.)


def activity_figures(scope: Scope, params: Params) -> dict:
    """Activities held in the period: in all, cross-sector (two sectors or more), at
    workstations, the workstations used, and per channel."""
    connection = connection_for(Activity)
    workstation = Platform.Kind.WORKSTATION
    (total, cross, at_workstations, used, *channels), = fetch_rows(connection, ACTIVITIES_SQL, [
        Clause("%s", (workstation,)), Clause("%s", (workstation,)),
        counts("COALESCE(SUM(CASE WHEN a.channel = %s THEN 1 ELSE 0 END), 0)", CHANNELS),
        held(connection, scope, params),
    ])
    figures = {"total": total, "cross_sector": cross, "workstation": at_workstations,
               "workstations_used": used}
    figures.update({f"channel_{channel}": n for channel, n in zip(CHANNELS, channels, strict=True)})
    return figures


ACTIVITY_GROUPS_SQL = """
SELECT {c0}, 0, '', COUNT(*) FROM {activity} a WHERE {c1} GROUP BY 1
UNION ALL
SELECT NULL, k.id, k.name, g.n
  FROM (SELECT a.kind_id, COUNT(*) AS n FROM {activity} a WHERE {c2} GROUP BY a.kind_id) g
  JOIN {activity_kind} k ON k.id = g.kind_id
"""


def activity_groups(scope: Scope, params: Params) -> dict:
    """Activities held per month (``months``: ``{"month": "YYYY-MM", "n"}``, in order) and per
    kind name (``kinds``: name, the kinds' ids, n; the most held first). Each council keeps
    its own kinds, mostly the same dozen names: a roll-up adds up its councils' kinds of one
    name. The names are joined to the kinds' counts, not grouped by: grouping by a Chinese
    name sorts the rows in the database's collation."""
    connection = connection_for(Activity)
    activities = held(connection, scope, params)
    rows = fetch_rows(connection, ACTIVITY_GROUPS_SQL, [
        month_of(connection, "a.starts_at", is_datetime=True), activities, activities,
    ])
    months, kinds = [], {}
    for month, kind_id, name, n in sorted(rows, key=lambda row: row[1]):
        if month is not None:
            months.append({"month": month_key(month), "n": n})
            continue
        row = kinds.setdefault(name, {"name": name, "ids": [], "n": 0})
        row["ids"].append(kind_id)
        row["n"] += n
    months.sort(key=lambda row: row["month"])
    return {"months": months, "kinds": sorted(kinds.values(), key=lambda k: (-k["n"], k["name"]))}


TAGS_SQL = """
SELECT CASE WHEN g.active THEN 'tag' ELSE 'retired' END, g.name, g.id, g.kind, g.{order}, 0
  FROM {tag} g WHERE {c0}
UNION ALL
{c1}
UNION ALL
SELECT 'activities', g.name, g.id, '', 0, n.n
  FROM (SELECT x.linktag_id, COUNT(*) AS n
          FROM {activity} a JOIN {activity_tags} x ON x.activity_id = a.id
         WHERE {c2} GROUP BY x.linktag_id) n
  JOIN {tag} g ON g.id = n.linktag_id
 WHERE {c3}
"""
# The logs per tag: the tally's (unnarrowed), or a sector's or committee's logs' tags.
TAG_TALLY_SQL = """
SELECT 'tallied', '', t.item_id, '', 0, SUM(t.logs) FROM {contacts} t WHERE {c0} GROUP BY t.item_id
"""
TAG_LOGS_SQL = """
SELECT 'contacts', g.name, g.id, '', 0, n.n
  FROM (SELECT x.tag_id, COUNT(*) AS n
          FROM {log_tag} x JOIN {contact_log} l ON l.id = x.contact_log_id
          JOIN {member} m ON m.id = l.member_id
         WHERE x.tag_id IN (SELECT g.id FROM {tag} g WHERE {c0}) AND {c1}
         GROUP BY x.tag_id) n
  JOIN {tag} g ON g.id = n.tag_id
"""


def tag_figures(scope: Scope, params: Params) -> list[dict]:
    """Per "四联四助" tag name: ``n_contacts`` (logs in the period), ``n_activities`` (held
    in the period, as ``activity_figures`` counts them), ``ids`` (the tags of that name in
    reach), ``kind`` and ``order`` (the first tag's). Tags in use are listed even at zero; a
    retired one only while something in the period names it (no ``ids``). Logs come from
    the contact tally, or narrowed by sector or committee, from the tags of that sector's or
    committee's logs (the log's member's, as the list filters)."""
    connection = connection_for(LinkTag)
    if params.sector_id or params.committee_id:
        contacts = statement(connection, TAG_LOGS_SQL, [
            reach(connection, scope, "g.council_id"),
            span(connection, params, "x.contacted_at", is_datetime=True)
            & narrowing(params, "m.sector_id", "m.committee_id"),
        ])
    else:
        contacts = statement(connection, TAG_TALLY_SQL, [
            Clause("t.dimension = %s", (ContactTally.Dimension.TAG,))
            & in_period(connection, params, "t.") & reach(connection, scope, "t.council_id"),
        ])
    parts = fetch_rows(connection, TAGS_SQL, [
        reach(connection, scope, "g.council_id"), contacts,
        held(connection, scope, params), reach(connection, scope, "g.council_id"),
    ])
    names = {tag_id: name for part, name, tag_id, _k, _o, _n in parts if part in ("tag", "retired")}
    rows: dict[str, dict] = {}
    for part, name, tag_id, kind, order, n in sorted(parts, key=lambda row: row[2]):
        if part == "retired":
            continue  # listed only if something in the period names it
        if part == "tallied":  # the tally and the tags are the same councils'
            part, name = "contacts", names[tag_id]
        row = rows.setdefault(name, {"name": name, "ids": [], "kind": "", "order": None,
                                     "n_contacts": 0, "n_activities": 0})
        if part == "tag":
            row["ids"].append(tag_id)
            if row["order"] is None or (order, kind) < (row["order"], row["kind"]):
                row["order"], row["kind"] = order, kind
        elif part == "contacts":
            row["n_contacts"] += n
        else:
            row["n_activities"] += n
    return sorted(rows.values(), key=lambda r: (r["order"] is None, r["order"] or 0, r["name"]))


