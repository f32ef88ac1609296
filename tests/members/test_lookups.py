"""The search-as-you-type pickers: the scoped JSON lookups, and the filter forms that render
only the chosen member (never a list of everyone in reach)."""

import re

import pytest
from django.test import RequestFactory
from django.urls import reverse

from members.models import Member
from tests.factories import ConstituentFactory, MemberFactory

pytestmark = pytest.mark.django_db

MEMBER_LOOKUP = reverse("members:member-lookup")
CONSTITUENT_LOOKUP = reverse("members:constituent-lookup")


def found(client, url, q):
    response = client.get(url, {"q": q})
    assert response.status_code == 200
    return [row["text"] for row in response.json()["results"]]


# ---------------------------------------------------------------- the lookups


def test_member_lookup_by_name_prefix_infix_and_phone(client_for, staff, council, sector):
    MemberFactory(council=council, sector=sector, name="张伟", phone="13900001111")
    MemberFactory(council=council, sector=sector, name="张伟明", phone="13900002222")
    MemberFactory(council=council, sector=sector, name="李明", phone="13900003333")
    client = client_for(staff)
    assert found(client, MEMBER_LOOKUP, "张伟") == ["张伟", "张伟明"]
    assert found(client, MEMBER_LOOKUP, "伟") == []  # two characters or fewer: the start
    assert found(client, MEMBER_LOOKUP, "伟明") == []
    assert found(client, MEMBER_LOOKUP, "张伟明") == ["张伟明"]
    assert found(client, MEMBER_LOOKUP, "3333") == ["李明"]  # phone digits, anywhere
    assert found(client, MEMBER_LOOKUP, "") == []
    row = client.get(MEMBER_LOOKUP, {"q": "李"}).json()["results"][0]
    assert row["hint"] == f"{sector.name} · {council.name}"
    assert Member.objects.get(pk=row["value"]).name == "李明"


def test_lookups_return_at_most_twenty(client_for, staff, council, sector, member_a):
    MemberFactory.create_batch(25, council=council, sector=sector, name="王某")
    ConstituentFactory.create_batch(25, member=member_a, name="王群众")
    client = client_for(staff)
    assert len(found(client, MEMBER_LOOKUP, "王")) == 20
    assert len(found(client, CONSTITUENT_LOOKUP, "王")) == 20


def test_outsiders_find_none_of_ours(client_for, other_staff, other_member, member_a, unit_user):
    """Staff of another council, a member (sees only themself) and a handling unit."""
    ConstituentFactory(member=member_a, name="张群众", phone="13812345678")
    assert found(client_for(other_staff), MEMBER_LOOKUP, "张") == []
    assert found(client_for(other_staff), CONSTITUENT_LOOKUP, "张") == []
    assert found(client_for(other_staff), CONSTITUENT_LOOKUP, "12345678") == []
    assert found(client_for(other_member), MEMBER_LOOKUP, "张") == []
    assert found(client_for(other_member), MEMBER_LOOKUP, "外区") == ["外区委员"]
    assert found(client_for(unit_user), MEMBER_LOOKUP, "张") == []
    assert found(client_for(unit_user), CONSTITUENT_LOOKUP, "张") == []


def test_a_member_finds_only_their_own_constituents(client_for, member_a, member_b):
    ConstituentFactory(member=member_a, name="王群众", phone="13812345678")
    ConstituentFactory(member=member_b, name="王大众", phone="13812349999")
    client = client_for(member_a)
    assert found(client, CONSTITUENT_LOOKUP, "王") == ["王群众"]
    assert found(client, CONSTITUENT_LOOKUP, "5678") == ["王群众"]
    assert found(client, CONSTITUENT_LOOKUP, "13812349999") == []  # member_b's


def test_constituent_phone_search_only_for_those_who_see_whole_phones(client_for, staff, leader,
                                                                      member_a):
    ConstituentFactory(member=member_a, name="王群众", phone="13812345678")
    assert found(client_for(staff), CONSTITUENT_LOOKUP, "5678") == ["王群众"]
    assert found(client_for(leader), CONSTITUENT_LOOKUP, "5678") == []  # masked to a leader
    assert found(client_for(leader), CONSTITUENT_LOOKUP, "王") == ["王群众"]


