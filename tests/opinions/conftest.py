"""A council tree for the reports: 黑龙江省政协 → 七台河市政协 → 新兴区政协 (``council``) and its
sibling 桃山区政协 (``other_council``), with the office staff and leaders of each level."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from members.models import Council, User
from tests.factories import ContactLogFactory, CouncilFactory, UserFactory


@pytest.fixture
def tree(council, other_council):
    province = CouncilFactory(name="黑龙江省政协", level=Council.Level.PROVINCE)
    city = CouncilFactory(name="七台河市政协", level=Council.Level.CITY)
    Council.objects.filter(pk=city.pk).update(parent=province)
    Council.objects.filter(pk__in=[council.pk, other_council.pk]).update(parent=city)
    for each in (city, council, other_council):
        each.refresh_from_db()
    return SimpleNamespace(province=province, city=city, district=council, sibling=other_council)


@pytest.fixture
def city_staff(tree):
    return UserFactory(username="city_staff", role=User.Role.STAFF, council=tree.city)


@pytest.fixture
def province_staff(tree):
    return UserFactory(username="province_staff", role=User.Role.STAFF, council=tree.province)


@pytest.fixture
def city_leader(tree):
    return UserFactory(username="city_leader", role=User.Role.LEADER, council=tree.city)


@pytest.fixture
def opinion_log(member_a):
    return ContactLogFactory(member=member_a, summary="走访个体商户",
                             opinions="商户反映早市周边缺少公共卫生间。\n希望街道尽快解决。")
