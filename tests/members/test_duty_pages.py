"""Separation of duties (三权分立): only the audit admin reads the audit, only the security
admin manages lockouts, second factors and logins — each within their councils — and no
other role, a superuser included, does either."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from members.audit import Action, AuditEntry, record
from members.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

GET_PAGES = ["members:audit-list", "members:audit-export", "members:security-home"]


@pytest.fixture
def superuser(council):
    return UserFactory(username="root", is_superuser=True, is_staff=True, role=User.Role.ADMIN, council=None)


@pytest.fixture
def other_security_admin(other_council):
    return UserFactory(username="other_sec", role=User.Role.SECURITY_ADMIN, council=other_council)


@pytest.fixture
def other_audit_admin(other_council):
    return UserFactory(username="other_audit", role=User.Role.AUDIT_ADMIN, council=other_council)


@pytest.mark.parametrize(
    ("persona", "audit", "security"),
    [
        ("admin", 403, 403),
        ("staff", 403, 403),
        ("leader", 403, 403),
        ("member_a", 403, 403),
        ("unit_user", 403, 403),
        ("other_staff", 403, 403),
        ("superuser", 403, 403),
        ("security_admin", 403, 200),
        ("audit_admin", 200, 403),
    ],
)
def test_duty_permission_matrix(request, client_for, persona, audit, security):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("members:audit-list")).status_code == audit
    assert client.get(reverse("members:audit-export")).status_code == audit
    assert client.get(reverse("members:security-home")).status_code == security


@pytest.mark.parametrize("persona", ["admin", "staff", "leader", "member_a", "unit_user", "superuser", "audit_admin"])
def test_no_other_role_may_reset_a_second_factor_or_disable_a_login(request, client_for, persona, council):
    victim = UserFactory(username="victim", council=council, role=User.Role.MEMBER)
    TOTPDevice.objects.create(user=victim, name="phone", confirmed=True)
    client = client_for(request.getfixturevalue(persona))
    assert client.post(reverse("members:otp-reset", args=[victim.pk])).status_code == 403
    assert client.post(reverse("members:account-active", args=[victim.pk]), {"active": "0"}).status_code == 403
    assert client.post(reverse("members:lockout-lift"), {"username": victim.username}).status_code == 403
    victim.refresh_from_db()
    assert victim.is_active
    assert TOTPDevice.objects.filter(user=victim).exists()


def test_anonymous_goes_to_login(anonymous):
    for name in GET_PAGES:
        response = anonymous.get(reverse(name))
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_each_duty_lands_on_its_page(client_for, security_admin, audit_admin):
    assert client_for(security_admin).get(reverse("home"))["Location"] == reverse("members:security-home")
    assert client_for(audit_admin).get(reverse("home"))["Location"] == reverse("members:audit-list")


def test_the_navbar_offers_each_duty_its_page_only(client_for, security_admin, audit_admin, staff):
    security = client_for(security_admin).get(reverse("members:security-home")).content.decode()
    audit = client_for(audit_admin).get(reverse("members:audit-list")).content.decode()
    staff_page = client_for(staff).get(reverse("members:staff-home")).content.decode()
    assert reverse("members:security-home") in security
    assert reverse("members:audit-list") not in security
    assert reverse("members:audit-list") in audit
    assert reverse("members:security-home") not in audit
    assert reverse("members:audit-list") not in staff_page
    assert reverse("members:security-home") not in staff_page


# --- the audit page ---------------------------------------------------------------------------


def test_the_audit_page_lists_newest_first_and_filters(client_for, audit_admin, staff, leader):
    record(Action.LOGIN, user=staff)
    record(Action.EXPORT, user=leader, detail={"rows": 7})
    client = client_for(audit_admin)
    body = client.get(reverse("members:audit-list")).content.decode()
    assert body.index("leader") < body.index("staff")  # newest first
    page = client.get(reverse("members:audit-list"), {"user": "staff"}).context["page"]
    assert {e.username for e in page} == {"staff"}
    page = client.get(reverse("members:audit-list"), {"action": "export"}).context["page"]
    assert [e.username for e in page] == ["leader"]
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    page = client.get(reverse("members:audit-list"), {"period_after": tomorrow}).context["page"]
    assert list(page) == []


def test_an_audit_admin_of_another_council_sees_none_of_ours(client_for, other_audit_admin, staff, other_staff):
    record(Action.LOGIN, user=staff)
    record(Action.LOGIN, user=other_staff)
    client = client_for(other_audit_admin)
    page = client.get(reverse("members:audit-list")).context["page"]
    assert "staff" not in {e.username for e in page}
    assert "other_staff" in {e.username for e in page}
    # Our council is not a choice of theirs: the filter refuses it and shows nothing of ours.
    response = client.get(reverse("members:audit-list"), {"council": staff.council_id})
    assert "staff" not in {e.username for e in response.context["page"]}


def test_an_installation_audit_admin_sees_every_council_and_failed_logins(client_for, staff, other_staff):
    auditor = UserFactory(username="auditor", role=User.Role.AUDIT_ADMIN, council=None)
    record(Action.LOGIN, user=staff)
    record(Action.LOGIN, user=other_staff)
    record(Action.LOGIN_FAILED, result="failed", username="nobody")
    page = client_for(auditor).get(reverse("members:audit-list")).context["page"]
    assert {"staff", "other_staff", "nobody"} <= {e.username for e in page}


@pytest.mark.parametrize("n", [3, 30])
def test_audit_page_query_budget(client_for, audit_admin, staff, django_assert_max_num_queries, n):
    for _ in range(n):
        record(Action.LOGIN, user=staff)
    client = client_for(audit_admin)
    # session, user, OTP device, council (reach), the council choices, count, the page's
    # ids, the page's rows
    with django_assert_max_num_queries(9):
        response = client.get(reverse("members:audit-list"), {"action": "login"})
    assert response.status_code == 200


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_audit_export_is_itself_audited(client_for, audit_admin, staff, fmt):
    record(Action.LOGIN, user=staff)
    response = client_for(audit_admin).get(reverse("members:audit-export"), {"format": fmt, "action": "login"})
    content = b"".join(response.streaming_content)
    if fmt == "csv":
        text = content.decode("utf-8-sig")
        assert "staff" in text
    entry = AuditEntry.objects.filter(action=Action.EXPORT, user=audit_admin).get()
    assert entry.detail["filter"] == {"action": "login"}
    assert entry.detail["rows"] >= 1


def test_the_audit_page_is_in_chinese_and_fits_a_phone(client_for, audit_admin):
    body = client_for(audit_admin).get(reverse("members:audit-list"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "安全审计" in body
    assert "table-responsive" in body


# --- the security admin's page ----------------------------------------------------------------


def test_a_security_admin_resets_a_second_factor_and_it_is_audited(client_for, security_admin, staff):
    TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    client = client_for(security_admin)
    response = client.post(reverse("members:otp-reset", args=[staff.pk]))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=staff).exists()
    entry = AuditEntry.objects.get(action=Action.OTP_RESET)
    assert (entry.user, entry.object_id, entry.detail["devices"]) == (security_admin, str(staff.pk), 1)


def test_a_security_admin_disables_and_enables_a_login(client_for, security_admin, staff):
    client = client_for(security_admin)
    client.post(reverse("members:account-active", args=[staff.pk]), {"active": "0"})
    staff.refresh_from_db()
    assert not staff.is_active
    client.post(reverse("members:account-active", args=[staff.pk]), {"active": "1"})
    staff.refresh_from_db()
    assert staff.is_active
    changes = [e.detail["changes"] for e in AuditEntry.objects.filter(action=Action.ACCOUNT_CHANGED, object_id=str(staff.pk)).order_by("pk")]
    assert changes[-2:] == [{"is_active": [True, False]}, {"is_active": [False, True]}]
    assert AuditEntry.objects.filter(action=Action.ACCOUNT_CHANGED, user=security_admin).count() == 2


def test_a_security_admin_touches_no_superuser_nor_themself(client_for, security_admin, superuser):
    client = client_for(security_admin)
    assert client.post(reverse("members:account-active", args=[superuser.pk]), {"active": "0"}).status_code == 404
    assert client.post(reverse("members:otp-reset", args=[security_admin.pk])).status_code == 404


def test_a_security_admin_of_another_council_gets_404_for_ours(client_for, other_security_admin, staff):
    TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    client = client_for(other_security_admin)
    assert client.post(reverse("members:otp-reset", args=[staff.pk])).status_code == 404
    assert client.post(reverse("members:account-active", args=[staff.pk]), {"active": "0"}).status_code == 404
    assert client.post(reverse("members:lockout-lift"), {"username": staff.username}).status_code == 404
    body = client.get(reverse("members:security-home")).content.decode()
    assert ">staff<" not in body.replace(" ", "").replace("\n", "")


def _locked_out(username, ip="203.0.113.5"):
    from axes.models import AccessAttempt
    from django.conf import settings

    return AccessAttempt.objects.create(
        username=username, ip_address=ip, user_agent="test", path_info="/accounts/login/",
        failures_since_start=settings.AXES_FAILURE_LIMIT, get_data="", post_data="",
    )


def test_a_security_admin_sees_and_lifts_a_lockout(client_for, security_admin, staff):
    from axes.models import AccessAttempt

    _locked_out(staff.username)
    client = client_for(security_admin)
    page = client.get(reverse("members:security-home"))
    assert [a.username for a in page.context["lockouts"]] == [staff.username]
    response = client.post(reverse("members:lockout-lift"), {"username": staff.username})
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username=staff.username).exists()
    entry = AuditEntry.objects.get(action=Action.LOCKOUT_LIFTED)
    assert (entry.user, entry.object_id, entry.detail["attempts"]) == (security_admin, str(staff.pk), 1)


def test_lifting_a_lockout_that_is_not_there_changes_nothing(client_for, security_admin, staff):
    response = client_for(security_admin).post(reverse("members:lockout-lift"), {"username": staff.username}, follow=True)
    assert "没有这样的锁定" in response.content.decode()
    assert not AuditEntry.objects.filter(action=Action.LOCKOUT_LIFTED).exists()


def test_a_council_security_admin_does_not_see_other_councils_lockouts(client_for, security_admin, other_staff):
    _locked_out(other_staff.username)
    _locked_out("someone-unknown")
    page = client_for(security_admin).get(reverse("members:security-home"))
    assert page.context["lockouts"] == []


@pytest.mark.parametrize("n", [3, 30])
def test_security_page_query_budget(client_for, security_admin, council, django_assert_max_num_queries, n):
    for i in range(n):
        user = UserFactory(username=f"u{i}", council=council, role=User.Role.MEMBER)
        TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = client_for(security_admin)
    # session, user, OTP device, council (reach, twice), lockouts, count, page, a count of
    # devices per kind (TOTP, static)
    with django_assert_max_num_queries(11):
        response = client.get(reverse("members:security-home"))
    assert response.status_code == 200
