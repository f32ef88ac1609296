"""Reminder pages: who sees what (member only theirs; other council 404), query budgets at
two data sizes, the rule editor and the campaign launcher."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import translation

from activities.models import Campaign, MustVisitRule, Reminder, TriggerType
from activities.reminders.services.rules import rules_install_defaults
from activities.reminders.services.sweep import reminders_sweep
from activities.templatetags.reminders import SHOWN_PER_SECTION, home_sections
from tests.activities.reminders.reminder_helpers import TODAY
from tests.factories import ConstituentFactory, MemberFactory

pytestmark = pytest.mark.django_db


def fresh(member):
    """``member`` as a request loads it (its ``pending_since`` as the triggers left it)."""
    member.refresh_from_db()
    return member


@pytest.fixture
def reminders_for(council):
    rules_install_defaults(council=council)

    def make(member, n):
        ConstituentFactory.create_batch(n, member=member)
        reminders_sweep(today=TODAY)

    return make


@pytest.mark.parametrize("page", ["members:member-home", "members:my-constituents",
                                  "activities:contactlog-create"])
def test_member_pages_read_only_the_columns_they_show(page, member_a, reminders_for, client_for):
    """The member pages opened most (home with its must-visits, roster, log-a-contact) build
    constituent and reminder rows from the columns they show: whole rows (a sealed phone to
    open per person, every reminder column) cost more to build than their queries take."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.proposals.factories import ProposalFactory

    reminders_for(member_a, 3)
    Reminder.objects.update(due_on=TODAY)
    ProposalFactory(proposer=member_a)  # offered on the log-a-contact form
    client = client_for(member_a)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse(page)).status_code == 200
    for query in queries.captured_queries:
        assert '"members_constituent"."phone"' not in query["sql"], query["sql"]
        assert '"activities_reminder"."period_key"' not in query["sql"], query["sql"]
        assert '"proposals_proposal"."reasons"' not in query["sql"], query["sql"]


@pytest.mark.parametrize("n", [3, 30])
def test_member_home_shows_own_reminders_in_a_fixed_number_of_queries(
    n, member_a, member_b, reminders_for, client_for, django_assert_max_num_queries
):
    reminders_for(member_a, n)
    reminders_for(member_b, 2)
    Reminder.objects.update(due_on=TODAY)
    client = client_for(member_a)
    # session, user with member (and the unread counter); the home's counts (one query),
    # recent logs and their constituents — and one for the must-visits (the first few of
    # each section, with the section's size)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("members:member-home"))
    body = response.content.decode()
    assert body.count('data-testid="reminder-') == min(n, SHOWN_PER_SECTION)
    for other in Reminder.objects.filter(member=member_b):
        assert f'data-testid="reminder-{other.pk}"' not in body


def test_member_home_lists_a_few_must_visits_per_section_and_counts_them_all(
    member_a, reminders_for, client_for
):
    """A campaign can give a member dozens of must-visits at once: each section of the
    phone's home page shows the first few (soonest due first) and says how many there are."""
    reminders_for(member_a, 25)
    ids = list(Reminder.objects.filter(member=member_a).order_by("pk").values_list("pk", flat=True))
    Reminder.objects.filter(pk__in=ids[:15]).update(due_on=TODAY - timedelta(days=3), state="overdue")
    Reminder.objects.filter(pk__in=ids[15:]).update(due_on=TODAY, state="open")
    response = client_for(member_a).get(reverse("members:member-home"))
    sections = home_sections(fresh(member_a), TODAY)
    assert [len(s.items) for s in sections.values()] == [SHOWN_PER_SECTION, len(ids) - 15, 0]
    assert [r.pk for r in sections["overdue"].items] == ids[:SHOWN_PER_SECTION]
    assert sections["overdue"].count == 15
    body = response.content.decode()
    assert body.count('data-testid="reminder-') == SHOWN_PER_SECTION + len(ids) - 15
    assert "全部 15 条" in body


