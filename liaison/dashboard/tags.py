"""The dashboard's "四联四助" figures: contact logs and activities per tag, in one query.

Tags are each council's own list, mostly the same eight names: the figures are per tag name,
so that a city's or province's roll-up adds up its councils' tags of one name (within one
council a name is one tag). Contact logs are counted on their tags' rows alone
(``ContactLogTag``: the tag and the log's time, on their index), bounded by the period, as
the rollups serve the other contact figures; narrowed by sector or committee, through the
log's member, as the list filters. Activities are those the activity figures count.
"""

from __future__ import annotations

from django.db.models import Count, F, IntegerField, OuterRef, Subquery, Sum, Value

from activities.models import ContactLogTag, ContactTally, LinkTag
from liaison.dashboard.scope import Params, Scope


def _part(rows, part: str, name: str, *, tag_id=None, kind=None, order=None):
    """One part of the UNION: (part, tag name, tag id, kind, order, n)."""
    zero = Value(0, output_field=IntegerField())
    return (
        rows.order_by()
        .annotate(_part=Value(part), _name=F(name), _id=tag_id if tag_id is not None else zero,
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
    listed = _part(tags.filter(active=True), "tag", "name", tag_id=F("pk"), kind=F("kind"), order=F("order")).annotate(
        _n=Value(0, output_field=IntegerField()))
    # Grouped by name (and the constants), counted: a GROUP BY each.
    if params.sector_id or params.committee_id:  # a sector's or committee's logs, by their tags
        logs = ContactLogTag.objects.filter(tag__in=tags.values("pk")).filter(
            params.span("contacted_at", is_datetime=True)
        ).filter(params.by("contact_log__member__sector_id", "contact_log__member__committee_id"))
        contacts = _part(logs, "contacts", "tag__name").annotate(_n=Count("pk"))
    else:  # the tally: tens of rows per tag, however many logs
        name = LinkTag.objects.filter(pk=OuterRef("item_id")).values("name")[:1]
        tally = (
            scope.rows(ContactTally).filter(dimension=ContactTally.Dimension.TAG)
            .in_period(params.date_from, params.date_to)
            .annotate(_tag_name=Subquery(name))
        )
        contacts = _part(tally, "contacts", "_tag_name").annotate(_n=Sum("logs"))
    held = _part(activities.filter(tags__in=tags.values("pk")), "activities", "tags__name").annotate(
        _n=Count("pk"))
    rows: dict[str, dict] = {}
    for part, name, tag_id, kind, order, n in listed.union(contacts, held, all=True):
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
