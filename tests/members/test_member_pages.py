"""Member pages of the members app: home, my constituents, add / edit / read a constituent.
Permission matrix × persona, query budgets at two sizes, masked phones, audited changes."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from members import services
from members.models import Constituent
from members.services import constituent_create, constituent_update
from tests.factories import ConstituentFactory, ContactLogFactory

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "member_a", "member_b", "staff", "leader", "other_staff", "other_member",
            "security_admin", "audit_admin"]


def get_as(request, persona, client_for, url):
    client = request.getfixturevalue("anonymous") if persona == "anonymous" else client_for(
        request.getfixturevalue(persona)
    )
    return client.get(url)


@pytest.fixture
def person(member_a):
    return ConstituentFactory(member=member_a, name="王群众", phone="13812345678", unit="兴安煤矿")


# Permission matrix ----------------------------------------------------------------------
# Pages of the member's own roster: members only (staff and leaders have their own lists).
OWN_PAGES = {
    "members:member-home": {"member_a": 200, "member_b": 200, "staff": 403, "leader": 403,
                            "other_staff": 403, "other_member": 200,
                            "security_admin": 403, "audit_admin": 403},
    "members:my-constituents": {"member_a": 200, "member_b": 200, "staff": 403, "leader": 403,
                                "other_staff": 403, "other_member": 200,
                            "security_admin": 403, "audit_admin": 403},
    "members:constituent-create": {"member_a": 200, "member_b": 200, "staff": 403, "leader": 403,
                                   "other_staff": 403, "other_member": 200,
                            "security_admin": 403, "audit_admin": 403},
}
# Pages of one constituent (member_a's): its member and staff; leaders read; others 404.
CONSTITUENT_PAGES = {
    "members:constituent-detail": {"member_a": 200, "member_b": 404, "staff": 200, "leader": 200,
                                   "other_staff": 404, "other_member": 404,
                                   "security_admin": 404, "audit_admin": 404},
    "members:constituent-edit": {"member_a": 200, "member_b": 404, "staff": 200, "leader": 403,
                                 "other_staff": 404, "other_member": 404,
                                   "security_admin": 404, "audit_admin": 404},
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(OWN_PAGES))
def test_own_pages_matrix(request, client_for, persona, name):
    response = get_as(request, persona, client_for, reverse(name))
    if persona == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == OWN_PAGES[name][persona]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(CONSTITUENT_PAGES))
def test_constituent_pages_matrix(request, client_for, person, persona, name):
    response = get_as(request, persona, client_for, reverse(name, args=[person.pk]))
    if persona == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == CONSTITUENT_PAGES[name][persona]


@pytest.mark.parametrize("persona", ["member_b", "leader", "other_staff"])
def test_outsiders_cannot_post_an_edit(request, client_for, person, persona):
    client = client_for(request.getfixturevalue(persona))
    response = client.post(
        reverse("members:constituent-edit", args=[person.pk]), {"name": "改名"}
    )
    assert response.status_code in (403, 404)
    person.refresh_from_db()
    assert person.name == "王群众"


# Masked phones ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "shown"),
    [("member_a", "13812345678"), ("staff", "13812345678"), ("leader", "138****5678")],
)
def test_phone_is_masked_for_all_but_its_member_and_staff(
    request, client_for, person, persona, shown
):
    client = client_for(request.getfixturevalue(persona))
    html = client.get(person.get_absolute_url()).content.decode()
    assert shown in html
    if shown.count("*"):
        assert "13812345678" not in html


# Home ------------------------------------------------------------------------------------


def test_home_counts_and_recent_logs(client_for, member_a, member_b):
    people = ConstituentFactory.create_batch(3, member=member_a)
    ConstituentFactory(member=member_b)
    ContactLogFactory(member=member_a, constituents=people[:1], summary="本月走访")
    ContactLogFactory(
        member=member_a, constituents=people[1:2], summary="去年走访",
        contacted_at=timezone.now() - timezone.timedelta(days=400),
    )
    ContactLogFactory(member=member_b, summary="别人的联系")
    response = client_for(member_a).get(reverse("members:member-home"))
    assert response.context["constituent_count"] == 3
    assert response.context["month_contact_count"] == 1
    html = response.content.decode()
    assert "本月走访" in html
    assert "别人的联系" not in html
    assert reverse("activities:contactlog-create") in html


def test_home_recent_contacts_read_as_their_template_wrote_them(client_for, member_a):
    """The latest contacts are written in Python (``recent_contact_rows``): the people reached,
    escaped and joined by 、, the day in the language's format, the channel, the summary cut at
    40 characters as ``|truncatechars:40`` cuts it, the link to the log."""
    from django.utils.text import Truncator

    people = [ConstituentFactory(member=member_a, name="<i>甲</i>"), ConstituentFactory(member=member_a, name="乙")]
    summary = "走访<script>" + "了解情况" * 20
    log = ContactLogFactory(member=member_a, constituents=people, summary=summary)
    body = client_for(member_a).get(reverse("members:member-home")).content.decode()
    day = timezone.localtime(log.contacted_at).date()
    names = "&lt;i&gt;甲&lt;/i&gt;、乙"  # in the people's order: name, then id
    cut = Truncator(summary).chars(40).replace("<", "&lt;").replace(">", "&gt;")
    assert len(cut) < len(summary)
    assert "<script>" not in body
    assert (f'<a class="list-group-item list-group-item-action" href="{log.get_absolute_url()}">'
            '<div class="d-flex justify-content-between">'
            f'<span class="fw-semibold text-truncate">{names}</span>'
            f'<small class="text-secondary text-nowrap ms-2">{day.year}年{day.month}月{day.day}日</small>'
            "</div>"
            f'<small class="text-secondary">{log.get_channel_display()} · {cut}</small></a>') in body


def test_home_writes_the_latest_contacts_times_into_the_people_statement(client_for, member_a):
    """The people reached are read with the logs' first and last times written into the
    statement (``members.home.REACHED_SQL``), so that PostgreSQL plans it for those months'
    partitions; only the logs' ids are parameters."""
    from django.db import connection

    person = ConstituentFactory(member=member_a)
    logs = [ContactLogFactory(member=member_a, constituents=[person],
                              contacted_at=timezone.now() - timezone.timedelta(days=40 * n))
            for n in range(2)]
    seen = []

    def record(execute, sql, params, many, context):
        seen.append((sql, params))
        return execute(sql, params, many, context)

    client = client_for(member_a)
    with connection.execute_wrapper(record):
        client.get(reverse("members:member-home"))
    [(sql, params)] = [(sql, params) for sql, params in seen if "contact_log_id IN" in sql]
    assert sorted(params) == sorted(log.pk for log in logs)
    first, last = sorted(timezone.localtime(log.contacted_at).astimezone(UTC) for log in logs)
    for moment in (first, last):
        assert moment.strftime("%Y-%m-%d") in sql


