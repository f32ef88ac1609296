"""The list behind each dashboard number, filtered with the same values as the figure.

The lists belong to the other apps; their filter parameters are named here in one place.
A test requests every link and checks that the list counts what the dashboard shows.
Period filters are django-filter ``DateFromToRangeFilter``s named ``period``
(``period_after`` / ``period_before``, both inclusive).
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import quote_plus

from django.urls import reverse

from liaison.dashboard.scope import Params


def _url(base: str, **params) -> str:
    """``base?name=value&…`` as ``urlencode`` writes it, empty values left out. A province's
    dashboard writes ~470 of these a request: the names and values (ids, ISO dates, a few
    words) repeat, so each is quoted once per process, not once per link (5 ms → 2 ms a page)."""
    query = "&".join(
        f"{_quoted(name)}={_quoted(str(value))}"
        for name, value in params.items()
        if value is not None and value != ""
    )
    return f"{base}?{query}" if query else base


@lru_cache(maxsize=4096)
def _quoted(text: str) -> str:
    return quote_plus(text)


class Links:
    """``links.contacts(channel="forum")`` → the contact-log list for that figure. Keyword
    overrides replace a common filter; ``sector=None`` drops it (for a figure that does not
    narrow by it). ``council_id``: the drill-down (a council and its subtree)."""

    def __init__(self, params: Params, council_id: int | None = None):
        self.p = params
        self.council = council_id
        self._paths: dict[str, str] = {}
        self._commons: dict[tuple[bool, bool, bool], dict] = {}

    def _path(self, name: str) -> str:
        """Each list's path, reversed once: a province's dashboard links thousands of numbers."""
        if name not in self._paths:
            self._paths[name] = reverse(name)
        return self._paths[name]

    def _common(self, *, period: bool = True, sector: bool = True, committee: bool = True) -> dict:
        """The filters every link of a kind carries, built once a page (callers only unpack it)."""
        key = (period, sector, committee)
        if key not in self._commons:
            self._commons[key] = self._filters(period=period, sector=sector, committee=committee)
        return self._commons[key]

    def _filters(self, *, period: bool, sector: bool, committee: bool) -> dict:
        p = self.p
        out = {"council": self.council}
        if period:
            out["period_after"] = p.date_from.isoformat() if p.date_from else None
            out["period_before"] = p.date_to.isoformat() if p.date_to else None
        if sector:
            out["sector"] = p.sector_id
        if committee:
            out["committee"] = p.committee_id
        return out

    def platforms(self, kind: str) -> str | None:
        return _url(self._path("members:platform-list"), kind=kind, active="true",
                    **self._common(period=False, sector=False, committee=False))

    def members_active(self, **override) -> str | None:
        return _url(self._path("members:member-list"), status="active",
                    **{**self._common(period=False), **override})

    def members_missing(self, **override) -> str | None:
        return _url(self._path("members:member-list"), problem="any",
                    **{**self._common(period=False), **override})

    def constituents(self, **override) -> str | None:
        return _url(self._path("members:constituent-list"), active="true",
                    **{**self._common(period=False), **override})

    def contacts(self, channel: str | None = None, **override) -> str | None:
        return _url(self._path("activities:contactlog-list"), channel=channel,
                    **{**self._common(), **override})

    def reminders(self, state: str | None = None, on_time: bool = False) -> str | None:
        """``state="due"``: came due (done or overdue); ``on_time``: done by the due date."""
        return _url(self._path("activities:reminder-list"), state=state,
                    on_time="true" if on_time else None, **self._common())

    def compliance(self) -> str | None:
        return _url(self._path("activities:compliance"), **self._common())

    def proposals(self, session_id: int | None, state: str | None = None,
                  reply_category: str | None = None, filed: bool = False,
                  rating: str | None = None, **override) -> str | None:
        """No session chosen: the current session of each council, as the figures count."""
        return _url(self._path("proposals:register"), session=session_id,
                    current_session=None if session_id else "true", state=state,
                    reply_category=reply_category, filed="true" if filed else None,
                    rating=rating, **{**self._common(period=False), **override})

    def consultations(self, **override) -> str | None:
        return _url(self._path("activities:consultation-list"),
                    **{**self._common(sector=False, committee=False), **override})

    def problems(self, state: str | None = None, **override) -> str | None:
        """Problems of the consultations held in the period (as the figures count them)."""
        return _url(self._path("activities:problem-list"), state=state,
                    **{**self._common(sector=False, committee=False), **override})

    def activities(self, channel: str | None = None, kind: int | None = None,
                   cross_sector: bool = False, workstation: bool = False,
                   **override) -> str | None:
        return _url(self._path("activities:activity-list"), state="held", channel=channel, kind=kind,
                    cross_sector="true" if cross_sector else None,
                    platform_kind="workstation" if workstation else None,
                    **{**self._common(), **override})

    def intake(self, state: str | None = None, outcome: str | None = None) -> str | None:
        """Messages that arrived by QR code in the period (not narrowed by sector or
        committee: a platform serves several)."""
        return _url(self._path("intake:submission-list"), state=state, outcome=outcome,
                    **self._common(sector=False, committee=False))

    def opinions(self, state: str | None = None, forwarded: bool = False,
                 instructed: bool = False) -> str | None:
        """Public-opinion reports submitted in the period (the author's sector, committee)."""
        return _url(self._path("opinions:report-list"), state=state,
                    forwarded="true" if forwarded else None,
                    instructed="true" if instructed else None, **self._common())
