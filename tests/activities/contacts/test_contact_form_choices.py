"""The blank log-contact form reads its roster and its four choice lists in SQL for the member
who logs (``activities.contacts.choices``), and builds no queryset: the same people and
choices, in the same order and with the same labels, as the scoped querysets of a submitted
form give (which validate what is submitted)."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.contacts.forms import ContactLogEditForm, ContactLogForm
from activities.contacts.services import contact_log_create
from activities.models import Channel, ContactLog, LinkTag
from proposals.models import CoSigner, ProposerKind
from tests.activities.events.event_helpers import ConsultationFactory
from tests.factories import ConstituentFactory, PlatformFactory
from tests.proposals.factories import ProposalFactory

pytestmark = pytest.mark.django_db

LISTS = ("platform", "tags", "proposal", "consultation")


@pytest.fixture
def offered(council, other_council, sector, member_a, member_b, other_member):
    """What member A may and may not be offered, of each list."""
    PlatformFactory(council=council, name="乙委员工作室")
    PlatformFactory(council=council, name="甲联络站", kind="liaison_point")
    PlatformFactory(council=council, name="已撤销工作室", active=False)
    PlatformFactory(council=other_council, name="外区工作室")
    LinkTag.objects.create(council=council, name="测试联系", kind="link", order=2)
    LinkTag.objects.create(council=council, name="测试帮助", kind="help", order=1)
    LinkTag.objects.create(council=council, name="测试停用", kind="help", order=0, active=False)
    LinkTag.objects.create(council=other_council, name="测试外区", kind="link", order=0)
    ProposalFactory(proposer=member_a, title="我的草稿")
    ProposalFactory(proposer=member_a, title="我的立案提案", number=7, state="filed")
    ProposalFactory(proposer=None, council=council, proposer_kind=ProposerKind.SECTOR,
                    proposer_sector=sector, submitted_by=member_a.user, title="我代界别提交")
    invited = ProposalFactory(proposer=member_b, title="邀我联名")
    CoSigner.objects.create(proposal=invited, member=member_a)
    ProposalFactory(proposer=member_b, title="乙的立案提案", number=8, state="filed")  # visible, not mine
    ProposalFactory(proposer=other_member, title="外区提案")
    ConsultationFactory(council=council, members=[member_a], topic="我参加的协商",
                        held_on=date(2026, 3, 1))
    ConsultationFactory(council=council, members=[member_a, member_b], topic="同日协商",
                        held_on=date(2026, 3, 1))
    ConsultationFactory(council=council, members=[member_b], topic="乙参加的协商")
    ConsultationFactory(council=other_council, members=[member_a], topic="外区协商")
    now = timezone.now()
    ConstituentFactory(member=member_a, name="B未联系")
    ConstituentFactory(member=member_a, name="A未联系")
    ConstituentFactory(member=member_a, name="久未联系", last_contacted_at=now - timedelta(days=90))
    ConstituentFactory(member=member_a, name="刚联系", last_contacted_at=now)
    ConstituentFactory(member=member_a, name="已停用", active=False)
    ConstituentFactory(member=member_b, name="乙的联系人")


def shown(field) -> list[tuple[str, str]]:
    return [(str(value), str(label)) for value, label in field.choices]


def from_querysets(field) -> list[tuple[str, str]]:
    return [(str(value), str(label)) for value, label in field.iterator(field)]


def scoped(member) -> ContactLogForm:
    """The form as submitted: its lists are its scoped querysets."""
    return ContactLogForm({"summary": "x"}, member=member, user=member.user)


def assert_same_as_querysets(member) -> ContactLogForm:
    blank, submitted = ContactLogForm(member=member, user=member.user), scoped(member)
    for name in LISTS:
        assert isinstance(blank.fields[name].choices, list), f"{name}: not read in SQL"
        assert shown(blank.fields[name]) == from_querysets(submitted.fields[name]), name
    assert [person for person, _ticked in blank.roster()] == [
        person for person, _ticked in submitted.roster()]
    return blank


def test_the_blank_form_offers_in_sql_what_its_querysets_offer(offered, member_a):
    form = assert_same_as_querysets(member_a)
    labels = {name: [label for _value, label in shown(form.fields[name])] for name in LISTS}
    assert labels["platform"] == ["---------", "甲联络站", "乙委员工作室"]  # by kind, then name
    assert labels["tags"].index("测试帮助") < labels["tags"].index("测试联系")  # by order
    assert "测试停用" not in labels["tags"]
    assert "测试外区" not in labels["tags"]
    assert sorted(labels["proposal"][1:]) == sorted(["我的草稿", "第007号 我的立案提案", "我代界别提交", "邀我联名"])
    assert [label.split(" ", 1)[1] for label in labels["consultation"][1:]] == ["同日协商", "我参加的协商"]
    # never contacted first (by name), then the longest since
    assert [person.name for person, _ticked in form.roster()] == ["A未联系", "B未联系", "久未联系", "刚联系"]


def test_another_member_is_offered_their_own(offered, member_b):
    form = assert_same_as_querysets(member_b)
    proposals = [label for _value, label in shown(form.fields["proposal"])]
    assert "我的草稿" not in proposals
    assert "邀我联名" in proposals
    assert [person.name for person, _ticked in form.roster()] == ["乙的联系人"]


def test_the_page_shows_the_lists_read_in_sql(client_for, offered, member_a):
    ConstituentFactory(member=member_a)
    html = client_for(member_a).get(reverse("activities:contactlog-create")).content.decode()
    for label in ("甲联络站", "测试联系", "第007号 我的立案提案", "我参加的协商"):
        assert label in html
    for label in ("已撤销工作室", "外区工作室", "测试停用", "测试外区", "乙的立案提案", "外区提案",
                  "乙参加的协商", "外区协商"):
        assert label not in html


def test_a_submitted_form_and_the_edit_form_keep_the_querysets(offered, member_a):
    bound = ContactLogForm({"summary": "x"}, member=member_a, user=member_a.user)
    edit = ContactLogEditForm(log=_log_of(member_a), user=member_a.user)
    for form in (bound, edit):
        for name in LISTS:
            assert not isinstance(form.fields[name].choices, list), name


def _log_of(member):
    return contact_log_create(
        by=member.user, member=member, constituents=[ConstituentFactory(member=member)],
        contacted_at=timezone.now(), channel=Channel.FORUM, mode=ContactLog.Mode.VISIT,
        summary="走访",
    )


@pytest.mark.parametrize("size", [2, 20])
def test_the_blank_form_query_budget(client_for, council, member_a, django_assert_max_num_queries, size):
    """The roster is one statement and the four lists another, whatever their length."""
    ConstituentFactory.create_batch(size, member=member_a)
    PlatformFactory.create_batch(size, council=council)
    for n in range(size):
        ProposalFactory(proposer=member_a)
        ConsultationFactory(council=council, members=[member_a])
        LinkTag.objects.create(council=council, name=f"预算标签{n}", kind="link", order=n)
    client = client_for(member_a)
    # session, user (with the member and the unread counter), roster, the four lists
    with django_assert_max_num_queries(4):
        response = client.get(reverse("activities:contactlog-create"))
    form = response.context["form"]
    assert len(form.fields["consultation"].choices) == size + 1
