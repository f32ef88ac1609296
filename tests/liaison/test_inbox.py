"""The inbox: one's own notices only, opened notices marked read, a fixed number of queries."""

import pytest
from django.urls import reverse

from members.models import Notification

pytestmark = pytest.mark.django_db


def notices(user, n):
    return Notification.objects.bulk_create(
        Notification(user=user, kind="test", subject=f"通知{i}", url="/members/me/", key=f"k{i}")
        for i in range(n)
    )


def test_inbox_lists_only_my_notices(client_for, member_a, member_b):
    notices(member_a.user, 2)
    notices(member_b.user, 1)
    page = client_for(member_a).get(reverse("inbox"))
    assert page.status_code == 200
    assert page.context["page"].paginator.count == 2


def test_opening_a_notice_marks_it_read_and_follows_its_link(client_for, member_a):
    [notice] = notices(member_a.user, 1)
    response = client_for(member_a).get(reverse("inbox-open", args=[notice.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/members/me/"
    notice.refresh_from_db()
    assert notice.read_at is not None


@pytest.mark.parametrize("who", ["member_b", "staff", "other_staff"])
def test_someone_elses_notice_is_not_found(client_for, member_a, who, request):
    [notice] = notices(member_a.user, 1)
    response = client_for(request.getfixturevalue(who)).get(reverse("inbox-open", args=[notice.pk]))
    assert response.status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None


def test_anonymous_is_sent_to_login(anonymous, db):
    assert reverse("login") in anonymous.get(reverse("inbox"))["Location"]


@pytest.mark.parametrize("n", [3, 30])
def test_inbox_query_budget(client_for, member_a, n, django_assert_max_num_queries):
    notices(member_a.user, n)
    client = client_for(member_a)
    # session, user, member (role flags), count, page of notices, unread count
    with django_assert_max_num_queries(6):
        assert client.get(reverse("inbox")).status_code == 200
