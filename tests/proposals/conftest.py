from itertools import cycle

import pytest

from proposals.models import State
from tests.factories import MemberFactory
from tests.proposals.factories import CategoryFactory, ProposalFactory, SessionFactory


@pytest.fixture
def session(council):
    return SessionFactory(council=council, term=10, number=4, name="十届四次", is_current=True)


@pytest.fixture
def category(council):
    return CategoryFactory(council=council, name="经济")


@pytest.fixture
def register_world(council, other_council):
    """Two councils' sessions — 十届一次 and 十届二次 of both, 九届四次 of one, 十届三次 of the
    other — and proposals made round-robin over them (ids interleave), numbered or not,
    some numbers repeating across councils, drafts among them (never listed)."""
    sessions = []
    for place, terms in ((council, [(10, 1), (10, 2), (9, 4)]),
                         (other_council, [(10, 1), (10, 2), (10, 3)])):
        for term, number in terms:
            sessions.append(SessionFactory(council=place, term=term, number=number,
                                           name=f"{term}届{number}次"))
    proposers = {place.pk: MemberFactory(council=place) for place in (council, other_council)}
    numbers = {session.pk: 0 for session in sessions}
    # Seven states over six sessions: each session gets each state.
    states = cycle([State.SUBMITTED, State.FILED, State.CLOSED, State.NOT_FILED, State.ASSIGNED,
                    State.DRAFT, State.FILED])
    for i in range(66):
        session = sessions[i % len(sessions)]
        state = next(states)
        number = None
        if state in (State.FILED, State.CLOSED, State.ASSIGNED):
            numbers[session.pk] += 1
            number = numbers[session.pk]
        ProposalFactory(proposer=proposers[session.council_id], session=session, state=state,
                        number=number)
    return sessions
