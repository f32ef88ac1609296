"""The rollups the dashboards read — each member's active constituents, the roster tally per
council, sector and committee, the daily contact counts — equal the rows they count after
every kind of write: the services, the imports, the Django admin, the demo. Rebuilt, they
come out the same; the incremental rebuild equals the full one.

``assert_rollups_equal_the_rows()`` computes every aggregate in Python from the raw rows,
independently of the SQL that keeps or rebuilds them, and compares."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from activities.contacts import services as contacts
from activities.contacts.rollups import rollups_rebuild
from activities.models import Channel, ContactDay, ContactDayMark, ContactLog, ContactTally
from members import services
from members.imports import constituents_import, members_import
from members.models import Constituent, Member, RosterTally, User
from members.rollups import raw_tally, roster_rebuild, stored_tally
from tests.activities.contacts.test_rollups import from_logs, tally_from_logs
from tests.activities.contacts.test_rollups import stored as stored_days
from tests.activities.contacts.test_rollups import stored_tally as stored_contact_tally
from tests.factories import (
    CommitteeFactory,
    ConstituentFactory,
    ContactLogFactory,
    MemberFactory,
    UserFactory,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


# --- the one check ---------------------------------------------------------------------------


def expected_counters() -> dict[int, int]:
    counts = Counter(Constituent.objects.filter(active=True).values_list("member_id", flat=True))
    return {pk: counts.get(pk, 0) for pk in Member.objects.values_list("pk", flat=True)}


def expected_tally() -> dict[tuple, tuple]:
    """Per (council, sector, committee): serving members (their own sector and committee),
    those with no zone or no active constituent, and active constituents (their own sector,
    their member's committee) — counted row by row."""
    counters = expected_counters()
    totals: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
    for m in Member.objects.filter(status=Member.Status.ACTIVE):
        key = (m.council_id, m.sector_id, m.committee_id or 0)
        totals[key][0] += 1
        totals[key][1] += not m.zone or counters[m.pk] == 0
    for c in Constituent.objects.filter(active=True).select_related("member"):
        totals[(c.council_id, c.sector_id, c.member.committee_id or 0)][2] += 1
    return {key: tuple(n) for key, n in totals.items() if any(n)}


def snapshot() -> dict:
    return {
        "counters": dict(Member.objects.values_list("pk", "active_constituents")),
        "tally": stored_tally(),
        "days": stored_days(),
        "contact_tally": stored_contact_tally(),
    }


def assert_rollups_equal_the_rows() -> None:
    state = snapshot()
    assert state["counters"] == expected_counters()
    assert state["tally"] == expected_tally()
    assert raw_tally() == state["tally"]  # the rebuild's SQL agrees
    assert state["days"] == from_logs()
    assert state["contact_tally"] == tally_from_logs()


# --- a small world ---------------------------------------------------------------------------


@pytest.fixture
def world(council, other_council, sector, other_sector, committee, staff, member_a, member_b):
    other_committee = CommitteeFactory(council=council, name="教科卫体委")
    loner = MemberFactory(council=council, sector=sector, committee=None, name="王委员")
    far = MemberFactory(council=other_council)
    people = {m.pk: ConstituentFactory.create_batch(2, member=m) for m in (member_a, member_b, far)}
    for m in (member_a, member_b, far):
        ContactLogFactory(member=m, constituents=people[m.pk][:1],
                          contacted_at=datetime(2025, 3, 1, 23, 30, tzinfo=SHANGHAI))
    ContactLogFactory(member=member_a, constituents=people[member_a.pk], channel=Channel.CLINIC,
                      contacted_at=datetime(2025, 4, 2, 9, tzinfo=SHANGHAI))
    assert_rollups_equal_the_rows()
    return {"other_committee": other_committee, "loner": loner, "far": far, "people": people}


def xlsx(rows) -> SimpleUploadedFile:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = BytesIO()
    book.save(out)
    return SimpleUploadedFile("import.xlsx", out.getvalue())


# --- constituents ----------------------------------------------------------------------------


def test_constituent_writes_keep_the_rollups(world, staff, member_a, member_b, other_sector):
    loner = world["loner"]
    # Create: the loner (no committee) goes from missing "两个1" to covered.
    first = services.constituent_create(by=staff, member=loner, name="赵一")
    assert_rollups_equal_the_rows()
    asleep = services.constituent_create(by=loner.user, member=loner, name="赵二", active=False)
    assert_rollups_equal_the_rows()
    # Edit: another sector (the constituent's own), then deactivate (missing again),
    # reactivate, and an inactive one's sector.
    services.constituent_update(by=staff, constituent=first, sector=other_sector)
    assert_rollups_equal_the_rows()
    services.constituent_update(by=loner.user, constituent=first, active=False)
    assert_rollups_equal_the_rows()
    services.constituent_update(by=staff, constituent=first, active=True)
    assert_rollups_equal_the_rows()
    services.constituent_update(by=staff, constituent=asleep, sector=other_sector)
    assert_rollups_equal_the_rows()
    # Move: to a member of another committee; the giver is left with none.
    services.constituent_move(by=staff, constituent=first, member=member_b)
    assert_rollups_equal_the_rows()
    assert Member.objects.get(pk=loner.pk).active_constituents == 0
    services.constituent_move(by=staff, constituent=asleep, member=member_a)
    assert_rollups_equal_the_rows()
    # Delete: one never contacted goes; one contacted is refused and nothing changes.
    services.constituent_delete(by=staff, constituent=first)
    assert_rollups_equal_the_rows()
    contacted = world["people"][member_a.pk][0]
    before = snapshot()
    with pytest.raises(ValidationError):
        services.constituent_delete(by=staff, constituent=contacted)
    assert snapshot() == before
    assert Constituent.objects.filter(pk=contacted.pk).exists()


def test_refused_constituent_writes_change_nothing(world, staff, other_staff, member_a, member_b):
    person = world["people"][member_a.pk][1]
    twin = world["people"][member_b.pk][0]
    services.constituent_update(by=staff, constituent=person, phone=twin.phone)
    before = snapshot()
    with pytest.raises(ValidationError):  # the same phone twice on member_b's roster
        services.constituent_move(by=staff, constituent=person, member=member_b)
    with pytest.raises(PermissionDenied):  # another council's member
        services.constituent_move(by=staff, constituent=person, member=world["far"])
    with pytest.raises(PermissionDenied):
        services.constituent_delete(by=other_staff, constituent=person)
    with pytest.raises(PermissionDenied):
        services.constituent_move(by=member_a.user, constituent=person, member=member_b)
    assert snapshot() == before
    assert_rollups_equal_the_rows()


def test_a_stale_page_cannot_count_a_constituent_twice(world, staff, member_a):
    """The change is counted from the row as stored, not from the instance a page holds."""
    person = world["people"][member_a.pk][1]
    page_one, page_two = (Constituent.objects.get(pk=person.pk) for _ in range(2))
    services.constituent_update(by=staff, constituent=page_one, active=False)
    services.constituent_update(by=staff, constituent=page_two, active=False)
    assert_rollups_equal_the_rows()
    assert Member.objects.get(pk=member_a.pk).active_constituents == 1


def test_the_constituent_import_keeps_the_rollups(world, staff, council, member_a):
    report = constituents_import(council=council, by=staff, upload=xlsx([
        ["姓名", "手机号", "联系委员", "委员手机号", "界别", "工作单位", "职业", "社区", "标签", "备注"],
        ["钱一", "13700000001", member_a.name, "", "", "", "", "", "", ""],
        ["钱二", "13700000002", member_a.name, "", "教育界", "", "", "", "", ""],
        ["钱三", "13700000003", world["loner"].name, "", "", "", "", "", "", ""],
    ]))
    assert report.ok
    assert report.created == 3
    assert_rollups_equal_the_rows()


# --- members ---------------------------------------------------------------------------------


def test_member_writes_keep_the_rollups(world, staff, council, sector, other_sector, committee,
                                        member_a):
    """Sector, committee (the member's constituents and logs move with them), status and zone,
    create and delete — each through the service."""
    other = world["other_committee"]
    services.member_update(by=staff, member=member_a, committee=other)
    assert_rollups_equal_the_rows()
    services.member_update(by=staff, member=member_a, sector=other_sector, committee=None)
    assert_rollups_equal_the_rows()
    services.member_update(by=staff, member=member_a, status=Member.Status.INACTIVE)
    assert_rollups_equal_the_rows()
    services.member_update(by=staff, member=member_a, zone="")  # allowed once they have left
    assert_rollups_equal_the_rows()
    services.member_update(by=staff, member=member_a, status=Member.Status.ACTIVE, zone="兴安街道",
                           sector=sector, committee=committee)
    assert_rollups_equal_the_rows()
    user = UserFactory(role=User.Role.MEMBER, council=council)
    newcomer = services.member_create(by=staff, council=council, user=user, name="孙委员",
                                      sector=sector, committee=other, zone="新兴街道")
    assert_rollups_equal_the_rows()  # a serving member with no constituent: missing
    services.member_delete(by=staff, member=newcomer)
    assert_rollups_equal_the_rows()
    before = snapshot()
    with pytest.raises(ValidationError):  # keeps constituents: kept
        services.member_delete(by=staff, member=member_a)
    with pytest.raises(ValidationError):  # a serving member must have a zone
        services.member_update(by=staff, member=Member.objects.get(pk=member_a.pk), zone="")
    assert snapshot() == before


def test_a_member_moved_takes_their_contact_counts_along(world, staff, member_a, other_sector):
    """Before, only the nightly rebuild put the daily counts right after such a move."""
    services.member_update(by=staff, member=member_a, sector=other_sector,
                           committee=world["other_committee"])
    mine = ContactDay.objects.filter(council=member_a.council_id, sector_id=other_sector.pk,
                                     committee_id=world["other_committee"].pk)
    assert sum(mine.values_list("logs", flat=True)) == 2
    assert_rollups_equal_the_rows()


def test_the_member_import_keeps_the_rollups(world, staff, council):
    report = members_import(council=council, by=staff, upload=xlsx([
        ["姓名", "手机号", "性别", "界别", "专委会", "届次", "工作单位", "职务", "责任区"],
        ["周一", "13600000001", "男", "经济界", "经济委", "", "", "", "兴安街道"],
        ["周二", "13600000002", "女", "教育界", "", "", "", "", "新兴街道"],
    ]))
    assert report.ok
    assert report.created == 2
    assert_rollups_equal_the_rows()


# --- contact logs ----------------------------------------------------------------------------


def test_contact_log_writes_keep_the_rollups(world, member_a, staff):
    people = world["people"][member_a.pk]
    log = contacts.contact_log_create(
        by=member_a.user, member=member_a, constituents=people, summary="走访",
        contacted_at=datetime(2025, 5, 5, 10, tzinfo=SHANGHAI), channel=Channel.ONLINE,
        mode=ContactLog.Mode.ONLINE,
    )
    assert_rollups_equal_the_rows()
    contacts.contact_log_update(by=staff, log=log, constituents=people[:1],
                                contacted_at=datetime(2025, 5, 6, 0, 5, tzinfo=SHANGHAI))
    assert_rollups_equal_the_rows()
    contacts.contact_log_delete(by=member_a.user, log=log)
    assert_rollups_equal_the_rows()
    assert not ContactLog.objects.filter(pk=log.pk).exists()
    last = ContactLog.objects.filter(member=member_a).order_by("-contacted_at").first()
    assert Constituent.objects.get(pk=people[0].pk).last_contacted_at == last.contacted_at


def test_a_contact_log_is_deleted_by_whom_may_edit_it(world, member_a, member_b, leader):
    log = ContactLog.objects.filter(member=member_a).first()
    before = snapshot()
    for outsider in (member_b.user, leader):
        with pytest.raises(PermissionDenied):
            contacts.contact_log_delete(by=outsider, log=log)
    assert snapshot() == before


# --- the Django admin ------------------------------------------------------------------------


def _form_data(form, **changes) -> dict:
    """What the admin's change form would post back, with ``changes``."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            value = ""
        elif isinstance(value, bool):
            value = "on" if value else ""
        data[name] = value
    data.update(changes)
    return {k: v for k, v in data.items() if v != "" or k in changes}


def _admin_save(client, url, **changes):
    form = client.get(url).context["adminform"].form
    response = client.post(url, _form_data(form, **changes))
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


@pytest.fixture
def superuser(council):
    return UserFactory(username="root", role=User.Role.ADMIN, council=council, is_staff=True,
                       is_superuser=True)


def test_admin_writes_go_through_the_services(world, client_for, superuser, council, sector,
                                              member_a, member_b):
    client = client_for(superuser)
    person = world["people"][member_a.pk][1]
    # A constituent handed to another member and deactivated in one save.
    _admin_save(client, f"/admin/members/constituent/{person.pk}/change/",
                member=member_b.pk, active="")
    person.refresh_from_db()
    assert (person.member_id, person.active) == (member_b.pk, False)
    assert_rollups_equal_the_rows()
    # A constituent added.
    _admin_save(client, "/admin/members/constituent/add/", name="吴一", member=world["loner"].pk,
                sector=sector.pk, active="on")
    assert_rollups_equal_the_rows()
    # A member's committee and status changed.
    _admin_save(client, f"/admin/members/member/{member_b.pk}/change/",
                committee=world["other_committee"].pk, status=Member.Status.INACTIVE)
    assert_rollups_equal_the_rows()
    # A member added, then deleted.
    user = UserFactory(role=User.Role.MEMBER, council=council)
    _admin_save(client, "/admin/members/member/add/", user=user.pk, council=council.pk,
                name="郑委员", sector=sector.pk, term="第十届", status="active", zone="兴安街道")
    assert_rollups_equal_the_rows()
    added = Member.objects.get(name="郑委员")
    client.post(f"/admin/members/member/{added.pk}/delete/", {"post": "yes"})
    assert not Member.objects.filter(pk=added.pk).exists()
    assert_rollups_equal_the_rows()
    # Constituents deleted with the bulk action (never contacted ones).
    spare = ConstituentFactory.create_batch(2, member=member_a)
    client.post("/admin/members/constituent/", {
        "action": "delete_selected", "_selected_action": [c.pk for c in spare], "post": "yes"})
    assert not Constituent.objects.filter(pk__in=[c.pk for c in spare]).exists()
    assert_rollups_equal_the_rows()
    # A contact log deleted, one and in bulk.
    logs = list(ContactLog.objects.filter(member=member_a))
    client.post(f"/admin/activities/contactlog/{logs[0].pk}/delete/", {"post": "yes"})
    client.post("/admin/activities/contactlog/", {
        "action": "delete_selected", "_selected_action": [log.pk for log in logs[1:]],
        "post": "yes"})
    assert not ContactLog.objects.filter(member=member_a).exists()
    assert_rollups_equal_the_rows()


def test_contact_logs_are_not_added_or_edited_in_the_admin(world, client_for, superuser,
                                                           member_a):
    """Their pages' service keeps what follows from a log; the admin only reads them."""
    client = client_for(superuser)
    log = ContactLog.objects.filter(member=member_a).first()
    assert client.get("/admin/activities/contactlog/add/").status_code == 403
    page = client.get(f"/admin/activities/contactlog/{log.pk}/change/")
    assert page.status_code == 200
    assert not page.context["has_change_permission"]


# --- the demo --------------------------------------------------------------------------------


def test_the_demo_keeps_the_rollups(db):
    from liaison import demo

    demo.build()
    assert RosterTally.objects.exists()
    assert_rollups_equal_the_rows()


# --- the rebuild -----------------------------------------------------------------------------


def test_rebuild_equals_the_maintained_rollups_and_puts_damage_right(world, staff, member_a,
                                                                    other_sector):
    services.member_update(by=staff, member=member_a, sector=other_sector)
    maintained = snapshot()
    Member.objects.filter(pk=member_a.pk).update(active_constituents=99)
    RosterTally.objects.filter(council=member_a.council).update(members=7)
    ContactDay.objects.update(logs=5)
    RosterTally.objects.create(council=member_a.council, sector_id=12345, members=3)
    roster_rebuild()
    rollups_rebuild(full=True)
    assert snapshot() == maintained
    assert_rollups_equal_the_rows()


def _bulk_logs(member, days: list[date]) -> None:
    """Logs written around the services (a bulk load): no daily count follows them."""
    people = list(member.constituents.all()[:1])
    for day in days:
        log = ContactLog.objects.create(
            council_id=member.council_id, member=member, channel=Channel.FORUM,
            mode=ContactLog.Mode.VISIT, summary="批量导入",
            contacted_at=timezone.make_aware(datetime(day.year, day.month, day.day, 10)),
        )
        log.constituents.set(people, through_defaults={"contacted_at": log.contacted_at})


def test_the_incremental_rebuild_recounts_the_touched_days_and_equals_the_full(world, member_a):
    today = date(2025, 6, 30)
    rollups_rebuild(today=today)  # never rebuilt: whole, and marked
    assert ContactDayMark.objects.count() == 2
    _bulk_logs(member_a, [date(2024, 11, 3), date(2024, 11, 4), date(2025, 1, 20)])
    untouched = ContactDay.objects.filter(day=date(2025, 4, 2))
    untouched.update(logs=40)  # damage on a day no new log touches
    rollups_rebuild(today=today)
    # The new logs' days are counted; the untouched day is left as it was: incremental.
    assert ContactDay.objects.filter(day=date(2024, 11, 3)).exists()
    assert set(untouched.values_list("logs", flat=True)) == {40}
    expected = from_logs()
    assert stored_days() == {
        grain: (40, n[1]) if grain[1] == date(2025, 4, 2) else n for grain, n in expected.items()
    }
    rollups_rebuild(full=True)
    assert stored_days() == expected


def test_the_incremental_rebuild_recounts_the_recent_days(world, member_a):
    recent = date(2025, 6, 29)
    _bulk_logs(member_a, [recent])
    rollups_rebuild(today=date(2025, 6, 1))  # whole: the first time
    assert stored_days() == from_logs()
    ContactDay.objects.filter(day=recent).update(logs=9)
    ContactDayMark.objects.update(last_log_id=10**9)  # nothing new since
    rollups_rebuild(today=recent + timedelta(days=1))
    assert stored_days() == from_logs()


def test_the_command_fills_every_rollup_when_they_are_empty(world, capsys):
    """A database loaded around the services (the province's generator) gets its rollups
    from one run of the default command."""
    RosterTally.objects.all().delete()
    ContactDay.objects.all().delete()
    ContactDayMark.objects.all().delete()
    Member.objects.update(active_constituents=0)
    call_command("rollups_rebuild")
    assert "roster tally rows written" in capsys.readouterr().out
    assert_rollups_equal_the_rows()
    call_command("rollups_rebuild", "--full")
    call_command("rollups_rebuild", "--since", "2025-01-01")
    assert_rollups_equal_the_rows()


def test_the_nightly_job_runs_the_incremental_rebuild(world, member_a):
    from activities.contacts.tasks import rollups_rebuild_task
    from liaison.schedule import SCHEDULE

    assert "activities.tasks.rollups_rebuild_task" in SCHEDULE
    rollups_rebuild_task.delay().get()
    ContactDay.objects.filter(day=date(2025, 4, 2)).update(logs=40)  # an old day: left alone
    Member.objects.filter(pk=member_a.pk).update(active_constituents=0)  # roster: put right
    rollups_rebuild_task.delay().get()
    assert set(ContactDay.objects.filter(day=date(2025, 4, 2)).values_list("logs", flat=True)) == {40}
    assert Member.objects.get(pk=member_a.pk).active_constituents == 2


# --- the staff overview reads them -----------------------------------------------------------


def test_the_staff_overview_reads_the_rollups(world, client_for, staff, council, member_a):
    """Serving members, "两个1", constituents and this month's contacts: sums over the roster
    tally and the contact tally, not counts over the rows (what they say is what it shows)."""
    url = reverse("members:staff-home")
    ContactLogFactory(member=member_a, constituents=world["people"][member_a.pk][:1])
    context = client_for(staff).get(url).context
    assert context["contacts_this_month"] == 1
    assert context["constituents"] == 4
    assert context["coverage"] == {"active": 3, "covered": 2, "missing": 1, "percent": 66.7}
    ContactTally.objects.filter(council=council, dimension="channel", period="m",
                                start=timezone.localdate().replace(day=1)).update(logs=30)
    RosterTally.objects.filter(council=council).update(constituents=10)
    context = client_for(staff).get(url).context
    assert context["contacts_this_month"] == 30
    assert context["constituents"] == 10 * RosterTally.objects.filter(council=council).count()


@pytest.mark.parametrize("size", [1, 4])
def test_the_staff_overview_keeps_its_budget(client_for, staff, council, sector, committee,
                                             django_assert_max_num_queries, size):
    for _ in range(size):
        member = MemberFactory(council=council, sector=sector, committee=committee)
        ContactLogFactory(member=member, constituents=ConstituentFactory.create_batch(2, member=member))
    client = client_for(staff)
    # session, user, council, platforms by kind, this month's contacts (contact tally), the
    # roster tally (members, "两个1", constituents)
    with django_assert_max_num_queries(6):
        client.get(reverse("members:staff-home"))


# --- concurrency (PostgreSQL) ----------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_roster_writes_and_member_moves_keep_the_rollups(council, sector, other_sector,
                                                                   committee, staff):
    """Writers add, deactivate and move constituents and log contacts while another moves
    their members between sectors and committees: every change is an increment under the
    member's row lock, so the rollups come out equal to the rows, whatever the interleaving."""
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: concurrent transactions")
    other_committee = CommitteeFactory(council=council, name="教科卫体委")
    members = MemberFactory.create_batch(3, council=council, sector=sector, committee=committee)
    people = {m.pk: ConstituentFactory.create_batch(2, member=m) for m in members}
    errors = []
    go = threading.Barrier(len(members) + 1)

    def write(member, n):
        try:
            go.wait()
            for i in range(6):
                person = services.constituent_create(by=staff, member=member, name=f"并发{n}-{i}")
                if i % 3 == 1:
                    services.constituent_update(by=staff, constituent=person, active=False)
                if i % 3 == 2:
                    services.constituent_move(by=staff, constituent=person,
                                              member=members[(n + 1) % len(members)])
                contacts.contact_log_create(
                    by=staff, member=member, constituents=people[member.pk][:1], summary="走访",
                    contacted_at=timezone.now() - timedelta(days=i), channel=Channel.FORUM,
                    mode=ContactLog.Mode.VISIT,
                )
        except Exception as error:  # reported below, in the main thread
            errors.append(error)
        finally:
            connections.close_all()

    def move():
        try:
            go.wait()
            for i in range(6):
                for member in members:
                    services.member_update(
                        by=staff, member=Member.objects.get(pk=member.pk),
                        sector=[sector, other_sector][i % 2],
                        committee=[other_committee, committee, None][i % 3],
                    )
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(m, n)) for n, m in enumerate(members)]
    threads.append(threading.Thread(target=move))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Constituent.objects.filter(name__startswith="并发").count() == 18
    assert ContactLog.objects.count() == 18
    assert_rollups_equal_the_rows()
