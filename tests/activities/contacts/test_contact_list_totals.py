"""The staff contact-log list shows its total: a dashboard number links to it with the
filters of the daily contact counts (channel, period, sector, committee, platform, council),
and the list sums those counts instead of counting the logs; other filters (a member, a
difficulty) count the logs up to the cap."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.contacts.models import Channel
from activities.contacts.rollups import rollups_rebuild
from members.pagination import CappedPaginator
from tests.factories import ContactLogFactory

pytestmark = pytest.mark.django_db

URL = reverse("activities:contactlog-list")


@pytest.fixture
def logs(council, member_a, member_b, monkeypatch):
    """Five logs, the list's count capped at two: a capped count would say "more than 2"."""
    monkeypatch.setattr(CappedPaginator, "cap", 2)
    now = timezone.now()
    for days_ago, member, channel in [(1, member_a, Channel.FORUM), (2, member_a, Channel.FORUM),
                                      (3, member_b, Channel.FORUM), (40, member_b, Channel.CLINIC),
                                      (41, member_a, Channel.CLINIC)]:
        ContactLogFactory(member=member, channel=channel, contacted_at=now - timedelta(days=days_ago))
    rollups_rebuild(council=council, full=True)


def total(client, **params):
    paginator = client.get(URL, params).context["page"].paginator
    return None if getattr(paginator, "capped", False) else paginator.count


def test_dashboard_filters_show_the_whole_total(client_for, staff, logs, sector, other_sector):
    client = client_for(staff)
    assert total(client, channel=Channel.FORUM) == 3
    assert total(client, council=staff.council_id) == 5
    assert total(client, sector=other_sector.pk) == 2
    since = (timezone.localdate() - timedelta(days=10)).isoformat()
    assert total(client, period_after=since) == 3
    assert total(client, period_after=since, sector=sector.pk) == 2


def test_other_filters_count_up_to_the_cap(client_for, staff, logs, member_a):
    client = client_for(staff)
    assert total(client) is None  # unfiltered: "more than 2"
    assert total(client, member=member_a.pk) is None  # 3 logs
    assert total(client, difficulty="false") is None
