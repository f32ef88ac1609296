from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = _("Contacts and activities")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Members and proposals may not import activities: their services raise explicit
        # events (a council added, a constituent added, a proposal replied), handled by the
        # must-visit reminders. No model signal: a bare save() sets nothing off.
        from activities.contacts import rollups
        from activities.reminders.services import triggers
        from activities.tags import services as tags
        from members import events
        from proposals.signals import proposal_replied

        events.council_added.connect(triggers.on_council_added)
        events.council_added.connect(tags.on_council_added)  # the default "四联四助" tags
        events.constituent_added.connect(triggers.on_constituent_added)
        # A member moved to another sector or committee: their daily contact counts follow.
        events.member_changed.connect(rollups.on_member_changed)
        proposal_replied.connect(triggers.on_proposal_replied, dispatch_uid="reminders-proposal-replied")
