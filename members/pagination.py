"""Paginating big staff lists without a full ``COUNT(*)``.

A council's constituents and contact logs grow into the hundreds of thousands at city and
province level: counting every matching row on every page view costs more than the page.
``CappedPaginator`` counts at most ``cap`` rows (``SELECT COUNT(*) FROM (… LIMIT cap+1)``),
so the count costs the same on every page and for every council; past the cap the page
shows "more than N".
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.query import FlatValuesListIterable
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    cap = 10_000

    @cached_property
    def count(self) -> int:
        # Slicing before .count() turns it into a count over a LIMITed subquery. Unordered:
        # any cap + 1 rows count the same, and the database may stop at the first ones it
        # finds on whichever index fits the filter, instead of sorting every match (a
        # sector's 22,000 contact logs of a province: 1.5 s).
        return self.object_list.order_by()[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        """True when there are more rows than were counted."""
        return self.count > self.cap


@dataclass(frozen=True)
class PerMember:
    """A list filtered to a few members (a sector's): ``members``, a queryset of them, and
    ``rows``, the list without that filter. ``since``: a value of the list's first (newest
    first) order column the first pages are likely above — those rows are tried first (on
    a table partitioned by that column, only the partitions above it are probed). See
    ``page_of``."""

    members: QuerySet
    rows: QuerySet
    since: object = None


def page_of(queryset, request, per_page: int = 50, *, capped: bool = False,
            ids_first: bool = False, count: int | None = None, span: str | None = None,
            ids=None, per_member: PerMember | None = None):
    """The requested page (out-of-range or bad numbers fall back to the nearest page);
    ``capped``: counted up to a cap; ``count``: the number of rows, when the view has
    counted them already (the paginator then counts nothing); ``span``: a column the rows
    are partitioned by (``contacted_at`` of the contact logs, monthly on PostgreSQL) — the
    page's rows are read with its range too, so only the partitions they are in are probed,
    not each month's index for each id; ``ids``: the rows' primary keys in order, when the
    view reads them its own way (a sliceable, e.g. ``proposals.register.RegisterIds``).

    A big list (``capped`` or ``ids_first``) pages its ids first: the count and
    the page's ``OFFSET`` walk the list's index alone (page 200 skips 9,950 entries, not 9,950
    rows joined to their member, sector and platform, with their annotations), then one query
    reads the page's rows whole.

    ``per_member``: the list is ``per_member.rows`` of ``per_member.members`` only (a sector's
    logs or reminders). Its newest-first index walks the whole council's rows to find a
    sector's few (a province: 12,000 index entries for page 1); instead each member's first
    rows are read from their own index and merged (``TopPerMember``) — on PostgreSQL, for
    the first pages. The count is the list's, as without."""
    big = capped or ids_first or span is not None or ids is not None or per_member is not None
    rows = ids if ids is not None else _ids(queryset, span) if big else queryset
    if per_member is not None:
        rows = TopPerMember(rows, _ids(per_member.rows, span), per_member.members,
                            since=per_member.since)
    paginator = (CappedPaginator if capped else Paginator)(rows, per_page)
    if count is not None:
        paginator.count = count  # a cached_property: set, it is not computed
    page = paginator.get_page(request.GET.get("page"))
    if big:
        keys = list(page.object_list)
        ids = [key[0] for key in keys] if span else keys
        rows = queryset.filter(pk__in=ids)
        if span and keys:
            values = [key[1] for key in keys]
            rows = rows.filter(**{f"{span}__range": (min(values), max(values))})
        found = {row.pk: row for row in rows}
        page.object_list = [found[pk] for pk in ids if pk in found]
    return page


def _ids(queryset, span: str | None = None):
    """The same rows in the same order, their primary keys only (and ``span``'s value) — no
    joins for ``select_related``, nothing prefetched."""
    rows = queryset.select_related(None).prefetch_related(None)
    return rows.values_list("pk", span) if span else rows.values_list("pk", flat=True)


