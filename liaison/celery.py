"""The Celery app. Tasks are discovered in each app's ``tasks.py``.

Without ``CELERY_BROKER_URL`` (the laptop default) settings turn on eager mode: the same
tasks run in-process through the same code, so nothing needs Redis to work.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")

app = Celery("liaison")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
