"""Similar proposals (并案, a matter answered before): the ranking's quality on a labelled set,
the word index kept on every write and rebuilt idempotently, who sees what (a council's
proposals only; a member only what they may read, never another's draft), the drafting
forms' lookup and the review page with its merge button, each with a query budget."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.urls import reverse

from members.models import User
from proposals import services, similarity
from proposals.models import Proposal, ProposalTerm, ProposalTermCount, State
from proposals.similarity.terms import words
from tests.factories import MemberFactory, UserFactory
from tests.proposals.factories import ProposalFactory, SessionFactory, proposal_in
from tests.proposals.similar_cases import STOCK, TOPICS

pytestmark = pytest.mark.django_db

LIFT = ("关于加快老旧小区加装电梯的提案",
        "多层住宅没有电梯，老年居民上下楼困难，加装电梯审批繁琐、费用分摊难。")
LIFT_AGAIN = ("关于破解既有多层住宅增设电梯难题的提案",
              "高龄老人下楼难，居民增设电梯意愿强烈，但低层住户反对、加装电梯费用分摊协商难。")
PARKING = ("关于解决老旧小区停车难问题的提案", "小区没有规划停车位，私家车占用消防通道。")


def _similar(user, council, title, body="", exclude=None, limit=similarity.LIMIT):
    return similarity.similar_proposals(
        user=user, council_id=council.pk, title=title, body=body, exclude=exclude, limit=limit
    )


def _make(proposer, session, text, state=State.SUBMITTED, **fields):
    title, reasons = text
    return ProposalFactory(proposer=proposer, session=session, title=title, reasons=reasons,
                           state=state, **fields)


def _terms(proposal) -> dict[str, float]:
    return dict(ProposalTerm.objects.filter(proposal=proposal).values_list("term", "weight"))


# --- the ranking's quality -------------------------------------------------------------------


def test_ranking_finds_the_true_pairs_in_its_top_five(staff, member_a, session, capsys):
    """35 true pairs among 105 proposals (``similar_cases``): reading either proposal of a
    pair, its partner is among the five listed for at least 80 % of the 70 readings; and the
    partner ranks above the near miss (a different matter in the same words) as often."""
    earlier = SessionFactory(council=session.council, number=3, name="十届三次")
    made = {}
    for n, topic in enumerate(TOPICS):
        for key in ("a", "b", "n"):
            made[n, key] = _make(
                member_a, earlier if key == "a" else session, topic[key],
                suggestions=STOCK[len(made) % len(STOCK)],
            )
    found = told_apart = 0
    for n in range(len(TOPICS)):
        for reading, partner in (("a", "b"), ("b", "a")):
            p = made[n, reading]
            listed = [o.pk for o in _similar(staff, session.council, p.title,
                                             f"{p.reasons}\n{p.suggestions}", exclude=p.pk)]
            found += made[n, partner].pk in listed
            if reading == "a":
                rank = {pk: i for i, pk in enumerate(listed)}
                told_apart += rank.get(made[n, "b"].pk, 99) < rank.get(made[n, "n"].pk, 100)
    readings = 2 * len(TOPICS)
    with capsys.disabled():
        print(f"\nsimilar proposals: true pairs in the top 5: {found}/{readings} "
              f"({found / readings:.0%}); partner above the near miss: {told_apart}/{len(TOPICS)}")
    assert found / readings >= 0.8
    assert told_apart / len(TOPICS) >= 0.8


def test_words_leave_out_stock_phrases_and_keep_the_matter():
    found = words("关于进一步加强老旧小区加装电梯工作的提案")
    assert {"老旧", "小区", "电梯"} <= set(found)
    assert not {"关于", "进一步", "加强", "工作", "提案", "的"} & set(found)


def test_jieba_loads_quietly():
    """jieba prints "Building prefix dict…" on stderr when it loads; the portal's workers
    load it without a word."""
    code = ("import django; django.setup(); from proposals.similarity.terms import words; "
            "assert words('老旧小区加装电梯')")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "DEBUG": "true"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          cwd=Path(__file__).resolve().parents[2], timeout=120, check=True)
    assert done.stderr == ""


# --- the index, kept on write and rebuilt --------------------------------------------------


def _counts() -> dict[tuple[int, str], int]:
    """The words' counts kept on write (a word no proposal holds any more counts 0)."""
    return {(c, t): n for c, t, n in ProposalTermCount.objects.values_list(
        "council_id", "term", "proposals") if n}


