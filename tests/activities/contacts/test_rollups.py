"""The daily contact counts (``ContactDay``) equal the aggregate over the raw contact logs:
kept in the transaction that logs a contact, rebuilt idempotently, restored after damage.
Runs on SQLite (``make test``) and PostgreSQL (``.ci/run``); the concurrent case needs
PostgreSQL."""

import threading
from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from activities.contacts.rollups import raw_counts, rollups_rebuild
from activities.contacts.services import contact_log_create
from activities.contacts.tasks import rollups_rebuild_task
from activities.models import Channel, ContactDay, ContactLog, ContactTally
from members.models import Council, Member
from tests.factories import (
    CommitteeFactory,
    ConstituentFactory,
    MemberFactory,
    PlatformFactory,
    SectorFactory,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
GRAIN = ("council_id", "day", "channel", "sector_id", "committee_id", "platform_id")


def local(y, m, d, hour, minute=0) -> datetime:
    return datetime(y, m, d, hour, minute, tzinfo=SHANGHAI)


def stored() -> Counter:
    """The rollup as {grain: (logs, constituent contacts)}."""
    return Counter({
        tuple(row[:6]): (row[6], row[7])
        for row in ContactDay.objects.values_list(*GRAIN, "logs", "constituent_contacts")
    })


def from_logs() -> Counter:
    """The same aggregate computed in Python from the raw logs, independently of the SQL
    (the local day by ``zoneinfo``, the member's sector and committee as they are now)."""
    logs, people = Counter(), Counter()
    for log in ContactLog.objects.select_related("member").prefetch_related("constituents"):
        key = (log.council_id, log.contacted_at.astimezone(SHANGHAI).date(), log.channel,
               log.member.sector_id, log.member.committee_id or 0, log.platform_id or 0)
        logs[key] += 1
        people[key] += len(log.constituents.all())
    return Counter({key: (logs[key], people[key]) for key in logs})


def from_sql() -> Counter:
    return Counter({tuple(row[:6]): (row[6], row[7]) for row in raw_counts()})


TALLY_GRAIN = ("council_id", "dimension", "period", "start", "channel", "item_id")


def stored_tally() -> Counter:
    """The contact tally as {grain: logs}, rows with no log left out."""
    return Counter({
        tuple(row[:6]): row[6]
        for row in ContactTally.objects.values_list(*TALLY_GRAIN, "logs") if row[6]
    })


def tally_from_logs() -> Counter:
    """The tally computed in Python from the raw logs: per day and per month, by channel,
    by the member's sector, by their committee (0: none), by platform (when there is one) and
    by each of its "四联四助" tags."""
    tally = Counter()
    for log in ContactLog.objects.select_related("member").prefetch_related("tags"):
        day = log.contacted_at.astimezone(SHANGHAI).date()
        for period, start in (("d", day), ("m", day.replace(day=1))):
            tally[(log.council_id, "channel", period, start, log.channel, 0)] += 1
            tally[(log.council_id, "sector", period, start, "", log.member.sector_id)] += 1
            tally[(log.council_id, "committee", period, start, "", log.member.committee_id or 0)] += 1
            if log.platform_id:
                tally[(log.council_id, "platform", period, start, "", log.platform_id)] += 1
            for tag in log.tags.all():
                tally[(log.council_id, "tag", period, start, "", tag.pk)] += 1
    return tally


def assert_equal_to_the_logs():
    expected = from_logs()
    assert expected, "the scenario logged nothing"
    assert stored() == expected
    assert from_sql() == expected
    assert stored_tally() == tally_from_logs()


def log(member, people, at, channel=Channel.FORUM, **extra):
    return contact_log_create(
        by=member.user, member=member, constituents=people, contacted_at=at, channel=channel,
        mode=extra.pop("mode", ContactLog.Mode.VISIT), summary="走访了解情况", **extra,
    )


@pytest.fixture
def scenario(council, other_council, member_a, member_b, sector):
    """Logs of four members in two councils — sectors, with and without a special committee,
    five channels, days either side of local midnight, at a platform, several people at
    once — and one log that fails validation."""
    loner = MemberFactory(council=council, sector=sector, committee=None, name="王委员")
    far = MemberFactory(council=other_council, sector=SectorFactory(council=other_council),
                        committee=CommitteeFactory(council=other_council))
    studio = PlatformFactory(council=council)
    people = {m.pk: ConstituentFactory.create_batch(3, member=m) for m in (member_a, member_b, loner, far)}

    a, b = people[member_a.pk], people[member_b.pk]
    log(member_a, a[:1], local(2025, 3, 1, 9))
    log(member_a, a, local(2025, 3, 1, 15))  # same row: 2 logs, 4 people
    log(member_a, a[1:], local(2025, 3, 1, 23, 50))  # still 1 March locally (15:50 UTC)
    log(member_a, a[:1], local(2025, 3, 2, 0, 10))  # 2 March locally, 1 March in UTC
    log(member_a, a[:2], local(2025, 3, 2, 10), Channel.CLINIC)
    log(member_a, a[:1], local(2025, 3, 2, 11), Channel.FORUM, mode=ContactLog.Mode.PLATFORM,
        platform=studio)
    log(member_b, b, local(2025, 3, 1, 9))  # other sector, same day and channel
    log(member_b, b[:1], local(2025, 4, 30, 23, 59), Channel.RESEARCH)
    log(member_b, b[2:], local(2025, 5, 1, 0, 0), Channel.ONLINE)
    log(loner, people[loner.pk], local(2025, 3, 1, 9))  # no committee
    log(loner, people[loner.pk][:1], local(2025, 6, 15, 8), Channel.READING)
    log(far, people[far.pk], local(2025, 3, 1, 9))
    with pytest.raises(ValidationError):  # not on member_a's roster: nothing written
        log(member_a, [b[0]], local(2025, 3, 1, 9))
    return {"loner": loner, "far": far, "studio": studio, "people": people}


# Kept in the same transaction as the write -------------------------------------------------


def test_the_rollup_equals_the_raw_aggregate_after_a_mix_of_logs(scenario, council, member_a):
    assert_equal_to_the_logs()
    assert ContactLog.objects.count() == 12
    first_of_march = ContactDay.objects.get(
        council=council, day=date(2025, 3, 1), channel=Channel.FORUM,
        sector_id=member_a.sector_id, committee_id=member_a.committee_id, platform_id=0,
    )
    assert (first_of_march.logs, first_of_march.constituent_contacts) == (3, 6)
    assert ContactDay.objects.get(day=date(2025, 3, 2), platform_id=scenario["studio"].pk).logs == 1


def test_a_failed_log_counts_nothing(member_a, member_b):
    someone_else = ConstituentFactory(member=member_b)
    with pytest.raises(ValidationError):
        log(member_a, [someone_else], timezone.now())
    with pytest.raises(ValidationError):
        log(member_a, [ConstituentFactory(member=member_a)], timezone.now() + timedelta(days=1))
    assert not ContactDay.objects.exists()


def test_a_log_rolled_back_with_its_transaction_leaves_no_count(member_a):
    from django.db import transaction

    person = ConstituentFactory(member=member_a)
    counted = []

    def log_then_fail():
        with transaction.atomic():
            log(member_a, [person], timezone.now())
            counted.append(ContactDay.objects.get().logs)
            raise RuntimeError("the surrounding write fails")

    with pytest.raises(RuntimeError):
        log_then_fail()
    assert counted == [1]
    assert not ContactDay.objects.exists()


def test_the_rollup_follows_edited_logs(scenario, member_a, member_b):
    """Edits move a log to another day, channel, platform and number of people: its old
    row loses it (an emptied row goes), its new row gains it. A refused edit counts nothing."""
    from activities.contacts.services import contact_log_update

    people = scenario["people"]
    a = people[member_a.pk]
    logs = ContactLog.objects.filter(member=member_a).order_by("contacted_at", "pk")
    first, clinic = logs[0], logs.get(channel=Channel.CLINIC)
    contact_log_update(by=member_a.user, log=first, constituents=a, contacted_at=local(2025, 2, 28, 9))
    contact_log_update(by=member_a.user, log=clinic, channel=Channel.READING,
                       mode=ContactLog.Mode.PLATFORM, platform=scenario["studio"])
    assert_equal_to_the_logs()
    assert not ContactDay.objects.filter(channel=Channel.CLINIC).exists()  # emptied: deleted
    lone = ContactLog.objects.get(member=member_b, channel=Channel.ONLINE)
    before = stored()
    with pytest.raises(ValidationError):
        contact_log_update(by=member_b.user, log=lone, contacted_at=timezone.now() + timedelta(days=2))
    assert stored() == before
    contact_log_update(by=member_b.user, log=lone, summary="只改内容")  # same row: unchanged
    assert stored() == before
    assert_equal_to_the_logs()


# Rebuilt idempotently ----------------------------------------------------------------------


def test_the_tag_tally_follows_tagged_logs(scenario, council, member_a):
    """Logs per "四联四助" tag: a new log counts under each of its tags, an edit of its tags or
    of its time moves it, a deleted log leaves them; the rebuild gives the same rows."""
    from activities.contacts.services import contact_log_delete, contact_log_update
    from activities.tags.services import link_tags_install_defaults

    tags = link_tags_install_defaults(council=council)
    a = scenario["people"][member_a.pk]
    tagged = log(member_a, a[:1], local(2025, 3, 3, 9), tags=tags[:2])
    other = log(member_a, a[1:2], local(2025, 3, 31, 23, 30), tags=[tags[0]])  # 31 March locally
    assert_equal_to_the_logs()
    assert ContactTally.objects.filter(dimension="tag", period="m", item_id=tags[0].pk).get().logs == 2
    contact_log_update(by=member_a.user, log=tagged, tags=[tags[1], tags[2]])
    assert_equal_to_the_logs()
    contact_log_update(by=member_a.user, log=other, contacted_at=local(2025, 4, 1, 9))
    assert_equal_to_the_logs()
    contact_log_update(by=member_a.user, log=other, summary="只改内容")  # tags kept
    assert_equal_to_the_logs()
    contact_log_delete(by=member_a.user, log=tagged)
    assert_equal_to_the_logs()
    before = stored_tally()
    rollups_rebuild(full=True)
    assert stored_tally() == before


def test_rebuild_twice_changes_nothing(scenario):
    before = stored()
    assert rollups_rebuild() == len(before)
    assert stored() == before
    rollups_rebuild()
    assert stored() == before
    assert_equal_to_the_logs()


def test_rebuild_restores_a_damaged_rollup(scenario, council, other_council, member_a):
    ContactDay.objects.filter(council=council, day=date(2025, 3, 1)).update(logs=99)
    ContactDay.objects.filter(channel=Channel.CLINIC).delete()
    ContactDay.objects.create(council=council, day=date(2020, 1, 1), channel=Channel.FORUM,
                              sector_id=member_a.sector_id, logs=7, constituent_contacts=7)
    ContactDay.objects.filter(council=other_council).update(constituent_contacts=0)
    assert stored() != from_logs()
    rollups_rebuild()
    assert_equal_to_the_logs()


def test_rebuild_of_one_council_from_a_day_touches_only_that(scenario, council, other_council):
    ContactDay.objects.filter(council=council).update(logs=50)
    ContactDay.objects.filter(council=other_council).update(logs=60)
    rollups_rebuild(council=council, since=date(2025, 5, 1))
    assert set(ContactDay.objects.filter(council=council, day__gte=date(2025, 5, 1))
               .values_list("logs", flat=True)) == {1}
    assert set(ContactDay.objects.filter(council=council, day__lt=date(2025, 5, 1))
               .values_list("logs", flat=True)) == {50}
    assert set(ContactDay.objects.filter(council=other_council).values_list("logs", flat=True)) == {60}
    rollups_rebuild(council=council.pk, full=True)
    rollups_rebuild(council=other_council, full=True)
    assert_equal_to_the_logs()


def test_a_member_moved_to_another_sector_is_put_right_by_the_rebuild(
    scenario, member_a, other_sector
):
    Member.objects.filter(pk=member_a.pk).update(sector=other_sector, committee=None)
    assert stored() != from_logs()  # the per-log upkeep cannot see this; the nightly job does
    rollups_rebuild()
    assert_equal_to_the_logs()


def test_task_and_command_rebuild_and_the_job_is_scheduled(scenario, council):
    expected = from_logs()
    ContactDay.objects.all().delete()
    assert rollups_rebuild_task.delay().get() == Council.objects.count()  # a task per council
    assert stored() == expected
    ContactDay.objects.update(logs=0)
    call_command("rollups_rebuild", "--council", str(council.pk), "--since", "2025-01-01")
    call_command("rollups_rebuild", "--full")
    assert stored() == expected
    job = PeriodicTask.objects.get(task="activities.tasks.rollups_rebuild_task")
    assert job.enabled
    assert (job.crontab.hour, job.crontab.minute) == ("2", "30")


def test_command_refuses_bad_arguments(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("rollups_rebuild", "--since", "2025-13-01")
    with pytest.raises(CommandError):
        call_command("rollups_rebuild", "--council", "999999")


# The dashboard reads it --------------------------------------------------------------------


def test_the_dashboard_counts_contacts_from_the_rollup(scenario, client_for, staff, council,
                                                       settings):
    settings.DASHBOARD_CACHE_SECONDS = 0
    url = reverse("liaison:dashboard")

    def total():
        groups = client_for(staff).get(url).context["groups"]
        return {f.key: f for _title, group in groups for f in group}["contacts-total"].value

    assert total() == ContactLog.objects.filter(council=council).count() == 11
    months = ContactTally.objects.filter(council=council, dimension="channel", period="m")
    months.update(logs=2)  # damage shows on the page…
    assert total() == 2 * months.count()
    rollups_rebuild(council=council, full=True)  # …and the rebuild puts it right
    assert total() == 11


# The demo ----------------------------------------------------------------------------------


def test_the_demo_s_rollup_equals_its_logs(db):
    from liaison import demo

    demo.build()
    assert ContactLog.objects.count() > 400
    assert_equal_to_the_logs()


# Concurrency (PostgreSQL) ------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_logs_written_during_a_rebuild_are_counted_once(council, sector):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: concurrent transactions")
    members = MemberFactory.create_batch(4, council=council, sector=sector)
    people = {m.pk: ConstituentFactory.create_batch(2, member=m) for m in members}
    start = timezone.now() - timedelta(days=3)
    for i, member in enumerate(members):
        log(member, people[member.pk], start + timedelta(hours=i))
    errors = []
    go = threading.Barrier(len(members) + 1)

    def write(member):
        try:
            go.wait()
            for i in range(10):
                log(member, people[member.pk][: 1 + i % 2], start + timedelta(hours=i * 7))
        except Exception as error:  # reported below, in the main thread
            errors.append(error)
        finally:
            connections.close_all()

    def rebuild():
        try:
            go.wait()
            for _ in range(5):
                rollups_rebuild(council=council)
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(m,)) for m in members]
    threads.append(threading.Thread(target=rebuild))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert ContactLog.objects.count() == 44
    assert_equal_to_the_logs()
