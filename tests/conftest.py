"""Personas and shared fixtures.

Two councils: ``council`` (新兴区, where everyone below works) and ``other_council`` with its
own staff, so that every view can be tested from the outside. Personas: ``admin`` (council
admin), ``staff``, ``leader``, ``member_a``, ``member_b``, ``other_staff``; ``anonymous`` is
a plain client. ``client_for(user)`` gives a logged-in client (past the second factor
where the role needs one: ``pass_second_factor``).
"""

import os
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse

from liaison.celery import app as celery_app
from members.models import Council, User
from members.security.otp import otp_required
from tests.factories import (
    CommitteeFactory,
    CouncilFactory,
    MemberFactory,
    SectorFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def _postgres_marked_tests_need_postgresql(request):
    """A test marked ``postgres`` (row locks, plans, cursors, partitions) is skipped on any
    other database: ``make test`` leaves them out by their marker, and a file of them run
    by hand on SQLite says why instead of failing."""
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path, request):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = settings.SENDFILE_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # A shared Redis cache: each xdist worker gets its own database (CACHE_URL's, then the
    # next ones), because cache.clear() (below, before every test) flushes a whole database.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    default_cache = settings.CACHES["default"]
    if "redis" in default_cache["BACKEND"].lower():
        base = re.search(r"/(\d+)$", default_cache["LOCATION"])
        number = (int(base.group(1)) if base else 10) + int(worker[2:])
        location = re.sub(r"(/\d+)?$", f"/{number % 16}", default_cache["LOCATION"], count=1)
        settings.CACHES = {"default": {**default_cache, "LOCATION": location}}
    # Tasks run in-process, through the same code, except in tests that drive a real worker.
    eager = request.node.get_closest_marker("worker") is None
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = eager
    cache.clear()
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def council(db):
    return CouncilFactory(name="新兴区政协", level=Council.Level.DISTRICT)


@pytest.fixture
def other_council(db):
    return CouncilFactory(name="桃山区政协", level=Council.Level.DISTRICT)


@pytest.fixture
def city_staff(council, other_council):
    """Staff of a city reaching the two districts: lists and registers span several councils."""
    city = CouncilFactory(name="七台河市政协", level=Council.Level.CITY)
    Council.objects.filter(pk__in=[council.pk, other_council.pk]).update(parent=city)
    return UserFactory(username="city_staff", role=User.Role.STAFF, council=city)


@pytest.fixture
def sector(council):
    return SectorFactory(council=council, name="经济界", is_key=True)


@pytest.fixture
def other_sector(council):
    return SectorFactory(council=council, name="教育界")


@pytest.fixture
def committee(council):
    return CommitteeFactory(council=council, name="经济委")


@pytest.fixture
def admin(council):
    return UserFactory(username="admin", display_name="管理员", role=User.Role.ADMIN, council=council)


@pytest.fixture
def staff(council):
    return UserFactory(username="staff", display_name="工作人员", role=User.Role.STAFF, council=council)


@pytest.fixture
def leader(council):
    return UserFactory(username="leader", display_name="领导", role=User.Role.LEADER, council=council)


@pytest.fixture
def member_a(council, sector, committee):
    return MemberFactory(
        council=council, sector=sector, committee=committee, name="张委员",
        user__username="member_a",
    )


@pytest.fixture
def member_b(council, other_sector, committee):
    return MemberFactory(
        council=council, sector=other_sector, committee=committee, name="李委员",
        user__username="member_b",
    )


@pytest.fixture
def security_admin(council):
    """安全管理员 of the council (separation of duties: accounts, lockouts, second factors)."""
    return UserFactory(
        username="security_admin", display_name="安全管理员", role=User.Role.SECURITY_ADMIN, council=council
    )


@pytest.fixture
def audit_admin(council):
    """审计管理员 of the council (separation of duties: reads the audit, nothing else)."""
    return UserFactory(
        username="audit_admin", display_name="审计管理员", role=User.Role.AUDIT_ADMIN, council=council
    )


@pytest.fixture
def other_staff(other_council):
    return UserFactory(
        username="other_staff", display_name="外区工作人员", role=User.Role.STAFF,
        council=other_council,
    )


@pytest.fixture
def other_member(other_council):
    return MemberFactory(council=other_council, name="外区委员", user__username="other_member")


@pytest.fixture
def handling_unit(council):
    from tests.proposals.factories import HandlingUnitFactory

    return HandlingUnitFactory(council=council, name="区教育局")


@pytest.fixture
def unit_user(handling_unit):
    """A login of a handling unit (承办单位, 区教育局) of ``council``."""
    from tests.proposals.factories import unit_login

    return unit_login(handling_unit, "unit")


@pytest.fixture
def other_unit_user(council):
    """A login of another handling unit (区卫健局) of the same council."""
    from tests.proposals.factories import HandlingUnitFactory, unit_login

    return unit_login(HandlingUnitFactory(council=council, name="区卫健局"), "other_unit")


@pytest.fixture
def anonymous():
    return Client()


def pass_second_factor(client, user):
    """What a login whose role needs two factors does after the password: the code its
    authenticator app shows, computed from a real device's key (a new device per client, as
    a code is good once)."""
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    response = client.post(reverse("otp-verify"), {"token": f"{totp(device.bin_key):06d}"})
    assert response.status_code == 302, response.content.decode()
    return device


@pytest.fixture
def admin_client(db, admin_user):
    """pytest-django's superuser client, past the second factor superusers need."""
    client = Client()
    client.force_login(admin_user)
    pass_second_factor(client, admin_user)
    return client


@pytest.fixture
def client_for(db):
    """A client logged in as ``user`` (a User or a Member), past the second factor where the
    user's role needs one (``OTP_REQUIRED_ROLES``)."""

    def make(user):
        if hasattr(user, "user"):  # a Member
            user = user.user
        client = Client()
        client.force_login(user)
        if otp_required(user):
            pass_second_factor(client, user)
        return client

    return make
