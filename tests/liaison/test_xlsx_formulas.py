"""Text that looks like a formula stays text in every workbook the portal writes: a
constituent or proposal named ``=HYPERLINK(...)`` must not become a live formula."""

from datetime import date, timedelta
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from activities.models import Activity, ActivityKind, Channel
from liaison import reports
from liaison.dashboard.scope import Scope
from proposals.models import State
from tests.factories import ConstituentFactory, ContactLogFactory, SectorFactory
from tests.proposals.factories import proposal_in

pytestmark = pytest.mark.django_db

EVIL = '=HYPERLINK("http://evil.example","点我")'


def cells(content: bytes):
    book = load_workbook(BytesIO(content))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def evil_cells(content: bytes):
    found = [c for c in cells(content) if c.value == EVIL]
    assert found, "the text should be in the workbook"
    return found


def body(response) -> bytes:
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_staff_list_exports_keep_formula_text_as_text(client_for, staff, member_a):
    person = ConstituentFactory(member=member_a, name=EVIL)
    ContactLogFactory(member=member_a, constituents=[person], summary=EVIL)
    client = client_for(staff)
    for name in ["members:constituent-export", "activities:contactlog-export"]:
        for cell in evil_cells(body(client.get(reverse(name)))):
            assert cell.data_type == "s", name


def test_proposal_register_export_keeps_formula_text_as_text(client_for, staff, member_a):
    proposal_in(State.SUBMITTED, proposer=member_a, staff=staff, title=EVIL)
    for cell in evil_cells(body(client_for(staff).get(reverse("proposals:register-export")))):
        assert cell.data_type == "s"


def test_activity_export_and_report_keep_formula_text_as_text(client_for, staff, council):
    kind = ActivityKind.objects.create(council=council, name="座谈交流")
    Activity.objects.create(
        council=council, title=EVIL, kind=kind, channel=Channel.FORUM,
        starts_at=timezone.now() - timedelta(days=1), state=Activity.State.HELD,
    )
    for cell in evil_cells(body(client_for(staff).get(reverse("activities:activity-export")))):
        assert cell.data_type == "s"
    today = timezone.localdate()
    content = reports.workbook(Scope(council_id=council.pk), council.name, date(today.year, 1, 1), today)
    for cell in evil_cells(content):
        assert cell.data_type == "s"


@pytest.mark.parametrize("url_name", ["members:member-import-template", "members:constituent-import-template"])
def test_import_templates_keep_formula_text_as_text(client_for, staff, council, url_name):
    """Sector names fill the template's hidden 选项 sheet (the drop-down's list)."""
    SectorFactory(council=council, name=EVIL)
    SectorFactory(council=council, name="=1+1")
    content = body(client_for(staff).get(reverse(url_name)))
    for cell in evil_cells(content):
        assert cell.data_type == "s"
    options = load_workbook(BytesIO(content))["选项"]
    sum_cells = [c for row in options.iter_rows() for c in row if c.value == "=1+1"]
    assert [c.data_type for c in sum_cells] == ["s"]
