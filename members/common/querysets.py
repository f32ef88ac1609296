"""Rows limited to the councils a user reaches.

Every council-owned model keeps a ``visible_to(user)`` saying who sees what; where the answer
is "everyone of the council" (or is for staff and leaders) it is ``in_reach_of(user)``: the
user's own council and, for a city or province council, its subtree
(``members.permissions.council_q``). Rows that every user of the council may read (reference
data, platforms) take ``CouncilOwnedQuerySet``, whose ``visible_to`` is just that.
"""

from __future__ import annotations

from django.db import models

from members import permissions


class CouncilScopedQuerySet(models.QuerySet):
    """A queryset of rows that belong to a council through ``council_field`` (a foreign key
    to ``Council``, or ``"pk"`` on ``Council`` itself)."""

    council_field = "council"

    def in_reach_of(self, user):
        reach = permissions.reach_of(user)  # asked once; reach_q writes the other kinds
        kind, council_id = reach
        if self.council_field != "pk" and kind == permissions.REACH_SUBTREE:
            # A city's or province's councils as ``council_id IN (SELECT id FROM council …)``:
            # the same rows as ``council_q``'s OR over two joins to the council table, which
            # the database evaluated against every row an index scan passed (page 200 of a
            # province's contact logs: 10,000 rows × 11 councils).
            return self.filter(
                **{f"{self.council_field}__in": permissions.subtree_ids(council_id)}
            )
        return self.filter(permissions.reach_q(reach, field=self.council_field))


class CouncilOwnedQuerySet(CouncilScopedQuerySet):
    """Rows every user of the council may read (members pick a sector or a category, units
    see their own name, members sign up on platforms); who may change them is
    ``members.permissions``' to say."""

    def visible_to(self, user):
        return self.in_reach_of(user)


class CouncilFiguresQuerySet(CouncilScopedQuerySet):
    """Council-wide figures (the rollups the dashboards read): staff and leaders of the
    council, and of the councils above it; nobody else."""

    def visible_to(self, user):
        if permissions.can_read_council(user):
            return self.in_reach_of(user)
        return self.none()
