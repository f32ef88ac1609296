"""Activity pages: permission matrix, query budgets at two sizes, forms with photos, filters,
the Excel export."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from activities.events import exports
from activities.models import Activity, ActivityKind, ActivityPhoto, Attendance, Channel
from tests.activities.events.event_helpers import (
    ActivityFactory,
    ActivityKindFactory,
    jpeg,
    text_as_jpeg,
)
from tests.factories import PlatformFactory, SectorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def activity(council, sector, other_sector):
    return ActivityFactory(council=council, title="跨界助农", sectors=[sector, other_sector])


def _many(council, sectors, n):
    platform = PlatformFactory(council=council)
    for i in range(n):
        ActivityFactory(council=council, platform=platform, sectors=sectors,
                        starts_at=timezone.now() + timedelta(days=1 + i % 20))


# --- permission matrix --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [("staff", 200), ("leader", 200), ("member_a", 403), ("other_staff", 200),
     ("security_admin", 403), ("audit_admin", 403)],
)
def test_list_permissions(request, client_for, activity, persona, status):
    response = client_for(request.getfixturevalue(persona)).get(reverse("activities:activity-list"))
    assert response.status_code == status
    if persona == "other_staff":
        assert "跨界助农" not in response.content.decode()


def test_anonymous_goes_to_login(anonymous, activity):
    for url in [reverse("activities:activity-list"), activity.get_absolute_url()]:
        response = anonymous.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    ("persona", "status"),
    [("staff", 200), ("leader", 200), ("member_a", 200), ("other_staff", 404), ("other_member", 404),
     ("security_admin", 404), ("audit_admin", 404)],
)
def test_detail_permissions(request, client_for, activity, persona, status):
    response = client_for(request.getfixturevalue(persona)).get(activity.get_absolute_url())
    assert response.status_code == status


@pytest.mark.parametrize(
    ("persona", "status"),
    [("staff", 200), ("leader", 403), ("member_a", 403), ("other_staff", 404),
     ("security_admin", 403), ("audit_admin", 403)],
)
def test_edit_permissions(request, client_for, activity, persona, status):
    url = reverse("activities:activity-edit", args=[activity.pk])
    assert client_for(request.getfixturevalue(persona)).get(url).status_code == status


def test_member_page_is_read_only(client_for, member_a, activity):
    html = client_for(member_a).get(activity.get_absolute_url()).content.decode()
    assert reverse("activities:activity-edit", args=[activity.pk]) not in html
    assert reverse("activities:activity-attendance", args=[activity.pk]) not in html
    assert reverse("activities:activity-sign-up", args=[activity.pk]) in html


@pytest.mark.parametrize(
    ("persona", "status"), [("member_a", 403), ("leader", 403), ("other_staff", 404)]
)
def test_only_own_staff_mark_attendance(request, client_for, activity, member_a, persona, status):
    Activity.objects.filter(pk=activity.pk).update(starts_at=timezone.now() - timedelta(hours=1))
    url = reverse("activities:activity-attendance", args=[activity.pk])
    response = client_for(request.getfixturevalue(persona)).post(url, {"attended": [member_a.pk]})
    assert response.status_code == status
    assert Attendance.objects.count() == 0


@pytest.mark.parametrize(("persona", "status"), [("staff", 403), ("other_member", 404)])
def test_only_own_members_sign_up(request, client_for, activity, persona, status):
    url = reverse("activities:activity-sign-up", args=[activity.pk])
    assert client_for(request.getfixturevalue(persona)).post(url).status_code == status
    assert Attendance.objects.count() == 0


def test_member_signs_up_and_withdraws(client_for, member_a, activity):
    client = client_for(member_a)
    response = client.post(reverse("activities:activity-sign-up", args=[activity.pk]), follow=True)
    assert Attendance.objects.filter(member=member_a, signed_up_at__isnull=False).count() == 1
    assert 'data-testid="signed-up"' in response.content.decode()
    client.post(reverse("activities:activity-sign-up-cancel", args=[activity.pk]))
    assert Attendance.objects.count() == 0


def test_sign_up_refused_gets_a_message(client_for, member_a, council, other_sector):
    activity = ActivityFactory(council=council, sectors=[other_sector])
    response = client_for(member_a).post(
        reverse("activities:activity-sign-up", args=[activity.pk]), follow=True
    )
    assert Attendance.objects.count() == 0
    assert "alert-danger" in response.content.decode()


def test_staff_mark_attendance(client_for, staff, member_a, member_b, activity):
    Activity.objects.filter(pk=activity.pk).update(starts_at=timezone.now() - timedelta(hours=1))
    response = client_for(staff).post(
        reverse("activities:activity-attendance", args=[activity.pk]),
        {"attended": [member_a.pk, member_b.pk]},
    )
    assert response.status_code == 302
    assert Attendance.objects.filter(attended=True, marked_by=staff).count() == 2


# --- forms ---------------------------------------------------------------------------------


def _form_data(kind, sectors, **extra):
    start = timezone.localtime() + timedelta(days=2)
    return {
        "title": "法治进校园", "kind": kind.pk, "channel": Channel.FORUM,
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"), "state": "planned",
        "constituents_reached": 0, "sectors": [s.pk for s in sectors],
        **extra,
    }


def test_staff_create_a_cross_sector_activity_with_photos(client_for, staff, council, sector, other_sector):
    kind = ActivityKindFactory(council=council, name="法治进校园")
    data = _form_data(kind, [sector, other_sector], photos=[jpeg("a.jpg"), jpeg("b.jpg")],
                      new_series="普法系列")
    response = client_for(staff).post(reverse("activities:activity-create"), data)
    activity = Activity.objects.get()
    assert response.status_code == 302
    assert response["Location"] == activity.get_absolute_url()
    assert activity.is_cross_sector
    assert activity.series.name == "普法系列"
    assert activity.photos.count() == 2
    assert activity.created_by == staff


def test_create_page_seeds_the_kinds(client_for, staff, council):
    assert client_for(staff).get(reverse("activities:activity-create")).status_code == 200
    assert ActivityKind.objects.filter(council=council).count() == 12


@pytest.mark.parametrize("bad", ["text", "too_many"])
def test_bad_upload_through_the_form_writes_nothing(client_for, staff, council, sector, bad):
    kind = ActivityKindFactory(council=council)
    photos = [text_as_jpeg()] if bad == "text" else [jpeg(f"p{i}.jpg") for i in range(21)]
    response = client_for(staff).post(
        reverse("activities:activity-create"), _form_data(kind, [sector], photos=photos)
    )
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode() or "alert-danger" in response.content.decode()
    assert Activity.objects.count() == 0
    assert ActivityPhoto.objects.count() == 0


def test_edit_cannot_pick_another_councils_sector(client_for, staff, activity, other_council):
    foreign = SectorFactory(council=other_council)
    data = _form_data(activity.kind, [foreign])
    response = client_for(staff).post(reverse("activities:activity-edit", args=[activity.pk]), data)
    assert response.status_code == 200
    assert set(activity.sectors.values_list("pk", flat=True)) != {foreign.pk}


def test_kinds_page_renames_and_adds(client_for, staff, council):
    client = client_for(staff)
    client.get(reverse("activities:activity-kinds"))
    kinds = list(ActivityKind.objects.filter(council=council).order_by("order", "name"))
    data = {"form-TOTAL_FORMS": len(kinds) + 1, "form-INITIAL_FORMS": len(kinds)}
    for i, kind in enumerate(kinds):
        data |= {f"form-{i}-id": kind.pk, f"form-{i}-name": kind.name, f"form-{i}-order": kind.order,
                 f"form-{i}-active": "on"}
    data[f"form-{0}-name"] = "理论学习会"
    data |= {f"form-{len(kinds)}-name": "科普讲座", f"form-{len(kinds)}-order": 20,
             f"form-{len(kinds)}-active": "on"}
    assert client.post(reverse("activities:activity-kinds"), data).status_code == 302
    names = set(ActivityKind.objects.filter(council=council).values_list("name", flat=True))
    assert {"理论学习会", "科普讲座"} <= names
    # A duplicate name is refused and changes nothing.
    data[f"form-{len(kinds)}-name"] = "理论学习会"
    data["form-INITIAL_FORMS"] = len(kinds)
    data[f"form-{len(kinds)}-name"] = "理论学习会"
    assert client.post(reverse("activities:activity-kinds"), data).status_code == 200


def test_kinds_page_refuses_another_councils_kind(client_for, staff, council, other_council):
    """A row posted with another council's kind id found no kind to change and was skipped
    silently; it is refused in Chinese and nothing changes, as on the tag list."""
    foreign = ActivityKindFactory(council=other_council, name="外区类别")
    client = client_for(staff)
    client.get(reverse("activities:activity-kinds"))
    data = {"form-TOTAL_FORMS": 1, "form-INITIAL_FORMS": 1, "form-0-id": foreign.pk,
            "form-0-name": "改名", "form-0-order": 1, "form-0-active": "on"}
    response = client.post(reverse("activities:activity-kinds"), data)
    assert response.status_code == 200
    assert "请选择本政协的活动类别" in response.content.decode()
    foreign.refresh_from_db()
    assert foreign.name == "外区类别"
    assert not ActivityKind.objects.filter(name="改名").exists()


@pytest.mark.parametrize("n", [3, 30])
def test_kinds_page_query_budget(client_for, staff, council, n, django_assert_max_num_queries):
    for i in range(n):
        ActivityKindFactory(council=council, name=f"自定类别{i}", order=100 + i)
    client = client_for(staff)
    # session, user, council, the kinds (seeded already: no insert), the formset's kinds;
    # a savepoint and its release around the seeding check
    with django_assert_max_num_queries(7):
        response = client.get(reverse("activities:activity-kinds"))
    assert response.status_code == 200
    assert len(response.context["formset"].forms) == n + 2  # the kinds and two blank rows


# --- filters and export ---------------------------------------------------------------------


def test_filters_cross_sector_month_and_sector(client_for, staff, council, sector, other_sector):
    ActivityFactory(council=council, title="两界联动", sectors=[sector, other_sector])
    ActivityFactory(council=council, title="单界活动", sectors=[sector],
                    starts_at=timezone.make_aware(timezone.datetime(2024, 9, 21, 9)))
    client = client_for(staff)
    url = reverse("activities:activity-list")
    cross = client.get(url, {"cross_sector": "on"}).content.decode()
    assert "两界联动" in cross
    assert "单界活动" not in cross
    september = client.get(url, {"month": "2024-09"}).content.decode()
    assert "单界活动" in september
    assert "两界联动" not in september
    only_other = client.get(url, {"sector": other_sector.pk}).content.decode()
    assert "两界联动" in only_other
    assert "单界活动" not in only_other


def test_a_malformed_month_is_refused_like_on_the_contact_list(client_for, staff, council):
    response = client_for(staff).get(reverse("activities:activity-list"), {"month": "2024-9x"},
                                     HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert "month" in response.context["filter"].form.errors


def test_export_reads_back(client_for, staff, member_a, council, sector, other_sector):
    past = timezone.now() - timedelta(days=3)
    activity = ActivityFactory(council=council, title="导出活动", sectors=[sector, other_sector],
                               starts_at=past, state=Activity.State.HELD, constituents_reached=42)
    Attendance.objects.create(activity=activity, member=member_a, attended=True)
    ActivityFactory(council=council, title="其他活动")
    response = client_for(staff).get(reverse("activities:activity-export"), {"cross_sector": "on"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert f'filename="activities-{timezone.localdate():%Y%m%d}.xlsx"' in response["Content-Disposition"]
    rows = list(load_workbook(BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
    assert len(rows) == 2  # the header and the one cross-sector activity
    with translation.override("zh-hans"):
        headers = exports.activity_headers()
        yes = gettext("Yes")
    assert list(rows[0]) == headers
    row = dict(zip(headers, rows[1], strict=True))
    assert row[headers[1]] == "导出活动"
    assert row[headers[11]] == 1  # attended
    assert row[headers[12]] == 42  # constituents reached
    assert row[headers[7]] == yes  # cross-sector
    assert set(row[headers[6]].split("、")) == {sector.name, other_sector.name}


# --- query budgets, at two sizes ---------------------------------------------------------------


@pytest.mark.parametrize("n", [3, 30])
def test_list_query_budget(client_for, staff, council, sector, other_sector, n, django_assert_max_num_queries):
    _many(council, [sector, other_sector], n)
    client = client_for(staff)
    # session, user, council, count, page, sectors prefetch, 6 filter choice lists
    # (kind, platform, sector, series, tag, committee)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("activities:activity-list"), {"cross_sector": "on"})
    assert response.status_code == 200


@pytest.mark.parametrize("n", [3, 30])
def test_calendar_query_budget(client_for, staff, council, sector, n, django_assert_max_num_queries):
    _many(council, [sector], n)
    client = client_for(staff)
    with django_assert_max_num_queries(4):  # session, user, council, the month's activities
        assert client.get(reverse("activities:activity-calendar")).status_code == 200


@pytest.mark.parametrize("n", [3, 30])
def test_export_query_budget(client_for, staff, council, sector, other_sector, n, django_assert_max_num_queries):
    _many(council, [sector, other_sector], n)
    client = client_for(staff)
    with django_assert_max_num_queries(5):  # session, user, council, activities, sectors prefetch
        assert client.get(reverse("activities:activity-export")).status_code == 200


@pytest.mark.parametrize("n", [3, 30])
def test_detail_query_budget(client_for, staff, member_a, council, sector, activity, n, django_assert_max_num_queries):
    from tests.factories import MemberFactory

    for _ in range(n):
        Attendance.objects.create(activity=activity, member=MemberFactory(council=council, sector=sector),
                                  signed_up_at=timezone.now())
    staff_client, member_client = client_for(staff), client_for(member_a)
    with django_assert_max_num_queries(8):  # session, user, council, activity, sectors, photos, attendances+members, member choices
        assert staff_client.get(activity.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(8):  # session, user, member, activity, sectors, photos, my attendance, open-to check
        assert member_client.get(activity.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("n", [3, 30])
def test_member_pages_query_budget(client_for, member_a, council, sector, n, django_assert_max_num_queries):
    _many(council, [sector], n)
    for a in Activity.objects.all()[: n // 2]:
        Attendance.objects.create(activity=a, member=member_a, attended=True)
    client = client_for(member_a)
    with django_assert_max_num_queries(5):  # session, user (with the member), count, page, sectors
        assert client.get(reverse("activities:activity-upcoming")).status_code == 200
    with django_assert_max_num_queries(4):  # session, user (with the member), count, page
        assert client.get(reverse("activities:activity-mine")).status_code == 200


def test_upcoming_lists_only_what_the_member_may_join(client_for, member_a, council, sector, other_sector):
    ActivityFactory(council=council, title="本界别活动", sectors=[sector])
    ActivityFactory(council=council, title="别的界别", sectors=[other_sector])
    ActivityFactory(council=council, title="已结束", sectors=[sector],
                    starts_at=timezone.now() - timedelta(days=1))
    html = client_for(member_a).get(reverse("activities:activity-upcoming")).content.decode()
    assert "本界别活动" in html
    assert "别的界别" not in html
    assert "已结束" not in html


def test_member_pages_refuse_staff(client_for, staff):
    assert client_for(staff).get(reverse("activities:activity-upcoming")).status_code == 403
