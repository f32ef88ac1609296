"""Partitioned history on PostgreSQL (docs/PARTITIONING.md): the migration's tables, the
months made ahead, month-bounded queries that read only their month's partitions, a log moved
to another month taking its links along, and the archive round trip. On SQLite the same
migrations leave plain tables and the commands do nothing."""

from __future__ import annotations

import gzip
import re
from datetime import date, datetime, time, timedelta

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from activities import partitions
from activities.contacts.models import (
    Channel,
    ContactDay,
    ContactLog,
    ContactLogConstituent,
    ContactLogPhoto,
)
from activities.contacts.rollups import contact_day_add
from activities.contacts.services import contact_log_create, contact_log_update
from activities.models import ContactLogTag, LinkTag, MustVisitRule, Reminder
from activities.partitions import archive
from activities.reminders.services.pending import pending_since_recount
from activities.reminders.services.rules import rules_install_defaults
from tests.factories import ConstituentFactory

postgres = pytest.mark.postgres


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def at_most_now(day: date) -> datetime:
    """``at(day)``, or now when that is still ahead (the first hours of a month's first day):
    a contact cannot be logged in the future."""
    return min(at(day), timezone.now())


def _pg_only():
    if connection.vendor != "postgresql":
        pytest.skip("partitions are PostgreSQL's")


def _partitions_read(queryset, table: str) -> set[str]:
    plan = queryset.explain()
    return set(re.findall(rf"\b({table}_(?:p\d{{6}}|default))\b", plan))


@pytest.fixture
def archive_storage(tmp_path, monkeypatch):
    store = FileSystemStorage(location=tmp_path / "backups")
    monkeypatch.setattr(archive, "storage", lambda: store)
    return store


@pytest.fixture
def rule(council):
    rules_install_defaults(council=council)
    return MustVisitRule.objects.filter(council=council).order_by("pk").first()


def _log(member, people, when: datetime, **extra) -> ContactLog:
    return contact_log_create(
        by=member.user, member=member, constituents=people, contacted_at=when,
        channel=Channel.FORUM, mode=ContactLog.Mode.VISIT, summary="走访", **extra,
    )


def _reminder(rule, member, person, trigger_on: date, **extra) -> Reminder:
    return Reminder.objects.create(
        council=member.council, rule=rule, member=member, constituent=person,
        period_key=f"test-{trigger_on}", trigger_on=trigger_on,
        due_on=trigger_on + timedelta(days=10), **extra,
    )


# --- The tables the migration made -----------------------------------------------------


@postgres
@pytest.mark.django_db
def test_the_history_tables_are_partitioned_by_month_with_the_key_in_the_primary_key():
    _pg_only()
    with connection.cursor() as cursor:
        for family in partitions.FAMILIES:
            cursor.execute("""
                SELECT pg_get_partkeydef(c.oid), pg_get_constraintdef(k.oid)
                FROM pg_class c JOIN pg_constraint k ON k.conrelid = c.oid AND k.contype = 'p'
                WHERE c.relname = %s""", [family.table])
            key, primary = cursor.fetchone()
            assert key == f"RANGE ({family.key})"
            assert primary == f"PRIMARY KEY (id, {family.key})"
            assert partitions.months_between(
                timezone.localdate(), timezone.localdate() + timedelta(days=62)
            )[0] in partitions.partition_months(family)
        cursor.execute("""
            SELECT conrelid::regclass::text, pg_get_constraintdef(oid) FROM pg_constraint
            WHERE contype = 'f' AND confrelid = 'activities_contactlog'::regclass
              AND conparentid = 0 ORDER BY 1""")
        references = cursor.fetchall()
    assert [table for table, _ in references] == list(partitions.LOG_REFERENCES)
    for _table, definition in references:
        assert definition.startswith(
            "FOREIGN KEY (contact_log_id, contacted_at) REFERENCES activities_contactlog(id, contacted_at)")
        assert "ON UPDATE CASCADE" in definition