def test_member_lookup_narrowed_to_a_council_and_to_serving_members(client_for, staff, council,
                                                                    sector, other_council):
    """``?council=`` narrows within the user's reach (never beyond it); ``?active=1`` leaves
    out members who have left."""
    MemberFactory(council=council, sector=sector, name="张在任")
    MemberFactory(council=council, sector=sector, name="张离任", status=Member.Status.INACTIVE)
    MemberFactory(council=other_council, name="张外区")
    client = client_for(staff)

    def names(**params):
        return [r["text"] for r in client.get(MEMBER_LOOKUP, {"q": "张", **params}).json()["results"]]

    assert names(council=council.pk) == ["张在任", "张离任"]
    assert names(council=council.pk, active="1") == ["张在任"]
    assert names(council=other_council.pk) == []
    assert names(council="x") == []


def test_lookups_need_a_login(anonymous):
    for url in (MEMBER_LOOKUP, CONSTITUENT_LOOKUP):
        response = anonymous.get(url, {"q": "张"})
        assert response.status_code == 302
        assert reverse("login") in response["Location"]


@pytest.mark.parametrize("n", [3, 30])
def test_lookup_query_budgets(client_for, django_assert_max_num_queries, staff, member_a,
                              council, sector, n):
    MemberFactory.create_batch(n, council=council, sector=sector, name="张某")
    ConstituentFactory.create_batch(n, member=member_a, name="张群众")
    client = client_for(staff)
    with django_assert_max_num_queries(4):  # session, user, council (its reach), matches (with sector and council)
        client.get(MEMBER_LOOKUP, {"q": "张"})
    with django_assert_max_num_queries(4):  # session, user, council (its reach), matches (with member and sector)
        client.get(CONSTITUENT_LOOKUP, {"q": "张"})
    own = client_for(member_a)
    with django_assert_max_num_queries(4):  # session, user, the login's member, matches
        own.get(CONSTITUENT_LOOKUP, {"q": "张"})


# ---------------------------------------------------------------- the filters' pickers

PICKERS = [
    ("members:constituent-list", "member"),
    ("activities:contactlog-list", "member"),
    ("activities:reminder-list", "member"),
]
REFUSED = {  # the field's own error; the reminder list names the refused filters instead
    "members:constituent-list": "选择一个有效的选项",
    "activities:contactlog-list": "选择一个有效的选项",
    "activities:reminder-list": "以下筛选条件无效",
}


def select_html(body: str, name: str) -> str:
    match = re.search(rf'<select name="{name}"[^>]*>.*?</select>', body, re.S)
    assert match, f"no select named {name}"
    return match.group(0)


@pytest.mark.parametrize(("url_name", "field"), PICKERS)
def test_filter_pickers_render_only_the_chosen_member(client_for, staff, council, sector,
                                                      url_name, field):
    """300 members in reach: the page carries the empty option and the chosen one only."""
    members = MemberFactory.create_batch(300, council=council, sector=sector)
    chosen = members[123]
    client = client_for(staff)
    body = client.get(reverse(url_name)).content.decode()
    select = select_html(body, field)
    assert select.count("<option") == 1  # "---------"
    assert f'data-lookup-url="{MEMBER_LOOKUP}"' in select
    assert "tom-select.complete.min.js" in body
    assert "js/lookup-select.js" in body
    body = client.get(reverse(url_name), {field: chosen.pk}).content.decode()
    select = select_html(body, field)
    assert select.count("<option") == 2
    assert f'<option value="{chosen.pk}" selected>{chosen.name}</option>' in select
    assert len(body) < 40_000


@pytest.mark.parametrize(("url_name", "field"), PICKERS)
def test_a_member_outside_reach_is_refused_in_chinese(client_for, staff, other_member, member_a,
                                                      url_name, field):
    """A crafted id of another council's member: the form says no, and the list lists nothing
    (not everything, as if the filter were not there)."""
    ConstituentFactory(member=member_a)
    response = client_for(staff).get(reverse(url_name), {field: other_member.pk})
    assert response.status_code == 200
    body = response.content.decode()
    assert REFUSED[url_name] in body
    assert list(response.context["page"]) == []
    assert other_member.name not in select_html(body, field)


