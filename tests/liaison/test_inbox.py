"""The inbox: one's own notices only, opened notices marked read, a fixed number of queries;
each user's unread counter (the navbar's badge) equal to their unread notices after every
kind of write."""

from io import StringIO

import pytest
from django.contrib.admin.sites import site
from django.core.management import call_command
from django.urls import reverse

from members import services
from members.models import Notification, User

pytestmark = pytest.mark.django_db


def notices(user, n):
    for i in range(n):
        services.notification_send(users=[user], kind="test", subject=f"通知{i}", url="/members/me/",
                                   key=f"k{i}")
    return list(Notification.objects.filter(user=user).order_by("pk"))


def assert_counters_are_the_count():
    for user in User.objects.all():
        assert user.unread_notices == Notification.objects.for_user(user).unread().count(), user


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
    # session, user (with the member: role flags), count, page of notices
    with django_assert_max_num_queries(4):
        assert client.get(reverse("inbox")).status_code == 200


def test_unread_counters_follow_every_write(client_for, member_a, member_b, staff):
    a, b = member_a.user, member_b.user
    # sent: to several at once, the same user twice in the list, an inactive user left out
    gone = User.objects.create_user("gone", is_active=False)
    services.notification_send(users=[a, b, a, gone, None], kind="digest", subject="一", key="one")
    assert_counters_are_the_count()
    assert User.objects.get(pk=a.pk).unread_notices == 1
    # sent again (a job run twice): nothing new, nothing counted twice
    services.notification_send(users=[a, b, staff], kind="digest", subject="一", key="one")
    assert_counters_are_the_count()
    assert User.objects.get(pk=staff.pk).unread_notices == 1
    services.notification_send(users=[a], kind="digest", subject="二", key="two")
    assert User.objects.get(pk=a.pk).unread_notices == 2
    # opened, then opened again (two tabs); someone else's is not found and changes nothing
    first = Notification.objects.get(user=a, key="one")
    client = client_for(member_a)
    for _ in range(2):
        client.get(reverse("inbox-open", args=[first.pk]))
    client_for(member_b).get(reverse("inbox-open", args=[first.pk]))
    assert_counters_are_the_count()
    assert User.objects.get(pk=a.pk).unread_notices == 1
    assert '<span class="badge rounded-pill bg-danger" data-testid="unread-count">1</span>' in (
        client.get(reverse("inbox")).content.decode())
    # deleted in the admin (one, and a selection)
    admin = site._registry[Notification]
    request = type("Request", (), {"user": staff})()
    admin.delete_model(request, Notification.objects.get(user=b, key="one"))
    assert_counters_are_the_count()
    admin.delete_queryset(request, Notification.objects.filter(user=a))
    assert_counters_are_the_count()
    assert User.objects.get(pk=a.pk).unread_notices == 0


def test_the_rollups_job_puts_a_wrong_counter_right(member_a, member_b):
    notices(member_a.user, 3)
    Notification.objects.filter(user=member_a.user, key="k0").update(read_at="2026-01-01T00:00Z")
    User.objects.filter(pk=member_b.user.pk).update(unread_notices=5)
    call_command("rollups_rebuild", stdout=StringIO())
    assert_counters_are_the_count()
    assert User.objects.get(pk=member_a.user.pk).unread_notices == 2
    assert services.unread_recount() == 0  # twice: nothing left to put right


def test_the_nightly_council_task_puts_its_users_counters_right(member_a, member_b, council):
    from activities.contacts.tasks import rollups_rebuild_council_task

    notices(member_a.user, 2)
    User.objects.filter(pk=member_a.user.pk).update(unread_notices=0)
    rollups_rebuild_council_task(council_id=council.pk)
    assert User.objects.get(pk=member_a.user.pk).unread_notices == 2
    assert_counters_are_the_count()


@pytest.mark.parametrize(("who", "url"), [
    ("member_a", "members:member-home"),
    ("member_a", "members:my-constituents"),
    ("member_a", "activities:contactlog-create"),
    ("member_a", "activities:reminder-list"),
    ("staff", "members:staff-home"),
    ("staff", "members:constituent-list"),
    ("staff", "activities:contactlog-list"),
    ("leader", "liaison:dashboard"),
])
def test_no_page_counts_the_inbox(who, url, client_for, request):
    """The navbar's badge is the user's counter, read with the user: only the inbox itself
    reads notices."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = request.getfixturevalue(who)
    user = getattr(user, "user", user)
    services.notification_send(users=[user], kind="digest", subject="一", key="badge")
    client = client_for(request.getfixturevalue(who))
    with CaptureQueriesContext(connection) as queries:
        body = client.get(reverse(url)).content.decode()
    assert '<span class="badge rounded-pill bg-danger" data-testid="unread-count">1</span>' in body
    assert not [q["sql"] for q in queries.captured_queries if Notification._meta.db_table in q["sql"]]
