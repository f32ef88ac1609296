"""A member on a phone sees today's must-visit on the home page, taps 记录联系, saves the
contact, and the reminder is gone."""

from datetime import timedelta

import pytest
from django.utils import timezone

from activities.contacts.services import contact_log_create
from activities.models import Reminder
from activities.reminders.services.rules import rules_install_defaults
from activities.reminders.services.sweep import reminders_sweep
from tests.e2e.conftest import ARTIFACTS, log_in
from tests.factories import ConstituentFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_member_clears_a_must_visit_from_the_home_page(phone, live_server, council, member_a):
    rules_install_defaults(council=council)
    person = ConstituentFactory(member=member_a, name="赵阿姨")
    ConstituentFactory(member=member_a, name="钱师傅")
    # A week ago the member found her in difficulty: the follow-up visit is due today.
    contact_log_create(by=member_a.user, member=member_a, constituents=[person],
                       contacted_at=timezone.now() - timedelta(days=7), channel="forum",
                       mode="visit", summary="老人住院", difficulty=True, difficulty_kind="illness")
    reminders_sweep(today=timezone.localdate())
    reminder = Reminder.objects.get(constituent=person, rule__trigger_type="difficulty")
    assert reminder.due_on == timezone.localdate()

    log_in(phone, live_server, "member_a")
    today = phone.get_by_test_id("reminders-today")
    assert "赵阿姨" in today.inner_text()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "reminder_home_375.png"), full_page=True)

    phone.get_by_test_id(f"reminder-{reminder.pk}").get_by_role("link").click()
    phone.wait_for_load_state()
    assert phone.locator(f"input[name=constituents][value='{person.pk}']").is_checked()
    phone.fill("textarea[name=summary]", "上门首访，了解家庭情况")
    phone.locator("form button[type=submit]").last.click()
    phone.wait_for_load_state()

    reminder.refresh_from_db()
    assert reminder.state == "done"
    phone.goto(f"{live_server.url}/members/me/")
    assert phone.get_by_test_id(f"reminder-{reminder.pk}").count() == 0
