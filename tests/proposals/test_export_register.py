"""The register's Excel export (提案汇总表), read back: columns, rows, and the filters."""

from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from openpyxl import load_workbook

from proposals.models import State
from tests.proposals.factories import HandlingUnitFactory, proposal_in

pytestmark = pytest.mark.django_db


def _rows(response):
    content = b"".join(response.streaming_content)
    sheet = load_workbook(BytesIO(content), read_only=True).active
    return [list(r) for r in sheet.iter_rows(values_only=True)]


@pytest.fixture
def register(member_a, member_b, staff, handling_unit, unit_user, session, category, council):
    co_unit = HandlingUnitFactory(council=council, name="区财政局")
    closed = proposal_in(
        State.CLOSED, proposer=member_a, staff=staff, unit=handling_unit, co_units=[co_unit],
        cosigners=[member_b], session=session, category=category, title="关于建设智慧农业园区的提案",
        reply_category="B",
    )
    assigned = proposal_in(
        State.ASSIGNED, proposer=member_b, staff=staff, unit=handling_unit, session=session,
        category=category, title="关于改善农村饮水的提案",
    )
    draft = proposal_in(State.DRAFT, proposer=member_a, staff=staff, session=session, category=category, title="草稿不入汇总")
    return closed, assigned, draft


def test_export_content(register, staff, client_for):
    closed, assigned, _draft = register
    response = client_for(staff).get(reverse("proposals:register-export"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = _rows(response)
    assert rows[0] == [
        gettext("Session"), gettext("Number"), gettext("Title"), gettext("Proposer(s)"),
        gettext("Category"), gettext("State"), gettext("Handling unit(s)"), gettext("Deadline"),
        gettext("Reply category"), gettext("Ratings"),
    ]
    assert len(rows) == 3  # the draft is not in the register
    first, second = rows[1], rows[2]
    assert first[:3] == ["十届四次", "第001号", "关于建设智慧农业园区的提案"]
    assert first[3] == "张委员、李委员"
    assert first[4] == "经济"
    assert first[5] == str(State.CLOSED.label)
    assert first[6] == "区教育局、区财政局"
    assert first[7].date() == closed.deadline
    assert first[8] == gettext("B · Being solved")
    assert first[9] == f"张委员：{gettext('Satisfied')}；李委员：{gettext('Satisfied')}"
    assert second[:4] == ["十届四次", "第002号", "关于改善农村饮水的提案", "李委员"]
    assert second[5] == str(State.ASSIGNED.label)
    assert (second[8], second[9]) == (None, None)


def test_export_follows_the_filters(register, staff, client_for):
    client = client_for(staff)
    rows = _rows(client.get(reverse("proposals:register-export"), {"state": "assigned"}))
    assert [r[2] for r in rows[1:]] == ["关于改善农村饮水的提案"]
    rows = _rows(client.get(reverse("proposals:register-export"), {"reply_category": "B"}))
    assert [r[2] for r in rows[1:]] == ["关于建设智慧农业园区的提案"]
    rows = _rows(client.get(reverse("proposals:register-export"), {"q": "饮水"}))
    assert [r[2] for r in rows[1:]] == ["关于改善农村饮水的提案"]
    rows = _rows(client.get(reverse("proposals:register-export"), {"q": "2"}))
    assert [r[1] for r in rows[1:]] == ["第002号"]


def test_register_filters_and_figures(register, staff, client_for, handling_unit):
    closed, assigned, _draft = register
    client = client_for(staff)
    page = client.get(reverse("proposals:register"))
    assert page.context["figures"] == {"collected": 2, "filed": 2, "closed": 1}
    # Overdue: only the assigned one once its deadline has passed.
    from proposals.models import Proposal

    Proposal.objects.filter(pk=assigned.pk).update(deadline=timezone.localdate() - timezone.timedelta(days=1))
    overdue = client.get(reverse("proposals:register"), {"overdue": "true"})
    assert [p.pk for p in overdue.context["page"]] == [assigned.pk]
    not_overdue = client.get(reverse("proposals:register"), {"overdue": "false"})
    assert [p.pk for p in not_overdue.context["page"]] == [closed.pk]
    by_unit = client.get(reverse("proposals:register"), {"unit": handling_unit.pk})
    assert {p.pk for p in by_unit.context["page"]} == {closed.pk, assigned.pk}
    by_proposer = client.get(reverse("proposals:register"), {"q": "李委员"})
    assert [p.pk for p in by_proposer.context["page"]] == [assigned.pk]


def test_register_refuses_other_councils_choices(register, staff, other_council, client_for):
    from tests.proposals.factories import SessionFactory

    theirs = SessionFactory(council=other_council)
    response = client_for(staff).get(reverse("proposals:register"), {"session": theirs.pk})
    assert response.context["filter"].errors
    assert list(response.context["page"]) == []


def test_leader_exports_but_does_not_act(register, leader, client_for):
    client = client_for(leader)
    assert len(_rows(client.get(reverse("proposals:register-export")))) == 3
    closed = register[0]
    assert client.post(
        reverse("proposals:proposal-note", args=[closed.pk]),
        {"version": closed.version, "internal_note": "x"},
    ).status_code == 403