def test_member_home_sections_follow_state_and_due_day(member_a, member_b, reminders_for, client_for):
    """Each pending must-visit of the member's own falls in one section (overdue by state or
    by a past due day, due today, due within the week); done, dismissed, later and other
    members' ones are left out. A reminder about no one in particular and a difficulty's
    note read as people read them."""
    reminders_for(member_a, 8)
    reminders_for(member_b, 1)
    mine = list(Reminder.objects.filter(member=member_a).order_by("pk"))
    setups = [
        ("overdue", TODAY + timedelta(days=1)),  # marked overdue: overdue whatever its day
        ("open", TODAY - timedelta(days=1)),  # its day passed, not yet marked
        ("open", TODAY),
        ("open", TODAY + timedelta(days=7)),
        ("open", TODAY + timedelta(days=8)),  # beyond the week
        ("done", TODAY),
        ("dismissed", TODAY),
        ("open", TODAY + timedelta(days=2)),
    ]
    for reminder, (state, due_on) in zip(mine, setups, strict=True):
        Reminder.objects.filter(pk=reminder.pk).update(state=state, due_on=due_on, dismissed_reason="x")
    Reminder.objects.filter(member=member_b).update(state="open", due_on=TODAY)
    illness = mine[2]
    illness.rule.trigger_type = TriggerType.DIFFICULTY
    illness.rule.save()
    Reminder.objects.filter(pk=illness.pk).update(note="illness", constituent=None)

    response = client_for(member_a).get(reverse("members:member-home"))
    sections = home_sections(fresh(member_a), TODAY)
    assert [[r.pk for r in s.items] for s in sections.values()] == [
        [mine[1].pk, mine[0].pk], [mine[2].pk], [mine[7].pk, mine[3].pk]]
    assert [s.count for s in sections.values()] == [2, 1, 2]
    shown = sections["due_today"].items[0]
    assert shown.constituent_id is None
    assert shown.note_label == "疾病"
    body = response.content.decode()
    assert "任一联系群众" in body
    assert f"constituent={mine[0].constituent_id}" in body


@pytest.mark.parametrize("n", [3, 30])
def test_member_reminder_list_budget(n, member_a, reminders_for, client_for, django_assert_max_num_queries):
    reminders_for(member_a, n)
    client = client_for(member_a)
    # session, user (with the member), count, page of reminders (with rule, member, constituent)
    with django_assert_max_num_queries(4):
        response = client.get(reverse("activities:reminder-list"))
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="reminder-') == n


@pytest.mark.parametrize("n", [3, 30])
def test_staff_compliance_and_drill_down_budgets(
    n, staff, member_a, member_b, reminders_for, client_for, django_assert_max_num_queries
):
    reminders_for(member_a, n)
    reminders_for(member_b, 2)
    client = client_for(staff)
    for by in ["member", "sector", "committee", "rule"]:
        # session, user, council, one aggregate
        with django_assert_max_num_queries(4):
            response = client.get(reverse("activities:compliance"), {"by": by})
        assert response.status_code == 200
    # session, user, council ×2, filter choices (rule, sector, committee, member), count, page
    with django_assert_max_num_queries(11):
        response = client.get(reverse("activities:reminder-list"), {"member": member_a.pk})
    assert response.content.decode().count('data-testid="reminder-') == n


def test_compliance_rates(staff, member_a, reminders_for, client_for):
    reminders_for(member_a, 2)
    Reminder.objects.filter(pk=Reminder.objects.first().pk).update(state="done", on_time=True)
    Reminder.objects.exclude(state="done").update(state="overdue")
    response = client_for(staff).get(reverse("activities:compliance"), {"by": "rule"})
    assert response.context["totals"]["rate"] == 50


def test_outsiders_get_404_and_members_403(member_a, other_staff, other_member, member_b,
                                            reminders_for, client_for, council):
    reminders_for(member_a, 1)
    reminder = Reminder.objects.get()
    rule = MustVisitRule.objects.filter(council=council).first()
    dismiss = reverse("activities:reminder-dismiss", args=[reminder.pk])
    assert client_for(other_staff).post(dismiss, {"reason": "x"}).status_code == 404
    assert client_for(member_b).post(dismiss, {"reason": "x"}).status_code == 404
    assert client_for(other_staff).get(reverse("activities:rule-edit", args=[rule.pk])).status_code == 404
    assert client_for(other_staff).get(reverse("activities:reminder-list")).content.decode().count(
        'data-testid="reminder-') == 0
    for name in ["compliance", "rule-list", "campaign-list", "campaign-create", "rule-create"]:
        assert client_for(member_a).get(reverse(f"activities:{name}")).status_code == 403
    assert client_for(other_member).get(reverse("activities:reminder-list")).status_code == 200
    reminder.refresh_from_db()
    assert reminder.state == "open"