@postgres
@pytest.mark.django_db
def test_a_link_that_names_another_time_than_its_log_is_refused(member_a):
    _pg_only()
    from django.db import IntegrityError, transaction

    person = ConstituentFactory(member=member_a)
    log = _log(member_a, [person], timezone.now() - timedelta(hours=1))
    other = ConstituentFactory(member=member_a)
    wrong = ContactLogConstituent(
        contact_log=log, constituent=other, contacted_at=log.contacted_at - timedelta(days=1))
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        with pytest.raises(IntegrityError), transaction.atomic():
            wrong.save()
    assert list(log.constituents.all()) == [person]


# --- Months ahead, months back ------------------------------------------------------------


@postgres
@pytest.mark.django_db
def test_ensure_makes_the_months_ahead_once():
    _pg_only()
    today = timezone.localdate()
    first = partitions.partitions_ensure(ahead=6, today=today)
    again = partitions.partitions_ensure(ahead=6, today=today)
    assert again == []
    wanted = partitions.months_between(today, today + timedelta(days=6 * 31))[:7]
    for family in partitions.FAMILIES:
        assert set(wanted) <= set(partitions.partition_months(family))
    assert all(name.rsplit("_p", 1)[1] > f"{today:%Y%m}" for name in first)


@postgres
@pytest.mark.django_db
def test_a_month_made_later_takes_its_rows_from_the_default_partition(member_a, rule):
    _pg_only()
    old = date(2019, 3, 12)
    person = ConstituentFactory(member=member_a)
    tag = LinkTag.objects.filter(council=member_a.council).first()
    log = _log(member_a, [person], at(old), tags=[tag.pk] if tag else [])
    reminder = _reminder(rule, member_a, person, old, satisfied_by=log, state=Reminder.State.DONE)
    assert _where(ContactLog, log.pk) == "activities_contactlog_default"

    made = partitions.partitions_ensure(first=date(2019, 3, 1), last=date(2019, 3, 1))

    assert "activities_contactlog_p201903" in made
    assert _where(ContactLog, log.pk) == "activities_contactlog_p201903"
    assert _where(Reminder, reminder.pk) == "activities_reminder_p201903"
    assert list(ContactLog.objects.get(pk=log.pk).constituents.all()) == [person]
    assert ContactDay.objects.filter(day=old, council=member_a.council).get().logs == 1


def _where(model, pk) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT tableoid::regclass::text FROM "{model._meta.db_table}" WHERE id = %s',
                       [pk])
        return cursor.fetchone()[0]


# --- A period's queries read its month only ------------------------------------------------


@postgres
@pytest.mark.django_db
def test_a_month_bounded_query_reads_only_that_months_partitions(member_a, rule):
    _pg_only()
    this_month = timezone.localdate().replace(day=1)
    earlier = (this_month - timedelta(days=1)).replace(day=1)
    partitions.partitions_ensure(first=earlier - timedelta(days=62), ahead=1)
    person = ConstituentFactory(member=member_a)
    for month in (earlier, this_month):
        log = _log(member_a, [person], at_most_now(month))
        _reminder(rule, member_a, person, month, satisfied_by=log)
    start, end = earlier, this_month
    stamp = f"{earlier:%Y%m}"

    logs = ContactLog.objects.filter(contacted_at__gte=at(start, 0), contacted_at__lt=at(end, 0))
    assert _partitions_read(logs, "activities_contactlog") == {f"activities_contactlog_p{stamp}"}
    assert logs.count() == 1
    links = ContactLogConstituent.objects.filter(contacted_at__gte=at(start, 0),
                                                 contacted_at__lt=at(end, 0))
    assert _partitions_read(links, "activities_contactlogconstituent") == {
        f"activities_contactlogconstituent_p{stamp}"}
    reminders = Reminder.objects.filter(trigger_on__gte=start, trigger_on__lt=end)
    assert _partitions_read(reminders, "activities_reminder") == {f"activities_reminder_p{stamp}"}
    assert reminders.count() == 1
    days = ContactDay.objects.filter(day__gte=start, day__lt=end, council=member_a.council)
    assert _partitions_read(days, "activities_contactday") == {f"activities_contactday_p{stamp}"}
    assert sum(days.values_list("logs", flat=True)) == 1
    # Unbounded, every partition is read: the test above is not vacuous.
    assert len(_partitions_read(ContactLog.objects.all(), "activities_contactlog")) > 2


