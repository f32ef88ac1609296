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
        # Slicing before .count() turns it into a count over a LIMITed subquery.
        return self.object_list[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        """True when there are more rows than were counted."""
        return self.count > self.cap


class CountedPaginator(Paginator):
    """A paginator told its total: read from a rollup that is kept equal to the rows (the
    daily contact counts), so that a list a dashboard number links to shows that number
    without counting millions of rows."""

    def __init__(self, object_list, per_page, *, total: int):
        super().__init__(object_list, per_page)
        self.__dict__["count"] = total  # ``count`` is a cached_property: this is its value


def page_of(queryset, request, per_page: int = 50, *, capped: bool = False,
            total: int | None = None):
    """The requested page (out-of-range or bad numbers fall back to the nearest page).
    ``total``: the row count, known beforehand; else ``capped``: counted up to a cap."""
    if total is not None:
        paginator = CountedPaginator(queryset, per_page, total=total)
    else:
        paginator = (CappedPaginator if capped else Paginator)(queryset, per_page)
    return paginator.get_page(request.GET.get("page"))


def query_without_page(request) -> str:
    """The current query string minus ``page``: for pagination and export links."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