def _recounted() -> dict[tuple[int, str], int]:
    return {(c, t): n for c, t, n in ProposalTerm.objects.order_by()
            .values_list("council_id", "term").annotate(n=Count("*"))}


def test_index_follows_edits_and_deletion(member_a, staff, session):
    p = services.proposal_create(session=session, by=member_a.user, title=LIFT[0], reasons=LIFT[1])
    assert "电梯" in _terms(p)
    services.proposal_update(proposal=p, by=member_a.user, title=PARKING[0], reasons=PARKING[1])
    assert "电梯" not in _terms(p)
    assert "停车位" in _terms(p) or "停车" in _terms(p)
    assert set(ProposalTerm.objects.filter(proposal=p).values_list("council", flat=True)) == {
        session.council_id}
    # A step that changes no text leaves the rows as they are (no rewrite).
    ids = set(ProposalTerm.objects.filter(proposal=p).values_list("pk", flat=True))
    services.proposal_note(proposal=p, by=staff, internal_note="并案候选")
    assert set(ProposalTerm.objects.filter(proposal=p).values_list("pk", flat=True)) == ids
    other = services.proposal_create(session=session, by=member_a.user, title=LIFT[0],
                                     reasons=LIFT[1])
    assert _counts() == _recounted()
    assert _counts()[session.council_id, "电梯"] == 1
    pk = p.pk
    Proposal.objects.filter(pk=pk).delete()
    assert not ProposalTerm.objects.filter(proposal_id=pk).exists()
    assert _counts() == _recounted()
    Proposal.objects.filter(pk=other.pk).delete()
    assert _counts() == {}


def test_rebuild_is_idempotent_and_repairs(member_a, session):
    for text in (LIFT, LIFT_AGAIN, PARKING):
        _make(member_a, session, text)

    def rows():
        return sorted(ProposalTerm.objects.values_list("proposal", "term", "weight", "council"))

    kept = rows()
    assert kept
    assert similarity.rebuild() == 3
    assert rows() == kept
    ProposalTerm.objects.filter(term="电梯").delete()
    ProposalTerm.objects.create(council=session.council, proposal=Proposal.objects.first(),
                                term="无关", weight=9.0)
    ProposalTermCount.objects.filter(term="老旧").update(proposals=99)
    out = StringIO()
    call_command("similar_rebuild", stdout=out)
    call_command("similar_rebuild", "--council", str(session.council_id), stdout=out)
    assert rows() == kept
    assert _counts() == _recounted()
    assert "3 proposals indexed" in out.getvalue()


# --- who sees what -------------------------------------------------------------------------


def test_only_the_council_s_proposals_are_listed(staff, member_a, session, other_staff, other_member):
    mine = _make(member_a, session, LIFT, state=State.FILED, number=1)
    other_session = SessionFactory(council=other_staff.council)
    theirs = _make(other_member, other_session, LIFT, state=State.FILED, number=1)
    assert [p.pk for p in _similar(staff, session.council, *LIFT_AGAIN)] == [mine.pk]
    assert [p.pk for p in _similar(other_staff, other_staff.council, *LIFT_AGAIN)] == [theirs.pk]
    # Asking for another council's proposals lists none the user may not read.
    assert _similar(staff, other_staff.council, *LIFT_AGAIN) == []
    assert _similar(member_a.user, other_staff.council, *LIFT_AGAIN) == []


