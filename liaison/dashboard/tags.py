"""The dashboard's "四联四助" figures: contact logs and activities per tag, in one query.

Tags are each council's own list, mostly the same eight names: the figures are per tag name,
so that a city's or province's roll-up adds up its councils' tags of one name (within one
council a name is one tag). Contact logs are counted on their tags' rows alone
(``ContactLogTag``: the tag and the log's time, on their index), bounded by the period, as
the rollups serve the other contact figures; narrowed by sector or committee, through the
log's member, as the list filters. Activities are those the activity figures count.
"""

from __future__ import annotations

from django.db.models import Case, Count, F, IntegerField, Sum, Value, When

from activities.models import ContactLogTag, ContactTally, LinkTag
from liaison.dashboard.scope import Params, Scope


def _part(rows, part, name, *, tag_id=None, kind=None, order=None):
    """One part of the UNION: (part, tag name, tag id, kind, order, n). ``part`` and ``name``
    are a constant and a field name, or expressions."""
    zero = Value(0, output_field=IntegerField())
    return (
        rows.order_by()
        .annotate(_part=Value(part) if isinstance(part, str) else part,
                  _name=F(name) if isinstance(name, str) else name,
                  _id=tag_id if tag_id is not None else zero,
                  _kind=kind if kind is not None else Value(""),
                  _order=order if order is not None else zero)
        .values_list("_part", "_name", "_id", "_kind", "_order")
    )


def tag_figures(scope: Scope, params: Params, activities) -> list[dict]:
    """Per tag name: ``n_contacts`` (logs in the period), ``n_activities`` (of
    ``activities``, the activity figures' rows), ``ids`` (the tags of that name in scope),
    ``kind`` and ``order`` (the first tag's). Tags in use are listed even at zero (``ids``:
    those tags); a retired one only while something in the period names it (no ``ids``)."""
    tags = scope.rows(LinkTag)
    # Every tag in scope, in use or retired: the names of the tally's tag ids.
    status = Case(When(active=True, then=Value("tag")), default=Value("retired"))
    every = _part(tags, status, "name", tag_id=F("pk"), kind=F("kind"), order=F("order")).annotate(
        _n=Value(0, output_field=IntegerField()))
    # Grouped (by name, or by tag id for the tally), counted: a GROUP BY each.
    if params.sector_id or params.committee_id:  # a sector's or committee's logs, by their tags
        logs = ContactLogTag.objects.filter(tag__in=tags.values("pk")).filter(
            params.span("contacted_at", is_datetime=True)
        ).filter(params.by("contact_log__member__sector_id", "contact_log__member__committee_id"))
        contacts = _part(logs, "contacts", "tag__name").annotate(_n=Count("pk"))
    else:  # the tally: tens of rows per tag, however many logs, summed per tag id
        tally = (
            scope.rows(ContactTally).filter(dimension=ContactTally.Dimension.TAG)
            .in_period(params.date_from, params.date_to)
        )
        contacts = _part(tally, "tallied", Value(""), tag_id=F("item_id")).annotate(_n=Sum("logs"))
    held = _part(activities.filter(tags__in=tags.values("pk")), "activities", "tags__name").annotate(
        _n=Count("pk"))
    parts = list(every.union(contacts, held, all=True))
    names = {tag_id: name for part, name, tag_id, _k, _o, _n in parts if part in ("tag", "retired")}
    rows: dict[str, dict] = {}
    for part, name, tag_id, kind, order, n in parts:
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
