"""The security audit log: what ``record`` writes, and that nothing changes or removes it."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from members.audit import Action, AuditEntry, AuditRefused, record
from tests.factories import UserFactory


@pytest.fixture
def rf():
    return RequestFactory()


def test_record_takes_who_where_and_from_which_address_from_the_request(rf, staff, member_a):
    request = rf.get("/", REMOTE_ADDR="10.1.2.3")
    request.user = staff
    entry = record(Action.EXPORT, request=request, obj=member_a, detail={"filter": "sector=1", "rows": 12})
    entry = AuditEntry.objects.get(pk=entry.pk)
    assert entry.user == staff
    assert entry.username == staff.username
    assert entry.role == "staff"
    assert entry.council_id == staff.council_id
    assert entry.council_name == staff.council.name
    assert entry.ip == "10.1.2.3"
    assert entry.action == "export"
    assert entry.result == "ok"
    assert entry.object_type == "members.member"
    assert entry.object_id == str(member_a.pk)
    assert entry.object_repr == str(member_a)
    assert entry.detail == {"filter": "sector=1", "rows": 12}


def test_record_costs_one_query_whether_or_not_the_council_is_loaded(rf, staff, django_assert_num_queries):
    request = rf.get("/")
    request.user = type(staff).objects.get(pk=staff.pk)  # council not loaded
    with django_assert_num_queries(1):
        entry = record(Action.LOGOUT, request=request)
    assert AuditEntry.objects.get(pk=entry.pk).council_name == staff.council.name
    assert entry.council_name == staff.council.name  # read back on demand


def test_record_of_a_failed_login_names_the_attempt(rf, db):
    request = rf.post("/login/", REMOTE_ADDR="192.0.2.7")
    entry = record(Action.LOGIN_FAILED, request=request, result="failed", username="nobody")
    entry = AuditEntry.objects.get(pk=entry.pk)
    assert (entry.user, entry.username, entry.role, entry.council_name) == (None, "nobody", "", "")
    assert entry.ip == "192.0.2.7"
    assert entry.result == "failed"


def test_record_refuses_unknown_actions_and_results(db):
    with pytest.raises(ValueError, match="action"):
        record("coffee")
    with pytest.raises(ValueError, match="result"):
        record(Action.LOGIN, result="maybe")
    assert not AuditEntry.objects.exists()


def test_an_act_rolled_back_leaves_no_entry(staff):
    def act_that_fails():
        with transaction.atomic():
            record(Action.IMPORT, user=staff)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        act_that_fails()
    assert not AuditEntry.objects.filter(action=Action.IMPORT).exists()


def test_entries_cannot_be_changed_or_deleted_through_the_orm(staff):
    entry = record(Action.LOGIN, user=staff)
    entry.result = "failed"
    with pytest.raises(AuditRefused):
        entry.save()
    with pytest.raises(AuditRefused):
        entry.delete()
    with pytest.raises(AuditRefused):
        AuditEntry.objects.filter(pk=entry.pk).update(result="failed")
    with pytest.raises(AuditRefused):
        AuditEntry.objects.all().delete()
    with pytest.raises(AuditRefused):
        AuditEntry.objects.filter(pk=entry.pk).update(user=staff)
    assert AuditEntry.objects.get(pk=entry.pk).result == "ok"


def test_removing_a_login_detaches_its_entries_and_keeps_the_name(council):
    user = UserFactory(council=council, username="gone", role="staff")
    entry = record(Action.LOGIN, user=user)
    user.delete()
    entry = AuditEntry.objects.get(pk=entry.pk)
    assert entry.user is None
    assert entry.username == "gone"
    assert entry.council_id == council.pk


@pytest.mark.postgres
def test_postgresql_refuses_update_delete_and_truncate_in_raw_sql(staff):
    entry = record(Action.LOGIN, user=staff)
    table = AuditEntry._meta.db_table
    for sql in (
        f"UPDATE {table} SET result = 'failed' WHERE id = %s",
        f"UPDATE {table} SET user_id = NULL, username = 'someone' WHERE id = %s",
        f"DELETE FROM {table} WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql, [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).result == "ok"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgresql_refuses_truncate_but_to_the_test_runner(staff):
    # The test settings let Django's flush between transactional tests through (this test's
    # own teardown is one); any other session is refused.
    record(Action.LOGIN, user=staff)

    def truncate():
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("SET LOCAL audit.test_flush = 'off'")
            cur.execute(f"TRUNCATE {AuditEntry._meta.db_table}")

    with pytest.raises(DatabaseError, match="append-only"):
        truncate()
    assert AuditEntry.objects.exists()


@pytest.mark.postgres
def test_postgresql_lets_a_removed_login_detach_its_entries(council):
    user = UserFactory(council=council, username="gone", role="staff")
    entry = record(Action.LOGIN, user=user)
    user.delete()
    entry = AuditEntry.objects.get(pk=entry.pk)
    assert (entry.user_id, entry.username) == (None, "gone")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgresql_lets_only_the_archiving_transaction_delete(staff):
    entry = record(Action.LOGIN, user=staff)
    table = AuditEntry._meta.db_table
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL audit.archiving = 'on'")
        cur.execute(f"DELETE FROM {table} WHERE id = %s", [entry.pk])
    assert not AuditEntry.objects.filter(pk=entry.pk).exists()
    entry = record(Action.LOGIN, user=staff)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"DELETE FROM {table} WHERE id = %s", [entry.pk])  # the setting ended with its transaction


def test_the_admin_site_shows_the_audit_to_no_superuser_and_lets_nobody_write(client_for, council):
    from django.urls import reverse

    from tests.factories import UserFactory

    root = UserFactory(council=None, username="root", is_superuser=True, is_staff=True, role="admin")
    client = client_for(root)
    entry = record(Action.LOGIN, user=root)
    for url in (
        reverse("admin:members_auditentry_changelist"),
        reverse("admin:members_auditentry_add"),
        reverse("admin:members_auditentry_change", args=[entry.pk]),
        reverse("admin:members_auditentry_delete", args=[entry.pk]),
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("admin:members_auditentry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
