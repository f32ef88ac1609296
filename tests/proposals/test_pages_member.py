"""Member pages: drafting, co-signing, submitting, rating — and bad input writing nothing."""

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.translation import gettext

from proposals.models import CoSigner, Proposal, Rating, State
from tests.factories import MemberFactory
from tests.proposals.factories import proposal_in

pytestmark = pytest.mark.django_db


def _draft_data(session, cat, **overrides):
    data = {
        "session": session.pk, "title": "关于发展林下经济的提案", "category": cat.pk,
        "reasons": "林地资源丰富，利用率低。", "suggestions": "扶持林下种养殖合作社。",
        "proposer_kind": "member",
    }
    data.update(overrides)
    return data


def _errors(response):
    return [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "error"]


def test_member_writes_invites_and_submits(member_a, member_b, session, category, client_for):
    client = client_for(member_a)
    upload = SimpleUploadedFile("附件.txt", b"data", content_type="text/plain")
    response = client.post(
        reverse("proposals:proposal-create"), {**_draft_data(session, category), "attachment": upload}
    )
    proposal = Proposal.objects.get()
    assert response.status_code == 302
    assert (proposal.state, proposal.proposer, proposal.attachments.count()) == (State.DRAFT, member_a, 1)

    response = client.post(
        reverse("proposals:proposal-invite", args=[proposal.pk]),
        {"version": proposal.version, "member": member_b.pk},
    )
    assert CoSigner.objects.get(proposal=proposal).member == member_b

    proposal.refresh_from_db()
    client.post(reverse("proposals:proposal-submit", args=[proposal.pk]), {"version": proposal.version})
    proposal.refresh_from_db()
    assert proposal.state == State.SUBMITTED

    page = client.get(reverse("proposals:my-list")).content.decode()
    assert "关于发展林下经济的提案" in page

    # The invited member sees the invitation and confirms it.
    invited = client_for(member_b)
    assert "关于发展林下经济的提案" in invited.get(reverse("proposals:my-list")).content.decode()
    invited.post(
        reverse("proposals:cosign-respond", args=[proposal.pk]),
        {"version": proposal.version, "answer": "confirm"},
    )
    assert CoSigner.objects.get(proposal=proposal).state == CoSigner.State.CONFIRMED


def test_collective_proposal_for_a_sector(member_a, sector, session, category, client_for):
    client_for(member_a).post(
        reverse("proposals:proposal-create"),
        _draft_data(session, category, proposer_kind="sector", proposer_sector=sector.pk),
    )
    proposal = Proposal.objects.get()
    assert (proposal.proposer_kind, proposal.proposer_sector, proposal.proposer) == ("sector", sector, None)


@pytest.mark.parametrize(
    "overrides",
    [
        {"title": ""},
        {"title": "   "},
        {"reasons": ""},
        {"suggestions": ""},
        {"category": ""},
        {"title": "长" * 201},
        {"reasons": "长" * 20_001},
        {"proposer_kind": "sector"},  # a sector proposal without the sector
    ],
)
def test_bad_draft_writes_nothing(overrides, member_a, session, category, client_for):
    response = client_for(member_a).post(
        reverse("proposals:proposal-create"), _draft_data(session, category, **overrides)
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Proposal.objects.exists()


def test_co_signer_from_another_council_is_refused(member_a, other_member, staff, session, category, client_for):
    proposal = proposal_in(State.DRAFT, proposer=member_a, staff=staff, session=session, category=category)
    response = client_for(member_a).post(
        reverse("proposals:proposal-invite", args=[proposal.pk]),
        {"version": proposal.version, "member": other_member.pk},
    )
    assert response.status_code == 200
    assert gettext("Only serving members of your own council can co-sign.") in str(
        response.context["form"].errors
    )
    assert not CoSigner.objects.exists()


def test_edit_draft_and_stale_edit(member_a, staff, session, category, client_for):
    proposal = proposal_in(State.DRAFT, proposer=member_a, staff=staff, session=session, category=category)
    client = client_for(member_a)
    url = reverse("proposals:proposal-edit", args=[proposal.pk])
    data = {"title": "新标题", "category": category.pk, "reasons": "新案由", "suggestions": "新建议"}
    client.post(url, {**data, "version": proposal.version})
    proposal.refresh_from_db()
    assert proposal.title == "新标题"
    # The same page sent again (its version is now old) is refused and changes nothing.
    response = client.post(url, {**data, "title": "旧页面", "version": proposal.version - 1})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    proposal.refresh_from_db()
    assert proposal.title == "新标题"


def test_rating_with_comment_closes(member_a, member_b, staff, handling_unit, unit_user, session, category, client_for):
    proposal = proposal_in(
        State.REPLIED, proposer=member_a, staff=staff, unit=handling_unit, cosigners=[member_b],
        session=session, category=category,
    )
    url = reverse("proposals:proposal-rate", args=[proposal.pk])
    client_for(member_a).post(url, {"version": proposal.version, "value": "satisfied", "comment": "很好"})
    client_for(member_b).post(url, {"version": proposal.version, "value": "basically"})
    proposal.refresh_from_db()
    assert proposal.state == State.CLOSED
    assert Rating.objects.get(member=member_a).comment == "很好"


def test_bad_rating_writes_nothing(member_a, staff, handling_unit, unit_user, session, category, client_for):
    proposal = proposal_in(
        State.REPLIED, proposer=member_a, staff=staff, unit=handling_unit, session=session,
        category=category,
    )
    url = reverse("proposals:proposal-rate", args=[proposal.pk])
    client = client_for(member_a)
    for data in ({"value": ""}, {"value": "great"}, {"value": "satisfied", "comment": "长" * 2001}):
        response = client.post(url, {"version": proposal.version, **data})
        assert response.status_code == 200
    assert not Rating.objects.exists()
    # Rating twice: the second is refused with a message.
    client.post(url, {"version": proposal.version, "value": "unsatisfied"})
    response = client.post(url, {"version": proposal.version, "value": "satisfied"})
    assert _errors(response)
    assert Rating.objects.count() == 1


def test_filed_list_shows_council_filed_proposals_only(member_a, member_b, staff, session, category, client_for):
    filed = proposal_in(State.FILED, proposer=member_a, staff=staff, session=session, category=category, title="已立案提案")
    proposal_in(State.SUBMITTED, proposer=member_a, staff=staff, session=session, category=category, title="未立案提案")
    page = client_for(member_b).get(reverse("proposals:filed-list")).content.decode()
    assert filed.title in page
    assert "未立案提案" not in page
    searched = client_for(member_b).get(reverse("proposals:filed-list"), {"q": "001"})
    assert filed.title in searched.content.decode()


def test_inactive_member_cannot_be_invited(member_a, council, staff, session, category, client_for):
    gone = MemberFactory(council=council, status="inactive", zone="")
    proposal = proposal_in(State.DRAFT, proposer=member_a, staff=staff, session=session, category=category)
    response = client_for(member_a).post(
        reverse("proposals:proposal-invite", args=[proposal.pk]),
        {"version": proposal.version, "member": gone.pk},
    )
    assert response.status_code == 200
    assert not CoSigner.objects.exists()