def test_a_member_sees_what_they_may_read_and_no_draft(member_a, member_b, staff, session):
    """Filed proposals of the council, and the member's own; never another's draft or
    another's proposal not yet filed. Staff see everything handed in, no draft."""
    draft = _make(member_b, session, LIFT, state=State.DRAFT)
    submitted = _make(member_b, session, LIFT, state=State.SUBMITTED)
    filed = _make(member_b, session, LIFT, state=State.FILED, number=1)
    own_draft = _make(member_a, session, LIFT, state=State.DRAFT)
    listed = {p.pk for p in _similar(member_a.user, session.council, *LIFT_AGAIN)}
    assert filed.pk in listed
    assert not {draft.pk, submitted.pk, own_draft.pk} & listed
    listed = {p.pk for p in _similar(staff, session.council, *LIFT_AGAIN)}
    assert listed == {submitted.pk, filed.pk}


# --- the drafting forms' lookup ------------------------------------------------------------


def _lookup(client, title, reasons="", suggestions="", proposal=""):
    return client.post(reverse("proposals:similar-lookup"), {
        "title": title, "reasons": reasons, "suggestions": suggestions, "proposal": proposal,
    })


def test_lookup_lists_similar_with_state_and_reply(member_a, staff, handling_unit, unit_user,
                                                   session, client_for):
    earlier = SessionFactory(council=session.council, number=3, name="十届三次")
    answered = proposal_in(State.REPLIED, proposer=member_a, staff=staff, unit=handling_unit,
                           session=earlier, title=LIFT[0], reasons=LIFT[1], reply_category="B")
    _make(member_a, session, PARKING, state=State.FILED, number=1)
    response = _lookup(client_for(member_a), LIFT_AGAIN[0], LIFT_AGAIN[1])
    assert response.status_code == 200
    items = response.context["similar"]
    assert items[0].pk == answered.pk
    html = response.content.decode()
    assert answered.title in html
    assert "十届三次" in html
    assert "已办理。" in html  # its reply
    assert 'data-testid="merge-into"' not in html  # no merging from a draft


def test_lookup_leaves_out_the_draft_being_edited(member_a, session, client_for):
    p = _make(member_a, session, LIFT, state=State.FILED, number=1)
    client = client_for(member_a)
    assert [o.pk for o in _lookup(client, *LIFT).context["similar"]] == [p.pk]
    assert _lookup(client, *LIFT, proposal=str(p.pk)).context["similar"] == []


def test_lookup_with_nothing_to_go_on(member_a, client_for):
    response = _lookup(client_for(member_a), "", "的 了")
    assert response.status_code == 200
    assert 'data-testid="similar-none"' in response.content.decode()


def test_lookup_permissions(client_for, council, leader, unit_user, anonymous, member_a, session,
                            other_member):
    _make(member_a, session, LIFT, state=State.FILED, number=1)
    url = reverse("proposals:similar-lookup")
    assert client_for(leader).post(url, {"title": LIFT[0]}).status_code == 403
    assert client_for(unit_user).post(url, {"title": LIFT[0]}).status_code == 403
    assert client_for(member_a).get(url, {"title": LIFT[0]}).status_code == 405
    response = anonymous.post(url, {"title": LIFT[0]})
    assert response.status_code == 302
    assert "login" in response.url
    # An outsider (another council's member) is answered from their own council: nothing.
    response = _lookup(client_for(other_member), *LIFT)
    assert response.status_code == 200
    assert response.context["similar"] == []


@pytest.mark.parametrize("n", [2, 12])
def test_lookup_query_budget(n, member_a, staff, session, client_for, django_assert_max_num_queries):
    for i in range(n):
        _make(member_a, session, (f"{LIFT[0]}（{i}）", LIFT[1]), state=State.FILED, number=i + 1)
    for persona in (member_a, staff):
        client = client_for(persona)
        # session, user, the words' counts (idf), the council's proposal count, the council
        # (staff: their reach), the scores, the rows listed (with session and latest reply)
        with django_assert_max_num_queries(7):
            response = _lookup(client, *LIFT_AGAIN)
        assert len(response.context["similar"]) == min(n, similarity.LIMIT)


# --- the review page -----------------------------------------------------------------------


