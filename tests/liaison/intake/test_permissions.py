"""No council sees another's QR messages: queue, detail, every action, posters and blocked
numbers — an outsider gets a 404 (or an empty list), never a row; members, units and the
public get no staff page at all."""

from __future__ import annotations

import pytest
from django.urls import reverse

from liaison.intake import services
from liaison.intake.models import BlockedPhone, Submission
from tests.liaison.intake.conftest import submission

pytestmark = pytest.mark.django_db


@pytest.fixture
def mine(platform):
    return submission(platform, text="本区群众的留言内容")


@pytest.fixture
def theirs(other_platform):
    return submission(other_platform, text="外区群众的留言内容")


def test_the_queue_lists_only_the_council_s_own(client_for, staff, other_staff, mine, theirs):
    for user, shown, hidden in ((staff, mine, theirs), (other_staff, theirs, mine)):
        response = client_for(user).get(reverse("intake:submission-list"))
        rows = list(response.context["page"])
        assert rows == [shown]
        assert hidden.text not in response.content.decode()
        # Nor through the dashboard's drill-down parameter.
        response = client_for(user).get(reverse("intake:submission-list"),
                                        {"council": hidden.council_id})
        assert list(response.context["page"]) == []


def test_every_page_and_action_of_another_council_is_a_404(client_for, other_staff, mine, member_a, platform):
    blocked = BlockedPhone.objects.create(council_id=mine.council_id, phone="13600001111")
    client = client_for(other_staff)
    gets = [
        reverse("intake:submission-detail", args=[mine.pk]),
        reverse("intake:poster", args=[platform.pk]),
    ]
    posts = [
        (reverse("intake:submission-assign", args=[mine.pk]), {"member": member_a.pk}),
        (reverse("intake:submission-merge", args=[mine.pk]), {"into": mine.pk}),
        (reverse("intake:submission-close", args=[mine.pk]), {"reason": "spam"}),
        (reverse("intake:phone-block", args=[mine.pk]), {}),
        (reverse("intake:phone-unblock", args=[blocked.pk]), {}),
        (reverse("intake:poster-renew", args=[platform.pk]), {}),
    ]
    for url in gets:
        assert client.get(url).status_code == 404, url
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    mine.refresh_from_db()
    assert mine.state == "new"
    assert BlockedPhone.objects.filter(pk=blocked.pk).exists()
    assert BlockedPhone.objects.count() == 1
    posters = client.get(reverse("intake:poster-list")).context["page"]
    assert platform not in list(posters)
    assert list(client.get(reverse("intake:blocked-list")).context["page"]) == []
    all_posters = client.get(reverse("intake:poster-all")).content.decode()
    assert platform.name not in all_posters


def test_no_merge_across_councils(staff, mine, theirs):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.submission_merge(by=staff, submission=mine, into=theirs)
    assert Submission.objects.get(pk=mine.pk).state == "new"


def test_members_units_and_the_public_get_no_staff_page(client_for, member_a, unit_user, anonymous, mine, platform):
    urls = [reverse("intake:submission-list"), reverse("intake:submission-detail", args=[mine.pk]),
            reverse("intake:poster-list"), reverse("intake:poster", args=[platform.pk]),
            reverse("intake:blocked-list")]
    for client in (client_for(member_a), client_for(unit_user)):
        for url in urls:
            assert client.get(url).status_code == 403, url
    for url in urls:
        response = anonymous.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_the_public_page_never_shows_what_was_left(anonymous, link, mine):
    page = anonymous.get(reverse("intake:public", args=[link.token])).content.decode()
    assert mine.text not in page
    assert mine.name not in page


def test_query_budget_of_the_queue_and_the_detail(client_for, staff, platform, member_a,
                                                  django_assert_max_num_queries):
    client = client_for(staff)
    for size in (3, 30):
        for _ in range(size - Submission.objects.count()):
            done = submission(platform)
            if Submission.objects.count() % 3 == 0:
                services.submission_assign(by=staff, submission=done, member=member_a)
        # session, user, council, count, state counts, page, its platforms
        with django_assert_max_num_queries(7):
            assert client.get(reverse("intake:submission-list")).status_code == 200
        one = Submission.objects.first()
        # session, user, council, the submission, its platform's sectors, audit entry,
        # the blocked-phone check
        with django_assert_max_num_queries(7):
            assert client.get(reverse("intake:submission-detail", args=[one.pk])).status_code == 200


def test_query_budget_of_the_posters_and_the_public_page(client_for, staff, council, anonymous,
                                                         django_assert_max_num_queries):
    from liaison.intake.models import IntakeLink
    from members.models import Platform
    from tests.factories import PlatformFactory

    client = client_for(staff)
    for size in (3, 30):
        while Platform.objects.filter(council=council).count() < size:
            PlatformFactory(council=council)
        # session, user, council, count, page, links (read, insert, read again)
        with django_assert_max_num_queries(8):
            page = client.get(reverse("intake:poster-all")).content.decode()
        assert page.count('data-testid="poster"') == size
        assert IntakeLink.objects.count() == size
        with django_assert_max_num_queries(9):
            assert client.get(reverse("intake:poster-list")).status_code == 200
        with django_assert_max_num_queries(9):
            assert client.get(reverse("intake:blocked-list")).status_code == 200
    link = IntakeLink.objects.first()
    # the link with its platform and council, the captcha's challenge
    with django_assert_max_num_queries(2):
        assert anonymous.get(reverse("intake:public", args=[link.token])).status_code == 200
