"""Inviting a co-signer: the member is typed into a picker served by a lookup of the members
the proposer may invite, not chosen from a select of the whole council."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from members.models import Member
from proposals.models import CoSigner, State
from tests.factories import MemberFactory
from tests.proposals.factories import proposal_in

pytestmark = pytest.mark.django_db

LOOKUP = "proposals:cosigner-lookup"


@pytest.fixture
def draft(member_a, staff, session):
    return proposal_in(State.DRAFT, proposer=member_a, staff=staff)


def names(response) -> list[str]:
    assert response.status_code == 200
    return [row["text"] for row in response.json()["results"]]


def test_the_invitation_form_carries_no_list_of_members(client_for, member_a, draft, sector):
    MemberFactory.create_batch(150, council=member_a.council, sector=sector)
    page = client_for(member_a).get(reverse("proposals:proposal-invite", args=[draft.pk]))
    html = page.content.decode()
    select = re.search(r'<select name="member".*?</select>', html, re.S).group(0)
    assert select.count("<option") <= 1
    assert reverse(LOOKUP) in select


def test_the_lookup_offers_whom_the_proposer_may_invite(client_for, member_a, member_b, draft,
                                                        other_member, sector):
    invited = MemberFactory(council=member_a.council, sector=sector, name="张已邀")
    CoSigner.objects.create(proposal=draft, member=invited)
    MemberFactory(council=member_a.council, sector=sector, name="张离任",
                  status=Member.Status.INACTIVE, zone="")
    MemberFactory(council=member_a.council, sector=sector, name="张可邀")
    client = client_for(member_a)
    found = names(client.get(reverse(LOOKUP), {"proposal": draft.pk, "q": "张"}))
    # Not the proposer (张委员), not one already invited, not one who left, not another council's.
    assert found == ["张可邀"]
    assert names(client.get(reverse(LOOKUP), {"proposal": draft.pk, "q": "李委"})) == ["李委员"]
    assert names(client.get(reverse(LOOKUP), {"proposal": "x", "q": "李"})) == []


def test_only_the_proposer_uses_the_lookup(client_for, member_a, member_b, staff, other_member,
                                          session):
    proposal = proposal_in(State.SUBMITTED, proposer=member_a, staff=staff)
    params = {"proposal": proposal.pk, "q": "张"}
    # Staff see the proposal but do not invite on a member's behalf.
    assert client_for(staff).get(reverse(LOOKUP), params).status_code == 403
    # Another member of the council, and another council's, do not see it at all.
    assert client_for(member_b).get(reverse(LOOKUP), params).status_code == 404
    assert client_for(other_member).get(reverse(LOOKUP), params).status_code == 404


def test_a_member_out_of_reach_is_refused_and_nothing_is_written(client_for, member_a, draft,
                                                                 other_member):
    response = client_for(member_a).post(
        reverse("proposals:proposal-invite", args=[draft.pk]),
        {"version": draft.version, "member": other_member.pk},
    )
    assert "只能邀请本级政协的在任委员附议" in response.content.decode()
    assert not CoSigner.objects.filter(proposal=draft).exists()


def test_the_lookup_keeps_its_budget(client_for, member_a, draft, sector,
                                     django_assert_max_num_queries):
    MemberFactory.create_batch(30, council=member_a.council, sector=sector, name="张同名")
    client = client_for(member_a)
    client.get(reverse(LOOKUP), {"proposal": draft.pk, "q": "张"})
    # session, user, proposal, the proposer relation (member, co-signer), the rows
    with django_assert_max_num_queries(8):
        client.get(reverse(LOOKUP), {"proposal": draft.pk, "q": "张"})
