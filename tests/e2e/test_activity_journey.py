"""Staff create a cross-sector activity with a photo (desktop), a member signs up on a phone,
staff mark attendance after the day, and the platform page shows the activity."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.utils import timezone
from PIL import Image

from activities.events.services.activities import activity_kinds_ensure
from activities.models import Activity, Attendance
from tests.e2e.conftest import ARTIFACTS, log_in
from tests.factories import PlatformFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _photo(tmp_path):
    path = tmp_path / "助农现场.jpg"
    out = BytesIO()
    Image.new("RGB", (640, 480), (40, 120, 60)).save(out, format="JPEG")
    path.write_bytes(out.getvalue())
    return path


def test_cross_sector_activity_journey(
    desktop, phone, live_server, tmp_path, council, staff, member_a, sector, other_sector
):
    platform = PlatformFactory(council=council, name="农业界委员工作室")
    platform.members.add(member_a)
    kinds = {k.name: k for k in activity_kinds_ensure(council=council)}
    starts = timezone.localtime() + timedelta(days=3)

    # Staff, on a desktop: a new cross-sector activity with a photo.
    log_in(desktop, live_server, "staff")
    desktop.goto(f"{live_server.url}/activities/events/new/")
    desktop.fill("input[name=title]", "经济界农业界委员助农行")
    desktop.select_option("select[name=kind]", str(kinds["助农"].pk))
    desktop.select_option("select[name=channel]", "research")
    desktop.fill("input[name=starts_at]", starts.strftime("%Y-%m-%dT%H:%M"))
    desktop.select_option("select[name=platform]", str(platform.pk))
    desktop.check(f"input[name=sectors][value='{sector.pk}']")
    desktop.check(f"input[name=sectors][value='{other_sector.pk}']")
    desktop.set_input_files("input[name=photos]", str(_photo(tmp_path)))
    desktop.click("form[enctype] button[type=submit]")
    desktop.wait_for_selector("[data-testid=cross-sector]")
    activity = Activity.objects.get(title="经济界农业界委员助农行")
    assert activity.photos.count() == 1
    assert desktop.locator("img.thumb").count() == 1

    # The member, on a phone: finds it among the upcoming activities and signs up.
    log_in(phone, live_server, "member_a")
    phone.goto(f"{live_server.url}/activities/events/upcoming/")
    phone.click("text=经济界农业界委员助农行")
    phone.click("form[action$='/sign-up/'] button")
    phone.wait_for_selector("[data-testid=signed-up]")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "activity-signed-up-phone.png"), full_page=True)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    assert Attendance.objects.filter(activity=activity, member=member_a, signed_up_at__isnull=False).exists()

    # The day has come and gone (moved in the database rather than waiting).
    Activity.objects.filter(pk=activity.pk).update(
        starts_at=timezone.now() - timedelta(days=1), state=Activity.State.HELD
    )
    desktop.goto(f"{live_server.url}{activity.get_absolute_url()}")
    # Who came is typed into the member picker (no box for every member of the council).
    desktop.locator("select[name=attended] + .ts-wrapper .ts-control").click()
    desktop.keyboard.type(member_a.name[:2])
    desktop.locator(".ts-dropdown .option", has_text=member_a.name).click()
    desktop.keyboard.press("Escape")
    desktop.click("form.attendance-form button[type=submit]")
    desktop.wait_for_selector("[data-testid=attendance-counts]")
    assert desktop.inner_text("[data-testid=attendance-counts]").split() == ["1", "/", "1"]
    assert Attendance.objects.get(activity=activity, member=member_a).attended

    # The platform page shows it, in its activities section.
    desktop.goto(f"{live_server.url}{platform.get_absolute_url()}")
    desktop.wait_for_selector("[data-testid=platform-events]")
    section = desktop.inner_text("[data-testid=platform-events]")
    assert "经济界农业界委员助农行" in section
    desktop.screenshot(path=str(ARTIFACTS / "platform-with-activity.png"), full_page=True)