def test_leader_reads_but_does_not_edit(leader, council, client_for):
    rules_install_defaults(council=council)
    rule = MustVisitRule.objects.filter(council=council).first()
    client = client_for(leader)
    assert client.get(reverse("activities:rule-list")).status_code == 200
    assert client.get(reverse("activities:rule-edit", args=[rule.pk])).status_code == 403
    assert client.post(reverse("activities:rule-toggle", args=[rule.pk])).status_code == 403


def test_member_dismisses_with_a_reason_only(member_a, reminders_for, client_for):
    reminders_for(member_a, 1)
    reminder = Reminder.objects.get()
    client = client_for(member_a)
    url = reverse("activities:reminder-dismiss", args=[reminder.pk])
    client.post(url, {"reason": " "})
    reminder.refresh_from_db()
    assert reminder.state == "open"
    client.post(url, {"reason": "已搬离本区"})
    reminder.refresh_from_db()
    assert (reminder.state, reminder.dismissed_reason) == ("dismissed", "已搬离本区")


def test_rule_editor_validates_and_saves(staff, council, sector, client_for):
    rules_install_defaults(council=council)
    client = client_for(staff)
    url = reverse("activities:rule-create")
    response = client.post(url, {"name": "定期走访", "trigger_type": "periodic", "lead_days": 7, "order": 9})
    assert "A rule with this name already exists." in response.content.decode() or response.status_code == 200
    assert MustVisitRule.objects.filter(council=council).count() == 8
    response = client.post(url, {"name": "每月走访", "trigger_type": "periodic", "lead_days": 7, "order": 9})
    assert MustVisitRule.objects.filter(council=council).count() == 8  # no period: refused
    response = client.post(url, {"name": "国庆走访", "trigger_type": "calendar", "lead_days": 0,
                                 "order": 9, "windows_text": "国庆 13-01 10-07"})
    assert MustVisitRule.objects.filter(council=council).count() == 8  # bad date: refused
    response = client.post(url, {"name": "国庆走访", "trigger_type": "calendar", "lead_days": 0,
                                 "order": 9, "windows_text": "国庆 09-25 10-07", "active": "on",
                                 "sectors": [sector.pk]})
    assert response.status_code == 302
    rule = MustVisitRule.objects.get(name="国庆走访")
    assert rule.windows == [{"label": "国庆", "start": "09-25", "end": "10-07"}]
    assert list(rule.sectors.all()) == [sector]
    response = client.post(reverse("activities:rule-toggle", args=[rule.pk]))
    assert response.status_code == 302, response.content.decode()[:3000]
    rule.refresh_from_db()
    assert rule.active is False


def test_campaign_launcher_previews_then_starts(staff, council, member_a, sector, client_for,
                                                django_capture_on_commit_callbacks):
    rules_install_defaults(council=council)
    ConstituentFactory.create_batch(4, member=member_a)
    MemberFactory(council=council)  # another sector
    rule = MustVisitRule.objects.get(council=council, name="重要会议精神传达")
    client = client_for(staff)
    data = {"rule": rule.pk, "title": "传达十届四次会议精神", "kind": "meeting",
            "sectors": [sector.pk], "due_in_days": 30}
    response = client.post(reverse("activities:campaign-create"), {**data, "preview": "1"})
    assert response.context["preview"] == 4
    assert not Campaign.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("activities:campaign-create"), {**data, "start": "1"})
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert Reminder.objects.filter(campaign=campaign).count() == 4
    assert campaign.due_on == campaign.started_on + timedelta(days=30)
    page = client.get(reverse("activities:campaign-list")).content.decode()
    assert "0 / 4" in page


def test_campaign_rule_of_another_trigger_is_refused(staff, council, client_for):
    rules_install_defaults(council=council)
    periodic = MustVisitRule.objects.get(council=council, trigger_type=TriggerType.PERIODIC)
    response = client_for(staff).post(reverse("activities:campaign-create"), {
        "rule": periodic.pk, "title": "x", "kind": "meeting", "due_in_days": 30, "start": "1"})
    assert response.status_code == 200
    assert not Campaign.objects.exists()


