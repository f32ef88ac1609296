"""Two factors (django-otp): enrolment at the first login, verification at each login,
recovery codes, enforcement per role (OTP_REQUIRED_ROLES), members opting in. Every code
here is a real TOTP computation on the device's key."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from members.audit import Action
from members.models import AuditEntry, User
from tests.conftest import pass_second_factor
from tests.factories import UserFactory

PASSWORD = "pass-word-1"


def code(device) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def log_in(username, client=None):
    client = client or Client()
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:3000]
    return client, response


def pending(user) -> TOTPDevice:
    return TOTPDevice.objects.get(user=user, confirmed=False)


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", role="admin", is_staff=True, is_superuser=True, council=None)


@pytest.mark.parametrize("persona", ["admin", "staff", "leader", "unit_user", "superuser"])
def test_required_roles_enrol_at_their_first_login(persona, request):
    user = request.getfixturevalue(persona)
    client, response = log_in(user.username)
    assert response["Location"] == reverse("home")
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("otp-enrol"))
    # Nothing else opens before.
    assert client.get(reverse("inbox"))["Location"].startswith(reverse("otp-enrol"))


def test_members_are_not_asked(member_a):
    client, _ = log_in("member_a")
    assert client.get(reverse("members:member-home")).status_code == 200


def test_the_roles_are_a_setting(staff, member_a, settings):
    settings.OTP_REQUIRED_ROLES = ["member"]
    client, _ = log_in("staff")
    assert client.get(reverse("members:staff-home")).status_code == 200
    client, _ = log_in("member_a")
    assert client.get(reverse("members:member-home"))["Location"].startswith(reverse("otp-enrol"))


def test_enrolment_shows_a_qr_code_and_the_key_and_takes_a_real_code(staff):
    client, _ = log_in("staff")
    page = client.get(reverse("otp-enrol"))
    assert page.status_code == 200
    html = page.content.decode()
    device = pending(staff)
    assert '<svg viewBox="' in html  # drawn here, inline: no outside QR service
    assert "http" not in html.split('<svg', 1)[1].split("</svg>", 1)[0].replace("http://www.w3.org", "")
    secret = re.search(r'js-otp-secret">([A-Z2-7 ]+)<', html).group(1)
    import base64

    secret = secret.replace(" ", "")
    assert base64.b32decode(secret + "=" * (-len(secret) % 8)).hex() == device.key

    wrong = client.post(reverse("otp-enrol"), {"token": f"{(int(code(device)) + 1) % 10**6:06d}"})
    assert wrong.status_code == 200
    assert "验证码不正确" in wrong.content.decode()
    assert AuditEntry.objects.filter(action=Action.OTP_FAILED, user=staff).exists()

    with time_machine.travel(timezone.now() + timedelta(seconds=3), tick=False):  # throttled a moment
        done = client.post(reverse("otp-enrol"), {"token": code(device)})
    assert done.status_code == 200
    codes = re.findall(r"<li>([a-z2-7]{8})</li>", done.content.decode())
    assert len(codes) == 10
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("members:staff-home")).status_code == 200
    assert set(AuditEntry.objects.filter(user=staff).values_list("action", flat=True)) >= {
        Action.OTP_ENROLLED, Action.RECOVERY_CODES,
    }


def test_each_later_login_asks_for_a_code(staff):
    device = TOTPDevice.objects.create(user=staff, name="authenticator", confirmed=True)
    client, _ = log_in("staff")
    response = client.get(reverse("members:staff-home"))
    assert response["Location"] == reverse("otp-verify") + "?next=" + reverse("members:staff-home").replace("/", "%2F")
    refused = client.post(reverse("otp-verify"), {"token": "000000" if code(device) != "000000" else "111111"})
    assert refused.status_code == 200
    assert AuditEntry.objects.filter(action=Action.OTP_FAILED, user=staff, result="failed").exists()
    # A failure makes the device wait a moment (django-otp's throttling), then the code works.
    with time_machine.travel(timezone.now() + timedelta(seconds=3), tick=False):
        ok = client.post(reverse("otp-verify") + "?next=/members/staff/", {"token": code(device)})
    assert ok.status_code == 302
    assert ok["Location"] == "/members/staff/"
    assert client.get(reverse("members:staff-home")).status_code == 200


def test_a_code_is_good_once(staff):
    device = TOTPDevice.objects.create(user=staff, name="authenticator", confirmed=True)
    with time_machine.travel(timezone.now(), tick=False):
        first, _ = log_in("staff")
        token = code(device)
        assert first.post(reverse("otp-verify"), {"token": token}).status_code == 302
        second, _ = log_in("staff", Client())
        assert second.post(reverse("otp-verify"), {"token": token}).status_code == 200


def test_a_recovery_code_works_once(staff):
    from members.security.otp import recovery_codes_generate

    TOTPDevice.objects.create(user=staff, name="authenticator", confirmed=True)
    codes = recovery_codes_generate(staff)
    client, _ = log_in("staff")
    response = client.post(reverse("otp-verify"), {"token": codes[0].upper()})
    assert response.status_code == 302
    assert StaticToken.objects.filter(device__user=staff).count() == 9
    entry = AuditEntry.objects.get(action=Action.RECOVERY_CODES, user=staff)
    assert entry.detail == {"event": "used", "left": 9}
    again, _ = log_in("staff", Client())
    assert again.post(reverse("otp-verify"), {"token": codes[0]}).status_code == 200


def test_new_recovery_codes_replace_the_old(staff, client_for):
    client = client_for(staff)
    from members.security.otp import recovery_codes_generate

    old = recovery_codes_generate(staff)
    page = client.post(reverse("otp-recovery-codes"))
    new = re.findall(r"<li>([a-z2-7]{8})</li>", page.content.decode())
    assert len(new) == 10
    assert not set(old) & set(StaticToken.objects.filter(device__user=staff).values_list("token", flat=True))
    assert AuditEntry.objects.filter(action=Action.RECOVERY_CODES, detail__event="generated").exists()


def test_a_member_may_opt_in_and_is_then_asked_at_login(member_a, client_for):
    client = client_for(member_a)
    page = client.get(reverse("account-security"))
    assert "未开启" in page.content.decode()
    client.get(reverse("otp-enrol"))
    device = pending(member_a.user)
    assert client.post(reverse("otp-enrol"), {"token": code(device)}).status_code == 200
    assert "已开启" in client.get(reverse("account-security")).content.decode()
    later, _ = log_in("member_a", Client())
    assert later.get(reverse("members:member-home"))["Location"].startswith(reverse("otp-verify"))


def test_the_pages_deal_with_ones_own_devices_only(staff, other_staff, client_for):
    others = TOTPDevice.objects.create(user=other_staff, name="authenticator", confirmed=False)
    client, _ = log_in("staff")
    page = client.get(reverse("otp-enrol")).content.decode()
    assert pending(staff).key != others.key
    # The other login's code does nothing for this one.
    assert client.post(reverse("otp-enrol"), {"token": code(others)}).status_code == 200
    others.refresh_from_db()
    assert not others.confirmed
    assert "js-otp-secret" in page


def test_the_otp_command_enrols_with_a_key_from_the_environment(staff, monkeypatch, capsys):
    key = "3132333435363738393031323334353637383930"
    monkeypatch.setenv("TEST_OTP_KEY", key)
    call_command("otp_enrol", "staff", "--key-env", "TEST_OTP_KEY")
    assert key not in capsys.readouterr().out
    device = TOTPDevice.objects.get(user=staff)
    assert device.confirmed
    assert device.key == key
    client, _ = log_in("staff")
    assert client.post(reverse("otp-verify"), {"token": code(device)}).status_code == 302


def test_pass_second_factor_is_the_verify_page(staff):
    client = Client()
    client.force_login(staff)
    assert client.get(reverse("members:staff-home")).status_code == 302
    pass_second_factor(client, staff)
    assert client.get(reverse("members:staff-home")).status_code == 200


@pytest.mark.parametrize("url", ["otp-enrol", "otp-verify", "account-security"])
def test_query_budgets(url, member_a, staff, django_assert_max_num_queries):
    TOTPDevice.objects.create(user=staff, name="authenticator", confirmed=True)
    user = staff if url == "otp-verify" else member_a.user
    client, _ = log_in(user.username)
    with django_assert_max_num_queries(10):
        assert client.get(reverse(url)).status_code == 200


def test_anonymous_goes_to_login(anonymous, db):
    for url in ["otp-enrol", "otp-verify", "account-security"]:
        assert reverse("login") in anonymous.get(reverse(url))["Location"]


_ = User


def test_a_removed_device_stops_the_session_within_a_minute(staff, client_for, django_assert_max_num_queries):
    client = client_for(staff)
    home = reverse("members:staff-home")
    with django_assert_max_num_queries(20) as within:
        assert client.get(home).status_code == 200
    assert not any("otp_totp_totpdevice" in q["sql"] for q in within.captured_queries)  # no lookup per request
    TOTPDevice.objects.filter(user=staff).delete()  # a reset
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        response = client.get(home)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("otp-enrol"))
