"""A closed proposal's units have finished handling it: not 办理中, yet they still see it."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from proposals import services
from proposals.models import Assignment, State
from tests.proposals.factories import HandlingUnitFactory, proposal_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed(member_a, staff, handling_unit, unit_user, council):
    co_unit = HandlingUnitFactory(council=council, name="区交通局")
    proposal = proposal_in(State.FILED, proposer=member_a, staff=staff)
    proposal = services.proposal_assign(
        proposal=proposal, by=staff, lead_unit=handling_unit, co_units=[co_unit],
        deadline=timezone.localdate() + timedelta(days=5),
    )
    proposal = services.proposal_reply(proposal=proposal, by=unit_user, category="A", text="已解决")
    return services.proposal_rate(proposal=proposal, by=member_a.user, value="satisfied")


def test_closing_ends_every_units_handling(closed):
    assert closed.state == State.CLOSED
    states = set(Assignment.objects.filter(proposal=closed).values_list("state", flat=True))
    assert states == {Assignment.State.DONE}


def test_the_detail_page_no_longer_says_handling(client_for, staff, closed):
    client = client_for(staff)
    response = client.get(reverse("proposals:proposal-detail", args=[closed.pk]))
    units = response.content.decode().split('data-testid="assignments"')[1].split("</table>")[0]
    assert "办理中" not in units
    assert "已办结" in units


def test_the_unit_still_sees_it_and_the_register_still_names_it(client_for, staff, unit_user,
                                                                handling_unit, closed):
    client = client_for(unit_user)
    assert closed in client.get(reverse("proposals:unit-list")).context["page"].object_list
    assert client.get(reverse("proposals:proposal-detail", args=[closed.pk])).status_code == 200
    client = client_for(staff)
    response = client.get(reverse("proposals:register"), {"unit": handling_unit.pk})
    assert closed in response.context["page"].object_list
    assert [a.unit for a in next(p for p in response.context["page"].object_list
                                 if p.pk == closed.pk).active_assignments][0] == handling_unit