# --- A log moved to another month ----------------------------------------------------------


@pytest.mark.django_db
def test_a_log_moved_to_another_day_takes_its_links_and_tags_along(member_a):
    if connection.vendor == "postgresql":
        partitions.partitions_ensure(first=timezone.localdate() - timedelta(days=100))
    person, other = ConstituentFactory(member=member_a), ConstituentFactory(member=member_a)
    tag = LinkTag.objects.filter(council=member_a.council).first()
    log = _log(member_a, [person], timezone.now() - timedelta(hours=2),
               tags=[tag.pk] if tag else [])
    earlier = timezone.now() - timedelta(days=70)

    contact_log_update(by=member_a.user, log=log, contacted_at=earlier,
                       constituents=[person, other])

    links = ContactLogConstituent.objects.filter(contact_log=log)
    assert sorted(links.values_list("constituent_id", flat=True)) == sorted([person.pk, other.pk])
    assert set(links.values_list("contacted_at", flat=True)) == {earlier}
    assert set(ContactLogTag.objects.filter(contact_log=log)
               .values_list("contacted_at", flat=True)) <= {earlier}
    if connection.vendor == "postgresql":
        assert _where(ContactLog, log.pk) == partitions.CONTACT_LOGS.partition(
            partitions.CONTACT_LOGS.month_of(earlier))


# --- Archive and restore -----------------------------------------------------------------


def _rows(model, **where) -> list[tuple]:
    return sorted(model.objects.filter(**where).values_list())


@postgres
@pytest.mark.django_db
def test_archive_and_restore_round_trip(member_a, rule, archive_storage):
    _pg_only()
    old, kept = date(2020, 5, 1), date(2020, 6, 1)
    partitions.partitions_ensure(first=old, last=kept)
    person = ConstituentFactory(member=member_a)
    tag = LinkTag.objects.filter(council=member_a.council).first()
    tags = [tag.pk] if tag else []
    old_logs = [_log(member_a, [person], at(old + timedelta(days=d)), tags=tags)
                for d in (0, 9, 30)]
    new_log = _log(member_a, [person], at(kept + timedelta(days=3)), tags=tags)
    ContactLogPhoto.objects.create(contact_log=old_logs[0], image="contact-logs/x/a.jpg")
    _reminder(rule, member_a, person, old, satisfied_by=old_logs[1])
    # A reminder of the month after, closed by a log of the archived month: its reference
    # leaves with the month and comes back with it.
    later = _reminder(rule, member_a, person, kept, satisfied_by=old_logs[2])
    month = {"contacted_at__gte": at(old, 0), "contacted_at__lt": at(kept, 0)}
    before = {
        "logs": _rows(ContactLog, **month),
        "links": _rows(ContactLogConstituent, **month),
        "tags": _rows(ContactLogTag, **month),
        "photos": _rows(ContactLogPhoto, contact_log__in=old_logs),
        "reminders": _rows(Reminder, trigger_on__lt=kept),
        "days": _rows(ContactDay, day__lt=kept),
    }
    assert len(before["logs"]) == 3
    assert before["reminders"]
    assert before["days"]

    call_command("partitions_archive", "--before", "2020-06")

    assert not ContactLog.objects.filter(**month).exists()
    assert not ContactLogConstituent.objects.filter(**month).exists()
    assert not ContactLogTag.objects.filter(contact_log_id__in=[x.pk for x in old_logs]).exists()
    assert not ContactLogPhoto.objects.exists()
    assert not Reminder.objects.filter(trigger_on__lt=kept).exists()
    assert not ContactDay.objects.filter(day__lt=kept).exists()
    assert "activities_contactlog_p202005" not in {
        partitions.CONTACT_LOGS.partition(m) for m in partitions.partition_months(partitions.CONTACT_LOGS)}
    later.refresh_from_db()
    assert later.satisfied_by_id is None
    assert ContactLog.objects.filter(pk=new_log.pk).exists()
    folders, _ = archive_storage.listdir("partitions")
    assert [f[:8] for f in folders] == ["2020-05-"]  # earlier, empty months leave no files
    with archive_storage.open(f"partitions/{folders[0]}/activities_contactlog.csv.gz") as raw:
        assert gzip.decompress(raw.read()).decode().count("走访") == 3
    # The open must-visits left are the later month's: the recount raises the bound to it,
    # and the restore's COPY lowers it again (the triggers on the must-visit table).
    pending_since_recount()
    member_a.refresh_from_db()
    assert member_a.pending_since == kept

    call_command("partitions_archive", "--restore", "2020-05")

    member_a.refresh_from_db()
    assert member_a.pending_since == old

    assert _rows(ContactLog, **month) == before["logs"]
    assert _rows(ContactLogConstituent, **month) == before["links"]
    assert _rows(ContactLogTag, **month) == before["tags"]
    assert _rows(ContactLogPhoto, contact_log__in=old_logs) == before["photos"]
    assert _rows(Reminder, trigger_on__lt=kept) == before["reminders"]
    assert _rows(ContactDay, day__lt=kept) == before["days"]
    later.refresh_from_db()
    assert later.satisfied_by_id == old_logs[2].pk
    # Restored once: a second restore finds nothing waiting.
    with pytest.raises(CommandError, match="No archive of 2020-05"):
        call_command("partitions_archive", "--restore", "2020-05")