def test_home_looks_for_the_latest_contacts_in_the_last_three_months_first(client_for, member_a):
    """The latest five are read among the logs since the first day of the month before last
    (``members.home.RECENT_SINCE_SQL``, the day written into the statement); among all only
    when fewer than five are there, so the page lists the same five either way."""
    from django.db import connection

    from members.home import LOOK_BACK, months_back

    person = ConstituentFactory(member=member_a)
    start = timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    bound = months_back(start, LOOK_BACK)
    assert (bound.month - start.month) % 12 == (12 - LOOK_BACK) % 12
    assert bound.day == 1
    old = [ContactLogFactory(member=member_a, constituents=[person], summary=f"旧{n}",
                             contacted_at=bound - timezone.timedelta(days=3 + n)) for n in range(4)]
    new = [ContactLogFactory(member=member_a, constituents=[person], summary=f"新{n}",
                             contacted_at=bound + timezone.timedelta(hours=1 + n)) for n in range(2)]
    seen = []

    def record(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    client = client_for(member_a)

    def shown():
        with connection.execute_wrapper(record):
            response = client.get(reverse("members:member-home"))
        return [log.pk for log in response.context["recent_logs"]]

    # two since the bound: the others are looked for among all
    assert shown() == [new[1].pk, new[0].pk, old[0].pk, old[1].pk, old[2].pk]
    latest = [sql for sql in seen if "ORDER BY contacted_at DESC" in sql]
    assert len(latest) == 2
    assert any(f"{day:%Y-%m-%d}" in latest[0] for day in (bound, bound.astimezone(UTC)))
    # five since the bound: one statement
    more = [ContactLogFactory(member=member_a, constituents=[person],
                              contacted_at=timezone.now() - timezone.timedelta(minutes=n + 1))
            for n in range(3)]
    seen.clear()
    assert shown() == [more[0].pk, more[1].pk, more[2].pk, new[1].pk, new[0].pk]
    assert len([sql for sql in seen if "ORDER BY contacted_at DESC" in sql]) == 1


def generic_plan(sql: str, ids: list[int | str]) -> str:
    """EXPLAIN of ``sql`` prepared as psycopg prepares it (its ``%s`` numbered parameters),
    with the plan PostgreSQL keeps for any values (``force_generic_plan``), run for ``ids``
    (integers, or other values as SQL literals)."""
    import re

    from django.db import connection

    numbered = iter(range(1, len(ids) + 1))
    with connection.cursor() as cursor:
        cursor.execute("PREPARE planned AS " + re.sub("%s", lambda _: f"${next(numbered)}", sql))
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        values = ", ".join(n if isinstance(n, str) else str(int(n)) for n in ids)
        cursor.execute(f"EXPLAIN EXECUTE planned({values})")
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("DEALLOCATE planned")
    return plan


@pytest.mark.postgres
def test_home_latest_contacts_read_only_the_last_three_months_partitions(member_a):
    """Prepared as the portal prepares it, the bounded statement's plan reads the partitions
    of the month before last and after alone."""
    import re

    from django.db import connection

    from activities import partitions
    from members import home
    from members.common.literals import literal

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's partitions")
    start = timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    bound = home.months_back(start, home.LOOK_BACK)
    partitions.partitions_ensure(first=(bound - timezone.timedelta(days=100)).date(), ahead=1)
    sql = home._sql(connection, home.RECENT_SINCE_SQL, limit=5, since=literal(connection, bound))
    plan = generic_plan(sql, [member_a.pk])
    read = set(re.findall(r"activities_contactlog_p(\d{6})", plan))
    assert read, plan
    assert min(read) == f"{bound:%Y%m}", plan


def test_home_without_contacts_says_so(client_for, member_a):
    body = client_for(member_a).get(reverse("members:member-home")).content.decode()
    assert '<div class="list-group-item text-secondary">还没有联系记录。</div>' in body


@pytest.mark.parametrize("size", [2, 20])
@pytest.mark.parametrize("pending", [False, True])
def test_home_query_budget(client_for, member_a, django_assert_num_queries, size, pending):
    people = ConstituentFactory.create_batch(size, member=member_a)
    for p in people:
        ContactLogFactory(member=member_a, constituents=[p])
    if pending:  # a must-visit of member_a's, open (its bound set by the trigger)
        from activities.models import MustVisitRule, Reminder
        from activities.reminders.services.rules import rules_install_defaults

        rules_install_defaults(council=member_a.council)
        today = timezone.localdate()
        Reminder.objects.create(
            council=member_a.council, rule=MustVisitRule.objects.filter(council=member_a.council).first(),
            member=member_a, constituent=people[0], period_key="budget", trigger_on=today,
            due_on=today,
        )
    client = client_for(member_a)
    # session, user with member (its unread counter, its pending must-visits' bound), the
    # counts (roster, never contacted, this month: one query), recent logs (of the last three
    # months; then of all, for a member with fewer than five there), their constituents, and
    # the must-visits only if one is pending
    with django_assert_num_queries(5 + (size < 5) + pending):
        client.get(reverse("members:member-home"))


def test_home_counts_the_month_from_its_first_local_midnight(client_for, member_a):
    """The month's first day is written into the counts' statement (members.common.literals):
    in the portal's time zone, whatever the database stores (UTC text on SQLite)."""
    person = ConstituentFactory(member=member_a)
    start = timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    ContactLogFactory(member=member_a, constituents=[person], summary="月初",
                      contacted_at=start + timezone.timedelta(minutes=30))
    ContactLogFactory(member=member_a, constituents=[person], summary="上月末",
                      contacted_at=start - timezone.timedelta(minutes=30))
    response = client_for(member_a).get(reverse("members:member-home"))
    assert response.context["month_contact_count"] == 1
    recent = response.context["recent_logs"]
    assert [log.summary for log in recent] == ["月初", "上月末"]
    assert [[c.name for c in log.reached] for log in recent] == [[person.name], [person.name]]
    assert recent[0].contacted_at == start + timezone.timedelta(minutes=30)
    html = response.content.decode()
    assert recent[0].get_absolute_url() in html
    assert str(recent[0].get_channel_display()) in html


@pytest.mark.postgres
def test_the_home_counts_plan_knows_the_months_it_reads(member_a):
    """The plan PostgreSQL makes once for the prepared counts (settings
    DATABASE_PREPARE_THRESHOLD) reads only the logs' partitions from this month on. With the
    month a parameter, that plan covered every month (pruned only when run), PostgreSQL
    judged it dearer than planning anew, and planned the statement on every request."""
    import re

    from django.db import connection

    from activities import partitions
    from members import home
    from members.common.literals import literal

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's partitions")
    start = timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    partitions.partitions_ensure(first=(start - timezone.timedelta(days=70)).date(), ahead=1)
    sql = home._sql(connection, home.COUNTS_SQL, since=literal(connection, start))
    plan = generic_plan(sql, [member_a.pk] * 3)
    read = set(re.findall(r"activities_contactlog_p(\d{6})", plan))
    assert read, plan
    assert min(read) == f"{start:%Y%m}", plan
    assert "Subplans Removed" not in plan


# My constituents -------------------------------------------------------------------------


def test_roster_never_contacted_first_and_only_mine(client_for, member_a, member_b):
    seen = ConstituentFactory(member=member_a, name="甲", last_contacted_at=timezone.now())
    never = ConstituentFactory(member=member_a, name="乙")
    ConstituentFactory(member=member_b, name="丙")
    response = client_for(member_a).get(reverse("members:my-constituents"))
    assert [row.pk for row in response.context["page"]] == [never.pk, seen.pk]


def test_roster_search_by_name_unit_or_community(client_for, member_a):
    ConstituentFactory(member=member_a, name="赵一", unit="七台河供电", community="新华社区")
    ConstituentFactory(member=member_a, name="钱二", unit="兴安煤矿", community="兴北社区")
    client = client_for(member_a)
    for text, expected in [("赵", ["赵一"]), ("煤矿", ["钱二"]), ("新华", ["赵一"]), ("无此人", [])]:
        page = client.get(reverse("members:my-constituents"), {"q": text}).context["page"]
        assert [c.name for c in page] == expected


def test_each_roster_row_links_to_its_own_page_and_log_form(client_for, member_a):
    people = ConstituentFactory.create_batch(3, member=member_a)
    body = client_for(member_a).get(reverse("members:my-constituents")).content.decode()
    log_form = reverse("activities:contactlog-create")
    for person in people:
        assert f'href="{person.get_absolute_url()}"' in body
        assert f'href="{log_form}?constituent={person.pk}"' in body


def test_roster_rows_show_what_the_row_template_showed_escaped(client_for, member_a):
    """The rows are built in Python (members.templatetags.roster): each value escaped, the
    unit and community joined, the last contact's local date or the never-contacted badge."""
    contacted = datetime(2026, 3, 31, 23, 30, tzinfo=UTC)
    ConstituentFactory(member=member_a, name="<b>周五</b>", unit="七台河供电", community="新华社区",
                       last_contacted_at=contacted)
    ConstituentFactory(member=member_a, name="吴六", unit="", community="兴北社区")
    body = client_for(member_a).get(reverse("members:my-constituents")).content.decode()
    assert "&lt;b&gt;周五&lt;/b&gt;" in body
    assert "<b>周五" not in body
    assert "七台河供电 · 新华社区" in body
    assert ">兴北社区</small>" in body  # no separator before a missing unit
    assert "最近联系 2026年4月1日" in body  # Shanghai's date of 23:30 UTC
    assert body.count('class="badge text-bg-warning">从未联系</span>') == 1


def test_an_empty_roster_says_so(client_for, member_a):
    body = client_for(member_a).get(reverse("members:my-constituents")).content.decode()
    assert "您的联系名单还是空的，请添加您联系的群众。" in body


def test_address_of_is_reverse_for_any_id_and_prefix():
    from django.urls import set_script_prefix

    from members.common.urls import address_of
    from members.templatetags.portal_urls import address

    try:
        for prefix in ("/", "/portal/", "/"):  # the pattern is kept per prefix
            set_script_prefix(prefix)
            for name in ("members:constituent-detail", "members:member-detail",
                         "activities:contactlog-detail"):
                for pk in (1, 7, 2_147_483_646, 12345678901):
                    assert address_of(name)(pk) == reverse(name, args=[pk])
                    assert address(pk, name) == reverse(name, args=[pk])
    finally:
        set_script_prefix("/")


@pytest.mark.parametrize("size", [3, 40])
def test_roster_query_budget(client_for, member_a, django_assert_max_num_queries, size):
    ConstituentFactory.create_batch(size, member=member_a)
    client = client_for(member_a)
    # session, user (with the member and the unread counter), page: the total is the
    # member's counter
    with django_assert_max_num_queries(3):
        response = client.get(reverse("members:my-constituents"))
    assert len(response.context["page"]) == min(size, 30)
    # a search counts its matches: one query more
    with django_assert_max_num_queries(4):
        client.get(reverse("members:my-constituents"), {"q": "x"})


def test_roster_total_and_pages_follow_every_change(client_for, member_a, member_b, staff):
    """The unsearched roster's total is the member's counter of active constituents: it
    follows adding, editing out of service, moving and deleting, and the pages with it."""
    from members import services

    people = ConstituentFactory.create_batch(33, member=member_a)
    ConstituentFactory.create_batch(2, member=member_b)
    services.constituent_update(by=member_a.user, constituent=people[0], active=False)
    services.constituent_move(by=staff, constituent=people[1], member=member_b)
    services.constituent_delete(by=staff, constituent=people[2])
    services.constituent_create(by=member_a.user, member=member_a, name="新来的")
    expected = Constituent.objects.filter(member=member_a, active=True).count()
    assert expected == 31
    client = client_for(member_a)
    first = client.get(reverse("members:my-constituents"))
    assert first.context["page"].paginator.count == expected
    assert f"共 {expected} 人" in first.content.decode()
    last = client.get(reverse("members:my-constituents"), {"page": 2}).context["page"]
    assert len(last) == expected - 30


# Add and edit ----------------------------------------------------------------------------


def test_member_adds_a_constituent_with_a_messy_phone(client_for, member_a):
    response = client_for(member_a).post(
        reverse("members:constituent-create"),
        {"name": " 孙三 ", "phone": "１３９ 1234-5678", "community": "新建社区"},
    )
    person = Constituent.objects.get(name="孙三")
    assert response.status_code == 302
    assert response["Location"] == person.get_absolute_url()
    assert person.phone == "13912345678"
    assert person.member == member_a
    assert person.council == member_a.council
    assert person.sector == member_a.sector
    assert person.history.get().history_user == member_a.user


@pytest.mark.parametrize(
    ("data", "field"),
    [({"name": "孙三", "phone": "12345"}, "phone"), ({"name": "", "phone": ""}, "name")],
)
def test_bad_input_is_refused_and_nothing_is_written(client_for, member_a, data, field):
    response = client_for(member_a).post(reverse("members:constituent-create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not Constituent.objects.exists()


def test_the_same_phone_twice_on_a_roster_is_refused(client_for, member_a, person):
    response = client_for(member_a).post(
        reverse("members:constituent-create"), {"name": "王二", "phone": "138-1234-5678"}
    )
    assert response.status_code == 200
    assert "王群众" in str(response.context["form"].errors["phone"])
    assert Constituent.objects.count() == 1


def test_another_member_may_keep_the_same_person(member_b, person):
    other = constituent_create(by=member_b.user, member=member_b, name="王群众", phone="13812345678")
    assert other.pk != person.pk


@pytest.mark.parametrize("persona", ["member_a", "staff"])
def test_member_or_staff_edit(request, client_for, person, persona):
    editor = request.getfixturevalue(persona)
    response = client_for(editor).post(
        reverse("members:constituent-edit", args=[person.pk]),
        {"name": "王群众", "phone": "0464-1234567", "unit": "新单位"},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.phone, person.unit) == ("04641234567", "新单位")
    user = getattr(editor, "user", editor)
    assert person.history.latest().history_user == user


def test_services_refuse_outsiders(member_a, member_b, other_staff, leader, person):
    from django.core.exceptions import PermissionDenied

    for outsider in (member_b.user, other_staff, leader):
        with pytest.raises(PermissionDenied):
            constituent_update(by=outsider, constituent=person, name="改名")
        with pytest.raises(PermissionDenied):
            constituent_create(by=outsider, member=member_a, name="新人")
    assert Constituent.objects.count() == 1


@pytest.mark.parametrize("size", [1, 15])
def test_detail_query_budget(client_for, member_a, person, django_assert_max_num_queries, size):
    for _ in range(size):
        ContactLogFactory(member=member_a, constituents=[person])
    client = client_for(member_a)
    # session, user, constituent (+member, sector), member of the user, logs
    with django_assert_max_num_queries(5):
        client.get(person.get_absolute_url())


def test_home_counts_are_the_members_own(client_for, member_a, member_b):
    from members.models import Notification

    ConstituentFactory.create_batch(3, member=member_a)
    seen = ConstituentFactory(member=member_a, last_contacted_at=timezone.now())
    ConstituentFactory(member=member_a, active=False)
    ConstituentFactory.create_batch(2, member=member_b)
    ContactLogFactory(member=member_a, constituents=[seen])
    ContactLogFactory(member=member_b, constituents=[ConstituentFactory(member=member_b)])
    for user, key in ((member_a.user, "a1"), (member_a.user, "a2"), (member_b.user, "b1")):
        services.notification_send(users=[user], kind="digest", subject=key, key=key)
    services.notification_read(notice=Notification.objects.get(key="a2"))
    response = client_for(member_a).get(reverse("members:member-home"))
    context = response.context
    assert (context["constituent_count"], context["never_contacted_count"],
            context["month_contact_count"]) == (4, 3, 1)
    assert '<span class="badge rounded-pill bg-danger" data-testid="unread-count">1</span>' in (
        response.content.decode())


def test_every_pages_badge_counts_the_users_own_unread_notices(client_for, member_a, member_b):
    """The navbar's count is the user's own counter (``User.unread_notices``), read with the
    user: the page counts no notices. It is what the ORM counts: the user's own notices, the
    read ones left out."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from members.models import Notification

    for user, key in ((member_a.user, "a1"), (member_a.user, "a2"), (member_a.user, "a3"),
                      (member_b.user, "b1")):
        services.notification_send(users=[user], kind="digest", subject=key, key=key)
    services.notification_read(notice=Notification.objects.get(key="a3"))
    for member in (member_a, member_b):
        member.user.refresh_from_db()
        assert member.user.unread_notices == Notification.objects.for_user(member.user).unread().count()
    client = client_for(member_a)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("members:my-constituents"))
    assert '<span class="badge rounded-pill bg-danger" data-testid="unread-count">2</span>' in (
        response.content.decode())
    assert not [q for q in queries.captured_queries if Notification._meta.db_table in q["sql"]]