def test_review_page_lists_similar_and_merges(member_a, member_b, staff, session, client_for):
    lead = _make(member_a, session, LIFT, state=State.FILED, number=1)
    elsewhere = _make(member_a, SessionFactory(council=session.council, number=3), LIFT,
                      state=State.CLOSED, number=1)
    p = proposal_in(State.UNDER_REVIEW, proposer=member_b, staff=staff, session=session,
                    title=LIFT_AGAIN[0], reasons=LIFT_AGAIN[1])
    client = client_for(staff)
    response = client.get(p.get_absolute_url())
    listed = [o.pk for o in response.context["similar"]]
    assert set(listed) == {lead.pk, elsewhere.pk}
    html = response.content.decode()
    assert 'data-testid="similar"' in html
    # Only a lead of the same session takes it in: one merge button.
    assert html.count('data-testid="merge-into"') == 1
    response = client.post(reverse("proposals:proposal-merge", args=[p.pk]),
                           {"lead": lead.pk, "version": p.version})
    assert response.status_code == 302
    p.refresh_from_db()
    assert (p.state, p.merged_into_id) == (State.MERGED, lead.pk)


def test_review_page_only_for_staff_and_in_review(member_a, member_b, staff, leader, session,
                                                  client_for, other_staff):
    _make(member_a, session, LIFT, state=State.FILED, number=1)
    p = proposal_in(State.SUBMITTED, proposer=member_b, staff=staff, session=session,
                    title=LIFT_AGAIN[0], reasons=LIFT_AGAIN[1])
    assert client_for(leader).get(p.get_absolute_url()).context["similar"]
    assert 'data-testid="merge-into"' not in client_for(leader).get(p.get_absolute_url()).content.decode()
    assert client_for(member_b).get(p.get_absolute_url()).context["similar"] is None
    assert client_for(other_staff).get(p.get_absolute_url()).status_code == 404
    draft = proposal_in(State.DRAFT, proposer=member_b, staff=staff, session=session,
                        title=LIFT_AGAIN[0], reasons=LIFT_AGAIN[1])
    assert client_for(staff).get(draft.get_absolute_url()).context["similar"] is None


@pytest.mark.parametrize("n", [2, 12])
def test_review_page_query_budget(n, member_a, member_b, staff, session, council, client_for,
                                  django_assert_max_num_queries):
    for i in range(n):
        _make(member_a, session, (f"{LIFT[0]}（{i}）", LIFT[1]), state=State.FILED, number=i + 1)
    cosigners = [MemberFactory(council=council) for _ in range(n)]
    p = proposal_in(State.UNDER_REVIEW, proposer=member_b, staff=staff, session=session,
                    title=LIFT_AGAIN[0], reasons=LIFT_AGAIN[1], cosigners=cosigners)
    # The detail page's ten (session, user, council, proposal, co-signers, attachments,
    # assignments, replies, ratings, events) and the similar list's five (the words' counts,
    # the proposal count, the proposal's own words, the scores, the rows).
    client = client_for(staff)
    with django_assert_max_num_queries(15):
        response = client.get(p.get_absolute_url())
    assert len(response.context["similar"]) == min(n, similarity.LIMIT)


def test_staff_of_a_city_reviewing_a_district_proposal_sees_that_district_s(member_a, staff,
                                                                             session, council):
    """The list is of the proposal's own council, even for a reader whose reach is wider."""
    from tests.factories import CouncilFactory

    city = CouncilFactory(name="七台河市政协", level="city")
    council.parent = city
    council.save(update_fields=["parent"])
    city_staff = UserFactory(username="city_staff", role=User.Role.STAFF, council=city)
    mine = _make(member_a, session, LIFT, state=State.FILED, number=1)
    city_session = SessionFactory(council=city)
    city_member = MemberFactory(council=city)
    _make(city_member, city_session, LIFT, state=State.FILED, number=1)
    assert [p.pk for p in _similar(city_staff, council, *LIFT_AGAIN)] == [mine.pk]