@postgres
@pytest.mark.django_db
def test_a_damaged_archive_is_refused_and_changes_nothing(member_a, archive_storage):
    _pg_only()
    old = date(2020, 5, 1)
    partitions.partitions_ensure(first=old, last=old)
    person = ConstituentFactory(member=member_a)
    _log(member_a, [person], at(old))
    call_command("partitions_archive", "--before", "2020-06")
    (folder,), _ = archive_storage.listdir("partitions")
    name = f"partitions/{folder}/activities_contactlog.csv.gz"
    path = archive_storage.path(name)
    with open(path, "wb") as damaged:
        damaged.write(gzip.compress(b"id,council_id\n1,1\n"))

    with pytest.raises(CommandError, match="damaged"):
        call_command("partitions_archive", "--restore", "2020-05")

    assert not ContactLog.objects.filter(contacted_at__lt=at(date(2020, 6, 1), 0)).exists()
    assert not archive_storage.exists(f"partitions/{folder}/restored.json")


@postgres
@pytest.mark.django_db
def test_a_failed_archive_leaves_the_month_and_no_files(member_a, archive_storage, monkeypatch):
    _pg_only()
    old = date(2020, 5, 1)
    partitions.partitions_ensure(first=old, last=old)
    _log(member_a, [ConstituentFactory(member=member_a)], at(old))

    def broken(cursor, month):
        raise RuntimeError("disk full")

    monkeypatch.setattr(archive, "_drop_month", broken)
    with pytest.raises(RuntimeError):
        call_command("partitions_archive", "--before", "2020-06")

    assert ContactLog.objects.filter(contacted_at__lt=at(date(2020, 6, 1), 0)).count() == 1
    folders, files = archive_storage.listdir("partitions")
    assert not files
    assert all(not archive_storage.listdir(f"partitions/{f}")[1] for f in folders)


# --- Commands: bad input, SQLite ---------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("args", [["--before", "2020-13"], ["--restore", "May 2020"],
                                  ["--before", "2020"]])
def test_a_bad_month_is_refused(args):
    if connection.vendor != "postgresql":
        with pytest.raises(CommandError, match="PostgreSQL"):
            call_command("partitions_archive", *args)
        return
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("partitions_archive", *args)


@postgres
@pytest.mark.django_db
def test_archiving_the_current_month_or_later_is_refused():
    _pg_only()
    later = timezone.localdate() + timedelta(days=40)
    with pytest.raises(CommandError, match="current month"):
        call_command("partitions_archive", "--before", f"{later:%Y-%m}")


