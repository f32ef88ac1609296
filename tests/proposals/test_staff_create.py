"""录入提案: staff enter a proposal for a member or a collective proposer of their council,
and submit it — other councils' members, sectors and committees cannot be picked."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.translation import gettext

from proposals.models import Proposal, ProposalEvent, ProposerKind, State
from tests.factories import CommitteeFactory, MemberFactory, SectorFactory
from tests.proposals.factories import SessionFactory

pytestmark = pytest.mark.django_db

URL = reverse("proposals:staff-proposal-create")


def _data(session, category, **overrides):
    data = {
        "session": session.pk, "title": "关于建设城乡冷链物流体系的提案", "category": category.pk,
        "reasons": "农产品损耗大。", "suggestions": "建设产地冷库。", "proposer_kind": "member",
        "submit": "1",
    }
    data.update(overrides)
    return data


def _form_errors(response):
    return [str(e) for errors in response.context["form"].errors.values() for e in errors]


@pytest.mark.parametrize("persona", ["staff", "admin"])
def test_staff_enter_and_submit_for_a_member(request, persona, member_a, session, category, client_for):
    user = request.getfixturevalue(persona)
    upload = SimpleUploadedFile("原件.txt", b"scan", content_type="text/plain")
    response = client_for(user).post(
        URL, {**_data(session, category, proposer=member_a.pk), "attachment": upload}
    )
    proposal = Proposal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == proposal.get_absolute_url()
    assert (proposal.state, proposal.proposer, proposal.proposer_kind, proposal.submitted_by) == (
        State.SUBMITTED, member_a, ProposerKind.MEMBER, user,
    )
    assert proposal.attachments.count() == 1
    assert Proposal.objects.to_review().get() == proposal
    assert list(proposal.events.values_list("action", "actor")) == [
        ("create", user.pk), ("attach", user.pk), ("submit", user.pk),
    ]
    # The member finds it among their proposals.
    page = client_for(member_a).get(reverse("proposals:my-list")).content.decode()
    assert proposal.title in page


def test_staff_save_a_draft_then_submit_from_the_detail(staff, member_a, session, category, client_for):
    client = client_for(staff)
    data = _data(session, category, proposer=member_a.pk, draft="1")
    del data["submit"]
    client.post(URL, data)
    proposal = Proposal.objects.get()
    assert proposal.state == State.DRAFT
    client.post(reverse("proposals:proposal-submit", args=[proposal.pk]), {"version": proposal.version})
    proposal.refresh_from_db()
    assert proposal.state == State.SUBMITTED


@pytest.mark.parametrize("kind", ["sector", "party", "committee"])
def test_staff_enter_a_collective_proposal(kind, staff, council, session, category, client_for):
    party = SectorFactory(council=council, name="民盟", kind="party")
    culture = CommitteeFactory(council=council, name="文史委")
    body = {"committee": {"proposer_committee": culture.pk}}.get(kind, {"proposer_sector": party.pk})
    client_for(staff).post(URL, _data(session, category, proposer_kind=kind, **body))
    proposal = Proposal.objects.get()
    assert (proposal.state, proposal.proposer_kind, proposal.proposer) == (State.SUBMITTED, kind, None)
    assert (proposal.proposer_sector or proposal.proposer_committee) in (party, culture)


@pytest.mark.parametrize(
    "overrides",
    [
        {},  # a member's proposal without the member
        {"proposer_kind": "sector"},
        {"proposer_kind": "committee"},
        {"title": ""},
        {"suggestions": ""},
        {"reasons": "长" * 20_001},
    ],
)
def test_bad_input_writes_nothing(overrides, staff, session, category, client_for):
    response = client_for(staff).post(URL, _data(session, category, **overrides))
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Proposal.objects.exists()
    assert not ProposalEvent.objects.exists()


def test_member_who_left_cannot_be_picked(staff, council, session, category, client_for):
    gone = MemberFactory(council=council, name="周委员", status="inactive")
    response = client_for(staff).post(URL, _data(session, category, proposer=gone.pk))
    assert gettext("Choose a serving member of your own council.") in _form_errors(response)
    assert not Proposal.objects.exists()


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("proposer", "Choose a serving member of your own council."),
        ("proposer_sector", "Choose a sector or party group of your own council."),
        ("proposer_committee", "Choose a special committee of your own council."),
    ],
)
def test_other_council_staff_cannot_pick_ours(
    field, message, other_staff, other_council, member_a, sector, committee, session, category,
    client_for,
):
    """Staff of another council, on their own session, pick our member, sector or committee:
    refused with a message, nothing written."""
    theirs = SessionFactory(council=other_council, is_current=True)
    their_category = type(category).objects.create(council=other_council, name="经济")
    kind, value = {
        "proposer": ("member", member_a.pk),
        "proposer_sector": ("sector", sector.pk),
        "proposer_committee": ("committee", committee.pk),
    }[field]
    response = client_for(other_staff).post(
        URL, _data(theirs, their_category, proposer_kind=kind, **{field: value})
    )
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [gettext(message)]
    assert not Proposal.objects.exists()
    # Nor can they use our session.
    response = client_for(other_staff).post(URL, _data(session, category, proposer_kind=kind, **{field: value}))
    assert "session" in response.context["form"].errors
    assert not Proposal.objects.exists()


def test_member_page_offers_only_their_own_bodies(member_a, other_sector, council, session, category, client_for):
    """The member's own form lists their sector and committee, nobody else's, and refuses
    another with the reason."""
    CommitteeFactory(council=council, name="文史委")
    response = client_for(member_a).get(reverse("proposals:proposal-create"))
    form = response.context["form"]
    assert list(form.fields["proposer_sector"].queryset) == [member_a.sector]
    assert list(form.fields["proposer_committee"].queryset) == [member_a.committee]
    response = client_for(member_a).post(
        reverse("proposals:proposal-create"),
        {**_data(session, category, proposer_kind="sector", proposer_sector=other_sector.pk)},
    )
    assert _form_errors(response) == [
        gettext("You can only enter a collective proposal for your own sector or party group.")
    ]
    assert not Proposal.objects.exists()


def test_queues_and_register_link_to_the_page_for_staff_only(staff, leader, client_for):
    for name in ("staff-queues", "register"):
        assert URL in client_for(staff).get(reverse(f"proposals:{name}")).content.decode()
        assert URL not in client_for(leader).get(reverse(f"proposals:{name}")).content.decode()


@pytest.mark.parametrize("n", [2, 30])
def test_query_budget(n, staff, council, session, category, client_for, django_assert_max_num_queries):
    for i in range(n):
        MemberFactory(council=council, name=f"委员{i}")
        SessionFactory(council=council)
    client = client_for(staff)
    # session, user, council (scope), current session, sessions (the select, read twice
    # while crispy renders it), sectors, committees, categories
    with django_assert_max_num_queries(9):
        assert client.get(URL).status_code == 200


def test_staff_who_entered_a_members_proposal_are_not_offered_the_rating(client_for, staff, member_a):
    """The member rates the reply; the staff who typed the proposal in do not."""
    from proposals import rules
    from proposals.models import State
    from tests.proposals.factories import HandlingUnitFactory, proposal_in, unit_login

    unit = HandlingUnitFactory(council=staff.council)
    unit_login(unit, "unit-rate")
    proposal = proposal_in(State.REPLIED, proposer=member_a, staff=staff, unit=unit)
    proposal.submitted_by = staff
    proposal.save(update_fields=["submitted_by"])
    assert "rate" not in rules.allowed_actions(staff, proposal)
    assert "rate" in rules.allowed_actions(member_a.user, proposal)