def test_anonymous_users_go_to_login(member_a, reminders_for, client):
    reminders_for(member_a, 1)
    reminder = Reminder.objects.get()
    for response in (
        client.get(reverse("activities:reminder-list")),
        client.post(reverse("activities:reminder-dismiss", args=[reminder.pk]), {"reason": "x"}),
    ):
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    reminder.refresh_from_db()
    assert reminder.state == "open"


def test_each_must_visit_on_the_home_page_opens_the_log_form_for_it(member_a, reminders_for, client_for):
    """The "记录联系" of each must-visit names its reminder and its person (the form ticks the
    person and the saved log closes the reminder), from the address reversed once."""
    from urllib.parse import urlencode

    reminders_for(member_a, 3)
    Reminder.objects.update(due_on=TODAY)
    body = client_for(member_a).get(reverse("members:member-home")).content.decode()
    base = reverse("activities:contactlog-create")
    for reminder in Reminder.objects.filter(member=member_a):
        query = urlencode({"reminder": reminder.pk, "constituent": reminder.constituent_id})
        assert f'href="{base}?{query.replace("&", "&amp;")}"' in body


def test_the_staff_reminder_list_counts_up_to_the_cap_and_pages_by_ids(
    staff, member_a, reminders_for, client_for, monkeypatch
):
    """A province keeps hundreds of thousands of reminders: the staff list counts at most the
    cap (unordered) and reads its page's ids before the rows, in the list's order."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from members.pagination import CappedPaginator

    monkeypatch.setattr(CappedPaginator, "cap", 2)
    reminders_for(member_a, 4)
    client = client_for(staff)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("activities:reminder-list"))
    page = response.context["page"]
    assert page.paginator.capped
    assert "超过 2 条" in response.content.decode()
    counts = [q["sql"] for q in queries.captured_queries
              if q["sql"].startswith("SELECT COUNT(*)") and "activities_reminder" in q["sql"]]
    assert len(counts) == 1
    assert "ORDER BY" not in counts[0]
    expected = list(Reminder.objects.filter(member=member_a).order_by("due_on", "id"))
    # The same rows in the same order, whole (the page is cut at the cap + 1 counted here).
    assert len(expected) > 3
    assert list(page) == expected[:3]
    # A member's own list still counts them all.
    mine = client_for(member_a).get(reverse("activities:reminder-list")).context["page"]
    assert not getattr(mine.paginator, "capped", False)


def test_home_must_visit_rows_read_as_the_row_template_wrote_them(member_a, reminders_for, client_for):
    """The section's rows are written in Python (``reminder_rows``): the person escaped, or
    "any of my constituents"; the rule and its note; the due day in the language's format;
    the button that logs the contact."""
    reminders_for(member_a, 2)
    first, second = Reminder.objects.filter(member=member_a).order_by("pk")
    first.constituent.name = "<b>周五</b>"
    first.constituent.save(update_fields=["name"])
    Reminder.objects.filter(pk=first.pk).update(state="open", due_on=TODAY)
    second.rule.trigger_type = TriggerType.DIFFICULTY
    second.rule.save()
    Reminder.objects.filter(pk=second.pk).update(state="open", due_on=TODAY, note="illness",
                                                 constituent=None)
    body = client_for(member_a).get(reverse("members:member-home")).content.decode()
    assert "&lt;b&gt;周五&lt;/b&gt;" in body
    assert "<b>周五" not in body
    assert f'<div class="small text-body-secondary text-truncate">{second.rule.name} · 疾病</div>' in body
    assert '<div class="fw-semibold text-truncate">任一联系群众</div>' in body
    day = f"{TODAY.year}年{TODAY.month}月{TODAY.day}日前完成"
    assert body.count(f'<div class="small text-body-secondary">{day}</div>') == 2
    # the two rows' buttons, and the page's own above them ("Log a contact")
    assert body.count('<i class="bi bi-pencil-square"></i> 记录联系</a>') == 2 + 1
    form = reverse("activities:contactlog-create")
    assert f'href="{form}?reminder={first.pk}&amp;constituent={first.constituent_id}"' in body
    assert f'href="{form}?reminder={second.pk}"' in body


# The templates the home's must-visits had, kept here as the reference for their markup.
OLD_SECTION = """{% load i18n reminders portal_urls %}
<div class="card mb-2 border-{{ tone }}" data-testid="{{ testid }}">
  <div class="card-header py-1 small fw-semibold text-{{ tone }}-emphasis bg-{{ tone }}-subtle">
    {{ heading }} <span class="badge text-bg-{{ tone }}">{{ count }}</span>
  </div>
  <ul class="list-group list-group-flush">
    {{ rows }}
    {% if count > items|length %}
      <li class="list-group-item small">
        <a href="{% address_of_view 'activities:reminder-list' %}">{% blocktranslate with n=count %}All {{ n }}{% endblocktranslate %} →</a>
      </li>
    {% endif %}
  </ul>
