"""The blank log-contact form's lists for the member who logs, read in SQL.

A member opens the form for every contact they log. It shows the member's roster to tick
and offers four short lists: the platforms and the link-and-help tags of the member's
council, the member's proposals (made, submitted, or invited to co-sign) and the
consultations the member sits on. Through the ORM each list is a scoped queryset built,
compiled, run, turned into model instances and labelled: building the querysets alone cost
more than reading the lists (``bench/member_pages.py``). The statements are written here once.

The member is the scope: every statement is bounded by the member's id and council, and the
form uses them only for a plain member logging for themself (``ContactLogForm``), for whom
the querysets' ``visible_to`` adds nothing to those bounds. A submitted form is validated
against its scoped querysets, and a test checks that both offer the same choices.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import NamedTuple

from django.db import connections, router
from django.utils.formats import date_format

from activities.events.models import Consultation
from activities.tags.models import LinkTag
from members import permissions
from members.models import Constituent, Platform
from proposals.models import CoSigner, Proposal
from proposals.models.proposal import proposal_label

# The four lists in one statement (four round trips were a tenth of the page), each in its
# model's own order (``Meta.ordering``; the form's ``order_by`` for the last two), numbered by
# ``place``: list 0 the council's platforms, 1 its tags, 2 the member's proposals, 3 the
# consultations the member sits on. The member's proposals are found through the three
# indexes that name them (an ``OR`` of the three would filter every proposal of the council:
# 0.55 against 0.16 ms on a province's).
LISTS_SQL = """
SELECT 0 AS list, ROW_NUMBER() OVER (ORDER BY kind, name, id) AS place, id, name,
       CAST(NULL AS INTEGER) AS number, CAST(NULL AS DATE) AS held_on
  FROM {platform} WHERE council_id = %s AND active
UNION ALL
SELECT 1, ROW_NUMBER() OVER (ORDER BY {order}, id), id, name, NULL, NULL
  FROM {tag} WHERE council_id = %s AND active
UNION ALL
SELECT 2, ROW_NUMBER() OVER (ORDER BY p.created_at DESC, p.id DESC), p.id, p.title, p.number, NULL
  FROM {proposal} p
 WHERE p.council_id = %s
   AND p.id IN (SELECT id FROM {proposal} WHERE proposer_id = %s
                UNION ALL SELECT id FROM {proposal} WHERE submitted_by_id = %s
                UNION ALL SELECT proposal_id FROM {cosigner} WHERE member_id = %s)
UNION ALL
SELECT 3, ROW_NUMBER() OVER (ORDER BY c.held_on DESC, c.id DESC), c.id, c.topic, NULL, c.held_on
  FROM {consultation} c JOIN {attendance} a ON a.consultation_id = c.id
 WHERE c.council_id = %s AND a.member_id = %s
ORDER BY list, place
"""
ROSTER_SQL = """
SELECT id, name, unit, community FROM {constituent}
WHERE member_id = %s AND active
ORDER BY last_contacted_at ASC NULLS FIRST, name, id
"""


def applies(member, user) -> bool:
    """Whether ``user`` is a plain member logging for themself in their own council: the
    querysets' reach is then the member's own rows, which the statements are bounded by."""
    return (
        permissions.is_member(user)
        and member.user_id == user.pk
        and user.council_id == member.council_id
    )


def roster(member) -> list[tuple[int, str, str, str]]:
    """The member's active constituents to tick, those never contacted first (as
    ``never_contacted_first``): id, name, work unit, community."""
    return _rows(ROSTER_SQL, [member.pk])


# The numbers of the lists in ``LISTS_SQL`` whose labels are made of more than a name.
PROPOSALS, CONSULTATIONS = 2, 3


class Lists(NamedTuple):
    """The blank form's four lists, as (value, label) rows."""

    platforms: list[tuple[int, str]]
    tags: list[tuple[int, str]]
    proposals: list[tuple[int, str]]
    consultations: list[tuple[int, str]]


def lists(member) -> Lists:
    """The council's platforms and tags, the member's proposals (labelled as
    ``str(proposal)``: 第012号 and the title once filed, the title before) and consultations,
    read in one statement."""
    council = member.council_id
    rows = _rows(LISTS_SQL, [council, council, council, member.pk, member.user_id, member.pk,
                             council, member.pk])
    found = ([], [], [], [])
    for list_number, _place, pk, name, number, day in rows:
        if list_number == PROPOSALS:
            found[list_number].append((pk, proposal_label(number, name)))
        elif list_number == CONSULTATIONS:
            # SQLite hands a date column of a plain statement back as text.
            held_on = day if isinstance(day, date) else date.fromisoformat(day)
            found[list_number].append((pk, consultation_label(held_on, name)))
        else:
            found[list_number].append((pk, name))
    return Lists(*found)



def consultation_label(held_on: date, topic: str) -> str:
    """How the log form names a consultation: its day and its topic."""
    return f"{date_format(held_on, 'DATE_FORMAT')} {topic}"


def _rows(template: str, params: list) -> list[tuple]:
    connection = connections[router.db_for_read(Platform)]
    with connection.cursor() as cursor:
        cursor.execute(_sql(connection.alias, template), params)
        return cursor.fetchall()


@cache
def _sql(alias: str, template: str) -> str:
    quote = connections[alias].ops.quote_name
    tables = {
        "constituent": Constituent._meta.db_table,
        "platform": Platform._meta.db_table,
        "tag": LinkTag._meta.db_table,
        "proposal": Proposal._meta.db_table,
        "cosigner": CoSigner._meta.db_table,
        "consultation": Consultation._meta.db_table,
        "attendance": Consultation.members.through._meta.db_table,
    }
    return template.format(**{name: quote(table) for name, table in tables.items()},
                           order=quote(LinkTag._meta.get_field("order").column))
