"""The council's administrator, and the installation's superuser in the Django admin."""


def test_admin_reads_notices_and_the_must_visit_rules(visit):
    admin = visit("admin")
    page = admin.page
    assert page.url.endswith("/members/staff/")
    admin.goto("/inbox/")
    admin.goto("/activities/reminders/rules/")
    # The eight default rules of the demo council, each with its switch.
    assert page.locator("main table tbody tr").count() >= 8


def test_superuser_uses_the_django_admin(visit):
    """`superuser` is made by .ci/production, as an operator makes one on a new server."""
    superuser = visit("superuser")
    page = superuser.page
    superuser.goto("/admin/")
    assert page.locator("#content-main .app-members").count() == 1
    superuser.follow(page.locator("#content-main a[href='/admin/members/notification/']").first)
    # The demo's notices, listed.
    assert page.locator("#result_list tbody tr").count() > 0
    # The schedule of the periodic jobs, which staff may edit here (README).
    superuser.goto("/admin/django_celery_beat/periodictask/")
    superuser.follow(page.locator("#result_list tbody tr th a").first)
    assert page.locator("#id_task").count() == 1