class TopPerMember:
    """The page ids of ``ids`` (the filtered list) read as the first rows of each member:
    the list's first ``k`` rows are among each member's first ``k``, so the page from
    ``offset`` is the merge of every member's first ``offset + limit`` rows (a LATERAL join,
    each member's rows from an index on (member, the list's order)), then sliced.

    With ``since`` (a newest-first list), only the members' rows above it are merged: when
    they are ``k`` or more, the list's first ``k`` are among them (``k`` rows above it put
    the ``k``-th row above it too); fewer, and the page is read as without ``per_member``.
    One query either way: the second part runs only when the first found too few. (Every
    member's first rows unbounded would probe each month's index for each member: slower
    than the list's own walk on a table partitioned by month.)

    Past ``DEPTH`` (``SINCE_DEPTH``) rows, or off PostgreSQL, the page is read as before
    (``ids`` sliced): every member's first ``k`` rows cost more than the walk of the list's
    index then. The count is ``ids``' own (``order_by`` hands the paginator the queryset)."""

    DEPTH = 300
    SINCE_DEPTH = 1000
    ordered = True

    def __init__(self, ids: QuerySet, member_ids: QuerySet, members: QuerySet, *,
                 since=None):
        self.ids, self.member_ids, self.since = ids, member_ids, since
        self.members = members.order_by().values("pk")

    def order_by(self, *fields):
        return self.ids.order_by(*fields)

    def count(self) -> int:
        return self.ids.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self.ids[index]
        start, stop = index.start or 0, index.stop
        connection = connections[self.ids.db]
        depth = self.DEPTH if self.since is None else self.SINCE_DEPTH
        if (connection.vendor != "postgresql" or stop is None or stop > depth
                or index.step is not None):
            return self.ids[index]
        if stop <= start:  # an empty list's page: ``[0:0]`` (Django compiles no LIMIT 0)
            return []
        return self._merged(connection, start, stop)

    def _merged(self, connection, start: int, stop: int) -> list:
        order = _order_fields(self.ids)
        flat = self.ids._iterable_class is FlatValuesListIterable
        keys = self.ids._fields
        columns = (*keys, *(name for name, _desc in order))  # the order's too, to merge by
        width = len(keys)
        positions = ", ".join(
            f"{width + i + 1}{' DESC' if desc else ''}" for i, (_name, desc) in enumerate(order)
        )
        members_sql, members_params = self.members.query.sql_with_params()

        def merged(rows) -> tuple[str, tuple]:
            """Each member's first ``stop`` rows, merged: the first ``stop``."""
            inner = rows.filter(member_id=RawSQL('"sector_member"."id"', ())).values_list(*columns)
            inner_sql, inner_params = inner[:stop].query.sql_with_params()
            return (f"SELECT page_row.* FROM ({members_sql}) sector_member (id) "
                    f"CROSS JOIN LATERAL ({inner_sql}) page_row ORDER BY {positions} LIMIT %s",
                    (*members_params, *inner_params, stop))

        if self.since is None:
            every_sql, every_params = merged(self.member_ids)
            sql = f"SELECT * FROM ({every_sql}) page_rows ORDER BY {positions} LIMIT %s OFFSET %s"
            params = (*every_params, stop - start, start)
        else:
            lead, descending = order[0]
            if not descending:
                raise ValueError("since: the list's first order column must be descending")
            recent_sql, recent_params = merged(
                self.member_ids.filter(**{f"{lead}__gte": self.since})
            )
            list_sql, list_params = self.ids.values_list(*columns)[:stop].query.sql_with_params()
            sql = (f"WITH recent AS MATERIALIZED ({recent_sql}) SELECT * FROM ("
                   f"SELECT * FROM recent WHERE (SELECT count(*) FROM recent) >= %s "
                   f"UNION ALL SELECT * FROM ({list_sql}) list_row "
                   f"WHERE (SELECT count(*) FROM recent) < %s"
                   f") page_rows ORDER BY {positions} LIMIT %s OFFSET %s")
            params = (*recent_params, stop, *list_params, stop, stop - start, start)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            found = cursor.fetchall()
        if flat:
            return [row[0] for row in found]
        return [tuple(row[:width]) for row in found]


def _order_fields(queryset) -> list[tuple[str, bool]]:
    """The queryset's order as (field, descending): plain fields only, ending on a unique
    one (the merge must break ties as the list does)."""
    fields = queryset.query.order_by or queryset.model._meta.ordering
    order = []
    for field in fields:
        if not isinstance(field, str) or "__" in field:
            raise ValueError(f"ordered by {field!r}: only plain fields are merged")
        order.append((field.lstrip("-"), field.startswith("-")))
    if order[-1][0] not in ("pk", "id"):
        raise ValueError("the order must end on the primary key")
    return order


def query_without_page(request) -> str:
    """The current query string minus ``page``: for pagination and export links."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
