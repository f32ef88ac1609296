from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_schedule(sender, **kwargs):
    """After ``migrate``: the declared periodic jobs exist (liaison/schedule.py)."""
    from liaison.schedule import schedule_sync

    schedule_sync()


class LiaisonConfig(AppConfig):
    name = "liaison"
    verbose_name = _("Liaison portal")

    def ready(self):
        from liaison import checks  # noqa: F401 — registers the deploy checks
        # Infrastructure, not domain flow: the schedule tables are ready once migrate ends.
        post_migrate.connect(_sync_schedule, sender=self, dispatch_uid="liaison-schedule-sync")
