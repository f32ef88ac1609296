"""The register's rows, written once a page: each row's state badge and deadline words are
those the shared includes write, its link the proposal's own address, and the labels of a
state or a rating Django's own."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from proposals import services
from proposals.models import Proposal, Rating, State
from proposals.models.proposal import DUE_SOON_DAYS
from tests.proposals.factories import proposal_in


def _squeezed(html: str) -> str:
    return re.sub(r"\s+", " ", html).strip()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_state_and_rating_labels_are_djangos(language):
    """``get_state_display`` / ``get_value_display`` give what Django's generated ones give,
    for every choice and for a value that is none of them."""
    state = Proposal._meta.get_field("state")
    value = Rating._meta.get_field("value")
    with translation.override(language):
        for choice in [*State.values, "unknown"]:
            proposal = Proposal(state=choice)
            assert proposal.get_state_display() == proposal._get_FIELD_display(state)
        for choice in [*Rating.Value.values, "unknown"]:
            rating = Rating(value=choice)
            assert rating.get_value_display() == rating._get_FIELD_display(value)
    with translation.override("zh-hans"):
        assert Proposal(state=State.ASSIGNED).get_state_display() == "办理中"


@pytest.mark.django_db
def test_register_rows_write_what_the_includes_write(member_a, staff, handling_unit, unit_user,
                                                     session, category, client_for):
    """Each row's state badge and deadline cell as ``_state_badge.html`` and
    ``_deadline_state.html`` write them (overdue, due soon, neither), its link the
    proposal's address, its ratings of the current round labelled."""
    today = timezone.localdate()
    late = proposal_in(State.ASSIGNED, proposer=member_a, staff=staff, unit=handling_unit,
                       session=session, category=category, deadline=today + timedelta(days=1))
    Proposal.objects.filter(pk=late.pk).update(deadline=today - timedelta(days=2))
    proposal_in(State.ASSIGNED, proposer=member_a, staff=staff, unit=handling_unit,
                session=session, category=category, deadline=today + timedelta(days=3))
    proposal_in(State.ASSIGNED, proposer=member_a, staff=staff, unit=handling_unit,
                session=session, category=category, deadline=today + timedelta(days=30))
    rated = proposal_in(State.REPLIED, proposer=member_a, staff=staff, unit=handling_unit,
                        session=session, category=category)
    services.proposal_rate(proposal=rated, by=member_a.user, value="basically")

    with translation.override("zh-hans"):
        response = client_for(staff).get(reverse("proposals:register"))
        html = _squeezed(response.content.decode())
        context = {"today": today, "due_soon_until": today + timedelta(days=DUE_SOON_DAYS)}
        rows = list(response.context["page"])
        assert len(rows) == 4
        for p in rows:
            badge = render_to_string("proposals/includes/_state_badge.html", {"p": p})
            words = render_to_string("proposals/includes/_deadline_state.html",
                                     {**context, "deadline": p.deadline, "state": p.state})
            assert f'<td data-label="状态"> {_squeezed(badge)} </td>' in html
            deadline = re.search(
                rf'<a href="{re.escape(p.get_absolute_url())}">.*?data-testid="deadline">(.*?)</td>',
                html,
            )
            assert deadline is not None
            assert _squeezed(words) in deadline.group(1)
        assert html.count("text-bg-danger") == 1
        assert html.count("text-bg-warning") == 1
        assert '<span class="rating-basically">基本满意</span>' in html


@pytest.mark.django_db
def test_register_page_reads_only_the_columns_it_shows(member_a, staff, handling_unit, unit_user,
                                                       session, category, client_for):
    """The page's rows leave out the texts it does not show (the export reads them), and its
    ratings are read without their raters."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rated = proposal_in(State.REPLIED, proposer=member_a, staff=staff, unit=handling_unit,
                        session=session, category=category)
    services.proposal_rate(proposal=rated, by=member_a.user, value="satisfied")
    client = client_for(staff)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("proposals:register"))
    [row] = response.context["page"]
    assert row.get_deferred_fields() >= {"reasons", "suggestions", "internal_note"}
    rows = [q["sql"] for q in captured if '"proposals_proposal"."title"' in q["sql"]]
    assert rows
    assert all('"reasons"' not in sql for sql in rows)
    [ratings] = [q["sql"] for q in captured if 'FROM "proposals_rating"' in q["sql"]]
    assert "members_member" not in ratings
    assert '<span class="rating-satisfied">' in response.content.decode()
