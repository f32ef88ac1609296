"""The dashboard's "四联四助" table: contact logs and activities per tag in the period, each
number the count of the list it links to (also checked with every other number in
test_dashboard_links.py); a city's roll-up adds up its councils' tags of one name."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse

from activities.contacts.services import contact_log_update
from activities.models import Activity, ContactLog, LinkTag
from tests.liaison.test_dashboard_links import count_of

URL = reverse("liaison:dashboard")


def rows_of(response) -> dict[str, dict]:
    return {row["name"]: row for row in response.context["tags"]}


def raw_counts(council_ids, **period) -> dict[str, tuple[int, int]]:
    """Per tag name, from the rows themselves: logs, and activities held."""
    logs = ContactLog.objects.filter(council_id__in=council_ids, **period)
    held = Activity.objects.filter(council_id__in=council_ids, state=Activity.State.HELD)
    return {
        name: (logs.filter(tags__name=name).count(), held.filter(tags__name=name).count())
        for name in LinkTag.objects.filter(council_id__in=council_ids)
        .values_list("name", flat=True).distinct()
    }


def test_each_tag_counts_its_logs_and_held_activities(client_for, leader, world, council, settings):
    settings.DASHBOARD_CACHE_SECONDS = 0
    client = client_for(leader)
    rows = rows_of(client.get(URL))
    expected = raw_counts([council.pk])
    assert {name: (r["n_contacts"], r["n_activities"]) for name, r in rows.items()} == expected
    assert sum(r["n_contacts"] for r in rows.values()) > 0
    assert sum(r["n_activities"] for r in rows.values()) > 0
    # The planned activity (tagged too) is not counted; every tag in use is listed, zeros too.
    assert list(rows) == [tag.name for tag in world["tags"]]
    for row in rows.values():  # one council: each number links by the tag's id
        assert f"tag={row['ids'][0]}" in row["contacts_url"]
        assert count_of(client, row["contacts_url"]) == row["n_contacts"]
        assert count_of(client, row["activities_url"]) == row["n_activities"]


def test_the_period_bounds_the_tag_counts_by_the_logs_time_as_edited(client_for, leader, world,
                                                                     council, settings):
    """The count reads the tags' own rows by time: an edit of a log's time moves them too."""
    settings.DASHBOARD_CACHE_SECONDS = 0
    client = client_for(leader)
    period = {"from": "2025-05-01", "to": "2025-12-31"}
    before = rows_of(client.get(URL, period))
    log = ContactLog.objects.filter(council=council, contacted_at__month=3).exclude(tags=None).first()
    names = [t.name for t in log.tags.all()]
    contact_log_update(by=log.member.user, log=log, contacted_at=log.contacted_at + timedelta(days=90))
    after = rows_of(client.get(URL, period))
    for name in names:
        assert after[name]["n_contacts"] == before[name]["n_contacts"] + 1
        assert count_of(client, after[name]["contacts_url"]) == after[name]["n_contacts"]


def test_a_retired_tag_shows_while_the_period_names_it(client_for, leader, world, council,
                                                      settings):
    settings.DASHBOARD_CACHE_SECONDS = 0
    client = client_for(leader)
    named = next(t for t in world["tags"] if t.contact_logs.exists())
    unnamed = LinkTag.objects.create(council=council, name="未用标签", kind="help", order=99)
    LinkTag.objects.filter(pk__in=[named.pk, unnamed.pk]).update(active=False)
    rows = rows_of(client.get(URL))
    assert unnamed.name not in rows
    assert rows[named.name]["n_contacts"] == named.contact_logs.count()
    assert count_of(client, rows[named.name]["contacts_url"]) == rows[named.name]["n_contacts"]


def test_a_city_adds_up_its_councils_tags_of_one_name(client_for, city_leader, city, world,
                                                      council, other_council, other_staff,
                                                      settings):
    from tests.factories import CommitteeFactory, SectorFactory
    from tests.liaison.conftest import build_world

    settings.DASHBOARD_CACHE_SECONDS = 0
    build_world(other_council, other_staff,
                sectors=[SectorFactory(council=other_council, name=n) for n in ("农业界", "教育界")],
                committees=[CommitteeFactory(council=other_council, name=n) for n in ("农业委", "文史委")])
    client = client_for(city_leader)
    rows = rows_of(client.get(URL))
    expected = raw_counts([council.pk, other_council.pk])
    for name, (logs, held) in expected.items():
        if not logs and not held and name not in rows:
            continue  # a tag of the city itself, unused
        assert (rows[name]["n_contacts"], rows[name]["n_activities"]) == (logs, held), name
    busy = max(rows.values(), key=lambda r: r["n_contacts"])
    assert len(busy["ids"]) >= 2
    assert "tag_name=" in busy["contacts_url"]
    assert count_of(client, busy["contacts_url"]) == busy["n_contacts"]
    assert count_of(client, busy["activities_url"]) == busy["n_activities"]


def test_unnarrowed_the_tag_counts_come_from_the_tally(client_for, leader, world, settings):
    """Counting the tags' rows of every log in the period read millions of rows at province
    scale; the contact tally holds tens of rows per tag."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.DASHBOARD_CACHE_SECONDS = 0
    client = client_for(leader)
    with CaptureQueriesContext(connection) as queries:
        client.get(URL)
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "activities_contactlogtag" not in sql
    assert "activities_contacttally" in sql