def test_a_member_in_reach_is_accepted_though_never_offered(client_for, staff, member_a, member_b):
    """The picker offered nobody (no page lists every member); any id in reach filters."""
    ConstituentFactory(member=member_a, name="王群众")
    ConstituentFactory(member=member_b, name="赵群众")
    response = client_for(staff).get(reverse("members:constituent-list"), {"member": member_b.pk})
    assert [c.name for c in response.context["page"]] == ["赵群众"]


def test_quick_select_renders_what_djangos_select_renders(sector, other_sector):
    """The same options, the same one selected, the same attributes — without a template
    include per option."""
    from django import forms

    from members.common.widgets import QuickSelect
    from members.models import Sector

    def options(html):
        return re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', html)

    for value in (None, other_sector.pk):
        field = forms.ModelChoiceField(queryset=Sector.objects.order_by("pk"), required=False)
        plain = field.widget.render("sector", value, attrs={"id": "id_sector"})
        quick = QuickSelect(choices=field.choices).render("sector", value, attrs={"id": "id_sector"})
        assert options(quick) == options(plain)
        assert len(options(quick)) == 3
        assert quick.startswith("<select ")
        assert 'name="sector"' in quick
        assert 'id="id_sector"' in quick


def test_quick_select_escapes_as_djangos_select_does(council):
    """A name with markup in it is text in the option, exactly as Django's own select writes it."""
    from django import forms

    from members.common.widgets import QuickSelect
    from members.models import Sector
    from tests.factories import SectorFactory

    SectorFactory(council=council, name="<b>工商联</b> & \"青年\" '商会'")
    field = forms.ModelChoiceField(queryset=Sector.objects.order_by("pk"), required=False)
    plain = field.widget.render("sector", None)
    quick = QuickSelect(choices=field.choices).render("sector", None)
    options = re.findall(r"<option[^>]*>.*?</option>", plain)
    assert options
    assert re.findall(r"<option[^>]*>.*?</option>", quick) == options
    assert "&lt;b&gt;工商联&lt;/b&gt; &amp; &quot;青年&quot; &#x27;商会&#x27;" in quick


def test_every_quick_select_of_the_filter_bars_labels_its_rows_as_django_would(staff, sector, committee):
    """Read as values, the options are the ones Django's select gives (value and label) for
    every QuickSelect of every filter bar of one council."""
    from django import forms

    from members.common.widgets import QuickSelect, named_choices
    from tests.test_filter_fields import _filtersets

    request = RequestFactory().get("/")
    request.user = staff
    checked = 0
    for cls in _filtersets():
        form = cls({}, queryset=cls._meta.model.objects.none(), request=request).form
        for name, field in form.fields.items():
            if not isinstance(field.widget, QuickSelect):
                continue
            named = named_choices(field.widget.choices)
            if named is None:
                continue
            plain = forms.Select(choices=field.choices).render(name, None)
            quick = field.widget.render(name, None)
            assert re.findall(r"<option[^>]*>.*?</option>", quick) == \
                re.findall(r"<option[^>]*>.*?</option>", plain), f"{cls.__name__}.{name}"
            checked += 1
    assert checked >= 12


def test_a_quick_select_over_several_councils_names_whose_each_row_is(staff, council):
    """A province's sector filter holds every district's "工商联": each says whose it is."""
    from django import forms

    from members.common.widgets import QuickSelect
    from members.models import Council, Sector
    from tests.factories import SectorFactory

    district = Council.objects.create(name="测试市东城区政协", short_name="东城区", level="district",
                                      parent=council)
    mine = SectorFactory(council=council, name="工商联")
    theirs = SectorFactory(council=district, name="工商联")
    field = forms.ModelChoiceField(queryset=Sector.objects.filter(pk__in=[mine.pk, theirs.pk])
                                   .order_by("pk"), required=False)
    html = QuickSelect(choices=field.choices).render("sector", theirs.pk)
    own = council.short_name or council.name
    assert f'<option value="{mine.pk}">工商联（{own}）</option>' in html
    assert f'<option value="{theirs.pk}" selected>工商联（东城区）</option>' in html