@pytest.mark.django_db
def test_on_sqlite_the_tables_stay_plain_and_the_commands_do_nothing(capsys):
    if connection.vendor == "postgresql":
        pytest.skip("SQLite's plain tables")
    assert partitions.partitions_ensure(ahead=3) == []
    call_command("partitions_ensure")
    assert "nothing to do" in capsys.readouterr().out
    with pytest.raises(CommandError, match="PostgreSQL"):
        call_command("partitions_archive", "--list")
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("partitions_ensure", "--from", "2020-13")


@pytest.mark.django_db
def test_the_daily_job_makes_the_months_ahead():
    from activities.tasks import partitions_tasks

    made = partitions_tasks.partitions_ensure_task.delay(ahead=5).get()
    if connection.vendor != "postgresql":
        assert made == []
        return
    last = timezone.localdate().replace(day=1)
    for _ in range(5):
        last = (last + timedelta(days=32)).replace(day=1)
    assert partitions.CONTACT_LOGS.partition(last) in made
    assert partitions_tasks.partitions_ensure_task.delay(ahead=5).get() == []


@pytest.mark.django_db
def test_contact_day_rows_of_any_month_are_counted(member_a):
    """A daily count far in the past (the default partition on PostgreSQL) is written and
    read like any other."""
    log = ContactLog.objects.create(
        council=member_a.council, member=member_a, contacted_at=at(date(2015, 1, 5)),
        channel=Channel.FORUM, mode=ContactLog.Mode.VISIT, summary="旧记录",
    )
    contact_day_add(log, constituents=1)
    assert ContactDay.objects.get(day=date(2015, 1, 5), council=member_a.council).logs == 1


@postgres
@pytest.mark.django_db
def test_the_log_pages_read_only_the_months_of_their_logs(member_a, staff, client_for):
    """A page of logs (the staff list, the member's list and home) reads them and their
    constituents with the page's time span: only the partitions of those months are probed,
    not every month's index for each id."""
    from django.test.utils import CaptureQueriesContext

    _pg_only()
    this_month = timezone.localdate().replace(day=1)
    earlier = (this_month - timedelta(days=1)).replace(day=1)
    partitions.partitions_ensure(first=earlier - timedelta(days=95), ahead=1)
    people = [ConstituentFactory(member=member_a, name=f"群众{i}") for i in range(2)]
    older = (earlier - timedelta(days=40)).replace(day=1)
    _log(member_a, people[:1], at(older))
    spanned, month = [], older
    while month <= this_month:
        spanned.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    _log(member_a, people, at_most_now(this_month))
    pages = [
        # (who, path, the page's logs in the context, the tables read by the page's span)
        (staff, f"/activities/contacts/all/?member={member_a.pk}", "page",
         ("activities_contactlog", "activities_contactlogconstituent")),
        (member_a, "/activities/contacts/mine/", "page", ("activities_contactlogconstituent",)),
        (member_a, "/members/me/", "recent_logs", ("activities_contactlogconstituent",)),
    ]
    for who, path, key, tables in pages:
        with CaptureQueriesContext(connection) as queries:
            page = client_for(who).get(path)
        assert page.status_code == 200, path
        assert [[c.name for c in log.reached] for log in page.context[key]] == \
            [[p.name for p in people], [people[0].name]], path
        _assert_span_read(queries, tables, spanned)


def _assert_span_read(queries, tables, spanned):
    for table in tables:
        reads = [q["sql"] for q in queries.captured_queries
                 if f'FROM "{table}"' in q["sql"] and '"id" IN (' in q["sql"]
                 or (table.endswith("constituent") and f'FROM "{table}"' in q["sql"])]
        assert reads, table
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + reads[-1])
            plan = "\n".join(row[0] for row in cursor.fetchall())
        probed = set(re.findall(rf"\b({table}_(?:p\d{{6}}|default))\b", plan))
        # The months from the older log's to this one: no month outside, no default.
        assert probed == {f"{table}_p{month:%Y%m}" for month in spanned}, (table, probed)
        made = {t for (t,) in _tables(table)}
        assert len(made) > len(probed)  # there were others to skip


def _tables(parent: str) -> list[tuple[str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                       "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s", [parent])
        return cursor.fetchall()
