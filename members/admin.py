from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from members import permissions, services
from members.models import (
    AuditEntry,
    Committee,
    Constituent,
    Council,
    Member,
    Notification,
    Platform,
    Sector,
    User,
)
from members.models.constituent import phone_word_q
from members.security.passwords import password_set_by_staff


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


class StaffSetPasswordForm(AdminPasswordChangeForm):
    """The admin's "change password": a password chosen there is replaced by its user at
    the next login (their own page is Account security → Change password)."""

    def save(self, commit=True):
        password_set_by_staff(self.user)
        return super().save(commit=commit)


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
    change_password_form = StaffSetPasswordForm

    def save_model(self, request, obj, form, change):
        """A login added here has a password staff chose: its user chooses their own at
        the first login (members.security)."""
        if not change:
            password_set_by_staff(obj)
        super().save_model(request, obj, form, change)


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


class ThroughServices:
    """An admin whose saves and deletes (one, the bulk action, a history revert) go through
    the services, so that what they keep in step with the row (the roster counts, the audit
    trail, events) is kept here too. A refusal is shown as a message; nothing changes."""

    def _refused(self, request, error) -> None:
        self.message_user(request, "；".join(error.messages), level=messages.ERROR)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(Member)
class MemberAdmin(ThroughServices, SimpleHistoryAdmin, FastChangeList):
    list_display = ["name", "sector", "committee", "term", "status", "zone", "council"]
    list_filter = ["status", "council", "sector", "committee"]
    search_fields = ["name", "phone", "unit", "zone"]
    list_select_related = ["sector", "committee", "council"]
    raw_id_fields = ["user"]

    def get_readonly_fields(self, request, obj=None):
        """A member's council and login are given when the member is added, and stay."""
        return ["council", "user"] if obj is not None and obj.pk else []

    def save_model(self, request, obj, form, change):
        fields = {name: getattr(obj, name) for name in services.MEMBER_FIELDS}
        try:
            if change:
                services.member_update(by=request.user, member=obj, **fields)
            else:
                _took_the_place_of(obj, services.member_create(
                    by=request.user, council=obj.council, user=obj.user, **fields))
        except ValidationError as error:
            self._refused(request, error)

    def delete_model(self, request, obj):
        try:
            services.member_delete(by=request.user, member=obj)
        except ValidationError as error:
            self._refused(request, error)


@admin.register(Platform)
class PlatformAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "host_committee", "convenor", "opened_on", "active", "council"]
    list_filter = ["kind", "active", "council"]
    search_fields = ["name", "address"]
    list_select_related = ["host_committee", "convenor", "council"]
    filter_horizontal = ["sectors", "members"]
    raw_id_fields = ["convenor"]


@admin.register(Constituent)
class ConstituentAdmin(ThroughServices, SimpleHistoryAdmin, FastChangeList):
    list_display = ["name", "sector", "member", "unit", "community", "active", "last_contacted_at"]
    list_filter = ["active", "council", "sector"]
    search_fields = ["name", "unit", "community"]
    list_select_related = ["sector", "member"]
    raw_id_fields = ["member"]
    # The council is the keeping member's; the last contact is the contact logs' to say.
    readonly_fields = ["council", "last_contacted_at"]

    def get_search_results(self, request, queryset, search_term):
        """The name, unit and community as usual; a whole phone number or its last four
        digits by their keyed hashes (the numbers are sealed: ``phone_word_q``)."""
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        phone = phone_word_q(search_term.strip())
        if phone is not None:
            found |= queryset.filter(phone)
        return found, may_have_duplicates

    def save_model(self, request, obj, form, change):
        """Through the services, as on the member's pages: a new constituent is checked,
        audited and announced (``constituent_added``: the first-visit reminder); a changed one
        is edited, and handed to another member if the member was changed."""
        fields = {name: getattr(obj, name) for name in services.CONSTITUENT_FIELDS}
        try:
            if not change:
                _took_the_place_of(
                    obj, services.constituent_create(by=request.user, member=obj.member, **fields)
                )
                return
            with transaction.atomic():  # the move and the edit, or neither
                stored = Constituent.objects.select_related("member").get(pk=obj.pk)
                if obj.member_id != stored.member_id:
                    services.constituent_move(by=request.user, constituent=stored,
                                              member=obj.member)
                _took_the_place_of(obj, services.constituent_update(
                    by=request.user, constituent=stored, **fields))
        except ValidationError as error:
            self._refused(request, error)

    def delete_model(self, request, obj):
        try:
            services.constituent_delete(by=request.user, constituent=obj)
        except ValidationError as error:
            self._refused(request, error)


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

    # Whatever is changed here, the users' unread counters (the navbar's badge) are recounted
    # in the same transaction (``services.unread_recount``).
    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            before = Notification.objects.filter(pk=obj.pk).values_list("user_id", flat=True)
            users = {obj.user_id, *before}
            super().save_model(request, obj, form, change)
            services.unread_recount(users=users)

    def delete_model(self, request, obj):
        with transaction.atomic():
            super().delete_model(request, obj)
            services.unread_recount(users=[obj.user_id])

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            users = set(queryset.values_list("user_id", flat=True))
            super().delete_queryset(request, queryset)
            services.unread_recount(users=users)

    @admin.action(description=_("Try the e-mail again"))
    def retry_email(self, request, queryset):
        count = services.notification_email_retry(notices=queryset)
        self.message_user(request, _("%(count)d notices will be e-mailed again.") % {"count": count})


@admin.register(AuditEntry)
class AuditEntryAdmin(FastChangeList):
    """The audit, read-only: nobody adds, changes or deletes an entry here, superusers
    included, and only an audit admin (with admin-site access) sees it at all. Its own page
    (/members/audit/) is where the audit admin reads and exports it."""

    list_display = ["time", "username", "role", "council_name", "ip", "action", "object_repr", "result"]
    list_filter = ["action", "result"]
    search_fields = ["username", "object_repr"]
    actions = None

    def get_queryset(self, request):
        return AuditEntry.objects.visible_to(request.user)

    def has_module_permission(self, request):
        return permissions.is_audit_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return permissions.is_audit_admin(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
