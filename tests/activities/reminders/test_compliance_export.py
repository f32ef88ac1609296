"""``?format=xlsx`` on the must-visit compliance page: its table (rows and total) as a
workbook, for each grouping and with the dashboard's filters, scoped like the page."""

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from activities.models import Reminder
from activities.reminders.services.rules import rules_install_defaults
from activities.reminders.services.sweep import reminders_sweep
from tests.activities.reminders.reminder_helpers import TODAY
from tests.factories import ConstituentFactory, MemberFactory

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
URL = reverse("activities:compliance")
HEADER = ("提醒数", "已完成", "按时完成", "按时完成率（%）", "超期", "待办理")


@pytest.fixture
def reminders_for(council):
    rules_install_defaults(council=council)

    def make(member, n):
        ConstituentFactory.create_batch(n, member=member)
        reminders_sweep(today=TODAY)

    return make


def sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    return load_workbook(BytesIO(b"".join(response.streaming_content))).worksheets[0]


def rows(response) -> list[tuple]:
    return list(sheet(response).iter_rows(values_only=True))


def shown(page) -> list[tuple]:
    """The page's table: a row per group, then the total (none when there are no rows)."""
    counts = ("total", "done", "on_time_count", "rate", "overdue_count", "open_count")
    table = [(row["label"] or "—", *(row[c] for c in counts)) for row in page.context["rows"]]
    return [*table, ("合计", *(page.context["totals"][c] for c in counts))] if table else []


@pytest.fixture
def reminders(member_a, member_b, reminders_for):
    reminders_for(member_a, 3)
    reminders_for(member_b, 2)
    first = Reminder.objects.filter(member=member_a).first()
    Reminder.objects.filter(pk=first.pk).update(state="done", on_time=True)
    Reminder.objects.filter(member=member_b).update(state="overdue")


@pytest.mark.parametrize(("by", "label"), [("member", "委员"), ("sector", "界别"),
                                           ("committee", "专委会"), ("rule", "规则")])
def test_the_export_holds_the_table_the_page_shows(client_for, staff, reminders, by, label):
    client = client_for(staff)
    page = client.get(URL, {"by": by})
    exported = rows(client.get(URL, {"by": by, "format": "xlsx"}))
    assert exported[0] == (label, *HEADER)
    assert exported[1:] == shown(page)
    assert f'href="?by={by}&amp;format=xlsx"' in page.content.decode()


def test_the_export_follows_the_dashboard_s_filters(client_for, staff, reminders, member_a, sector):
    client = client_for(staff)
    page = client.get(URL, {"by": "member", "sector": sector.pk})
    exported = rows(client.get(URL, {"by": "member", "sector": sector.pk, "format": "xlsx"}))
    assert [row[0] for row in exported[1:]] == ["张委员", "合计"]
    assert exported[1:] == shown(page)
    assert f"&amp;sector={sector.pk}&amp;format=xlsx" in page.content.decode()


def test_the_export_keeps_names_as_text(client_for, staff, council, sector, reminders_for):
    reminders_for(MemberFactory(council=council, sector=sector, name="=1+1"), 1)
    cell = next(sheet(client_for(staff).get(URL, {"format": "xlsx"})).iter_rows(min_row=2))[0]
    assert (cell.value, cell.data_type) == ("=1+1", "s")


def test_the_export_is_scoped_like_the_page(client_for, member_a, other_staff, reminders):
    assert client_for(member_a).get(URL, {"format": "xlsx"}).status_code == 403
    assert rows(client_for(other_staff).get(URL, {"format": "xlsx"}))[1:] == []


@pytest.mark.parametrize("n", [3, 30])
def test_export_query_budget(n, staff, member_a, member_b, reminders_for, client_for,
                             django_assert_max_num_queries):
    reminders_for(member_a, n)
    reminders_for(member_b, 2)
    client = client_for(staff)
    for by in ["member", "sector", "committee", "rule"]:
        # session, user, council, one aggregate, the audit entry
        with django_assert_max_num_queries(5):
            exported = rows(client.get(URL, {"by": by, "format": "xlsx"}))
        assert exported[-1][0] == "合计"
