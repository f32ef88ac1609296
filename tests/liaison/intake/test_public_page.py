"""The platform's public page: no login, Chinese, mobile first; what it takes and what it
refuses (consent, honeypot, captcha, size, blocked numbers, rate limits) — and that a
refusal stores nothing."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from liaison.intake import services
from liaison.intake.models import Submission
from tests.liaison.intake.conftest import post_form, submission

pytestmark = pytest.mark.django_db


def test_the_page_opens_without_login_and_says_how_data_are_used(anonymous, link, council):
    response = anonymous.get(reverse("intake:public", args=[link.token]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "医药卫生界委员工作室" in page
    assert "如何使用您的个人信息" in page  # the PIPL notice: who, purpose, who sees, how long
    assert council.name in page
    assert "180" in page
    assert 'name="captcha_1"' in page
    assert "<script>" not in page  # the CSP forbids inline scripts
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_only_the_token_opens_a_page(anonymous, link, platform):
    assert anonymous.get(f"/q/{platform.pk}/").status_code == 404
    assert anonymous.get("/q/not-a-token/").status_code == 404
    assert len(link.token) >= 32
    platform.active = False
    platform.save()
    assert anonymous.get(reverse("intake:public", args=[link.token])).status_code == 404


def test_a_message_is_stored_sealed_and_the_number_shown_masked(anonymous, link, platform):
    response = post_form(anonymous, link)
    assert response.status_code == 302
    stored = Submission.objects.get()
    assert (stored.platform, stored.council_id, stored.category) == (platform, platform.council_id, "difficulty")
    assert stored.phone == "13812345678"
    assert stored.state == "new"
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM liaison_submission")
        assert "13812345678" not in cursor.fetchone()[0]
    sent = anonymous.get(response["Location"]).content.decode()
    assert "138****5678" in sent
    assert "13812345678" not in sent


def test_consent_is_required(anonymous, link):
    response = post_form(anonymous, link, consent=None)
    assert response.status_code == 200
    assert "请同意" in response.content.decode()
    assert not Submission.objects.exists()


def test_the_honeypot_stores_nothing(anonymous, link):
    response = post_form(anonymous, link, website="http://spam.example")
    assert response.status_code == 302  # told what a person is told
    assert not Submission.objects.exists()


def test_a_wrong_captcha_stores_nothing(anonymous, link):
    response = post_form(anonymous, link, captcha_1="999999")
    assert response.status_code == 200
    assert "算式结果不对" in response.content.decode()
    assert not Submission.objects.exists()


def test_sizes_and_phone_rules(anonymous, link):
    assert post_form(anonymous, link, text="长" * 1001).status_code == 200
    assert post_form(anonymous, link, text="短").status_code == 200
    assert post_form(anonymous, link, phone="12345").status_code == 200
    response = post_form(anonymous, link, category="contact", phone="")
    assert "留下电话" in response.content.decode()
    big = anonymous.post(reverse("intake:public", args=[link.token]), {"text": "x" * 20_000})
    assert big.status_code == 413
    assert not Submission.objects.exists()
    # Name and phone are optional for an opinion.
    assert post_form(anonymous, link, category="opinion", name="", phone="").status_code == 302
    assert Submission.objects.get().name == ""


def test_a_blocked_number_is_refused(anonymous, link, platform, staff):
    services.phone_block(by=staff, submission=submission(platform, phone="13812345678"))
    response = post_form(anonymous, link, phone="138-1234-5678")
    assert response.status_code == 200
    assert "不接收" in response.content.decode()
    assert Submission.objects.count() == 1  # the one blocked, nothing new


def test_a_burst_from_one_address_is_refused_politely(anonymous, link, settings):
    settings.INTAKE_RATE_IP = 3
    statuses = [post_form(anonymous, link, phone=f"1390000000{i}").status_code for i in range(6)]
    assert statuses == [302, 302, 302, 429, 429, 429]
    refused = post_form(anonymous, link, phone="13900000009")
    assert "请一小时后再试" in refused.content.decode()
    assert Submission.objects.count() == 3
    # Another address is not held up by the first one's burst.
    assert post_form(anonymous, link, ip="10.0.0.2", phone="13900000010").status_code == 302


def test_a_burst_with_one_number_is_refused_politely(anonymous, link, settings):
    settings.INTAKE_RATE_PHONE = 2
    statuses = [post_form(anonymous, link, ip=f"10.0.1.{i}").status_code for i in range(4)]
    assert statuses == [302, 302, 429, 429]
    assert Submission.objects.count() == 2


def test_behind_the_proxy_the_browser_address_counts(anonymous, link, settings):
    settings.INTAKE_RATE_IP = 1
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    first = anonymous.post(reverse("intake:public", args=[link.token]), {}, HTTP_X_REAL_IP="10.1.1.1", **proxy)
    second = anonymous.post(reverse("intake:public", args=[link.token]), {}, HTTP_X_REAL_IP="10.1.1.1", **proxy)
    other = anonymous.post(reverse("intake:public", args=[link.token]), {}, HTTP_X_REAL_IP="10.1.1.2", **proxy)
    assert (first.status_code, second.status_code, other.status_code) == (200, 429, 200)


def test_the_captcha_picture_is_drawn_by_the_portal(anonymous, link):
    page = anonymous.get(reverse("intake:public", args=[link.token])).content.decode()
    import re

    src = re.search(r'<img src="([^"]+)"[^>]*class="captcha', page).group(1)
    assert src.startswith("/captcha/image/")
    image = anonymous.get(src)
    assert image.status_code == 200
    assert image["Content-Type"] == "image/png"
