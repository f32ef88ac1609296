"""Audit entries for what no single service writes: logins, logouts, lockouts, account
changes wherever they are made, and every write through the admin site."""

import pytest
from django.contrib.auth.signals import user_login_failed
from django.test import Client, RequestFactory
from django.urls import reverse

from members.audit import Action, AuditEntry
from members.models import Sector
from tests.factories import SectorFactory, UserFactory


def mark() -> int:
    """The last entry so far: a test reads the entries after it, not its fixtures' (accounts
    created)."""
    return AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def entries(action, since):
    return list(AuditEntry.objects.filter(action=action, pk__gt=since).order_by("pk"))


def test_a_login_and_a_logout_are_recorded_with_the_address(member_a):
    since = mark()
    user = member_a.user
    user.set_password("Correct-horse-9")
    user.save()
    client = Client(REMOTE_ADDR="10.0.0.5")
    response = client.post(reverse("login"), {"username": user.username, "password": "Correct-horse-9"})
    assert response.status_code == 302
    client.post(reverse("logout"))
    (login,) = entries(Action.LOGIN, since)
    (logout,) = entries(Action.LOGOUT, since)
    assert (login.user, login.role, login.council_id, login.result) == (user, "member", user.council_id, "ok")
    assert login.ip == "10.0.0.5"
    assert logout.user == user
    assert logout.ip == "10.0.0.5"


def test_a_failed_login_names_the_login_tried_and_not_the_password(db):
    since = mark()
    user_login_failed.send(
        sender=__name__,
        credentials={"username": "wang", "password": "********************"},
        request=RequestFactory().post("/", REMOTE_ADDR="203.0.113.9"),
    )
    (entry,) = entries(Action.LOGIN_FAILED, since)
    assert (entry.user, entry.username, entry.result, entry.ip) == (None, "wang", "failed", "203.0.113.9")
    assert "password" not in entry.detail


def test_a_lockout_is_recorded_from_the_axes_signal(staff):
    since = mark()
    from axes.signals import user_locked_out

    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.9")
    user_locked_out.send("axes", request=request, username=staff.username, ip_address="203.0.113.9")
    (entry,) = entries(Action.LOCKOUT, since)
    assert (entry.user, entry.result, entry.ip) == (staff, "refused", "203.0.113.9")


def test_a_role_council_or_active_change_is_recorded_old_and_new(staff, other_council):
    since = mark()
    user = UserFactory(council=staff.council, role="member")
    created = entries(Action.ACCOUNT_CHANGED, since)
    assert created[-1].detail == {"created": True, "changes": {
        "role": [None, "member"], "council_id": [None, staff.council_id], "is_active": [None, True]
    }}
    user.role = "staff"
    user.council = other_council
    user.save()
    user.display_name = "不是权限"  # not an account change
    user.save()
    user.is_active = False
    user.save(update_fields=["is_active"])
    changes = [e.detail["changes"] for e in entries(Action.ACCOUNT_CHANGED, since)[len(created) :]]
    assert changes == [
        {"role": ["member", "staff"], "council_id": [staff.council_id, other_council.pk]},
        {"is_active": [True, False]},
    ]


def test_a_last_login_stamp_is_not_an_account_change(staff):
    since = mark()
    staff.save(update_fields=["last_login"])
    assert not entries(Action.ACCOUNT_CHANGED, since)


def test_a_permission_given_is_recorded(staff):
    since = mark()
    from django.contrib.auth.models import Permission

    staff.user_permissions.add(Permission.objects.get(codename="view_sector"))
    (entry,) = entries(Action.ACCOUNT_CHANGED, since)
    assert entry.detail["changes"]["permissions"]["action"] == "add"
    assert entry.object_id == str(staff.pk)


@pytest.fixture
def superuser_client(council, client_for):
    root = UserFactory(council=None, username="root", is_superuser=True, is_staff=True, role="admin")
    client = client_for(root)
    client.defaults["REMOTE_ADDR"] = "10.9.9.9"
    return root, client


def test_an_admin_site_change_is_recorded_with_who_and_what(superuser_client, council):
    since = mark()
    root, client = superuser_client
    sector = SectorFactory(council=council, name="经济界")
    url = reverse("admin:members_sector_change", args=[sector.pk])
    response = client.post(url, {"council": council.pk, "name": "经济界别", "kind": "sector", "order": 0})
    assert response.status_code == 302, response.content.decode()[:2000]
    (entry,) = entries(Action.ADMIN_WRITE, since)
    assert (entry.user, entry.ip, entry.object_type, entry.object_id) == (root, "10.9.9.9", "members.sector", str(sector.pk))
    assert entry.detail["action"] == "change"


def test_deleting_several_in_the_admin_records_each(superuser_client, council):
    since = mark()
    root, client = superuser_client
    sectors = [SectorFactory(council=council, name=f"界别{i}") for i in range(3)]
    response = client.post(
        reverse("admin:members_sector_changelist"),
        {"action": "delete_selected", "_selected_action": [s.pk for s in sectors], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Sector.objects.filter(pk__in=[s.pk for s in sectors]).exists()
    logged = entries(Action.ADMIN_WRITE, since)
    assert sorted(e.object_id for e in logged) == sorted(str(s.pk) for s in sectors)
    assert {e.detail["action"] for e in logged} == {"delete"}
