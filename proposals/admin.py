"""Admin for reference data (sessions, categories, handling units) and a read-only view of
proposals: their state changes go through ``proposals.services`` on the proposal pages."""

from django.contrib import admin

from proposals.models import Category, HandlingUnit, Proposal, ProposalEvent, Session


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["name", "council", "term", "number", "opened_on", "is_current", "last_number"]
    list_filter = ["is_current"]
    list_select_related = ["council"]
    readonly_fields = ["last_number"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "council", "order", "active"]
    list_select_related = ["council"]


@admin.register(HandlingUnit)
class HandlingUnitAdmin(admin.ModelAdmin):
    list_display = ["name", "council", "order", "active"]
    list_select_related = ["council"]
    filter_horizontal = ["users"]
    search_fields = ["name"]


class EventInline(admin.TabularInline):
    model = ProposalEvent
    extra = 0
    can_delete = False
    readonly_fields = ["at", "actor", "action", "from_state", "to_state", "note", "internal"]


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "session", "state", "deadline"]
    list_filter = ["state", "session"]
    list_select_related = ["session"]
    search_fields = ["title"]
    show_full_result_count = False
    inlines = [EventInline]
    readonly_fields = [f.name for f in Proposal._meta.fields]

    def has_add_permission(self, request):
        return False
