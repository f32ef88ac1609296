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

from django.db import connections, router
from django.utils.formats import date_format

from activities.events.models import Consultation
from activities.tags.models import LinkTag
from members import permissions
from members.models import Constituent, Platform
from proposals.models import CoSigner, Proposal
from proposals.models.proposal import proposal_label

# In each model's own order (``Meta.ordering``; the form's ``order_by`` for the last two).
PLATFORMS_SQL = """
SELECT id, name FROM {platform} WHERE council_id = %s AND active ORDER BY kind, name
"""
TAGS_SQL = """
SELECT id, name FROM {tag} WHERE council_id = %s AND active ORDER BY {order}, id
"""
# The member's proposals found through the three indexes that name them (an ``OR`` of the
# three would filter every proposal of the council: 0.55 against 0.16 ms on a province's).
PROPOSALS_SQL = """
SELECT p.id, p.number, p.title FROM {proposal} p
WHERE p.council_id = %s
  AND p.id IN (SELECT id FROM {proposal} WHERE proposer_id = %s
               UNION ALL SELECT id FROM {proposal} WHERE submitted_by_id = %s
               UNION ALL SELECT proposal_id FROM {cosigner} WHERE member_id = %s)
ORDER BY p.created_at DESC, p.id DESC
"""
ROSTER_SQL = """
SELECT id, name, unit, community FROM {constituent}
WHERE member_id = %s AND active
ORDER BY last_contacted_at ASC NULLS FIRST, name, id
"""
CONSULTATIONS_SQL = """
SELECT c.id, c.held_on, c.topic FROM {consultation} c
JOIN {attendance} a ON a.consultation_id = c.id
WHERE c.council_id = %s AND a.member_id = %s
ORDER BY c.held_on DESC, c.id DESC
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


def platforms(member) -> list[tuple[int, str]]:
    return _rows(PLATFORMS_SQL, [member.council_id])


def tags(member) -> list[tuple[int, str]]:
    return _rows(TAGS_SQL, [member.council_id])


def proposals(member) -> list[tuple[int, str]]:
    """Labelled as ``str(proposal)``: 第012号 and the title once filed, the title before."""
    rows = _rows(PROPOSALS_SQL, [member.council_id, member.pk, member.user_id, member.pk])
    return [(pk, proposal_label(number, title)) for pk, number, title in rows]


def consultations(member) -> list[tuple[int, str]]:
    rows = _rows(CONSULTATIONS_SQL, [member.council_id, member.pk])
    # SQLite hands a date column of a plain statement back as text.
    return [(pk, consultation_label(day if isinstance(day, date) else date.fromisoformat(day), topic))
            for pk, day, topic in rows]


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
