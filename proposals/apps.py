from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    name = "proposals"
    verbose_name = _("Proposals")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from proposals import outcome, tally
        from proposals.similarity import index

        outcome.connect()
        tally.connect()
        index.connect()
