"""Every proposal URL × every persona: who gets the page (200), who may see the proposal but
not do this (403), who may not even know it exists (404), and anonymous → login (302)."""

import pytest
from django.urls import reverse

from proposals.models import CoSigner, Proposal, State
from tests.proposals.factories import proposal_in

PERSONAS = [
    "admin", "staff", "leader", "member_a", "member_b", "unit_user", "other_unit_user",
    "other_staff", "other_member", "anonymous",
]

# URL name → expected status per persona, for a proposal of member_a (co-signed by
# member_b) being handled by unit_user's unit. Columns follow PERSONAS.
OBJECT_URLS = {
    "proposal-detail":    [200, 200, 200, 200, 200, 200, 404, 404, 404, 302],
    "proposal-print":     [200, 200, 200, 200, 200, 200, 404, 404, 404, 302],
    "proposal-edit":      [403, 403, 403, 200, 403, 403, 404, 404, 404, 302],
    "proposal-submit":    [403, 403, 403, 200, 403, 403, 404, 404, 404, 302],
    "proposal-invite":    [403, 403, 403, 200, 403, 403, 404, 404, 404, 302],
    "cosign-respond":     [403, 403, 403, 403, 200, 403, 404, 404, 404, 302],
    "proposal-rate":      [403, 403, 403, 200, 200, 403, 404, 404, 404, 302],
    "proposal-review":    [200, 200, 403, 403, 403, 403, 404, 404, 404, 302],
    "proposal-file":      [200, 200, 403, 403, 403, 403, 404, 404, 404, 302],
    "proposal-reject":    [200, 200, 403, 403, 403, 403, 404, 404, 404, 302],
    "proposal-return":    [200, 200, 403, 403, 403, 403, 404, 404, 404, 302],
    "proposal-assign":    [200, 200, 403, 403, 403, 403, 404, 404, 404, 302],
    "proposal-deadline":  [200, 200, 403, 403, 403, 403, 404, 404, 404, 302],
    "proposal-merge":     [200, 200, 403, 403, 403, 403, 404, 404, 404, 302],
    "proposal-note":      [200, 200, 403, 403, 403, 403, 404, 404, 404, 302],
    "proposal-reply":     [403, 403, 403, 403, 403, 200, 404, 404, 404, 302],
    "proposal-send-back": [403, 403, 403, 403, 403, 200, 404, 404, 404, 302],
}

LIST_URLS = {
    "my-list":         [403, 403, 403, 200, 200, 403, 403, 403, 200, 302],
    "filed-list":      [403, 403, 403, 200, 200, 403, 403, 403, 200, 302],
    "proposal-create": [403, 403, 403, 200, 200, 403, 403, 403, 200, 302],
    "staff-queues":    [200, 200, 200, 403, 403, 403, 403, 200, 403, 302],
    "register":        [200, 200, 200, 403, 403, 403, 403, 200, 403, 302],
    "register-export": [200, 200, 200, 403, 403, 403, 403, 200, 403, 302],
    "staff-proposal-create": [200, 200, 403, 403, 403, 403, 403, 200, 403, 302],
    "unit-list":       [403, 403, 403, 403, 403, 200, 200, 403, 403, 302],
}


@pytest.fixture
def handled(member_a, member_b, staff, handling_unit, unit_user, session, category):
    return proposal_in(
        State.ASSIGNED, proposer=member_a, staff=staff, unit=handling_unit, cosigners=[member_b],
        session=session, category=category,
    )


def _client(request, persona, client_for, anonymous):
    if persona == "anonymous":
        return anonymous
    return client_for(request.getfixturevalue(persona))


@pytest.mark.parametrize("name", OBJECT_URLS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_object_urls(request, name, persona, handled, client_for, anonymous):
    expected = OBJECT_URLS[name][PERSONAS.index(persona)]
    client = _client(request, persona, client_for, anonymous)
    response = client.get(reverse(f"proposals:{name}", args=[handled.pk]))
    assert response.status_code == expected, (name, persona)


@pytest.mark.parametrize("name", LIST_URLS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_list_urls(request, name, persona, handled, session, client_for, anonymous):
    expected = LIST_URLS[name][PERSONAS.index(persona)]
    client = _client(request, persona, client_for, anonymous)
    response = client.get(reverse(f"proposals:{name}"))
    assert response.status_code == expected, (name, persona)


def test_outsider_lists_show_nothing_of_ours(handled, other_staff, client_for):
    client = client_for(other_staff)
    for name in ("register", "staff-queues"):
        response = client.get(reverse(f"proposals:{name}"), {"queue": "assign"})
        assert handled.title not in response.content.decode()


@pytest.mark.parametrize("persona", ["other_staff", "other_member", "other_unit_user"])
def test_outsider_cannot_act(request, persona, handled, client_for):
    """A POST from outside the proposal's reach is a 404 and changes nothing."""
    client = client_for(request.getfixturevalue(persona))
    before = Proposal.objects.get(pk=handled.pk)
    for name, data in [
        ("proposal-reply", {"version": before.version, "category": "A", "text": "越权答复"}),
        ("proposal-deadline", {"version": before.version, "deadline": "2099-01-01"}),
        ("cosign-respond", {"version": before.version, "answer": "decline"}),
    ]:
        response = client.post(reverse(f"proposals:{name}", args=[handled.pk]), data)
        assert response.status_code == 404
    after = Proposal.objects.get(pk=handled.pk)
    assert (after.state, after.version, after.deadline) == (before.state, before.version, before.deadline)
    assert not handled.replies.exists()
    assert CoSigner.objects.get(proposal=handled).state == CoSigner.State.CONFIRMED


def test_unit_sees_only_its_assigned_proposals(handled, unit_user, other_unit_user, client_for):
    assert handled.title in client_for(unit_user).get(reverse("proposals:unit-list")).content.decode()
    other = client_for(other_unit_user)
    assert handled.title not in other.get(reverse("proposals:unit-list")).content.decode()
    assert other.get(handled.get_absolute_url()).status_code == 404
