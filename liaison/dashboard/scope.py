"""Who is looking at what: the reach of a dashboard (``Scope``) and its filters (``Params``)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Q

from members import permissions
from members.common.clock import start_of
from members.models import Council

subtree_q = permissions.subtree_q


def councils_visible(user):
    """The councils ``user`` reaches (their own and, for a city or province, its subtree)."""
    return Council.objects.visible_to(user)


@dataclass(frozen=True)
class Scope:
    """A user's reach (``visible_to``), or a council's subtree when there is no user (the
    ``report`` command), optionally narrowed to ``council_id`` (drill-down)."""

    user: object = None
    council_id: int | None = None
    # Only ``council_id``'s own rows, not its subtree's: a roll-up's breakdown by sector,
    # committee and platform (those belong to one council; the child councils have their row
    # in the roll-up table and their own breakdowns one click down).
    own_only: bool = False

    def rows(self, model, council_field: str = "council"):
        """``model``'s rows in scope: through ``visible_to(user)``, then the drill-down."""
        qs = model.objects.all() if self.user is None else model.objects.visible_to(self.user)
        key = "pk" if council_field == "pk" else f"{council_field}_id"
        if self.council_id is not None and self.own_only:
            qs = qs.filter(**{key: self.council_id})
        elif self.council_id is not None:
            # As ``council_id IN (SELECT id FROM council …)``, not the OR over two joins to
            # the council table that the database checks on every row the reach let through
            # (a province's drill-down into a district read all eleven councils' tallies:
            # 9,300 buffers for one query instead of a district's few hundred).
            qs = qs.filter(**{f"{key}__in": permissions.subtree_ids(self.council_id)})
        return qs

    def own(self, council_id: int) -> Scope:
        """The same reach narrowed to ``council_id``'s own rows."""
        return Scope(user=self.user, council_id=council_id, own_only=True)

    @property
    def cache_key(self) -> str:
        """Users with the same reach see the same figures: key by that reach."""
        if self.user is None:
            reach = "none"
        elif permissions.is_superuser(self.user):
            reach = "all"
        else:
            reach = f"c{self.user.council_id}"
        return f"{reach}:{self.council_id or ''}"


@dataclass(frozen=True)
class Params:
    """The dashboard's filters. Empty dates: no bound. ``session_id`` None: the current one."""

    date_from: date | None = None
    date_to: date | None = None
    session_id: int | None = None
    sector_id: int | None = None
    committee_id: int | None = None
    errors: tuple = field(default=(), compare=False)
    # Several councils' sessions at once (the report of a city or province: each council's
    # own); when given, ``session_id`` is not used.
    session_ids: tuple[int, ...] = ()

    def bounds(self, *, is_datetime: bool) -> list[tuple[str, object]]:
        """The period's bounds on a date or datetime field, both ends inclusive, as
        ``(lookup, value)``: ``gte`` the first day (its local midnight), and ``lte`` the last
        day or ``lt`` the midnight after it. ``span`` filters by them, and the dashboard's
        statements written in SQL (``liaison.dashboard.sql``) write the same."""
        bounds = []
        if self.date_from:
            bounds.append(("gte", start_of(self.date_from) if is_datetime else self.date_from))
        if self.date_to:
            if is_datetime:
                bounds.append(("lt", start_of(self.date_to + timedelta(days=1))))
            else:
                bounds.append(("lte", self.date_to))
        return bounds

    def span(self, field_name: str, *, is_datetime: bool) -> Q:
        """The period as a filter on a date or datetime field (both ends inclusive)."""
        q = Q()
        for lookup, value in self.bounds(is_datetime=is_datetime):
            q &= Q(**{f"{field_name}__{lookup}": value})
        return q

    def narrowing(self, sector_field: str | None, committee_field: str | None) -> list[tuple]:
        """The sector and committee filters as ``(field, id)`` on the given fields (None:
        not applicable); ``by`` filters by them, the SQL statements write the same."""
        return [(field, value) for field, value in ((sector_field, self.sector_id),
                                                    (committee_field, self.committee_id))
                if value and field]

    def by(self, sector_field: str | None, committee_field: str | None) -> Q:
        """The sector and committee filters on the given fields (None: not applicable)."""
        q = Q()
        for field_name, value in self.narrowing(sector_field, committee_field):
            q &= Q(**{field_name: value})
        return q

    @property
    def digest(self) -> str:
        raw = (f"{self.date_from}|{self.date_to}|{self.session_id}|{self.sector_id}|"
               f"{self.committee_id}|{','.join(map(str, self.session_ids))}")
        return hashlib.sha1(raw.encode()).hexdigest()[:16]


def current_session_q(params: Params, field: str = "session") -> Q:
    """The chosen session(s), or the current session of every council in scope."""
    if params.session_ids:
        return Q(**{f"{field}_id__in": list(params.session_ids)})
    if params.session_id:
        return Q(**{f"{field}_id": params.session_id})
    return Q(**{f"{field}__is_current": True})
