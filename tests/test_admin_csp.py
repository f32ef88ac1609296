"""The Django admin under the portal's CSP (script-src 'self'): an inline script is blocked,
so the admin pages the portal relies on must have none."""

import re

from django_celery_beat.models import PeriodicTask

# A <script> that is neither a file (src=) nor data (json_script).
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.IGNORECASE)


def test_the_periodic_task_form_has_no_inline_script(admin_client):
    """django-celery-beat's form shows the crontab in words with an inline script; the
    portal's copy of its template loads the same behaviour from a static file."""
    task = PeriodicTask.objects.exclude(crontab=None).first()
    for url in ("/admin/django_celery_beat/periodictask/add/",
                f"/admin/django_celery_beat/periodictask/{task.pk}/change/"):
        page = admin_client.get(url).content.decode()
        assert INLINE_SCRIPT.findall(page) == [], url
        assert 'id="readable-crontabs"' in page
        assert "js/periodic-task-form.js" in page
