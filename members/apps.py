from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members and constituents")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from members import audit_signals
        from members.common import search
        from members.security import sessions

        audit_signals.connect()
        search.pattern_in_sql()

        sessions.connect()
