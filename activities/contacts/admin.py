from django.contrib import admin

from activities.common.admin import PhotoInline
from activities.contacts.models import ContactLog, ContactLogConstituent, ContactLogPhoto
from activities.contacts.services import contact_log_delete


class ContactLogConstituentInline(admin.TabularInline):
    model = ContactLogConstituent
    raw_id_fields = ["constituent"]
    extra = 0


class ContactLogPhotoInline(PhotoInline):
    model = ContactLogPhoto


@admin.register(ContactLog)
class ContactLogAdmin(admin.ModelAdmin):
    """Contact logs are read here; they are logged and edited on the portal's pages, whose
    service keeps what follows from a log (last contacts, daily counts, must-visits) in step.
    A log deleted here goes through the service for the same reason."""

    list_display = ["contacted_at", "member", "channel", "mode", "difficulty", "council"]
    list_filter = ["channel", "mode", "difficulty", "council"]
    search_fields = ["member__name", "summary", "opinions"]
    date_hierarchy = "contacted_at"
    list_select_related = ["member", "council"]
    raw_id_fields = ["member", "platform"]
    inlines = [ContactLogConstituentInline, ContactLogPhotoInline]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        contact_log_delete(by=request.user, log=obj)

    def delete_queryset(self, request, queryset):
        for log in queryset.select_related("member"):
            self.delete_model(request, log)
