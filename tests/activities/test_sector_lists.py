"""The staff contact-log and reminder lists filtered by a sector: read member by member
(``members.pagination.TopPerMember`` on PostgreSQL), they show the same rows, in the same
order, with the same pages and totals as the filtered list ordered plainly — on the first
page, on a deeper one, past the recent window and past the merge's depth (read as before)."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import ContactLog, MustVisitRule, Reminder
from activities.reminders.services.rules import rules_install_defaults
from members.pagination import CappedPaginator, TopPerMember
from tests.factories import ContactLogFactory, MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sector_members(council, sector, other_sector):
    """Four members of the sector, two of another (their rows must not show)."""
    inside = [MemberFactory(council=council, sector=sector) for _ in range(4)]
    outside = [MemberFactory(council=council, sector=other_sector) for _ in range(2)]
    return inside, outside


def _logs(members, now, recent: int, older: int):
    """``recent`` logs of each member in the last days (some at the same instant: the id
    breaks the tie), ``older`` of each months back."""
    for i, member in enumerate(members):
        for k in range(recent):
            # Every third log shares its instant with a log of the next member.
            ContactLogFactory(member=member, constituents=[],
                              contacted_at=now - timedelta(hours=7 * k + (0 if k % 3 else i)))
        for k in range(older):
            ContactLogFactory(member=member, constituents=[],
                              contacted_at=now - timedelta(days=60 + 11 * k, minutes=i))


def _page(client, url, params):
    response = client.get(reverse(url), params)
    assert response.status_code == 200
    return response.context["page"]


@pytest.mark.parametrize(("recent", "older"), [(20, 12), (3, 25)])
@pytest.mark.parametrize("depth", [None, 60])
def test_sector_contact_logs_as_ordered_plainly(client_for, staff, sector, sector_members,
                                                monkeypatch, recent, older, depth):
    """(20, 12): the first pages lie in the recent window; (3, 25): they do not (the list is
    read as before). ``depth`` 60: the second page on is past the merge's depth."""
    if depth:
        monkeypatch.setattr(TopPerMember, "SINCE_DEPTH", depth)
    inside, outside = sector_members
    now = timezone.now()
    _logs(inside, now, recent, older)
    _logs(outside, now, 5, 5)
    expected = list(ContactLog.objects.filter(member__sector=sector)
                    .order_by("-contacted_at", "-id").values_list("pk", flat=True))
    assert len(expected) == 4 * (recent + older) > 100
    client = client_for(staff)
    for number in (1, 2, 3):
        page = _page(client, "activities:contactlog-list", {"sector": sector.pk, "page": number})
        assert [log.pk for log in page] == expected[(number - 1) * 50:number * 50]
        assert page.paginator.count == len(expected)
        assert page.paginator.num_pages == -(-len(expected) // 50)
    # A filter beside the sector's that leaves nothing: an empty page (its slice is [0:0]).
    used = set(ContactLog.objects.filter(member__sector=sector).values_list("channel", flat=True))
    unused = next(value for value, _label in ContactLog._meta.get_field("channel").choices
                  if value not in used)
    page = _page(client, "activities:contactlog-list", {"sector": sector.pk, "channel": unused})
    assert list(page) == []
    assert page.paginator.count == 0
    # With another filter beside the sector's.
    channel = ContactLog.objects.filter(member__sector=sector).order_by("id").first().channel
    page = _page(client, "activities:contactlog-list", {"sector": sector.pk, "channel": channel})
    assert [log.pk for log in page] == list(
        ContactLog.objects.filter(member__sector=sector, channel=channel)
        .order_by("-contacted_at", "-id").values_list("pk", flat=True)[:50]
    )


def test_sector_contact_logs_capped_total(client_for, staff, sector, sector_members,
                                          monkeypatch):
    monkeypatch.setattr(CappedPaginator, "cap", 30)
    _logs(sector_members[0], timezone.now(), 10, 5)
    page = _page(client_for(staff), "activities:contactlog-list", {"sector": sector.pk})
    assert page.paginator.capped
    expected = list(ContactLog.objects.filter(member__sector=sector)
                    .order_by("-contacted_at", "-id").values_list("pk", flat=True))
    assert [log.pk for log in page] == expected[:31]  # the page is cut at the count


def _reminders(council, members, per_member: int):
    """Reminders of several months (partitions on PostgreSQL) and states; due dates repeat
    across members (the id breaks the tie)."""
    rules_install_defaults(council=council)
    rule = MustVisitRule.objects.filter(council=council).order_by("id").first()
    states = [Reminder.State.OPEN, Reminder.State.OVERDUE, Reminder.State.DONE]
    start = date(2025, 1, 1)
    Reminder.objects.bulk_create([
        Reminder(council=council, rule=rule, member=member, period_key=f"t{i}-{k}",
                 trigger_on=start + timedelta(days=9 * k + i), state=states[k % 3],
                 due_on=start + timedelta(days=9 * k + 20 + (k % 4) * 3))
        for i, member in enumerate(members) for k in range(per_member)
    ])


@pytest.mark.parametrize("depth", [None, 40])
def test_sector_reminders_as_ordered_plainly(client_for, staff, council, sector, sector_members,
                                             monkeypatch, depth):
    if depth:
        monkeypatch.setattr(TopPerMember, "DEPTH", depth)
    inside, outside = sector_members
    _reminders(council, inside + outside, 20)
    client = client_for(staff)
    for params, rows in [
        ({}, Reminder.objects.filter(member__sector=sector)),
        ({"state": "due"}, Reminder.objects.filter(member__sector=sector,
                                                   state__in=["done", "overdue"])),
    ]:
        expected = list(rows.order_by("due_on", "id").values_list("pk", flat=True))
        assert len(expected) > 30
        for number in range(1, min(3, -(-len(expected) // 30)) + 1):
            page = _page(client, "activities:reminder-list",
                         {"sector": sector.pk, "page": number, **params})
            assert [r.pk for r in page] == expected[(number - 1) * 30:number * 30]
            assert page.paginator.count == len(expected)


@pytest.mark.parametrize(("url", "budget"), [
    # session, user (with the unread counter), council, sector (the filter), capped count,
    # page ids, page rows, their constituents, choices (tags, sectors, committees, platforms)
    ("activities:contactlog-list", 12),
    # session, user (with the unread counter), council, sector (the filter), capped count,
    # page ids, page rows, choices (rules, sectors, committees; a district's staff pick no
    # council)
    ("activities:reminder-list", 10),
])
def test_sector_pages_keep_their_query_budget(url, budget, client_for, staff, council, sector,
                                              sector_members, django_assert_num_queries):
    """Read member by member, the sector's page ids still take one query."""
    inside, _outside = sector_members
    _logs(inside, timezone.now(), 3, 3)
    _reminders(council, inside, 5)
    client = client_for(staff)
    client.get(reverse(url), {"sector": sector.pk})  # the session's first reads
    with django_assert_num_queries(budget):
        assert len(client.get(reverse(url), {"sector": sector.pk}).context["page"])
