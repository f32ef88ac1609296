"""The dashboard's cache (``DASHBOARD_CACHE_SECONDS``) is dropped by the writes that change its
figures: the services bump their council's figures version on commit, and the dashboard's
key names the versions of every council it covers. With the cache on, the next request after
a write through the real service or page shows the new figure — on the district's dashboard
and on the city's above it."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.events.services.activities import activity_create
from activities.models import Activity, ActivityKind, Channel, ContactLog
from members.models import Member
from members.services import constituent_create, member_update
from proposals.models import Proposal
from proposals.models import State as ProposalState
from proposals.services import proposal_file, proposal_start_review
from tests.factories import MemberFactory, UserFactory
from tests.liaison.test_dashboard import figures_of

URL = reverse("liaison:dashboard")


@pytest.fixture
def cached(settings):
    settings.DASHBOARD_CACHE_SECONDS = 120


def shown(client, key: str, **query):
    return figures_of(client.get(URL, query))[key].value


def test_a_contact_logged_on_the_page_shows_at_once(client_for, leader, world, cached,
                                                    django_capture_on_commit_callbacks):
    client = client_for(leader)
    before = shown(client, "contacts-total")
    assert shown(client, "contacts-total") == before  # served from the cache
    member = world["members"][0]
    person = member.constituents.filter(active=True).first()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(member).post(reverse("activities:contactlog-create"), {
            "constituents": [person.pk], "channel": Channel.FORUM, "mode": "visit",
            "contacted_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "summary": "座谈",
        })
    assert response.status_code == 302
    assert shown(client, "contacts-total") == before + 1 == ContactLog.objects.filter(
        council=member.council).count()


def test_a_write_rolled_back_leaves_the_cache(client_for, leader, world, cached,
                                              django_capture_on_commit_callbacks):
    """The version moves on commit only: a refused write keeps the cached figures."""
    client = client_for(leader)
    before = client.get(URL).context["computed_at"]
    member = world["members"][0]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client_for(member).post(reverse("activities:contactlog-create"), {"summary": ""})
    assert not callbacks
    assert client.get(URL).context["computed_at"] == before


def test_a_proposal_filed_shows_at_once(client_for, leader, staff, world, cached,
                                        django_capture_on_commit_callbacks):
    client = client_for(leader)
    before = shown(client, "proposals-filed")
    proposal = Proposal.objects.filter(session=world["session"],
                                       state=ProposalState.SUBMITTED).get()
    with django_capture_on_commit_callbacks(execute=True):
        proposal = proposal_start_review(proposal=proposal, by=staff)
    assert shown(client, "proposals-filed") == before  # a step that changes no figure shown
    with django_capture_on_commit_callbacks(execute=True):
        proposal_file(proposal=proposal, by=staff)
    assert shown(client, "proposals-filed") == before + 1


def test_a_constituent_added_shows_at_once(client_for, leader, staff, world, cached,
                                           django_capture_on_commit_callbacks):
    client = client_for(leader)
    before = shown(client, "constituents")
    with django_capture_on_commit_callbacks(execute=True):
        constituent_create(by=staff, member=world["members"][1], name="新联系人",
                           phone="13800001234")
    assert shown(client, "constituents") == before + 1


def test_a_member_edited_shows_at_once(client_for, leader, staff, world, cached, other_sector,
                                       sector, django_capture_on_commit_callbacks):
    client = client_for(leader)
    before = shown(client, "members-active", sector=sector.pk)
    moved = Member.objects.filter(council=world["members"][0].council, sector=other_sector,
                                  status=Member.Status.ACTIVE).first()
    with django_capture_on_commit_callbacks(execute=True):
        member_update(by=staff, member=moved, sector=sector)
    assert shown(client, "members-active", sector=sector.pk) == before + 1
    with django_capture_on_commit_callbacks(execute=True):
        MemberFactory(council=moved.council, sector=sector)  # no service: no new version
    assert shown(client, "members-active", sector=sector.pk) == before + 1  # cached


def test_an_activity_held_shows_at_once(client_for, leader, staff, council, world, cached,
                                        django_capture_on_commit_callbacks):
    client = client_for(leader)
    before = shown(client, "activities-total")
    kind = ActivityKind.objects.filter(council=council).first()
    with django_capture_on_commit_callbacks(execute=True):
        activity_create(council=council, by=staff, title="新活动", kind=kind,
                        channel=Channel.FORUM, starts_at=timezone.now(),
                        state=Activity.State.HELD)
    assert shown(client, "activities-total") == before + 1


def test_a_write_in_a_district_drops_the_citys_figures_too(client_for, city_leader, world,
                                                          council, other_council, cached,
                                                          django_capture_on_commit_callbacks):
    client = client_for(city_leader)
    before = shown(client, "constituents")
    drilled = shown(client, "constituents", council=council.pk)
    other_staff = UserFactory(role="staff", council=other_council)
    with django_capture_on_commit_callbacks(execute=True):
        constituent_create(by=other_staff, member=MemberFactory(council=other_council),
                           name="外区联系人")
    assert shown(client, "constituents") == before + 1
    assert shown(client, "constituents", council=council.pk) == drilled  # still cached, right
