from django.conf import settings
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from members import services
from members.models import (
    Committee,
    Constituent,
    Council,
    Member,
    Notification,
    Platform,
    Sector,
    User,
)


class FastChangeList(admin.ModelAdmin):
    """Big tables: no full COUNT(*) on every page (see DESIGN.md, "What is fast here")."""

    show_full_result_count = False
    list_per_page = 50


def _took_the_place_of(obj, saved) -> None:
    """The admin goes on with the unsaved instance its form built (to log the addition and
    redirect): make it the row the service saved."""
    obj.__dict__.update(saved.__dict__)


@admin.register(Council)
class CouncilAdmin(admin.ModelAdmin):
    list_display = ["name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["name"]
    list_select_related = ["parent"]

    def save_model(self, request, obj, form, change):
        """A new council is added by the service, which sets it up (``council_added``)."""
        if change:
            return super().save_model(request, obj, form, change)
        fields = {name: getattr(obj, name) for name in services.COUNCIL_FIELDS}
        _took_the_place_of(obj, services.council_create(by=request.user, **fields))


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "display_name", "role", "council", "is_active", "last_login"]
    list_filter = ["role", "is_active", "council"]
    search_fields = ["username", "display_name", "email"]
    list_select_related = ["council"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Portal"), {"fields": ("display_name", "role", "council", "committee", "language")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Portal"), {"fields": ("display_name", "role", "council", "committee")}),
    )


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "is_key", "council", "order"]
    list_filter = ["kind", "is_key", "council"]
    search_fields = ["name"]
    list_select_related = ["council"]


@admin.register(Committee)
class CommitteeAdmin(admin.ModelAdmin):
    list_display = ["name", "council", "order"]
    list_filter = ["council"]
    search_fields = ["name"]
    list_select_related = ["council"]


@admin.register(Member)
class MemberAdmin(SimpleHistoryAdmin, FastChangeList):
    list_display = ["name", "sector", "committee", "term", "status", "zone", "council"]
    list_filter = ["status", "council", "sector", "committee"]
    search_fields = ["name", "phone", "unit", "zone"]
    list_select_related = ["sector", "committee", "council"]
    raw_id_fields = ["user"]


@admin.register(Platform)
class PlatformAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "host_committee", "convenor", "opened_on", "active", "council"]
    list_filter = ["kind", "active", "council"]
    search_fields = ["name", "address"]
    list_select_related = ["host_committee", "convenor", "council"]
    filter_horizontal = ["sectors", "members"]
    raw_id_fields = ["convenor"]


@admin.register(Constituent)
class ConstituentAdmin(SimpleHistoryAdmin, FastChangeList):
    list_display = ["name", "sector", "member", "unit", "community", "active", "last_contacted_at"]
    list_filter = ["active", "council", "sector"]
    search_fields = ["name", "phone", "unit", "community"]
    list_select_related = ["sector", "member"]
    raw_id_fields = ["member"]

    def save_model(self, request, obj, form, change):
        """A new constituent is added to its member's roster by the service, as on the member's
        pages: checked, audited, and announced (``constituent_added``: the first-visit
        reminder). Its council is the member's."""
        if change:
            return super().save_model(request, obj, form, change)
        fields = {name: getattr(obj, name) for name in services.CONSTITUENT_FIELDS}
        _took_the_place_of(
            obj, services.constituent_create(by=request.user, member=obj.member, **fields)
        )


class EmailStateFilter(admin.SimpleListFilter):
    title = _("e-mail")
    parameter_name = "email"

    def lookups(self, request, model_admin):
        return [
            ("sent", _("sent")),
            ("pending", _("waiting or being retried")),
            ("failed", _("failed: retries used up")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "sent":
            return queryset.filter(emailed_at__isnull=False)
        if self.value() == "pending":
            return queryset.filter(
                emailed_at__isnull=True, email_attempts__lt=settings.NOTICE_EMAIL_MAX_ATTEMPTS
            ).exclude(user__email="")
        if self.value() == "failed":
            return queryset.email_failed()
        return queryset


@admin.register(Notification)
class NotificationAdmin(FastChangeList):
    list_display = [
        "subject", "user", "kind", "created_at", "read_at", "emailed_at", "email_attempts",
        "email_error",
    ]
    list_filter = [EmailStateFilter, "kind"]
    actions = ["retry_email"]
    search_fields = ["subject", "user__username"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]

    @admin.action(description=_("Try the e-mail again"))
    def retry_email(self, request, queryset):
        count = services.notification_email_retry(notices=queryset)
        self.message_user(request, _("%(count)d notices will be e-mailed again.") % {"count": count})
