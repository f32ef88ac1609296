"""Paginating big staff lists without a full ``COUNT(*)``.

A council's constituents and contact logs grow into the hundreds of thousands at city and
province level: counting every matching row on every page view costs more than the page.
``CappedPaginator`` counts at most ``cap`` rows (``SELECT COUNT(*) FROM (… LIMIT cap+1)``),
so the count costs the same on every page and for every council; past the cap the page
shows "more than N".
"""

from __future__ import annotations

from django.core.paginator import Paginator
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


def page_of(queryset, request, per_page: int = 50, *, capped: bool = False,
            ids_first: bool = False, count: int | None = None, span: str | None = None,
            ids=None):
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
    reads the page's rows whole."""
    big = capped or ids_first or span is not None or ids is not None
    rows = ids if ids is not None else _ids(queryset, span) if big else queryset
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


def query_without_page(request) -> str:
    """The current query string minus ``page``: for pagination and export links."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
