from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = _("Contacts and activities")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Events of apps that may not import activities, wired here. A new council gets
        # its default rules in the same transaction; the other receivers only enqueue a
        # task on commit, and the reminders are made by activities.reminders.services.
        from django.db.models.signals import post_save

        from members.models import Constituent, Council
        from proposals.signals import proposal_replied

        post_save.connect(_council_saved, sender=Council, dispatch_uid="reminders-default-rules")
        post_save.connect(_constituent_saved, sender=Constituent, dispatch_uid="reminders-first-visit")
        proposal_replied.connect(_proposal_replied, dispatch_uid="reminders-proposal-replied")


def _council_saved(sender, instance, created, raw=False, **kwargs):
    """Every new council (admin, demo, import) starts with the eight default must-visit
    rules, as the existing ones got them from migration 0004. Idempotent by rule name."""
    if created and not raw:
        from activities.reminders.services.rules import rules_install_defaults

        rules_install_defaults(council=instance)


def _constituent_saved(sender, instance, created, raw=False, **kwargs):
    """A constituent added one by one (form, admin) gets its first-visit reminder at once;
    bulk imports (no post_save) are covered by the daily sweep, which is set-based."""
    if created and not raw:
        from activities.reminders.services.triggers import enqueue_for_new_constituent

        enqueue_for_new_constituent(instance.pk)


def _proposal_replied(sender, proposal_id, **kwargs):
    from activities.reminders.services.triggers import enqueue_for_proposal_reply

    enqueue_for_proposal_reply(proposal_id)
