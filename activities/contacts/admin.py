from django.contrib import admin

from activities.common.admin import PhotoInline
from activities.contacts.models import ContactLog, ContactLogConstituent, ContactLogPhoto


class ContactLogConstituentInline(admin.TabularInline):
    model = ContactLogConstituent
    raw_id_fields = ["constituent"]
    extra = 0


class ContactLogPhotoInline(PhotoInline):
    model = ContactLogPhoto


@admin.register(ContactLog)
class ContactLogAdmin(admin.ModelAdmin):
    list_display = ["contacted_at", "member", "channel", "mode", "difficulty", "council"]
    list_filter = ["channel", "mode", "difficulty", "council"]
    search_fields = ["member__name", "summary", "opinions"]
    date_hierarchy = "contacted_at"
    list_select_related = ["member", "council"]
    raw_id_fields = ["member", "platform"]
    inlines = [ContactLogConstituentInline, ContactLogPhotoInline]
    show_full_result_count = False
