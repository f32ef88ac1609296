"""A platform of ``council`` serving ``sector`` with its QR link, and helpers that fill in the
public form as a person does (the captcha's answer read from its store, as the picture
shows it)."""

from __future__ import annotations

import re

import pytest
from captcha.models import CaptchaStore
from django.urls import reverse

from liaison.intake import services
from liaison.intake.models import Submission
from members.common import clock
from members.models import Platform
from tests.factories import PlatformFactory


@pytest.fixture
def platform(council, sector):
    platform = PlatformFactory(council=council, kind=Platform.Kind.STUDIO, name="医药卫生界委员工作室")
    platform.sectors.add(sector)
    return platform


@pytest.fixture
def link(platform):
    return services.intake_link_for(platform=platform)


@pytest.fixture
def other_platform(other_council):
    return PlatformFactory(council=other_council, kind=Platform.Kind.WORKSTATION, name="桃山街道工作站")


def captcha_fields(client, url: str) -> dict:
    """GET the page, and the captcha's key and answer from what it rendered."""
    page = client.get(url).content.decode()
    key = re.search(r'name="captcha_0" value="([0-9a-f]+)"', page).group(1)
    return {"captcha_0": key, "captcha_1": CaptchaStore.objects.get(hashkey=key).response}


def form_data(client, link, **overrides) -> dict:
    data = {"category": "difficulty", "text": "家里老人看病难，想请委员帮忙反映。", "name": "王大妈",
            "phone": "138 1234 5678", "consent": "on", "website": ""}
    data.update(captcha_fields(client, reverse("intake:public", args=[link.token])))
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def post_form(client, link, *, ip: str = "10.0.0.1", **overrides):
    data = form_data(client, link, **overrides)
    return client.post(reverse("intake:public", args=[link.token]), data, REMOTE_ADDR=ip)


def submission(platform, **fields) -> Submission:
    """A stored submission, as the public page stores it."""
    values = {"category": "opinion", "text": "希望小区加装电梯。", "name": "刘先生",
              "phone": "13900001111", "consented_at": clock.now()}
    values.update(fields)
    return Submission.objects.create(council_id=platform.council_id, platform=platform, **values)