</div>"""
OLD_HOME = """{% load i18n portal_urls %}
<section class="mb-4" data-testid="my-reminders">
  <div class="d-flex align-items-center mb-2">
    <h2 class="h5 mb-0 me-auto">{% translate "Must-visits" %}</h2>
    <a class="small" href="{% address_of_view 'activities:reminder-list' %}">{% translate "All my reminders" %}</a>
  </div>
  {% if not due_today and not due_soon and not overdue %}
    <p class="text-body-secondary small mb-0">{% translate "Nothing due in the next days. Well done." %}</p>
  {% endif %}
  {{ sections }}
</section>"""


def old_markup(sections) -> str:
    from django.template import engines
    from django.utils.safestring import mark_safe

    from activities.templatetags.reminders import reminder_rows

    engine = engines["django"]
    written = []
    for name, heading, tone, testid in [("overdue", "超期", "danger", "reminders-overdue"),
                                        ("due_today", "今日必访", "warning", "reminders-today"),
                                        ("due_soon", "临期", "secondary", "reminders-soon")]:
        section = sections[name]
        if section.items:
            written.append(engine.from_string(OLD_SECTION).render({
                "heading": heading, "items": section.items, "count": section.count, "tone": tone,
                "testid": testid, "rows": reminder_rows(section.items)}))
    context = {name: section.items for name, section in sections.items()}
    return engine.from_string(OLD_HOME).render({**context, "sections": mark_safe("".join(written))})


def between_tags(html: str) -> str:
    import re

    return re.sub(r"\s+", " ", re.sub(r"\s*(<[^>]+>)\s*", r"\1", html)).strip()


@pytest.mark.parametrize("due", ["none", "some", "many"])
def test_home_must_visits_are_the_templates_markup(due, member_a, reminders_for, client_for):
    """The home's must-visit block is written in Python (``my_reminders``): the markup the
    section templates wrote, with nothing due, with a few, and with more than a section shows
    (its "all N" link)."""
    import re

    if due != "none":
        reminders_for(member_a, 14 if due == "many" else 3)
        ids = list(Reminder.objects.filter(member=member_a).order_by("pk").values_list("pk", flat=True))
        Reminder.objects.filter(pk__in=ids[:1]).update(state="overdue", due_on=TODAY - timedelta(days=2))
        Reminder.objects.filter(pk__in=ids[1:-1]).update(state="open", due_on=TODAY)
        Reminder.objects.filter(pk__in=ids[-1:]).update(state="open", due_on=TODAY + timedelta(days=3))
    body = client_for(member_a).get(reverse("members:member-home")).content.decode()
    block = re.search(r'<section class="mb-4" data-testid="my-reminders">.*?</section>', body, re.S)
    expected = between_tags(old_markup(home_sections(fresh(member_a), TODAY)))
    assert between_tags(block.group(0)) == expected
    if due == "none":
        assert "近期没有到期的必访" in expected
    else:
        assert expected.count("data-testid=\"reminders-") == 3
    assert ("全部 12 条" in expected) == (due == "many")


def test_home_must_visits_in_english(member_a, reminders_for, client_for):
    reminders_for(member_a, 1)
    Reminder.objects.update(state="open", due_on=TODAY)
    client = client_for(member_a)
    client.cookies["django_language"] = "en"
    with translation.override("en"):  # the language the request turns on is put back after
        body = client.get(reverse("members:member-home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Must visit today" in body
    assert "All my reminders" in body
